"""Site profile: *Le Quotidien du Peuple en ligne* (french.peopledaily.com.cn).

Landmarks and URL shapes are described in the portal's reference README. Selectors first;
where they miss (older layouts, a redesign) the generic machinery
(:mod:`newscrawl.extraction.generic`: JSON-LD and meta tags, the page's ``h1``, trafilatura on
the densest block of paragraphs, announced related blocks), and ``extraction`` says so.

Dates. The portal prints one time, ``Dernière mise à jour à 09h08 le 27/12``: the story's
*last update*, in Beijing time, without a year; its URL (or ``meta[name=publishdate]``) gives
the day it was published. So:

- a line on the URL's day is the publication time: ``published_at`` is that time (to the
  minute) and ``modified_at`` is null (an edit the same day cannot be told from it);
- a line on a later day (within a month) is an update: ``published_at`` is the URL's day
  (its start, Beijing time: the portal does not print the publication time) and
  ``modified_at`` the line's time; ``extraction`` says ``published_at=url_day``;
- a line that names no real day or time (``le 31/02``, ``25h70``), or a day far from the URL's
  (``le 29/02`` on a URL of 2021-03-01: its nearest 29 February is a year before), is not
  believed: ``published_at`` is the URL's day and ``extraction`` says
  ``date_line=no_such_day`` (``no_such_time``, ``far_from_url``); with no day in the URL
  either, the page is rejected ``no_date`` with the line and its problem.

The year of the line is the one that puts it nearest the URL's day, so a line of 02/01 on a
story whose URL says 31/12 was updated in the next year.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from newscrawl.extraction import dates, generic, tree
from newscrawl.extraction.authors import read_byline
from newscrawl.extraction.dates import DateReading
from newscrawl.extraction.inputs import PageInputs, once
from newscrawl.extraction.paragraphs import (
    Body,
    densest_paragraph_block,
    read_body,
    squash,
    text_of,
)
from newscrawl.sites.base import NotAStory, PageKind, SiteProfile, StoryPage
from newscrawl.urls import host_of, path_of, resolve, without_fragment

HOST = "french.peopledaily.com.cn"
SECTIONS = (
    "Chine",
    "Economie",
    "International",
    "Afrique",
    "Culture",
    "Sports",
    "Sci-Edu",
    "VieSociale",
)

STORY_PATH_RE = re.compile(
    r"^/(?P<section>[^/]+)/n\d?/(?P<year>\d{4})/(?P<mmdd>\d{4})/"
    r"c(?P<catalog>\d+)-(?P<contentid>\d+)(?:-(?P<page>\d+))?\.html?$"
)
LISTING_PATH_RE = re.compile(r"^/(?P<section>[A-Za-z][\w-]*)/(?:index(?P<page>\d+)\.html?)?$")
SITE_NAME = "Le Quotidien du Peuple en ligne"
EDITORS_RE = re.compile(r"\(\s*R[ée]dacteurs?\s*[:：]\s*(?P<names>[^)]*)\)", re.IGNORECASE)
SOURCE_LABEL_RE = re.compile(r"^\s*Source\s*[:：]\s*", re.IGNORECASE)
LIST_SPLIT_RE = re.compile(r"\s*[,，;；、]\s*")
WECHAT_MARK = "WeChat"
# The date line as the portal prints it: an update (read_publication_line's "modified"), one
# date, in the portal's order, and nothing else.
_PORTAL_LINE = re.compile(r"Dernière mise à jour à [0-9]{1,2}h[0-9]{2} le [0-9]{1,2}/[0-9]{1,2}")
WECHAT_SENTENCE = (
    r"Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre\.?"
)
ZONE = "Asia/Shanghai"  # Beijing time, the portal's

# Elements whose paragraphs are never body text, whatever the layout, and a listing's sidebars
# (whose links are not its stories): any element whose class attribute contains one of these.
NOT_BODY_CLASSES = ("txt_edit", "d2_relevant", "weixin", "d2_right", "footer", "page_n")
SIDEBAR_CLASSES = ("hot_list", "d2_right", "p2_right", "footer", "nav")


class PeopleDailyFrench(SiteProfile):
    name = "peopledaily_fr"
    hosts = frozenset({HOST})
    start_urls = (f"http://{HOST}/", *(f"http://{HOST}/{s}/" for s in SECTIONS))
    language = "fr"
    sections = SECTIONS
    boilerplate_paragraphs = (
        # The WeChat box (also inside the related headlines).
        WECHAT_SENTENCE,
        # Share labels, alone or followed by the networks' names.
        r"(?:Partager|Partagez)(?: sur| cet article| l'article)? ?:?"
        r"(?: ?(?:Facebook|Twitter|X|LinkedIn|WeChat|Weibo|WhatsApp|E-?mail|Courriel|Imprimer)"
        r"[ ,|/]*)*",
        # The editors line: its names are in the story's ``editors`` field, not body text.
        r"\( ?Rédacteurs? ?[:\uff1a].*\)",
    )
    # The WeChat sentence, wherever it is glued to a paragraph (or a related headline).
    boilerplate_inline = (r" ?" + WECHAT_SENTENCE,)

    # --- URLs -------------------------------------------------------------------------------

    def classify(self, url: str) -> PageKind:
        if host_of(url) not in self.hosts:
            return PageKind.OTHER
        path = urlsplit(url).path or "/"
        if path in ("/", "/index.html"):
            return PageKind.FRONT
        if STORY_PATH_RE.match(path):
            return PageKind.STORY
        if LISTING_PATH_RE.match(path):
            return PageKind.LISTING
        return PageKind.OTHER

    def canonical_url(self, url: str) -> str:
        """Portal pages: ``http``, lower-case host, no query or fragment, first page of a story."""
        path = _plain_path(url)
        if path is None:
            if host_of(url) not in self.hosts:
                return without_fragment(url)
            path = urlsplit(url).path or "/"
        return _PORTAL_ORIGIN + _canonical_path(path)

    def section_of(self, url: str) -> str | None:
        """The first part of a story's or listing's path: ``/International/n3/…`` ->
        ``International``."""
        if host_of(url) not in self.hosts:
            return None
        path = urlsplit(url).path or "/"
        match = STORY_PATH_RE.match(path) or LISTING_PATH_RE.match(path)
        return match["section"] if match else None

    def page_url(self, url: str) -> str:
        """Like canonical_url but keeps a later page's ``-N`` suffix."""
        return urlunsplit(("http", HOST, urlsplit(url).path or "/", "", ""))

    def story_date(self, url: str) -> date | None:
        path = _plain_path(url)
        match = STORY_PATH_RE.match(path_of(url) if path is None else path)
        if not match:
            return None
        try:
            return date(int(match["year"]), int(match["mmdd"][:2]), int(match["mmdd"][2:]))
        except ValueError:
            return None

    # --- Story pages --------------------------------------------------------------------------

    def time_zone(self, url: str) -> tzinfo:
        return dates.zone(ZONE)

    def extract_story(
        self, page: Selector, url: str, now: datetime | None = None
    ) -> StoryPage | NotAStory:
        too_complex = tree.complexity(page.root)
        if too_complex is not None:
            return NotAStory(tree.TOO_COMPLEX, too_complex)
        inputs = PageInputs.of(page, url, now)
        marks = Landmarks.of(page)
        fallbacks: dict[str, str] = {}
        notes: dict[str, str] = {}
        title = self._title(inputs, marks, fallbacks)
        if not title:
            return NotAStory("no_title")
        when = self._dates(inputs, marks, fallbacks, notes)
        if isinstance(when, NotAStory):
            return when
        published_at, modified_at = when
        related, blocks = self._related(inputs, marks, fallbacks)
        body = self._body(inputs, marks, fallbacks, blocks, title)
        if not body.paragraphs:
            return NotAStory("no_body", {"has_scripts": marks.has_scripts})
        section, section_name = self._section(inputs, marks, fallbacks)
        return StoryPage(
            url=self.canonical_url(url),
            title=title,
            published_at=published_at,
            modified_at=modified_at,
            section=section,
            section_name=section_name,
            source=_meta_source(inputs),
            authors=list(_authors(tuple(inputs.meta.get("author", ())))),
            editors=_editors(page, marks),
            keywords=_meta_list(inputs, "keywords"),
            summary=inputs.meta_value("description") or None,
            paragraphs=body.paragraphs,
            images=body.images,
            related=related,
            fallbacks=fallbacks,
            notes=notes,
            related_expected=marks.related_block and not marks.related_links,
            has_scripts=marks.has_scripts,
        )

    def _title(self, inputs: PageInputs, marks: Landmarks, fallbacks: dict[str, str]) -> str:
        title = text_of(marks.title) if marks.title is not None else ""
        if title:
            return title
        found = generic.read_title(inputs, (SITE_NAME,))
        if found is None:
            return ""
        fallbacks["title"] = found.how
        return str(found.value)

    def _dates(
        self,
        inputs: PageInputs,
        marks: Landmarks,
        fallbacks: dict[str, str],
        notes: dict[str, str],
    ) -> tuple[str, str | None] | NotAStory:
        """(published_at, modified_at), as the module's docstring says."""
        where, now = dates.zone(ZONE), inputs.now
        anchor = self.story_date(inputs.url) or _meta_date(inputs)
        shown = text_of(marks.time_line) if marks.time_line is not None else ""
        line = _date_line(shown, where, now, anchor)
        if line is None:
            candidates = _TEXTS_WITH_LE(inputs.page.root)
            line = next((r for t in candidates if (r := _date_line(t, where, now, anchor))), None)
            if line is not None:
                fallbacks["published_at"] = "page_text"
        if line is None:
            found = generic.read_dates(inputs, where, anchor)
            latest = found.modified or found.published
            if latest is not None and latest.has_time:  # a day alone says no more than the URL
                line = latest
                fallbacks["published_at"] = found.modified_how or found.published_how
        if line is not None and line.ok and line.moment is not None:
            if anchor is None or (
                line.moment.date() <= anchor and dates.near_anchor(line.moment, anchor)
            ):
                return dates.iso(line.moment), None
            if dates.near_anchor(line.moment, anchor):
                notes["published_at"] = "url_day"
                return dates.iso(dates.day_start(anchor, where)), dates.iso(line.moment)
            problem: str | None = dates.FAR_FROM_URL
        else:
            problem = line.problem if line is not None else None
        if anchor is None:
            details = {"date_line": line.text, "problem": problem} if line is not None else {}
            return NotAStory("no_date", details)
        if problem is not None:
            notes["published_at"] = "url_day"
            notes["date_line"] = problem
        else:
            fallbacks["published_at"] = "url_date"
        return dates.iso(dates.day_start(anchor, where)), None

    def _body(
        self,
        inputs: PageInputs,
        marks: Landmarks,
        fallbacks: dict[str, str],
        blocks: list[generic.RelatedBlock],
        title: str,
    ) -> Body:
        page, url = inputs.page, inputs.url
        body = read_body(marks.body, url)
        if body.paragraphs:
            return _without_editors_line(body)
        # The generic machinery, on the densest block of paragraphs when there is one.
        densest = [p for p in densest_paragraph_block(page) if p not in marks.not_body]
        container = [densest[0].getparent()] if densest else []
        paragraphs, how = generic.read_body(inputs, blocks, container, title)
        body = Body(paragraphs=paragraphs)
        if not paragraphs and densest:
            body, how = read_body(densest, url), "densest_paragraphs"
        if body.paragraphs:
            fallbacks["body"] = how.removesuffix("_container")
        return _without_editors_line(body)

    def _section(
        self, inputs: PageInputs, marks: Landmarks, fallbacks: dict[str, str]
    ) -> tuple[str | None, str | None]:
        """The section's slug (``VieSociale``: the breadcrumb's last link, else the URL's) and
        its display name as the portal's navigation shows it (``Vie sociale``)."""
        url = inputs.url
        slug = None
        crumbs = [(text_of(a), a.get("href")) for a in marks.crumbs]
        crumbs = [(text, href) for text, href in crumbs if text]
        if crumbs:
            text, href = crumbs[-1]
            slug = _link_slug(href, url, _on_portal(url)) or text
        if slug is None:
            match = STORY_PATH_RE.match(path_of(url))
            if match is None:
                return None, None
            fallbacks["section"] = "url"
            slug = match["section"]
        name = _section_name(marks, url, slug) or (crumbs[-1][0] if crumbs else None)
        return slug, name

    def _related(
        self, inputs: PageInputs, marks: Landmarks, fallbacks: dict[str, str]
    ) -> tuple[list[dict[str, str]], list[generic.RelatedBlock]]:
        url = inputs.url
        on_portal = _on_portal(url)
        links: Iterable[tuple[str, str]] = [
            (text_of(link), link.get("href") or "") for link in marks.related_links
        ]
        blocks: list[generic.RelatedBlock] = []
        if not links and not marks.related_block:  # an empty block stays empty
            found, blocks = generic.read_related(inputs)
            if found:
                fallbacks["related"] = "heading"
            links = [(link["title"], link["url"]) for link in found]
        related: list[dict[str, str]] = []
        seen: set[str] = set()
        for title, href in links:
            if WECHAT_MARK in title:
                continue
            target = self._related_url(href, url, on_portal)
            if target is not None and target not in seen:
                seen.add(target)
                related.append({"title": title, "url": target})
        return related, blocks

    def _related_url(self, href: str, url: str, on_portal: bool) -> str | None:
        """The canonical URL of a related link of the page of ``url``; None for no page."""
        target = _portal_target(href, on_portal)
        if target is not None:
            return target
        target = resolve(href, url)
        return None if target is None else self.canonical_url(target)

    def later_pages(self, page: Selector, url: str) -> list[str]:
        first = self.canonical_url(url)
        pages: dict[int, str] = {}
        hrefs = (a.get("href") for a in Landmarks.of(page).page_links)
        for href in (h for h in hrefs if h is not None):
            target = resolve(href, url)
            if target is None or self.canonical_url(target) != first:
                continue
            match = STORY_PATH_RE.match(urlsplit(target).path)
            if match and match["page"] and int(match["page"]) > 1:
                pages[int(match["page"])] = self.page_url(target)
        return [pages[n] for n in sorted(pages)]

    # --- Listings ----------------------------------------------------------------------------

    def listing_story_links(self, page: Selector, url: str) -> list[str]:
        found: list[str] = []
        seen: set[str] = set()
        if tree.complexity(page.root) is not None:
            return found  # no listing is this big: nothing is taken from it
        for href in (a.get("href") for a in Landmarks.of(page).listed_links):
            target = resolve(href, url)
            if target is None or self.classify(target) is not PageKind.STORY:
                continue
            target = self.canonical_url(target)
            if target not in seen:
                seen.add(target)
                found.append(target)
        return found

    def listing_story_times(self, page: Selector, url: str) -> dict[str, str]:
        """``<li><a href=…>title</a><em>27/12/2021 09:08</em></li>``: the time is Beijing's,
        and it moves when the portal edits the story (as the story's date line does)."""
        times: dict[str, str] = {}
        if tree.complexity(page.root) is not None:
            return times
        for _item, href, em in Landmarks.of(page).listed_items:
            target = resolve(href, url)
            shown = parse_listing_time(text_of(em))
            if target and shown and self.classify(target) is PageKind.STORY:
                times.setdefault(self.canonical_url(target), shown)
        return times

    def listing_next_page(self, page: Selector, url: str) -> str | None:
        if tree.complexity(page.root) is not None:
            return None
        for link in Landmarks.of(page).page_links:
            if "suivant" in text_of(link).lower():
                target = resolve(link.get("href"), url)
                if target and self.classify(target) is PageKind.LISTING:
                    return self.canonical_url(target)
        return None


