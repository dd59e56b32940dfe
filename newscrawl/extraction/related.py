"""Related headlines on a site no profile knows: the blocks a page announces as such.

A block is announced by a short heading or label — ``Articles liés``, ``À lire aussi``, ``Lire
aussi``, ``Sur le même sujet``, ``Voir aussi``, ``Dans la même rubrique``, ``À voir aussi``,
``Les articles liés``, ``Articles connexes``, ``En lien avec cet article`` — in its usual markup:

- a heading (``h2``–``h6``, ``strong``, ``span``, ``div``, ``p``, ``header``) followed by a list
  or paragraphs of links (``<h3>Articles liés</h3><ul><li><a …>``), the links after it in its
  parent up to the next heading of its kind;
- an insert inside the text, ``<p><strong>Lire aussi :</strong> <a …>…</a></p>``;
- an element whose class or id names such a block (``related``, ``lire-aussi``, ``a-lire``,
  ``voir-aussi``, ``meme-sujet``, ``rel_news`` …), heading or not.

:func:`related_blocks` walks the tree once and returns the blocks (their elements, so the body
extractor can leave them out) and their links, in page order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from newscrawl.extraction.paragraphs import squash
from newscrawl.extraction.tree import text_content
from newscrawl.urls import resolve

ANNOUNCEMENTS = (
    "articles lies",
    "les articles lies",
    "article lie",
    "a lire aussi",
    "a lire egalement",
    "lire aussi",
    "lire egalement",
    "a lire",
    "sur le meme sujet",
    "sur le meme theme",
    "voir aussi",
    "a voir aussi",
    "voir egalement",
    "dans la meme rubrique",
    "articles connexes",
    "en lien avec cet article",
    "en relation",
    "articles en relation",
    "nos articles sur le sujet",
    "pour aller plus loin",
    "a decouvrir aussi",
    "related articles",
    "related",
)
BLOCK_NAME_RE = re.compile(
    r"(?:^|[\s_-])(?:related|relatives?|relacionados|rel_news|relevant|lire-?aussi|alire|a-lire"
    r"|voir-?aussi|meme-?sujet|same-?topic|see-?also|connexes|liens-?associes|sur-le-meme"
    r"|articles?-lies|articles?-associes|in-?text-?link|linked-?articles)(?:$|[\s_-])",
    re.IGNORECASE,
)
NOT_RELATED_NAME_RE = re.compile(
    r"ads?\b|pub|sponsor|promo|partenaire|partner|outbrain|taboola", re.I
)
# Links of a block that lead to more of it, not to a story.
MORE_LINK_RE = re.compile(
    r"^(?:plus d['’]\s?(?:actu|articles?|infos?)|voir (?:plus|tout|tous)|tous les articles"
    r"|lire la suite|toute l['’]actu|(?:afficher|charger) plus|suite)\b",
    re.IGNORECASE,
)
HEADING_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "div", "p", "header", "dt", "em"}
)
SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "title"})
MAX_ANNOUNCEMENT = 60  # characters: an announcement is a label, not a sentence
MAX_LINKS = 50  # per block: more is a menu


@dataclass
class RelatedBlock:
    element: etree._Element  # the block as a whole (to leave out of the body)
    announcement: str  # the heading's text, or the class/id that names it
    links: list[dict[str, str]] = field(default_factory=list)  # {title, url}


def related_blocks(root: etree._Element, base_url: str) -> list[RelatedBlock]:
    """Every announced related block of the page, outermost first, in page order."""
    blocks: list[RelatedBlock] = []
    taken: set[etree._Element] = set()
    for element in _walk(root):
        if any(ancestor in taken for ancestor in _ancestors(element, limit=12)):
            continue
        block = _named_block(element, base_url) or _announced_block(element, base_url)
        if block is not None and block.links:
            blocks.append(block)
            taken.add(block.element)
    return blocks


def related_links(blocks: list[RelatedBlock]) -> list[dict[str, str]]:
    """The blocks' links in page order, each URL once."""
    seen: set[str] = set()
    links: list[dict[str, str]] = []
    for block in blocks:
        for link in block.links:
            if link["url"] not in seen:
                seen.add(link["url"])
                links.append(link)
    return links


def announces(text: str) -> bool:
    """Is this short text one of the announcements (``À lire aussi :``, ``LIRE AUSSI``)?"""
    if len(text) > MAX_ANNOUNCEMENT:  # a label, not a sentence: no need to read it
        return False
    key = _key(text)
    return bool(key) and key in ANNOUNCEMENTS


