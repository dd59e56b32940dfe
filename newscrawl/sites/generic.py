"""The generic site profile: any French-language news site no profile is written for.

Its hosts are the crawl's start URLs' hosts that no registered profile claims, each with its
``www.``/bare twin (:meth:`GenericSite.for_hosts`). Everything is read by the generic machinery
(:mod:`newscrawl.extraction.generic`), and ``extraction`` says where each field came from:
``generic(authors=json_ld,body=trafilatura,published_at=og,title=json_ld,…)``.

URLs. A story URL is told apart from navigation by its shape: a date in the path
(``/2021/12/27/``, ``-20211227-``), an article number (``/article/656130/``, ``…_4614610_3236``)
or a headline's slug (four words or more, ``/sport/les-bleus-battent-l-italie``), and none of
the segments of navigation (``tag``, ``auteur``, ``page``, ``recherche`` …). On a listing, story
links inside the page's header, navigation, footer and asides are left out. Feeds
(``robots.txt``, sitemaps, news sitemaps, RSS, Atom) are read for story URLs with their dates
(:mod:`newscrawl.extraction.feeds`).

Its miss: a page without a title, a date or a body (no fallback is a miss: the generic
machinery is the whole of this profile). Pictures are not read (``images`` is empty), and a
story split over pages is read as its first page.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

from newscrawl.extraction import dates, generic, tree
from newscrawl.extraction.feeds import feed_entries
from newscrawl.extraction.inputs import PageInputs
from newscrawl.extraction.paragraphs import squash
from newscrawl.sites.base import FeedEntry, NotAStory, PageKind, SiteProfile, StoryPage
from newscrawl.urls import host_of, is_asset, is_feed_url, path_of, resolve, without_fragment

NAVIGATION_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "theme",
        "themes",
        "sujet",
        "sujets",
        "auteur",
        "auteurs",
        "author",
        "authors",
        "journaliste",
        "page",
        "pages",
        "recherche",
        "search",
        "login",
        "connexion",
        "compte",
        "account",
        "abonnement",
        "abonnements",
        "newsletter",
        "newsletters",
        "contact",
        "mentions-legales",
        "cgu",
        "cgv",
        "cookies",
        "privacy",
        "confidentialite",
        "services",
        "boutique",
        "shop",
        "jeux",
        "meteo",
        "horoscope",
        "annonces",
        "wp-admin",
        "wp-login.php",
        "feed",
        "rss",
        "podcasts",
        "programme-tv",
    }
)
DATE_IN_PATH = re.compile(
    r"/(?P<y>(?:19|20)\d{2})/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?:/|$)"
    r"|(?<!\d)(?P<y2>(?:19|20)\d{2})[-_]?(?P<m2>0[1-9]|1[0-2])[-_]?(?P<d2>0[1-9]|[12]\d|3[01])(?!\d)"
)
ARTICLE_NUMBER = re.compile(r"(?<![\d.])\d{5,}(?!\d)")
PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cms|ece)$", re.IGNORECASE)
TRACKING_PARAMS = re.compile(
    r"^(?:utm_\w+|xtor|xts|xtref|at_\w+|fbclid|gclid|mc_\w+|ref|from|origin|source|partner"
    r"|cmp|ns_\w+|amp|output|share|sharing|s_cid|ito|itm_\w+|_ga)$",
    re.IGNORECASE,
)
# On a listing, links inside these are navigation, not its stories (the element itself too).
NOT_LISTED_TAGS = frozenset({"header", "nav", "footer", "aside"})
NOT_LISTED_NAMES = ("menu", "footer", "header")  # in a class or an id
NOT_LISTED_CLASSES = ("breadcrumb",)
NEXT_WORDS = ("suivant", "page suivante", "suivante", "next", "plus d'articles", "»", ">")


def twins(host: str) -> set[str]:
    """A host and its ``www.``/bare twin."""
    host = host.lower().rstrip(".")
    bare = host.removeprefix("www.")
    return {bare, f"www.{bare}"}


class GenericSite(SiteProfile):
    name = "generic"
    language = "fr"

    def __init__(self, hosts: frozenset[str] = frozenset()) -> None:
        self.hosts = frozenset(hosts)
        self.start_urls = ()

    @classmethod
    def for_hosts(cls, hosts: set[str] | frozenset[str]) -> GenericSite:
        """The generic profile of these hosts, each with its www./bare twin."""
        return cls(frozenset(h for host in hosts for h in twins(host)))

    # --- URLs -----------------------------------------------------------------------------

    def classify(self, url: str) -> PageKind:
        if host_of(url) not in self.hosts:
            return PageKind.OTHER
        if is_feed_url(url):
            return PageKind.FEED
        path = path_of(url) or "/"
        if is_asset(url):
            return PageKind.OTHER
        if path in ("/", "/index.html", "/index.php", "/accueil", "/accueil/"):
            return PageKind.FRONT
        if looks_like_story(path):
            return PageKind.STORY
        if _navigation(path):
            return PageKind.OTHER
        return PageKind.LISTING

    def canonical_url(self, url: str) -> str:
        """Lower-case scheme and host, no fragment, no tracking parameters (``utm_*``, ``xtor``
        …); the rest of the query kept (``article.php?id=12`` is a story)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return without_fragment(url)
        if (parts.hostname or "").lower() not in self.hosts:
            return without_fragment(url)
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not TRACKING_PARAMS.match(k)
            ]
        )
        netloc = parts.netloc.lower()
        return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))

    def story_date(self, url: str) -> date | None:
        return url_date(path_of(url))

    def time_zone(self, url: str) -> tzinfo:
        return dates.site_zone(host_of(url))

    # --- stories --------------------------------------------------------------------------

    def extract_story(
        self, page: Selector, url: str, now: datetime | None = None
    ) -> StoryPage | NotAStory:
        too_complex = tree.complexity(page.root)
        if too_complex is not None:
            return NotAStory(tree.TOO_COMPLEX, too_complex)
        inputs = PageInputs.of(page, url, now)
        notes: dict[str, str] = {}
        found_title = generic.read_title(inputs)
        if found_title is None:
            return NotAStory("no_title")
        title = str(found_title.value)
        notes["title"] = found_title.how
        where = dates.site_zone(host_of(url), inputs.language)
        when = generic.read_dates(inputs, where, self.story_date(url))
        if when.published is None or when.published.moment is None:
            return NotAStory("no_date", {"refused": when.refused} if when.refused else {})
        notes["published_at"] = when.published_how + ("" if when.published.has_time else "(day)")
        if when.modified is not None:
            notes["modified_at"] = when.modified_how
        related, blocks = generic.read_related(inputs)
        related = [link for link in related if self._headline(link)]
        if related:
            notes["related"] = "heading"
        container = generic.story_container(inputs)
        paragraphs, how = generic.read_body(inputs, blocks, container, title)
        if not paragraphs:
            return NotAStory(
                "no_body",
                {
                    "has_scripts": bool(
                        page.xpath("//script[not(@type) or contains(@type,'javascript')]")
                    )
                },
            )
        notes["body"] = how
        byline, authors_how = generic.read_authors(inputs)
        if byline.authors:
            notes["authors"] = authors_how
        section, section_name, section_how = generic.read_section(inputs)
        if section_how:
            notes["section"] = section_how
        return StoryPage(
            url=self.canonical_url(url),
            title=title,
            published_at=dates.iso(when.published.moment),
            modified_at=when.modified.iso() if when.modified is not None else None,
            section=section,
            section_name=section_name,
            source=generic.read_source(inputs, byline),
            authors=byline.authors,
            editors=[],
            keywords=generic.read_keywords(inputs),
            summary=generic.read_summary(inputs),
            paragraphs=paragraphs,
            images=[],
            related=[
                {"title": link["title"], "url": self.canonical_url(link["url"])} for link in related
            ],
            notes=notes,
            kind="generic",
            language=_language(inputs.language),
        )

    def _headline(self, link: dict[str, str]) -> bool:
        """A related headline: three words or more, and a story URL when it is of these hosts
        (not a section, a tag page or an advertiser's site named in the block)."""
        if len(link["title"].split()) < 3:
            return False
        return (
            host_of(link["url"]) not in self.hosts or self.classify(link["url"]) is PageKind.STORY
        )

    def missed(self, page: StoryPage | NotAStory) -> bool:
        return isinstance(page, NotAStory) and page.reason in ("no_title", "no_date", "no_body")

    def later_pages(self, page: Selector, url: str) -> list[str]:
        return []

    # --- listings and feeds -----------------------------------------------------------------

    def listing_story_links(self, page: Selector, url: str) -> list[str]:
        found: list[str] = []
        seen: set[str] = set()
        if tree.complexity(page.root) is not None:
            return found  # no listing is this big: nothing is taken from it
        for href in _listed_hrefs(page):
            target = resolve(href, url)
            if target is None or self.classify(target) is not PageKind.STORY:
                continue
            target = self.canonical_url(target)
            if target not in seen and target != self.canonical_url(url):
                seen.add(target)
                found.append(target)
        return found

    def listing_next_page(self, page: Selector, url: str) -> str | None:
        if tree.complexity(page.root) is not None:
            return None
        candidates = page.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall()
        for link in page.root.iter("a"):
            if link.get("href") is None:
                continue
            text = squash(" ".join(link.itertext())).lower()
            if text in NEXT_WORDS or text.startswith(("page suivante", "suivant")):
                candidates.append(link.get("href") or "")
        for href in candidates:
            target = resolve(href, url)
            if target and self.classify(target) in (PageKind.LISTING, PageKind.FRONT):
                target = self.canonical_url(target)
                if target != self.canonical_url(url):
                    return target
        return None

    def feed_entries(self, body: bytes, url: str) -> list[FeedEntry]:
        return feed_entries(body, url, dates.site_zone(host_of(url)))