def parse_listing_time(text: str) -> str | None:
    """``27/12/2021 09:08`` -> ``2021-12-27T09:08:00+08:00``; None if it is not such a time."""
    reading = dates.read_date(text or "", dates.zone(ZONE))
    return reading.iso() if reading is not None and reading.has_time else None


def _meta_list(inputs: PageInputs, name: str) -> list[str]:
    return [item for item in LIST_SPLIT_RE.split(inputs.meta_value(name)) if item]


def _meta_source(inputs: PageInputs) -> str | None:
    return _source_named(inputs.meta_value("source"))


@lru_cache(maxsize=256)
def _source_named(value: str) -> str | None:
    """A source meta value without its label. Kept: a portal has few sources."""
    return SOURCE_LABEL_RE.sub("", value) or None


def _meta_date(inputs: PageInputs) -> date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", inputs.meta_value("publishdate"))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _date_line(text: str, where: tzinfo, now: datetime, anchor: date | None) -> DateReading | None:
    """The portal's line (``Dernière mise à jour à 09h08 le 27/12``): its one time."""
    if _PORTAL_LINE.fullmatch(text):  # as the portal prints it: only its one date to read
        return dates.read_time_first(text, where, now, anchor)
    if not text or not dates.TIME_FIRST_RE.search(text):
        return None
    published, modified = dates.read_publication_line(text, where, now, anchor)
    return modified or published


