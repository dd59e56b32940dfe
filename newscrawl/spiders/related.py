"""The ``related`` spider: stories, and the related headlines they link to.

It only navigates: from a listing, its story links and its next page; from a story, its related
headlines and its later pages. Each story link it yields is a message to the frontier
(:mod:`newscrawl.spidermiddlewares.frontier`), which decides whether and at which hop it is
requested and asks :meth:`RelatedSpider.story_request` for the request. What a page holds is the
site profile's business; whether it goes through a browser, the render middleware's
(:mod:`newscrawl.downloadermiddlewares.render`); what is emitted, the pipelines'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.config import CrawlLimits, config_of
from newscrawl.extraction.story import StoryAssembly
from newscrawl.hints import render_hint_stat
from newscrawl.outcomes import failed, rejected, report
from newscrawl.rendering import RENDERED, browser_problem, needs_browser
from newscrawl.scope import Scope
from newscrawl.sites import NotAStory, PageKind, StoryPage, get_profile
from newscrawl.spiders.arguments import CrawlArguments
from newscrawl.spiders.failures import failure_reason
from newscrawl.useragent import apply_contact_user_agent

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
        self.profile = get_profile(self.args.site)
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
        """Schemes of the portal's canonical page URLs: the only ones a story request uses."""
        return {urlsplit(self.profile.canonical_url(u)).scheme for u in self.profile.start_urls}

    # --- requests -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # Start URLs are the portal's story or listing pages: CrawlArguments checked them.
        for url in self.args.starts():
            if self.profile.classify(url) is PageKind.STORY:
                yield self.story_link(url, SEED)
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

    def story_link(self, url: str, link: str, listed_at: str | None = None) -> scrapy.Request:
        """A story URL met on a page, for the frontier to decide on."""
        request = self.story_request(url, hop=0)
        request.meta.update({LINK: link, LISTED_AT: listed_at})
        return request

    def story_request(self, url: str, hop: int) -> scrapy.Request:
        """The request for a story the frontier decided to fetch at ``hop``."""
        return scrapy.Request(
            url,
            callback=self.parse_story,
            errback=self.on_story_error,
            priority=-hop,  # breadth first: a story is reached by its shortest path
            meta={STORY_URL: url, PAGE: "story", HOP: hop},
        )

    # --- listings -------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            links: list[str] = []
        else:
            links = self.profile.listing_story_links(response.selector, response.url)
        if response.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/{'ok' if links else 'empty'}")
        if not links:
            return
        assert isinstance(response, TextResponse)
        listed = self.profile.listing_story_times(response.selector, response.url)
        for link in links:
            yield self.story_link(link, LISTING, listed.get(link))
        page_number = response.meta.get("listing_page", 1)
        if page_number < self.args.max_listing_pages:
            next_page = self.profile.listing_next_page(response.selector, response.url)
            if next_page and self.scope.allows(next_page):
                yield self.listing_request(next_page, page_number + 1, start_page=False)

    def on_listing_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure, self.retry_codes)
        if request.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/failed")
        report(self.crawler, failed(request.url, reason, page="listing", **details))

    # --- stories --------------------------------------------------------------------------

    def parse_story(self, response: Response) -> Iterator[Any]:
        url = response.meta[STORY_URL]
        if not isinstance(response, TextResponse):
            report(self.crawler, rejected(url, "not_html", content_type=_content_type(response)))
            return
        page = self._extract(response)
        rendered = bool(response.meta.get(RENDERED))
        self._count_render_hint(page)
        if isinstance(page, NotAStory):
            self.crawler.stats.inc_value(f"{STATS}/extraction/none")
            extra = {"rendered": True} if rendered else {}
            report(self.crawler, rejected(url, page.reason, **page.details, **extra))
            return
        kind = "fallback" if page.fallbacks else "profile"
        self.crawler.stats.inc_value(f"{STATS}/extraction/{kind}")
        assert self.limits is not None
        for headline in page.related[: self.limits.max_related]:
            yield self.story_link(headline["url"], RELATED)
        later = self.profile.later_pages(response.selector, response.url)
        assembly = StoryAssembly.begin(page, later, self.limits.max_story_pages, rendered)
        if assembly.skipped_pages:
            self.crawler.stats.inc_value(f"{STATS}/story_pages_capped")
            self.logger.warning(
                "%s has %d pages; reading the first %d (NEWSCRAWL_MAX_STORY_PAGES)",
                url,
                len(later) + 1,
                self.limits.max_story_pages,
            )
        yield from self._go_on(assembly)

    def parse_later_page(self, response: Response) -> Iterator[Any]:
        assembly: StoryAssembly = response.meta[ASSEMBLY]
        page = self._extract(response) if isinstance(response, TextResponse) else None
        if not isinstance(page, StoryPage):
            reason = page.reason if page is not None else "not_html"
            report(
                self.crawler,
                failed(assembly.url, "incomplete_story", page=response.url, page_reason=reason),
            )
            return
        yield from self._go_on(assembly.add(page))

    def _extract(self, response: TextResponse) -> StoryPage | NotAStory:
        page: StoryPage | NotAStory | None = response.meta.get(EXTRACTED)
        if page is None:
            page = self.profile.extract_story(response.selector, response.url)
        return page

    def _count_render_hint(self, page: StoryPage | NotAStory) -> None:
        """Under render=never, a page render=auto would have rendered (newscrawl.hints)."""
        if self.args.render == "never" and needs_browser(page):
            self.crawler.stats.inc_value(render_hint_stat(isinstance(page, NotAStory)))

    def _go_on(self, assembly: StoryAssembly) -> Iterator[Any]:
        """The next page of the story, or the story once every page is read."""
        if assembly.next_url is None:
            yield assembly.story(self.profile.name, self.profile.language)
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


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")
