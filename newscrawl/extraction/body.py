"""A story's body on a page no selector knows: trafilatura, on the story's part of the page.

Trafilatura (2.3, the field's reference extractor: its own evaluation and ours, BENCHMARKS.md
*Real pages*) finds the main text. Before it reads the page, what is never body text is taken
out of a copy of the tree: the related blocks (:mod:`newscrawl.extraction.related`), captions,
bylines and date lines, "Lire aussi" inserts, newsletter, cookie and consent boxes, share
bars, comments. When the story's container is known (the site profile's, or
``[itemprop=articleBody]``), only that container is given to it; if trafilatura keeps nothing
of a known container, the container's own paragraphs are the body.

Trafilatura imports ``lxml.html.clean``, which lives in ``lxml_html_clean`` since lxml 5.2: a
direct dependency of this project for that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from copy import deepcopy

from lxml import etree
from lxml.html import HtmlElement, fromstring

from newscrawl.extraction.paragraphs import squash
from newscrawl.extraction.tree import drop_tree, text_content

BOILERPLATE_XPATH = etree.XPath(
    "//figcaption | //*[self::figure][not(.//p[string-length(normalize-space()) > 200])]"
    " | //*[@rel='author' or @itemprop='author' or @itemprop='datePublished'"
    " or @itemprop='dateModified']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')"
    " or contains(@class, 'legende') or contains(@class, 'credit')"
    " or contains(@class, 'byline') or contains(@class, 'signature')"
    " or contains(@class, 'author') or contains(@class, 'auteur')"
    " or contains(@class, 'newsletter') or contains(@id, 'newsletter')"
    " or contains(@class, 'cookie') or contains(@id, 'cookie') or contains(@class, 'consent')"
    " or contains(@id, 'didomi') or contains(@class, 'didomi') or contains(@class, 'rgpd')"
    " or contains(@class, 'share') or contains(@class, 'partage') or contains(@class, 'social')"
    " or contains(@class, 'comment') or contains(@id, 'comment')"
    " or contains(@class, 'breadcrumb') or contains(@class, 'ariane')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' nav ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' menu ')"
    " or contains(@class, 'tags') or contains(@class, 'keywords')"
    " or contains(@class, 'pub ') or contains(@class, 'advert') or contains(@class, 'banner')]"
    " | //nav | //footer | //aside | //form | //noscript | //iframe | //script | //style"
)
# Classes that look like boilerplate but hold the story on some sites ("author-content" …):
# a boilerplate match holding this much text is kept.
KEEP_ABOVE_CHARS = 1500


def story_body(
    root: etree._Element,
    url: str,
    container: list[etree._Element] | None = None,
    leave_out: Iterable[etree._Element] = (),
) -> tuple[list[str], str]:
    """The body's paragraphs and how they were found: ``trafilatura`` (on the whole page),
    ``trafilatura_container`` (on the story's container), or ``container`` (a known
    container's own paragraphs, when trafilatura keeps nothing of it)."""
    tree = _prepared(root, container or [], leave_out)
    paragraphs = trafilatura_paragraphs(tree, url)
    if paragraphs:
        return paragraphs, "trafilatura_container" if container else "trafilatura"
    if container:
        paragraphs = own_paragraphs(tree)
        if paragraphs:
            return paragraphs, "container"
    return [], "none"


def trafilatura_paragraphs(tree: HtmlElement, url: str) -> list[str]:
    # Imported here: trafilatura (and its dateparser, htmldate) costs ~0.4 s to import, which
    # a crawl of the portal alone never needs to pay.
    from trafilatura import bare_extraction

    _quiet_trafilatura()
    document = bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        with_metadata=False,
        deduplicate=False,
        # No dump of the whole page when the main text is short: a shell page, a notice, a
        # page of links is no body.
        favor_precision=True,
    )
    text = getattr(document, "text", None) if document is not None else None
    return [line for line in (squash(part) for part in (text or "").split("\n")) if line]


def own_paragraphs(tree: HtmlElement) -> list[str]:
    texts = (squash(text_content(p)) for p in tree.iter("p"))
    return [text for text in texts if text]


def _prepared(
    root: etree._Element, container: list[etree._Element], leave_out: Iterable[etree._Element]
) -> HtmlElement:
    """A copy of the page (or of its container, in a page of its own) without what is never
    body text, in lxml.html's classes (trafilatura reads no other tree; the crawl's own are
    lxml's plain elements, :mod:`newscrawl.extraction.tree`)."""
    marked = list(leave_out)
    for element in marked:
        element.set("data-newscrawl-out", "1")
    try:
        tree = _html_copy(root, container)
    finally:
        for element in marked:
            element.attrib.pop("data-newscrawl-out", None)
    for element in tree.xpath("//*[@data-newscrawl-out]"):
        _drop(element)
    for element in BOILERPLATE_XPATH(tree):
        if element.tag in ("script", "style") or len(text_content(element)) < KEEP_ABOVE_CHARS:
            _drop(element)
    return tree


def _html_copy(root: etree._Element, container: list[etree._Element]) -> HtmlElement:
    """A copy of ``container`` in a page of its own, or of the whole page, in a document of
    lxml.html's: the copied elements are moved into it, and an element's class is chosen by
    its document when Python first asks for it (no copy's element is held on to here)."""
    if container:
        tree = fromstring("<html><body><article></article></body></html>")
        holder = tree.find("body").find("article")
        for part in container:
            holder.append(_copy(part, tail=False))
        return tree
    tree = fromstring("<html></html>")
    page = deepcopy(root)
    for name, value in page.attrib.items():
        tree.set(name, value)
    tree.text = page.text
    for child in list(page):
        tree.append(child)  # the tail goes with it
    return tree


def _copy(element: etree._Element, tail: bool) -> etree._Element:
    copied = deepcopy(element)
    if not tail:
        copied.tail = None
    return copied


def _drop(element: etree._Element) -> None:
    if element.getparent() is not None:
        drop_tree(element)  # its tail (the text after it) stays


_QUIETED = False


def _quiet_trafilatura() -> None:
    """Trafilatura logs every page it discards at WARNING; a crawl says why itself."""
    global _QUIETED
    if not _QUIETED:
        for name in ("trafilatura", "htmldate", "courlan", "justext"):
            logging.getLogger(name).setLevel(logging.ERROR)
        _QUIETED = True