def _section_name(marks: Landmarks, url: str, slug: str) -> str | None:
    """What the page's links to the section's listing call it: the navigation's first (the
    page's other links are read only when the navigation has none)."""
    on_portal = _on_portal(url)
    for link in marks.nav_then_links():
        if _link_slug(link.get("href"), url, on_portal) == slug:
            text = text_of(link)
            if text:
                return text
    return None


def _link_slug(href: str | None, url: str, on_portal: bool) -> str | None:
    """The section a link on the page of ``url`` leads to (its listing's slug), if any."""
    if href:
        plain, slug = _plain_link_slug(href, on_portal)
        if plain:
            return slug
    return _section_slug(resolve(href, url))


@lru_cache(maxsize=4096)
def _plain_link_slug(href: str, on_portal: bool) -> tuple[bool, str | None]:
    """(True, its section) for a link as the portal writes them (:func:`_portal_link`), else
    (False, None). Kept: the navigation and the breadcrumbs repeat the same links on every
    page."""
    target = _portal_link(href, on_portal)
    return (False, None) if target is None else (True, _section_slug(target))


@lru_cache(maxsize=1024)
def _authors(values: tuple[str, ...]) -> tuple[str, ...]:
    """The people of the ``author`` meta values. Kept: a portal has its staff, whose names
    come back story after story."""
    return tuple(read_byline(values).authors)


