"""Discovery: the story URLs a site lists in its robots.txt, sitemaps and feeds, with their dates.

- ``robots.txt``: its ``Sitemap:`` lines, each a feed to read;
- a sitemap index (``<sitemapindex>``): its sitemaps, newest first by ``<lastmod>``;
- a sitemap (``<urlset>``), news sitemaps included: each ``<loc>`` with its
  ``<news:publication_date>`` or ``<lastmod>``;
- RSS 2.0 / RSS 1.0: each item's ``<link>`` (or a permalink ``<guid>``) with its ``<pubDate>``
  (or ``<dc:date>``);
- Atom: each entry's ``alternate`` link with its ``<published>`` (or ``<updated>``).

A gzipped body (``sitemap.xml.gz``) is unpacked, up to :data:`MAX_UNPACKED` bytes. The XML is
parsed without entities, DTDs or network access (no billion laughs, no XXE). A date is the
feed's, ISO with offset; a date that is not believable (see :mod:`newscrawl.extraction.dates`)
is left out, the URL kept.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from datetime import tzinfo

from lxml import etree

from newscrawl.extraction import dates
from newscrawl.urls import resolve

MAX_UNPACKED = 50 * 1024 * 1024  # the sitemap protocol's own limit for one file
SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class FeedEntry:
    """One URL a feed lists: a story (with the time the feed gives it, ISO with offset) or
    another feed to read."""

    url: str
    listed_at: str | None = None
    is_feed: bool = False


def feed_entries(body: bytes, url: str, where: tzinfo) -> list[FeedEntry]:
    """What a robots.txt, sitemap, sitemap index, RSS or Atom body lists (see the module)."""
    body = _unpacked(body)
    if url.lower().rstrip("/").endswith("robots.txt") or not body.lstrip().startswith(b"<"):
        text = body.decode("utf-8", "replace")
        found = (resolve(line, url) for line in SITEMAP_LINE.findall(text))
        return [
            FeedEntry(link, None, is_feed=True) for link in dict.fromkeys(f for f in found if f)
        ]
    root = _parse(body)
    if root is None:
        return []
    kind = _local(root.tag)
    if kind == "sitemapindex":
        entries = [
            _entry(node, url, where, "loc", ("lastmod",), is_feed=True)
            for node in _children(root, "sitemap")
        ]
        present = [e for e in entries if e is not None]
        return sorted(present, key=lambda e: e.listed_at or "", reverse=True)
    if kind == "urlset":
        items = [
            _entry(node, url, where, "loc", ("publication_date", "lastmod"))
            for node in _children(root, "url")
        ]
    elif kind in ("rss", "rdf"):
        items = [_rss_item(node, url, where) for node in root.iter() if _local(node.tag) == "item"]
    elif kind == "feed":
        items = [_atom_entry(node, url, where) for node in _children(root, "entry")]
    else:
        return []
    seen: set[str] = set()
    unique: list[FeedEntry] = []
    for item in items:
        if item is not None and item.url not in seen:
            seen.add(item.url)
            unique.append(item)
    return unique


def _unpacked(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as packed:
            return packed.read(MAX_UNPACKED)
    except (OSError, EOFError):
        return b""


def _parse(body: bytes) -> etree._Element | None:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(root: etree._Element, name: str) -> list[etree._Element]:
    return [node for node in root if _local(node.tag) == name]


def _text_of(node: etree._Element, names: tuple[str, ...]) -> str:
    for name in names:
        for child in node.iter():
            if _local(child.tag) == name and (child.text or "").strip():
                return child.text.strip()  # type: ignore[union-attr]
    return ""


def _when(text: str, where: tzinfo) -> str | None:
    if not text:
        return None
    reading = dates.read_iso(text, where) or dates.read_rfc822(text, where)
    return reading.iso() if reading is not None else None


def _entry(
    node: etree._Element,
    base: str,
    where: tzinfo,
    loc: str,
    when: tuple[str, ...],
    is_feed: bool = False,
) -> FeedEntry | None:
    link = resolve(_text_of(node, (loc,)), base)
    if link is None:
        return None
    return FeedEntry(link, _when(_text_of(node, when), where), is_feed=is_feed)


def _rss_item(node: etree._Element, base: str, where: tzinfo) -> FeedEntry | None:
    link = _text_of(node, ("link",))
    if not link:
        guid = next((c for c in node if _local(c.tag) == "guid"), None)
        if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
            link = (guid.text or "").strip()
    target = resolve(link, base)
    if target is None:
        return None
    return FeedEntry(target, _when(_text_of(node, ("pubdate", "date", "published")), where))


def _atom_entry(node: etree._Element, base: str, where: tzinfo) -> FeedEntry | None:
    href = None
    for link in node:
        if _local(link.tag) == "link" and link.get("rel", "alternate") == "alternate":
            href = link.get("href")
            break
    target = resolve(href, base)
    if target is None:
        return None
    return FeedEntry(target, _when(_text_of(node, ("published", "updated")), where))
