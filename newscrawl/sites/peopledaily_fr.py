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
from datetime import date, datetime, tzinfo
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from newscrawl.extraction import dates, generic
from newscrawl.extraction.authors import read_byline
from newscrawl.extraction.dates import DateReading
from newscrawl.extraction.inputs import PageInputs
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
WECHAT_SENTENCE = (
    r"Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre\.?"
)
ZONE = "Asia/Shanghai"  # Beijing time, the portal's

# Elements whose paragraphs are never body text, whatever the layout.
NOT_BODY = "ancestor::*[contains(@class,'txt_edit') or contains(@class,'d2_relevant') or contains(@class,'weixin') or contains(@class,'d2_right') or contains(@class,'footer') or contains(@class,'page_n')]"  # noqa: E501
SIDEBAR = "ancestor::*[contains(@class,'hot_list') or contains(@class,'d2_right') or contains(@class,'p2_right') or contains(@class,'footer') or contains(@class,'nav')]"  # noqa: E501


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
        if host_of(url) not in self.hosts:
            return without_fragment(url)
        path = urlsplit(url).path or "/"
        story = STORY_PATH_RE.match(path)
        if story and story["page"]:
            path = path[: story.start("page") - 1] + path[story.end("page") :]
        listing = LISTING_PATH_RE.match(path)
        if listing and listing["page"] == "1":
            path = f"/{listing['section']}/"
        return urlunsplit(("http", HOST, path, "", ""))

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
        match = STORY_PATH_RE.match(path_of(url))
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
        inputs = PageInputs.of(page, url, now)
        fallbacks: dict[str, str] = {}
        notes: dict[str, str] = {}
        title = self._title(inputs, fallbacks)
        if not title:
            return NotAStory("no_title")
        when = self._dates(inputs, fallbacks, notes)
        if isinstance(when, NotAStory):
            return when
        published_at, modified_at = when
        related_block = page.css("div.d2_relevant")
        related, blocks = self._related(inputs, fallbacks)
        body = self._body(inputs, fallbacks, blocks, title)
        if not body.paragraphs:
            return NotAStory("no_body", {"has_scripts": _has_scripts(page)})
        section, section_name = self._section(inputs, fallbacks)
        return StoryPage(
            url=self.canonical_url(url),
            title=title,
            published_at=published_at,
            modified_at=modified_at,
            section=section,
            section_name=section_name,
            source=_meta_source(inputs),
            authors=read_byline(inputs.meta.get("author", [])).authors,
            editors=_editors(page),
            keywords=_meta_list(inputs, "keywords"),
            summary=inputs.meta_value("description") or None,
            paragraphs=body.paragraphs,
            images=body.images,
            related=related,
            fallbacks=fallbacks,
            notes=notes,
            related_expected=bool(related_block) and not related_block.css("ul.list_rel li a"),
            has_scripts=_has_scripts(page),
        )

    def _title(self, inputs: PageInputs, fallbacks: dict[str, str]) -> str:
        title = _first_text(inputs.page, "div.txt_t h1")
        if title:
            return title
        found = generic.read_title(inputs, (SITE_NAME,))
        if found is None:
            return ""
        fallbacks["title"] = found.how
        return str(found.value)

    def _dates(
        self, inputs: PageInputs, fallbacks: dict[str, str], notes: dict[str, str]
    ) -> tuple[str, str | None] | NotAStory:
        """(published_at, modified_at), as the module's docstring says."""
        where, now = dates.zone(ZONE), inputs.now
        anchor = self.story_date(inputs.url) or _meta_date(inputs)
        line = _date_line(_first_text(inputs.page, "div.txt_time"), where, now, anchor)
        if line is None:
            candidates = inputs.page.xpath("//body//text()[contains(., 'le ')]").getall()
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
        fallbacks: dict[str, str],
        blocks: list[generic.RelatedBlock],
        title: str,
    ) -> Body:
        page, url = inputs.page, inputs.url
        nodes: list[Selector] = list(page.xpath(f"//div[@id='rwb_zw']//p[not({NOT_BODY})]"))
        body = read_body(nodes, url)
        if body.paragraphs:
            return _without_editors_line(body)
        # The generic machinery, on the densest block of paragraphs when there is one.
        densest = [p for p in densest_paragraph_block(page) if not p.xpath(NOT_BODY)]
        container = [densest[0].root.getparent()] if densest else []
        paragraphs, how = generic.read_body(inputs, blocks, container, title)
        body = Body(paragraphs=paragraphs)
        if not paragraphs and densest:
            body, how = read_body(densest, url), "densest_paragraphs"
        if body.paragraphs:
            fallbacks["body"] = how.removesuffix("_container")
        return _without_editors_line(body)

    def _section(
        self, inputs: PageInputs, fallbacks: dict[str, str]
    ) -> tuple[str | None, str | None]:
        """The section's slug (``VieSociale``: the breadcrumb's last link, else the URL's) and
        its display name as the portal's navigation shows it (``Vie sociale``)."""
        page, url = inputs.page, inputs.url
        slug = None
        crumbs = [(text_of(a), a.xpath("@href").get()) for a in page.css("div.path a")]
        crumbs = [(text, href) for text, href in crumbs if text]
        if crumbs:
            text, href = crumbs[-1]
            slug = _section_slug(resolve(href, url)) or text
        if slug is None:
            match = STORY_PATH_RE.match(path_of(url))
            if match is None:
                return None, None
            fallbacks["section"] = "url"
            slug = match["section"]
        name = _section_name(page, url, slug) or (crumbs[-1][0] if crumbs else None)
        return slug, name

    def _related(
        self, inputs: PageInputs, fallbacks: dict[str, str]
    ) -> tuple[list[dict[str, str]], list[generic.RelatedBlock]]:
        page, url = inputs.page, inputs.url
        links = [
            {"title": text_of(link), "url": link.xpath("@href").get() or ""}
            for link in page.css("div.d2_relevant ul.list_rel li a")
        ]
        blocks: list[generic.RelatedBlock] = []
        if not links and not page.css("div.d2_relevant"):  # an empty block stays empty
            links, blocks = generic.read_related(inputs)
            if links:
                fallbacks["related"] = "heading"
        related: list[dict[str, str]] = []
        seen: set[str] = set()
        for link in links:
            target = resolve(link["url"], url)
            title = link["title"]
            if target is None or WECHAT_MARK in title:
                continue
            target = self.canonical_url(target)
            if target not in seen:
                seen.add(target)
                related.append({"title": title, "url": target})
        return related, blocks

    def later_pages(self, page: Selector, url: str) -> list[str]:
        first = self.canonical_url(url)
        pages: dict[int, str] = {}
        for href in page.css("div.page_n a::attr(href)").getall():
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
        for href in page.xpath(f"//a[@href][not({SIDEBAR})]/@href").getall():
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
        for item in page.xpath(f"//li[a[@href]][em][not({SIDEBAR})]"):
            target = resolve(item.xpath("a/@href").get(), url)
            shown = parse_listing_time(text_of(item.xpath("em")[0]))
            if target and shown and self.classify(target) is PageKind.STORY:
                times.setdefault(self.canonical_url(target), shown)
        return times

    def listing_next_page(self, page: Selector, url: str) -> str | None:
        for link in page.css("div.page_n a"):
            if "suivant" in text_of(link).lower():
                target = resolve(link.xpath("@href").get(), url)
                if target and self.classify(target) is PageKind.LISTING:
                    return self.canonical_url(target)
        return None