def _section_slug(url: str | None) -> str | None:
    if not url:
        return None
    path = _plain_path(url)
    if path is None:
        if host_of(url) != HOST:
            return None
        path = path_of(url)
    match = LISTING_PATH_RE.match(path)
    return match["section"] if match else None


def _editors(page: Selector, marks: Landmarks) -> list[str]:
    for text in [tree.string_of(block) for block in marks.editors_blocks] or _TEXTS_WITH_DACTEUR(
        page.root
    ):
        names = _editors_named(str(text))  # str: a key that holds no element (nor its tree)
        if names is not None:
            return list(names)
    return []


@lru_cache(maxsize=1024)
def _editors_named(text: str) -> tuple[str, ...] | None:
    """The editors an editors line names; None for a text with no such line. Kept: the
    portal's editors and their line come back story after story."""
    match = EDITORS_RE.search(text)
    if match is None:
        return None
    return tuple(name for name in LIST_SPLIT_RE.split(squash(match["names"])) if name)


def _without_editors_line(body: Body) -> Body:
    body.paragraphs = [p for p in body.paragraphs if p[:1] != "(" or not EDITORS_RE.fullmatch(p)]
    return body


def _canonical_path(path: str) -> str:
    """The path of a portal page's canonical URL (a story's first page, a listing's first
    page without ``index1.html``), with the leading ``/`` urlunsplit would add."""
    story = STORY_PATH_RE.match(path)
    if story and story["page"]:
        path = path[: story.start("page") - 1] + path[story.end("page") :]
    listing = LISTING_PATH_RE.match(path)
    if listing and listing["page"] == "1":
        path = f"/{listing['section']}/"
    return path if path.startswith("/") else "/" + path


