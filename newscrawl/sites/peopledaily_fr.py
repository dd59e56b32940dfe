"""Site profile: *Le Quotidien du Peuple en ligne* (french.peopledaily.com.cn).

Landmarks and URL shapes are described in the portal's reference README.
Selectors first; where they miss (older layouts) the meta tags, the page's
``h1`` and its densest block of paragraphs, and ``extraction`` says so.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from newscrawl.extraction.dateline import midnight_iso, parse_dateline, to_iso
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
TITLE_SUFFIX_RE = re.compile(r"\s*[-–|]\s*Le Quotidien du Peuple en ligne\s*$", re.IGNORECASE)
EDITORS_RE = re.compile(r"\(\s*R[ée]dacteurs?\s*[:：]\s*(?P<names>[^)]*)\)", re.IGNORECASE)
SOURCE_LABEL_RE = re.compile(r"^\s*Source\s*[:：]\s*", re.IGNORECASE)
LIST_SPLIT_RE = re.compile(r"\s*[,，;；、]\s*")
RELATED_HEADINGS = ("articles liés", "lire aussi", "à lire aussi", "sur le même sujet")
WECHAT_MARK = "WeChat"
WECHAT_SENTENCE = (
    r"Ceux qui veulent nous rejoindre sur la messagerie WeChat, scannez le code QR ci-contre\.?"
)
LISTING_TIME_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})")

# Elements whose paragraphs are never body text, whatever the layout.
NOT_BODY = "ancestor::*[contains(@class,'txt_edit') or contains(@class,'d2_relevant') or contains(@class,'weixin') or contains(@class,'d2_right') or contains(@class,'footer') or contains(@class,'page_n')]"  # noqa: E501
SIDEBAR = "ancestor::*[contains(@class,'hot_list') or contains(@class,'d2_right') or contains(@class,'p2_right') or contains(@class,'footer') or contains(@class,'nav')]"  # noqa: E501


class PeopleDailyFrench(SiteProfile):
    name = "peopledaily_fr"
    hosts = frozenset({HOST})
    start_urls = (f"http://{HOST}/", *(f"http://{HOST}/{s}/" for s in SECTIONS))
    language = "fr"
    utc_offset_hours = 8  # Beijing time
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

    def extract_story(self, page: Selector, url: str) -> StoryPage | NotAStory:
        fallbacks: dict[str, str] = {}
        title = self._title(page, fallbacks)
        if not title:
            return NotAStory("no_title")
        published_at = self._published_at(page, url, fallbacks)
        if not published_at:
            return NotAStory("no_date")
        body = self._body(page, url, fallbacks)
        if not body.paragraphs:
            return NotAStory("no_body", {"has_scripts": _has_scripts(page)})
        related_block = page.css("div.d2_relevant")
        return StoryPage(
            url=self.canonical_url(url),
            title=title,
            published_at=published_at,
            section=self._section(page, url, fallbacks),
            source=_meta_source(page),
            editors=_editors(page),
            keywords=_meta_list(page, "keywords"),
            summary=_meta(page, "description") or None,
            paragraphs=body.paragraphs,
            images=body.images,
            related=self._related(page, url, fallbacks),
            fallbacks=fallbacks,
            related_expected=bool(related_block) and not related_block.css("ul.list_rel li a"),
            has_scripts=_has_scripts(page),
        )

    def _title(self, page: Selector, fallbacks: dict[str, str]) -> str:
        title = _first_text(page, "div.txt_t h1")
        if title:
            return title
        h1 = page.css("h1")
        if h1 and text_of(h1[0]):
            fallbacks["title"] = "h1"
            return text_of(h1[0])
        tag = squash(page.xpath("string(//title)").get() or "")
        tag = TITLE_SUFFIX_RE.sub("", tag)
        if tag:
            fallbacks["title"] = "title_tag"
        return tag

    def _published_at(self, page: Selector, url: str, fallbacks: dict[str, str]) -> str | None:
        anchor = self.story_date(url) or _meta_date(page)
        line = parse_dateline(_first_text(page, "div.txt_time"))
        if line is None:
            candidates = page.xpath("//body//text()[contains(., 'le ')]").getall()
            line = next((found for t in candidates if (found := parse_dateline(t))), None)
            if line is not None:
                fallbacks["published_at"] = "page_text"
        if line is not None and anchor is not None:
            return to_iso(line, anchor, self.utc_offset_hours)
        if anchor is not None:
            fallbacks["published_at"] = "url_date"
            return midnight_iso(anchor, self.utc_offset_hours)
        return None

    def _body(self, page: Selector, url: str, fallbacks: dict[str, str]) -> Body:
        nodes: list[Selector] = list(page.xpath(f"//div[@id='rwb_zw']//p[not({NOT_BODY})]"))
        body = read_body(nodes, url)
        if body.paragraphs:
            return _without_editors_line(body)
        nodes = [p for p in densest_paragraph_block(page) if not p.xpath(NOT_BODY)]
        body = read_body(nodes, url)
        if body.paragraphs:
            fallbacks["body"] = "densest_paragraphs"
        return _without_editors_line(body)

    def _section(self, page: Selector, url: str, fallbacks: dict[str, str]) -> str | None:
        crumbs = [text_of(a) for a in page.css("div.path a")]
        crumbs = [c for c in crumbs if c]
        if crumbs:
            return crumbs[-1]
        match = STORY_PATH_RE.match(path_of(url))
        if match:
            fallbacks["section"] = "url"
            return match["section"]
        return None

    def _related(self, page: Selector, url: str, fallbacks: dict[str, str]) -> list[dict[str, str]]:
        links: list[Selector] = list(page.css("div.d2_relevant ul.list_rel li a"))
        if not links:
            links = _links_under_heading(page, RELATED_HEADINGS)
            if links:
                fallbacks["related"] = "heading"
        related: list[dict[str, str]] = []
        seen: set[str] = set()
        for link in links:
            target = resolve(link.xpath("@href").get(), url)
            title = text_of(link)
            if target is None or WECHAT_MARK in title:
                continue
            target = self.canonical_url(target)
            if target not in seen:
                seen.add(target)
                related.append({"title": title, "url": target})
        return related

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
            shown = parse_listing_time(text_of(item.xpath("em")[0]), self.utc_offset_hours)
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


def parse_listing_time(text: str, utc_offset_hours: int) -> str | None:
    """``27/12/2021 09:08`` -> ``2021-12-27T09:08:00+08:00``; None if it is not such a time."""
    match = LISTING_TIME_RE.search(text or "")
    if not match:
        return None
    day, month, year, hour, minute = (int(part) for part in match.groups())
    try:
        moment = datetime(
            year, month, day, hour, minute, tzinfo=timezone(timedelta(hours=utc_offset_hours))
        )
    except ValueError:
        return None
    return moment.isoformat()


def _first_text(page: Selector, css: str) -> str:
    nodes = page.css(css)
    return text_of(nodes[0]) if nodes else ""


def _meta(page: Selector, name: str) -> str:
    return squash(page.xpath(f"//meta[@name='{name}']/@content").get() or "")


def _meta_list(page: Selector, name: str) -> list[str]:
    return [item for item in LIST_SPLIT_RE.split(_meta(page, name)) if item]


def _meta_source(page: Selector) -> str | None:
    return SOURCE_LABEL_RE.sub("", _meta(page, "source")) or None


def _meta_date(page: Selector) -> date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", _meta(page, "publishdate"))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


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


def _links_under_heading(page: Selector, headings: tuple[str, ...]) -> list[Selector]:
    """Links in the block that a heading such as "Articles liés" introduces (older layouts)."""
    for heading in page.xpath("//h2|//h3|//h4|//div[not(*)]|//span[not(*)]"):
        if text_of(heading).lower().rstrip(" :") in headings:
            block = heading.xpath("..")
            links = block.xpath(".//li/a[@href]") or block.xpath(".//a[@href]")
            if links:
                return list(links)
    return []


def _has_scripts(page: Selector) -> bool:
    return bool(page.xpath("//script"))
