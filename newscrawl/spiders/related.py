"""The ``related`` spider: stories, and the related headlines they link to.

It only navigates: from a listing, its story links and its next page; from a feed (robots.txt,
a sitemap, RSS or Atom), its story URLs with their dates and the feeds it names; from a story,
its related headlines and its later pages. Each URL is asked of the profile of its host (a
crawl of several sites has one :class:`~newscrawl.sites.CrawlSites`). Each story link it
yields is a message to the frontier (:mod:`newscrawl.spidermiddlewares.frontier`), which
decides whether and at which hop it is requested and asks :meth:`RelatedSpider.story_request`
for the request. What a page holds is the site profile's business; whether it goes through a
browser, the render middleware's (:mod:`newscrawl.downloadermiddlewares.render`); what is
emitted, the pipelines'.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse, XmlResponse
from twisted.python.failure import Failure

from newscrawl.config import CrawlLimits, config_of
from newscrawl.extraction.story import StoryAssembly
from newscrawl.extraction.tree import page_selector
from newscrawl.hints import render_hint_stat
from newscrawl.outcomes import failed, rejected, report
from newscrawl.rendering import RENDERED, browser_problem, needs_browser
from newscrawl.scope import Scope
from newscrawl.sites import NotAStory, PageKind, StoryPage
from newscrawl.spiders.arguments import CrawlArguments
from newscrawl.spiders.failures import failure_reason
from newscrawl.urls import is_already_safe
from newscrawl.useragent import apply_contact_user_agent
from newscrawl.workers import Prepared, Workers, read_listing

STATS = "newscrawl"
# Request meta. STORY_URL: the canonical story a page belongs to. PAGE: what the page is
# ("listing", "story", "later"). LINK: on a story link the spider yields, where it was met
# ("seed", "listing", "related"); LISTED_AT: the time the listing shows beside it.
STORY_URL = "story_url"
PAGE = "newscrawl_page"
LINK = "newscrawl_link"
LISTED_AT = "newscrawl_listed_at"
HOP = "hop"
ASSEMBLY = "newscrawl_assembly"  # a later page's story, read so far
EXTRACTED = "newscrawl_extracted"  # the page as the render middleware already extracted it
SEED, LISTING, RELATED = "seed", "listing", "related"


class StoryRequest(scrapy.Request):
    """A story's request (and a story link's). Scrapy passes every request URL through w3lib's
    safe_url_string, a pure-Python parse (2.4 µs, a dozen story links a page: ~1% of the
    engine's time); a URL it would give back unchanged (the frontier's canonical URLs, the
    profiles' resolved links: :func:`newscrawl.urls.is_already_safe`) is kept as it is, and any
    other goes through it as before. The URL is the same either way."""

    def _set_url(self, url: str) -> None:
        if isinstance(url, str) and is_already_safe(url):
            self._url = url
        else:
            super()._set_url(url)


class RelatedSpider(scrapy.Spider):
    name = "related"

    def __init__(
        self, name: str | None = None, arguments: CrawlArguments | None = None, **kwargs: Any
    ) -> None:
        # Parsed by the crawl command already (it passes them in), or here, for any other way
        # of starting the spider; either way before anything else, so a bad -a stops the run
        # before any request.
        self.args = arguments if arguments is not None else CrawlArguments.parse(kwargs)
        super().__init__(name)
        self.profile = self.args.sites()  # each URL's profile, by its host
        self.scope = Scope.of(self.profile)
        self.limits: CrawlLimits | None = None  # from the crawl's config, in from_crawler
        self.retry_codes: frozenset[int] = frozenset()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        apply_contact_user_agent(settings)

    @staticmethod
    def parse_arguments(raw: dict[str, Any]) -> CrawlArguments:
        """Raises ArgumentError (a ValueError) with one line for the user."""
        return CrawlArguments.parse(raw)

    @staticmethod
    def environment_problem(arguments: CrawlArguments, settings: Any) -> str | None:
        """One line if this machine cannot run the crawl asked for (no browser to render)."""
        return browser_problem(arguments.render, settings)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RelatedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.limits = config_of(crawler).limits
        spider.retry_codes = frozenset(map(int, crawler.settings.getlist("RETRY_HTTP_CODES")))
        return spider

    def profile_schemes(self) -> set[str]:
        """Schemes of the crawl's canonical start URLs: the only ones a story request uses."""
        return {urlsplit(self.profile.canonical_url(u)).scheme for u in self.args.starts()}

    # --- requests -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        workers = Workers.of(self.crawler, self.profile)
        if workers is not None:
            workers.start()  # while the start pages download
        # Start URLs are story, listing or feed pages of their site: CrawlArguments checked them.
        for output in self.start_pages(self.args.starts()):
            yield output

    def start_pages(self, urls: tuple[str, ...]) -> Iterator[scrapy.Request]:
        """What the crawl starts from: a story link for a story page, the request of a listing
        or a feed (also what ``scrapy seed`` puts into a shared crawl)."""
        for url in urls:
            kind = self.profile.classify(url)
            if kind is PageKind.STORY:
                yield self.story_link(url, SEED)
            elif kind is PageKind.FEED:
                yield self.feed_request(url, start_page=True)
            else:
                yield self.listing_request(url, page_number=1, start_page=True)

    def listing_request(self, url: str, page_number: int, start_page: bool) -> scrapy.Request:
        return scrapy.Request(
            self.profile.canonical_url(url),
            callback=self.parse_listing,
            errback=self.on_listing_error,
            priority=10,  # listings first: they seed hop 0
            # Start listings are read every run, and again when a JOBDIR crawl resumes.
            dont_filter=start_page,
            meta={PAGE: "listing", "listing_page": page_number, "start_page": start_page},
        )

    def feed_request(self, url: str, start_page: bool) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.on_listing_error,
            priority=20,  # feeds first: they seed hop 0 with dated story URLs
            dont_filter=start_page,
            meta={PAGE: "listing", "start_page": start_page, "feed": True},
        )

    def story_link(self, url: str, link: str, listed_at: str | None = None) -> scrapy.Request:
        """A story URL met on a page, for the frontier to decide on."""
        request = self.story_request(url, hop=0)
        request.meta.update({LINK: link, LISTED_AT: listed_at})
        return request

    def story_request(self, url: str, hop: int) -> scrapy.Request:
        """The request for a story the frontier decided to fetch at ``hop``."""
        return StoryRequest(
            url,
            callback=self.parse_story,
            errback=self.on_story_error,
            priority=-hop,  # breadth first: a story is reached by its shortest path
            meta={STORY_URL: url, PAGE: "story", HOP: hop},
        )

    # --- listings -------------------------------------------------------------------------

    async def parse_listing(self, response: Response) -> AsyncIterator[Any]:
        links, listed, next_page = await self._read_listing(response)
        if response.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/{'ok' if links else 'empty'}")
        if not links:
            return
        for link in links:
            yield self.story_link(link, LISTING, listed.get(link))
        page_number = response.meta.get("listing_page", 1)
        more = page_number < self.args.max_listing_pages
        if more and next_page and self.scope.allows(next_page):
            yield self.listing_request(next_page, page_number + 1, start_page=False)

    async def _read_listing(
        self, response: Response
    ) -> tuple[list[str], dict[str, str], str | None]:
        """A listing's story links, the times it shows beside them and its next page: in a
        worker process with ``NEWSCRAWL_WORKERS`` (an HTML page), else here."""
        if not isinstance(response, TextResponse):
            return [], {}, None
        workers = Workers.of(self.crawler, self.profile)
        if workers is not None and not isinstance(response, XmlResponse):
            return await workers.listing(response.url, response.text)
        return read_listing(self.profile, _page(response), response.url)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """robots.txt, a sitemap (index), RSS or Atom: its story URLs, with the dates it gives
        them (so ``since`` leaves the old ones unrequested), and the feeds it names (at most
        ``max_listing_pages`` of them, newest first, and none older than ``since``)."""
        entries = self.profile.feed_entries(response.body, response.url)
        stories = [e for e in entries if not e.is_feed]
        feeds = [e for e in entries if e.is_feed and self.scope.allows(e.url)]
        if self.args.since is not None:
            feeds = [
                f for f in feeds if not f.listed_at or f.listed_at[:10] >= str(self.args.since)
            ]
        if response.meta.get("start_page"):
            found = "ok" if stories or feeds else "empty"
            self.crawler.stats.inc_value(f"{STATS}/start_pages/{found}")
        for entry in stories:
            yield self.story_link(entry.url, LISTING, entry.listed_at)
        for entry in feeds[: self.args.max_listing_pages]:
            yield self.feed_request(entry.url, start_page=False)

    def on_listing_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure, self.retry_codes)
        if request.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/failed")
        report(self.crawler, failed(request.url, reason, page="listing", **details))

    # --- stories --------------------------------------------------------------------------

    async def parse_story(self, response: Response) -> AsyncIterator[Any]:
        url = response.meta[STORY_URL]
        if not isinstance(response, TextResponse):
            report(self.crawler, rejected(url, "not_html", content_type=_content_type(response)))
            return
        rendered = bool(response.meta.get(RENDERED))
        page, later, prepared = await self._extract(response, story_of=rendered)
        self._count_render_hint(page)
        # The health check's layout miss is each profile's own (the generic one's: no title,
        # date or body; the portal's: a fallback, or no body).
        self.crawler.stats.inc_value(f"{STATS}/layout/pages")
        if self.profile.missed_at(url, page):
            self.crawler.stats.inc_value(f"{STATS}/layout/missed")
        if isinstance(page, NotAStory):
            self.crawler.stats.inc_value(f"{STATS}/extraction/none")
            extra = {"rendered": True} if rendered else {}
            report(self.crawler, rejected(url, page.reason, **page.details, **extra))
            return
        kind = "fallback" if page.fallbacks else page.kind
        self.crawler.stats.inc_value(f"{STATS}/extraction/{kind}")
        assert self.limits is not None
        for headline in page.related[: self.limits.max_related]:
            yield self.story_link(headline["url"], RELATED)
        assembly = StoryAssembly.begin(page, later, self.limits.max_story_pages, rendered)
        if assembly.skipped_pages:
            self.crawler.stats.inc_value(f"{STATS}/story_pages_capped")
            self.logger.warning(
                "%s has %d pages; reading the first %d (NEWSCRAWL_MAX_STORY_PAGES)",
                url,
                len(later) + 1,
                self.limits.max_story_pages,
            )
        if prepared is not None and prepared.story is not None and assembly.next_url is None:
            yield prepared.story  # assembled, cleaned and sketched by a worker (newscrawl.workers)
            return
        for output in self._go_on(assembly):
            yield output

    async def parse_later_page(self, response: Response) -> AsyncIterator[Any]:
        assembly: StoryAssembly = response.meta[ASSEMBLY]
        page = (await self._extract(response))[0] if isinstance(response, TextResponse) else None
        if not isinstance(page, StoryPage):
            reason = page.reason if page is not None else "not_html"
            report(
                self.crawler,
                failed(assembly.url, "incomplete_story", page=response.url, page_reason=reason),
            )
            return
        for output in self._go_on(assembly.add(page)):
            yield output

    async def _extract(
        self, response: TextResponse, story_of: bool | None = None
    ) -> tuple[StoryPage | NotAStory, list[str], Prepared | None]:
        """The page as its profile reads it and, for a story's first page (``story_of``: whether
        it was rendered), its later pages: in a worker process with ``NEWSCRAWL_WORKERS``
        (newscrawl.workers, which also gives a story of one page cleaned and sketched), else
        here."""
        page: StoryPage | NotAStory | None = response.meta.get(EXTRACTED)
        workers = Workers.of(self.crawler, self.profile) if page is None else None
        if workers is not None:
            assert self.limits is not None
            first = None if story_of is None else (self.limits.max_story_pages, story_of)
            page, later, prepared = await workers.extract(
                response.url, response.text, _fetched_at(response), first
            )
            return page, later if story_of is not None else [], prepared
        # Parsed once for both readings; a page the render middleware read has its selector.
        selector = response.selector if page is not None else _page(response)
        if page is None:
            page = self.profile.extract_story(selector, response.url, _fetched_at(response))
        later = []
        if story_of is not None and isinstance(page, StoryPage):
            later = self.profile.later_pages(selector, response.url)
        return page, later, None

    def _count_render_hint(self, page: StoryPage | NotAStory) -> None:
        """Under render=never, a page render=auto would have rendered (newscrawl.hints)."""
        if self.args.render == "never" and needs_browser(page):
            self.crawler.stats.inc_value(render_hint_stat(isinstance(page, NotAStory)))

    def _go_on(self, assembly: StoryAssembly) -> Iterator[Any]:
        """The next page of the story, or the story once every page is read."""
        if assembly.next_url is None:
            site = self.profile.profile_for(assembly.url) or self.profile
            yield assembly.story(site.name, site.language)
            return
        yield scrapy.Request(
            assembly.next_url,
            callback=self.parse_later_page,
            errback=self.on_later_page_error,
            priority=100,  # finish a story already started before opening new ones
            meta={STORY_URL: assembly.url, PAGE: "later", ASSEMBLY: assembly},
        )

    def on_story_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure, self.retry_codes)
        report(self.crawler, failed(request.meta.get(STORY_URL, request.url), reason, **details))

    def on_later_page_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure, self.retry_codes)
        report(
            self.crawler,
            failed(
                request.meta[STORY_URL],
                "incomplete_story",
                page=request.url,
                page_reason=reason,
                **details,
            ),
        )


def _fetched_at(response: Response) -> datetime:
    """When the page was fetched: its ``Date`` header if it is sane, else now (relative dates,
    ``il y a 3 heures``, are read from it)."""
    now = datetime.now(UTC)
    served = _served_at(response.headers.get("Date") or b"")
    if served is None or served.tzinfo is None or abs((served - now).total_seconds()) > 86400:
        return now
    return served


@functools.lru_cache(maxsize=64)
def _served_at(header: bytes) -> datetime | None:
    """A ``Date`` header's time (None: none, or not a date). Kept for the last few headers: a
    second's responses share one, and email.utils' parse costs more than the rest of this."""
    text = header.decode("latin-1")
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def _page(response: TextResponse) -> Selector:
    """The page's tree as ``response.selector`` has it (HTML; XML for an XML response), parsed
    by :func:`~newscrawl.extraction.tree.page_selector` (faster to read)."""
    if isinstance(response, XmlResponse):
        return response.selector
    return page_of_html(response.text)


def page_of_html(text: str) -> Selector:
    """An HTML page's tree, as the spider reads it (in its process or a worker's)."""
    return page_selector(text, "html")