def _on_portal(url: str) -> bool:
    return _plain_path(url) is not None or host_of(url) == HOST


def _portal_link(href: str | None, on_portal: bool) -> str | None:
    """Where a link as the portal writes them leads, for its canonical URL, without
    ``resolve``'s urljoin and percent-encoding (which cost more than the rest of a headline):
    ``http://french.peopledaily.com.cn`` and the link's path, for an absolute portal URL
    (``http``, ``https`` or protocol-relative) or, on a portal page, a root-relative path. Its
    query and fragment are left out, and the scheme is ``http``: what the canonical URL keeps of
    ``resolve(href)`` is only its path. None for any other spelling (``resolve`` reads those):
    only paths that urljoin and Scrapy's percent-encoding leave as they are come here."""
    match = _PORTAL_HREF.match(href) if href else None
    if match is None:
        return None
    path = match["path"]
    if match["origin"] is None and (not on_portal or path.startswith("//")):
        return None  # root-relative only on a portal page, and "//" starts another host
    return None if "/." in path else _PORTAL_ORIGIN + path


def _plain_path(url: str) -> str | None:
    """The path of a portal URL spelled plainly (``http(s)://`` and the host in lower case, no
    query or fragment, nothing ``urlsplit`` would strip): what ``urlsplit(url).path`` gives,
    without parsing it; None for any other URL."""
    for prefix in (_PORTAL_PREFIX, _PORTAL_HTTPS_PREFIX):
        if url.startswith(prefix):
            if "?" in url or "#" in url or " " in url or not url.isprintable():
                return None
            return url[len(prefix) - 1 :]
    return None


