"""The ``related`` spider: stories, and the related headlines they link to.

It only navigates. What a page holds is the site profile's business; what is
emitted is the pipelines'; every story URL it meets is reported to the ledger
so none ends without a story, a rejection or a failure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.extraction.story import assemble_story
from newscrawl.outcomes import alias, failed, meet, rejected, report
from newscrawl.rendering import (
    RENDERED,
    RenderConfig,
    browser_problem,
    enable_rendering,
    needs_browser,
    render_meta,
)
from newscrawl.sites import NotAStory, PageKind, StoryPage, get_profile
from newscrawl.spiders.arguments import CrawlArguments
from newscrawl.spiders.failures import failure_reason
from newscrawl.spiders.incremental import skip_known_story
from newscrawl.useragent import apply_contact_user_agent

STATS = "newscrawl"
# Request meta of a later page: its story's first page was rendered, so this one is too.
RENDER_LATER = "newscrawl_render_later"


class RelatedSpider(scrapy.Spider):
    name = "related"

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        # Validated before anything else, so a bad -a stops the run before any request.
        self.args = CrawlArguments.parse(kwargs)
        super().__init__(name)
        self.profile = get_profile(self.args.site)
        # One timestamp for every file this run writes (feeds, rejects, manifest).
        self.run_time = datetime.now(UTC).replace(microsecond=0).isoformat().replace(":", "-")
        self._scheduled: set[str] = set()  # canonical story URLs requested or settled
        self.max_story_pages = 20  # replaced from settings in from_crawler
        self.max_related = 100
        self.since_by_url = self.args.since or date.min
        self._beyond_depth: set[str] = set()

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        apply_contact_user_agent(settings)

    @staticmethod
    def validate_arguments(raw: dict[str, Any]) -> None:
        """Raises ArgumentError (a ValueError) with one line for the user."""
        CrawlArguments.parse(raw)

    @staticmethod
    def environment_problem(raw: dict[str, Any], settings: Any) -> str | None:
        """One line if this machine cannot run the crawl asked for (no browser to render)."""
        return browser_problem(CrawlArguments.parse(raw).render, settings)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RelatedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_story_pages = crawler.settings.getint("NEWSCRAWL_MAX_STORY_PAGES", 20)
        spider.max_related = crawler.settings.getint("NEWSCRAWL_MAX_RELATED_PER_STORY", 100)
        # A URL carries the day a story was published; its date line, the day it was last
        # updated, which can be a little later (a story of 31/12 edited on 02/01). So the URL
        # decides only when it is clearly older; the date line decides the rest.
        margin = crawler.settings.getint("NEWSCRAWL_SINCE_URL_MARGIN_DAYS", 3)
        if spider.args.since:
            spider.since_by_url = spider.args.since - timedelta(days=margin)
        if spider.args.render != "never":
            # Settings are still open here (frozen after the spider is built).
            problem = browser_problem(spider.args.render, crawler.settings)
            if problem:
                raise ValueError(problem)
            config = RenderConfig.from_settings(crawler.settings)
            enable_rendering(crawler.settings, config, spider.profile_schemes())
        return spider

    def profile_schemes(self) -> set[str]:
        """Schemes of the portal's canonical page URLs: the only ones a story request uses."""
        return {urlsplit(self.profile.canonical_url(u)).scheme for u in self.profile.start_urls}

    # --- start ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        # Start URLs are the portal's story or listing pages: CrawlArguments checked them.
        for url in self.args.starts():
            if self.profile.classify(url) is PageKind.STORY:
                request = self._story_request(url, hop=0)
                if request is not None:
                    yield request
            else:
                yield self._listing_request(url, page_number=1, start_page=True)

    def _listing_request(self, url: str, page_number: int, start_page: bool) -> scrapy.Request:
        return scrapy.Request(
            self.profile.canonical_url(url),
            callback=self.parse_listing,
            errback=self.on_listing_error,
            priority=10,  # listings first: they seed hop 0
            meta={"listing_page": page_number, "start_page": start_page},
        )

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if response.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/ok")
        links = (
            self.profile.listing_story_links(response.selector, response.url)
            if isinstance(response, TextResponse)
            else []
        )
        if not links and response.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/empty")
        if not links or not isinstance(response, TextResponse):
            return
        listed = self.profile.listing_story_times(response.selector, response.url)
        for link in links:
            request = self._story_request(link, hop=0, listed_at=listed.get(link))
            if request is not None:
                yield request
        page_number = response.meta.get("listing_page", 1)
        if page_number < self.args.max_listing_pages:
            next_page = self.profile.listing_next_page(response.selector, response.url)
            if next_page and self.profile.in_scope(next_page):
                yield self._listing_request(next_page, page_number + 1, start_page=False)

    def on_listing_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure)
        if request.meta.get("start_page"):
            self.crawler.stats.inc_value(f"{STATS}/start_pages/failed")
        report(self.crawler, failed(request.url, reason, page="listing", **details))

    # --- story requests -------------------------------------------------------------------

    def _story_request(
        self, url: str, hop: int, listed_at: str | None = None
    ) -> scrapy.Request | None:
        """A request for a story URL met at ``hop``, or None if it is settled without one."""
        canonical = self.profile.canonical_url(url)
        if canonical in self._scheduled:
            return None
        if not self.profile.in_scope(canonical):
            self._settle(canonical, "rejected", "off_portal")
            return None
        if self.profile.classify(canonical) is not PageKind.STORY:
            self._settle(canonical, "rejected", "not_a_story_url")
            return None
        story_date = self.profile.story_date(canonical)
        if self.args.since and story_date and story_date < self.since_by_url:
            self._settle(canonical, "rejected", "before_since", date=story_date.isoformat())
            return None
        if hop > self.args.max_depth:
            # Not settled yet: the same URL may still be met at a smaller hop.
            if canonical not in self._beyond_depth:
                self._beyond_depth.add(canonical)
                meet(self.crawler, canonical, pending_reason="beyond_max_depth")
            return None
        if skip_known_story(self.crawler, canonical, listed_at):
            return None  # not scheduled: a listing met later may still show it changed
        self._scheduled.add(canonical)
        meet(self.crawler, canonical)
        meta = {"hop": hop, "story_url": canonical}
        return scrapy.Request(
            canonical,
            callback=self.parse_story,
            errback=self.on_story_error,
            priority=-hop,  # breadth first: a story is reached by its shortest path
            meta=meta,  # always a static fetch first, even for render=always: see _render_again
        )

    def _settle(self, url: str, outcome_kind: str, reason: str, **details: Any) -> None:
        self._scheduled.add(url)
        meet(self.crawler, url)
        outcome = rejected if outcome_kind == "rejected" else failed
        report(self.crawler, outcome(url, reason, **details))

    # --- story pages ----------------------------------------------------------------------

    def parse_story(self, response: Response) -> Iterator[Any]:
        requested = response.meta["story_url"]
        if response.meta.get(RENDERED) and not self._rendered_where_asked(response):
            # The browser was given this page's text and every other document is refused, so
            # a rendered page elsewhere is a browser error page: never read it as a story.
            report(self.crawler, failed(requested, "render_error", left_page=response.url))
            return
        url = self.profile.canonical_url(response.url)
        if url != requested:  # redirected: the story's URL is the final one
            alias(self.crawler, requested, url)
            if url in self._scheduled:
                duplicate = rejected(url, "duplicate_url", duplicate_of=url, via=requested)
                report(self.crawler, duplicate)
                return
            self._scheduled.add(url)
            meet(self.crawler, url)
        if not isinstance(response, TextResponse):
            report(self.crawler, rejected(url, "not_html", content_type=_content_type(response)))
            return
        page = self.profile.extract_story(response.selector, response.url)
        rendered = bool(response.meta.get(RENDERED))
        if not rendered and self._wants_browser(page):
            yield self._render_again(response, {"hop": response.meta["hop"], "story_url": url})
            return
        if rendered:
            self.crawler.stats.inc_value(f"{STATS}/render/pages")
        if isinstance(page, NotAStory):
            self.crawler.stats.inc_value(f"{STATS}/extraction/none")
            extra = {"rendered": True} if rendered else {}
            report(self.crawler, rejected(url, page.reason, **page.details, **extra))
            return
        kind = "fallback" if page.fallbacks else "profile"
        self.crawler.stats.inc_value(f"{STATS}/extraction/{kind}")
        yield from self._follow_related(page, response.meta["hop"])
        later = self.profile.later_pages(response.selector, response.url)
        if len(later) >= self.max_story_pages:
            self.crawler.stats.inc_value(f"{STATS}/story_pages_capped")
            self.logger.warning(
                "%s has %d pages; reading the first %d (NEWSCRAWL_MAX_STORY_PAGES)",
                url,
                len(later) + 1,
                self.max_story_pages,
            )
        yield from self._next_page_or_story(
            [page], later[: self.max_story_pages - 1], url, rendered
        )

    def _rendered_where_asked(self, response: Response) -> bool:
        asked = response.request.url if response.request else response.url
        return self.profile.canonical_url(response.url) == self.profile.canonical_url(asked)

    def _wants_browser(self, page: StoryPage | NotAStory) -> bool:
        """``always``: every story page; ``auto``: a static page that looks incomplete."""
        return self.args.render == "always" or (self.args.render == "auto" and needs_browser(page))

    def _render_again(self, response: TextResponse, meta: dict[str, Any]) -> scrapy.Request:
        """The page once more, through the browser, from the static response's text.

        Chromium never fetches the document: the static response already went through the
        scope and redirect guards, the size limit and the charset repair, and its text is what
        the browser is given (newscrawl.rendering.guard_page). The RENDERED flag in meta is
        what stops a second render of the same page.
        """
        self.crawler.stats.inc_value(f"{STATS}/render/requested")
        callback = self.parse_story if "hop" in meta else self.parse_later_page
        errback = self.on_story_error if "hop" in meta else self.on_later_page_error
        return scrapy.Request(
            response.url,
            callback=callback,
            errback=errback,
            priority=response.request.priority if response.request else 0,
            dont_filter=True,  # the same URL as the static request, on purpose
            meta=render_meta(meta, response.text, self.profile.name),
        )

    def _follow_related(self, page: StoryPage, hop: int) -> Iterator[scrapy.Request]:
        for headline in page.related[: self.max_related]:
            request = self._story_request(headline["url"], hop + 1)
            if request is not None:
                yield request

    def _next_page_or_story(
        self, pages: list[StoryPage], remaining: list[str], url: str, rendered: bool
    ) -> Iterator[Any]:
        if remaining:
            # A story whose first page needed the browser is read through it to the end.
            meta = {
                "pages": pages,
                "remaining": remaining[1:],
                "story_url": url,
                RENDER_LATER: rendered,
            }
            yield scrapy.Request(
                remaining[0],
                callback=self.parse_later_page,
                errback=self.on_later_page_error,
                priority=100,  # finish a story already started before opening new ones
                meta=meta,
            )
            return
        story = assemble_story(pages, self.profile.language, rendered=rendered)
        if self.args.since and _day(story.published_at) < self.args.since:
            report(self.crawler, rejected(url, "before_since", published_at=story.published_at))
            return
        yield story

    def parse_later_page(self, response: Response) -> Iterator[Any]:
        url = response.meta["story_url"]
        rendered = bool(response.meta.get(RENDERED))
        if response.meta.get(RENDER_LATER) and not rendered and isinstance(response, TextResponse):
            keep = ("pages", "remaining", "story_url", RENDER_LATER)
            yield self._render_again(response, {name: response.meta[name] for name in keep})
            return
        page = (
            self.profile.extract_story(response.selector, response.url)
            if isinstance(response, TextResponse)
            else NotAStory("not_html")
        )
        if isinstance(page, NotAStory):
            report(
                self.crawler,
                failed(url, "incomplete_story", page=response.url, page_reason=page.reason),
            )
            return
        pages = [*response.meta["pages"], page]
        yield from self._next_page_or_story(pages, response.meta["remaining"], url, rendered)

    def on_story_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure)
        report(self.crawler, failed(request.meta.get("story_url", request.url), reason, **details))

    def on_later_page_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason, details = failure_reason(failure)
        report(
            self.crawler,
            failed(
                request.meta["story_url"],
                "incomplete_story",
                page=request.url,
                page_reason=reason,
                **details,
            ),
        )


def _day(published_at: str) -> date:
    return date.fromisoformat(published_at[:10])


def _content_type(response: Response) -> str:
    return (response.headers.get("Content-Type") or b"").decode("latin-1")
