"""Paragraphs and pictures out of a story's body block.

A body is a run of ``<p>`` elements. Empty ones (``&nbsp;``) are noise; a
paragraph that holds only a picture starts a picture, and the paragraph right
after it is that picture's caption, not body text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

# A run of white space (NBSP included: \s matches it), or one white-space character that is
# not a plain space: what becomes one space (a single plain space already is one).
_SPACE_RE = re.compile(r"\s{2,}|[^\S ]")


def squash(text: str) -> str:
    """Collapse every run of white space (NBSP included) into one space, strip the ends."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # nothing to do: no white space but single inner plain spaces
    return _SPACE_RE.sub(" ", text).strip()


def text_of(node: Selector) -> str:
    texts = node.xpath(".//text()[not(ancestor::script or ancestor::style)]").getall()
    return squash(" ".join(texts))


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)


def read_body(paragraphs: Iterable[Selector], base_url: str) -> Body:
    """Body text and pictures from the ``<p>`` elements of a body block, in order."""
    body = Body()
    awaiting_caption: dict[str, str | None] | None = None
    for node in paragraphs:
        src = node.xpath(".//img/@src").get()
        text = text_of(node)
        if src:
            awaiting_caption = {"url": urljoin(base_url, src.strip()), "caption": None}
            body.images.append(awaiting_caption)
            if text:  # a caption written in the same paragraph as its picture
                awaiting_caption["caption"] = text
                awaiting_caption = None
            continue
        if not text:
            continue
        if awaiting_caption is not None and _looks_like_caption(node):
            awaiting_caption["caption"] = text
        else:
            body.paragraphs.append(text)
        awaiting_caption = None
    return body


def _looks_like_caption(node: Selector) -> bool:
    """The portal centres captions under their picture; body paragraphs are not centred."""
    style = (node.xpath("@style").get() or "").replace(" ", "").lower()
    align = (node.xpath("@align").get() or "").lower()
    if "text-align:center" in style or align == "center":
        return True
    return text_of(node).lower().startswith(("(photo", "photo :", "photo:"))


def densest_paragraph_block(page: Selector) -> list[Selector]:
    """The ``<p>`` children of the element that holds the most paragraph text.

    The fallback for layouts the profile does not know: a story's body is the
    block with the most prose, whatever its class names.
    """
    best: list[Selector] = []
    best_size = 0
    for parent in page.xpath("//*[p]"):
        if parent.xpath("ancestor-or-self::*[self::header or self::footer or self::nav]"):
            continue
        children = parent.xpath("./p")
        size = sum(len(text_of(p)) for p in children)
        if size > best_size:
            best, best_size = list(children), size
    return best