_PORTAL_PREFIX = f"http://{HOST}/"
_PORTAL_ORIGIN = _PORTAL_PREFIX[:-1]  # what _portal_link puts before the path
_PORTAL_ORIGIN_LENGTH = len(_PORTAL_ORIGIN)
# A link as the portal writes them: its origin (absolute: http, https or protocol-relative; or
# none, root-relative), then a path of ASCII that neither urljoin, urlsplit nor Scrapy's
# safe_url_string changes (no parameters, percent sign or white space), up to its query or
# fragment (which the canonical URL leaves out) or its end.
# A story link as the portal writes them (_PORTAL_HREF's, with STORY_PATH_RE's path in plain
# ASCII): ``first`` and ``ext``, the path of the story's first page.
_STORY_HREF = re.compile(
    r"(?P<origin>(?:https?:)?//" + re.escape(HOST) + r"(?=/))?"
    r"(?P<path>(?P<first>/[A-Za-z0-9._~:@!$&'()*+,=-]+/n[0-9]?/[0-9]{4}/[0-9]{4}/c[0-9]+-[0-9]+)"
    r"(?:-[0-9]+)?(?P<ext>\.html?))(?:[#?]|\Z)"
)
_PORTAL_HREF = re.compile(
    r"(?P<origin>(?:https?:)?//" + re.escape(HOST) + r"(?=/))?"
    r"(?P<path>/[A-Za-z0-9/._~:@!$&'()*+,=-]*)(?:[#?]|\Z)"
)
_PORTAL_HTTPS_PREFIX = f"https://{HOST}/"
_TEXTS_WITH_LE = etree.XPath("//body//text()[contains(., 'le ')]")
_TEXTS_WITH_DACTEUR = etree.XPath("//body//text()[contains(., 'dacteur')]")

# What may mark one of the profile's places: a class attribute holding one of these names (each
# element found is then checked: a name of NOT_BODY_CLASSES anywhere in it, a whole token for
# the others), and ``div#rwb_zw``.
_MARKED = re.compile(
    "|".join(
        re.escape(name)
        for name in sorted(
            {*NOT_BODY_CLASSES, *SIDEBAR_CLASSES, "txt_t", "txt_time", "path", "nav", "list_rel"}
        )
    )
)
_NOT_BODY_RE = re.compile("|".join(re.escape(name) for name in NOT_BODY_CLASSES))
_SIDEBAR_RE = re.compile("|".join(re.escape(name) for name in SIDEBAR_CLASSES))
# Every class attribute and every div's id of rwb_zw, in document order: libxml2 reads the tree,
# Python only the attributes' values (each knows its element).
_MARKS = etree.XPath("descendant-or-self::*/@class | descendant-or-self::div[@id='rwb_zw']/@id")
_LINKS = etree.XPath("descendant-or-self::a[@href]")
_LISTED_ITEMS = etree.XPath("descendant-or-self::li[a[@href] and em]")