# ------------------------------------------------------------------------------------------


def _walk(root: etree._Element) -> Iterator[etree._Element]:
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in SKIPPED:
            continue
        yield element


def _ancestors(element: etree._Element, limit: int) -> Iterator[etree._Element]:
    parent = element.getparent()
    while parent is not None and limit:
        yield parent
        parent = parent.getparent()
        limit -= 1


def _named_block(element: etree._Element, base_url: str) -> RelatedBlock | None:
    name = f"{element.get('class', '')} {element.get('id', '')}"
    if not BLOCK_NAME_RE.search(name) or element.tag in ("a", "body", "html"):
        return None
    if NOT_RELATED_NAME_RE.search(name):  # "related-ads": advertising, not headlines
        return None
    links = _links(element.iter("a"), base_url)
    if not links or len(links) > MAX_LINKS:
        return None
    return RelatedBlock(element, name.strip(), links)


def _announced_block(element: etree._Element, base_url: str) -> RelatedBlock | None:
    if element.tag not in HEADING_TAGS:
        return None
    own = squash(element.text or "")
    if not own:  # <h3><span>Lire aussi</span></h3>: the span announces it
        return None
    label = own if len(element) == 0 else squash(_text_without_links(element))
    if not announces(label or own):
        return None
    # An insert: the label and its links in one paragraph (<p>Lire aussi : <a …>…</a></p>,
    # <p><strong>Lire aussi :</strong> <a …>…</a></p>).
    holder = element
    if len(element) and element.tag not in ("strong", "b", "span", "em"):
        inline = _links(element.iter("a"), base_url)
        if inline:
            return RelatedBlock(element, label or own, inline)
    while holder.getparent() is not None and holder.tag in ("strong", "b", "span", "em"):
        holder = holder.getparent()
        inline = _links(holder.iter("a"), base_url)
        if inline:
            return RelatedBlock(holder, label or own, inline)
    # A heading: the links after it, up to the next heading of its kind.
    heading = holder
    for _ in range(3):  # <div><h3>Articles liés</h3></div><ul>…</ul>: climb to the list
        links, after = _links_after(heading, base_url)
        if links:
            parent = heading.getparent()
            whole = parent is not None and _only_this_block(parent, heading, after)
            return RelatedBlock(parent if whole else heading, label or own, links)
        if heading.getparent() is None or heading.getparent().tag in ("body", "html"):
            break
        heading = heading.getparent()
    return None


def _links_after(heading: etree._Element, base_url: str) -> tuple[list[dict[str, str]], list]:
    siblings = []
    for sibling in heading.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag == heading.tag and sibling.tag in ("h2", "h3", "h4", "h5", "h6"):
            break
        siblings.append(sibling)
        if len(siblings) >= 6:
            break
    anchors = [a for sibling in siblings for a in _anchors(sibling)]
    links = _links(anchors, base_url)
    return (links if len(links) <= MAX_LINKS else []), siblings


def _only_this_block(parent: etree._Element, heading: etree._Element, after: list) -> bool:
    """The parent holds nothing but the heading and its links (then it is the block)."""
    return len([c for c in parent if isinstance(c.tag, str)]) <= len(after) + 1 + (
        1 if heading.getprevious() is not None else 0
    ) and parent.tag not in ("body", "html", "article", "main")


def _anchors(element: etree._Element) -> list[etree._Element]:
    return [element] if element.tag == "a" else list(element.iter("a"))


def _links(
    anchors: Iterator[etree._Element] | list[etree._Element], base_url: str
) -> list[dict[str, str]]:
    links: list[dict[str, str]] = []
    seen: set[str] = set()
    for anchor in anchors:
        url = resolve(anchor.get("href"), base_url)
        title = squash(text_content(anchor)) or squash(anchor.get("title") or "")
        if url is None or not title or announces(title) or len(title) < 8:
            continue
        if MORE_LINK_RE.match(title):
            continue
        url = url.split("#", 1)[0]
        if url not in seen:
            seen.add(url)
            links.append({"title": title, "url": url})
    return links


def _text_without_links(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != "a":
            parts.append(etree.tostring(child, method="text", encoding="unicode", with_tail=False))
        parts.append(child.tail or "")
    return " ".join(parts)


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    plain = re.sub(r"[^a-z ]+", " ", plain.replace("’", " ").replace("'", " "))
    return re.sub(r"\s+", " ", plain).strip()