def _not_listed(element: Any) -> bool:
    if element.tag in NOT_LISTED_TAGS:
        return True
    cls, ident = element.get("class") or "", element.get("id") or ""
    return any(name in cls or name in ident for name in NOT_LISTED_NAMES) or any(
        name in cls for name in NOT_LISTED_CLASSES
    )


def _listed_hrefs(page: Selector) -> list[str]:
    """``a[href]`` of the page outside navigation (:data:`NOT_LISTED_TAGS` …): one walk."""
    hrefs: list[str] = []
    walker = etree.iterwalk(page.root, events=("start",))
    for _, element in walker:
        if _not_listed(element):
            walker.skip_subtree()
        elif element.tag == "a":
            href = element.get("href")
            if href is not None:
                hrefs.append(href)
    return hrefs


def looks_like_story(path: str) -> bool:
    """Does a URL path look like a story's (see the module's docstring)?"""
    segments = [s for s in path.split("/") if s]
    if not segments or _navigation(path):
        return False
    last = PAGE_SUFFIX.sub("", segments[-1])
    if len(segments) >= 2 and url_date(path) is not None:
        return True
    if ARTICLE_NUMBER.search(last) or (len(segments) >= 2 and ARTICLE_NUMBER.search(segments[-2])):
        return True
    if PAGE_SUFFIX.search(segments[-1]) and re.search(r"\d{3,}", last) and len(segments) >= 2:
        return True  # /a/123.html
    words = [w for w in re.split(r"[-_+]+", last) if w.isalpha()]
    return len(words) >= 4 and len(last) >= 20


def url_date(path: str) -> date | None:
    match = DATE_IN_PATH.search(path or "")
    if not match:
        return None
    year, month, day = (
        (match["y"], match["m"], match["d"])
        if match["y"]
        else (
            match["y2"],
            match["m2"],
            match["d2"],
        )
    )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _navigation(path: str) -> bool:
    return any(segment.lower() in NAVIGATION_SEGMENTS for segment in path.split("/") if segment)


def _language(tag: str) -> str:
    primary = re.split(r"[-_]", tag.strip().lower())[0] if tag else ""
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else "fr"