class Landmarks:
    """What the profile reads of a page, each part read when first asked for (a story page
    never reads a listing's parts), in time linear in the page's size.

    The selectors they stand for: ``div.txt_t h1`` (``title``, the first), ``div.txt_time``
    (``time_line``, the first), ``div.d2_relevant`` (``related_block``), ``div.d2_relevant
    ul.list_rel li a`` (``related_links``), ``div#rwb_zw p`` not inside an element of
    :data:`NOT_BODY_CLASSES` (``body``), ``div.path a``, ``div.nav a``, ``a[href]``,
    ``div.txt_edit`` (outermost), ``div.page_n a``, ``script``; on a listing, ``a[href]`` and
    ``li`` with an ``a[href]`` and an ``em`` child, not inside a sidebar
    (:data:`SIDEBAR_CLASSES`); "inside" is strictly inside (an element's own class does not
    put it inside).

    libxml2 gives the class attributes' values (one XPath, one pass); Python reads the values,
    not the elements, and takes the few elements whose value marks a place (what a value marks
    is kept: :func:`_places`). A part is then the elements of one tag inside the outermost of
    its places (:func:`_inside`), each subtree read once; where a part asks whether an element
    lies inside another (a paragraph in a NOT_BODY element, a link in a related list's item),
    each element climbs to the first ancestor already answered. So a page of places nested in
    places costs its size, not its size times its depth (an XPath ``//div[…]//p`` costs that:
    8.7 s on a page of 42,000 elements nested 120 deep).
    """

    def __init__(self, root: Any) -> None:
        self._root = root if hasattr(root, "iter") else None
        self.time_line: Any = None
        self._not_body: list[Any] = []  # elements of a class of NOT_BODY_CLASSES
        self._sidebars: list[Any] = []  # elements of a class of SIDEBAR_CLASSES
        self._lists: list[Any] = []  # ul.list_rel
        self._divs: dict[str, list[Any]] = {token: [] for token in _DIV_TOKENS}
        self._bodies: list[Any] = []  # div#rwb_zw
        if self._root is None:
            return
        for value in _MARKS(self._root):
            if value.attrname == "id":
                self._bodies.append(value.getparent())
                continue
            try:
                places = _PLACES[value]
            except KeyError:  # a class attribute not met yet
                places = _places(value)
            if places is not None:
                self._mark(value.getparent(), places)

    @classmethod
    def of(cls, page: Selector) -> Landmarks:
        return cls(page.root)

    def _mark(self, element: Any, places: _Places) -> None:
        if places.not_body:
            self._not_body.append(element)
        if places.sidebar:
            self._sidebars.append(element)
        if places.div_tokens or places.time_line or places.related_list:
            tag = element.tag
            if tag == "div":
                for token in places.div_tokens:
                    self._divs[token].append(element)
                if self.time_line is None and places.time_line:
                    self.time_line = element
            elif tag == "ul" and places.related_list:
                self._lists.append(element)

    @once
    def title(self) -> Any:
        return next(iter(_inside(self._divs["txt_t"], "h1")), None)

    @property
    def related_block(self) -> bool:
        return bool(self._divs["d2_relevant"])

    @once
    def related_links(self) -> list[Any]:
        lists = set(self._lists)
        chosen = [ul for ul in _inside(self._divs["d2_relevant"], "ul") if ul in lists]
        if len(chosen) > 1:
            chosen = tree.outermost(chosen, "ul")
        return [link for ul in chosen for link in _in_items(ul)]

    @once
    def not_body(self) -> set[Any]:
        """Paragraphs inside an element of NOT_BODY_CLASSES."""
        return set(_inside(self._not_body, "p"))

    @once
    def body(self) -> list[Any]:
        paragraphs = _inside(self._bodies, "p")
        if not paragraphs or not self._not_body:
            return paragraphs
        return _outside_not_body(paragraphs)

    @once
    def crumbs(self) -> list[Any]:
        return _inside(self._divs["path"], "a")

    @once
    def nav_links(self) -> list[Any]:
        return _inside(self._divs["nav"], "a")

    @once
    def links(self) -> list[Any]:
        return _LINKS(self._root) if self._root is not None else []

    def nav_then_links(self) -> Iterator[Any]:
        """The navigation's links, then every link of the page (read only if asked for)."""
        yield from self.nav_links
        yield from self.links

    @once
    def editors_blocks(self) -> list[Any]:
        blocks = self._divs["txt_edit"]
        return tree.outermost(blocks, "div") if len(blocks) > 1 else blocks

    @once
    def page_links(self) -> list[Any]:
        return _inside(self._divs["page_n"], "a")

    @once
    def listed_links(self) -> list[Any]:
        if not self._sidebars:
            return self.links
        aside = set(_inside(self._sidebars, "a"))
        return [link for link in self.links if link not in aside]

    @once
    def listed_items(self) -> list[tuple[Any, str | None, Any]]:
        """``li[a[@href]][em]``: its first ``a`` child with an href, its first ``em`` child."""
        items = _LISTED_ITEMS(self._root) if self._root is not None else []
        aside = set(_inside(self._sidebars, "li"))
        listed = []
        for item in items:
            if item in aside:
                continue
            href = em = None
            for child in item:
                if child.tag == "a" and href is None and child.get("href") is not None:
                    href = child.get("href")
                elif child.tag == "em" and em is None:
                    em = child
            listed.append((item, href, em))
        return listed

    @once
    def has_scripts(self) -> bool:
        return self._root is not None and next(self._root.iter("script"), None) is not None


