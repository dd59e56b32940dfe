"""Paragraphs and pictures out of a story's body block.

A body is a run of ``<p>`` elements. Empty ones (``&nbsp;``) are noise; a
paragraph that holds only a picture starts a picture, and the paragraph right
after it is that picture's caption, not body text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from newscrawl.extraction.tree import element_of, squash, text_of

__all__ = ["Body", "densest_paragraph_block", "read_body", "squash", "text_of"]

# Elements whose paragraphs are not a story's body, wherever they are.
PAGE_FURNITURE = frozenset({"header", "footer", "nav"})


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)


def read_body(paragraphs: Iterable[Any], base_url: str) -> Body:
    """Body text and pictures from the ``<p>`` elements (or Selectors) of a body block, in
    order."""
    body = Body()
    awaiting_caption: dict[str, str | None] | None = None
    for node in paragraphs:
        element = element_of(node)
        src = _picture(element) if len(element) else None  # no child, no picture inside
        text = text_of(element)
        if src:
            awaiting_caption = {"url": urljoin(base_url, src.strip()), "caption": None}
            body.images.append(awaiting_caption)
            if text:  # a caption written in the same paragraph as its picture
                awaiting_caption["caption"] = text
                awaiting_caption = None
            continue
        if not text:
            continue
        if awaiting_caption is not None and _looks_like_caption(element, text):
            awaiting_caption["caption"] = text
        else:
            body.paragraphs.append(text)
        awaiting_caption = None
    return body


def _picture(element: Any) -> str | None:
    """The ``src`` of the first picture in the paragraph that has one (XPath ``.//img/@src``)."""
    for image in element.iter("img"):
        if image is not element:
            src = image.get("src")
            if src is not None:
                return str(src)
    return None


def _looks_like_caption(element: Any, text: str) -> bool:
    """The portal centres captions under their picture; body paragraphs are not centred."""
    style = (element.get("style") or "").replace(" ", "").lower()
    align = (element.get("align") or "").lower()
    if "text-align:center" in style or align == "center":
        return True
    return text.lower().startswith(("(photo", "photo :", "photo:"))


def densest_paragraph_block(page: Any) -> list[Any]:
    """The ``<p>`` children of the element that holds the most paragraph text (lxml
    elements), leaving out page furniture (``header``, ``footer``, ``nav`` and what is in them).

    The fallback for layouts the profile does not know: a story's body is the block with the
    most prose, whatever its class names. One walk: furniture is skipped whole, and each
    paragraph's text is read once.
    """
    from lxml import etree

    best: list[Any] = []
    best_size = 0
    walker = etree.iterwalk(element_of(page), events=("start",))
    order: dict[Any, int] = {}
    sizes: dict[Any, tuple[int, list[Any]]] = {}
    for position, (_, element) in enumerate(walker):
        if element.tag in PAGE_FURNITURE:
            walker.skip_subtree()
            continue
        order[element] = position
        if element.tag == "p":
            parent = element.getparent()
            if parent is not None:
                size, children = sizes.get(parent, (0, []))
                children.append(element)
                sizes[parent] = (size + len(text_of(element)), children)
    for parent in sorted(
        sizes, key=lambda element: order.get(element, -1)
    ):  # in document order, as //*[p]
        size, children = sizes[parent]
        if size > best_size:
            best, best_size = children, size
    return best