def parse_listing_time(text: str) -> str | None:
    """``27/12/2021 09:08`` -> ``2021-12-27T09:08:00+08:00``; None if it is not such a time."""
    reading = dates.read_date(text or "", dates.zone(ZONE))
    return reading.iso() if reading is not None and reading.has_time else None


def _first_text(page: Selector, css: str) -> str:
    nodes = page.css(css)
    return text_of(nodes[0]) if nodes else ""


def _meta_list(inputs: PageInputs, name: str) -> list[str]:
    return [item for item in LIST_SPLIT_RE.split(inputs.meta_value(name)) if item]


def _meta_source(inputs: PageInputs) -> str | None:
    return SOURCE_LABEL_RE.sub("", inputs.meta_value("source")) or None


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
    if not text or not dates.TIME_FIRST_RE.search(text):
        return None
    published, modified = dates.read_publication_line(text, where, now, anchor)
    return modified or published


def _section_name(page: Selector, url: str, slug: str) -> str | None:
    """What the page's links to the section's listing call it: the navigation's first."""
    for link in [*page.css("div.nav a"), *page.xpath("//a[@href]")]:
        if _section_slug(resolve(link.xpath("@href").get(), url)) == slug:
            text = text_of(link)
            if text:
                return text
    return None


def _section_slug(url: str | None) -> str | None:
    match = LISTING_PATH_RE.match(path_of(url)) if url and host_of(url) == HOST else None
    return match["section"] if match else None


def _editors(page: Selector) -> list[str]:
    for text in (
        page.css("div.txt_edit").xpath("string()").getall()
        or page.xpath("//body//text()[contains(., 'dacteur')]").getall()
    ):
        match = EDITORS_RE.search(text)
        if match:
            return [name for name in LIST_SPLIT_RE.split(squash(match["names"])) if name]
    return []


def _without_editors_line(body: Body) -> Body:
    body.paragraphs = [p for p in body.paragraphs if not EDITORS_RE.fullmatch(p)]
    return body


def _has_scripts(page: Selector) -> bool:
    return bool(page.xpath("//script"))