def _inside(places: list[Any], tag: str) -> list[Any]:
    """The ``tag`` elements strictly inside any of ``places`` (in document order), in document
    order, each once: those of the outermost places' subtrees, each subtree read once."""
    found: list[Any] = []
    if len(places) > 1:
        places = tree.outermost(places, *{place.tag for place in places})
    for place in places:
        found.extend(place.iterdescendants(tag))
    return found


def _in_items(ul: Any) -> list[Any]:
    """The links strictly inside an ``li`` strictly inside ``ul``, in document order: each link
    climbs to the first element already answered (``ul`` is), so every element is asked once."""
    in_item: dict[Any, bool] = {ul: False}  # element -> it or an ancestor below ul is an li
    links = []
    for link in ul.iterdescendants("a"):
        node = link.getparent()
        if node.tag == "li":  # the portal's shape: the li is below ul (ul is no li)
            links.append(link)
            continue
        climbed = []

        while node not in in_item:
            climbed.append(node)
            node = node.getparent()
        answer = in_item[node]
        for ancestor in reversed(climbed):
            answer = answer or ancestor.tag == "li"
            in_item[ancestor] = answer
        if answer:
            links.append(link)
    return links


def _outside_not_body(elements: list[Any]) -> list[Any]:
    """The elements with no ancestor of a class of NOT_BODY_CLASSES: each ancestor's answer is
    kept, so every element of the tree is asked at most once (not once per descendant)."""
    inside: dict[Any, bool] = {}  # element -> it or an ancestor is of such a class
    kept = []
    for element in elements:
        climbed = []
        node = element.getparent()
        while node is not None and node not in inside:
            climbed.append(node)
            node = node.getparent()
        answer = inside[node] if node is not None else False
        for ancestor in reversed(climbed):
            if not answer:
                cls = ancestor.get("class")
                answer = cls is not None and _NOT_BODY_RE.search(cls) is not None
            inside[ancestor] = answer
        if not answer:
            kept.append(element)
    return kept


class _Places(NamedTuple):
    """What a class attribute makes of its element (a div's tokens, a ul's list_rel)."""

    not_body: bool  # a name of NOT_BODY_CLASSES is in it
    sidebar: bool  # a name of SIDEBAR_CLASSES is in it
    div_tokens: tuple[str, ...]  # its tokens of _DIV_TOKENS, once each
    time_line: bool  # txt_time is one of its tokens
    related_list: bool  # list_rel is one of its tokens


def _places(cls: str) -> _Places | None:
    """None for a class attribute that marks no place. Kept (:data:`_PLACES`): a template's
    class attributes come back on every page of the site."""
    places = None
    if _MARKED.search(cls) is not None:
        tokens = set(_tokens(cls))
        places = _Places(
            _NOT_BODY_RE.search(cls) is not None,
            _SIDEBAR_RE.search(cls) is not None,
            tuple(token for token in _DIV_TOKENS if token in tokens),
            "txt_time" in tokens,
            "list_rel" in tokens,
        )
    if len(_PLACES) >= _MAX_PLACES:  # a site of endless class names: start again
        _PLACES.clear()
    _PLACES[str(cls)] = places  # str: a key that holds no element (nor its tree)
    return places


_PLACES: dict[str, _Places | None] = {}
_MAX_PLACES = 4096


def _tokens(cls: str) -> list[str]:
    """A class attribute's names, as CSS splits them (XML white space)."""
    return cls.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" ")


_DIV_TOKENS = ("txt_t", "d2_relevant", "path", "nav", "page_n", "txt_edit")


@lru_cache(maxsize=8192)
def _portal_target(href: str, on_portal: bool) -> str | None:
    """The canonical URL of a link as the portal writes them, on a page of the portal
    (``on_portal``) or not; None for another spelling (``resolve`` reads those). Kept: a
    story is a related headline of several others, and its link comes back on each."""
    story = _STORY_HREF.match(href)
    if story is not None:
        origin, path, first, ext = story.groups()  # _STORY_HREF's groups, in order
        if (origin or on_portal) and "/." not in path:
            # What the lines below make of a portal story link, in one match.
            return _PORTAL_ORIGIN + first + ext
    target = _portal_link(href, on_portal)
    if target is not None:  # canonical_url(target), without reading the URL again
        return _PORTAL_ORIGIN + _canonical_path(target[_PORTAL_ORIGIN_LENGTH:])
    return None
