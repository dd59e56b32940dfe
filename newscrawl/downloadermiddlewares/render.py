"""Render again: a static story page goes through the browser when ``-a render`` asks for it.

Every story page is first fetched as static HTML, through the guarded stack (scope and redirect
guards, size limit, charset repair). Then, with ``render=always``, and with ``render=auto`` when
the site profile finds the page incomplete in a way a script could fill
(:func:`newscrawl.rendering.needs_browser`), this middleware answers the static response with
a render request for the same page, which carries the static text (Chromium never fetches the
document itself: :func:`newscrawl.rendering.guard_page`). A later page of a story whose first
page was rendered is rendered too. A rendered response whose page is not the one asked for is a
browser error page: ``render_error``. Off with ``render=never`` (the default).

It sits after the content sniffer and Scrapy's redirect middlewares in response order, so it
sees the decoded page at its final URL.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from newscrawl.outcomes import Refused
from newscrawl.rendering import RENDERED, needs_browser, render_meta
from newscrawl.spiders.related import ASSEMBLY, EXTRACTED, HOP, PAGE, STORY_URL

CARRIED = (STORY_URL, PAGE, HOP, ASSEMBLY)  # the meta a render keeps of the static request


class RenderAgain:
    def __init__(self, crawler: Crawler, mode: str) -> None:
        self.crawler = crawler
        self.mode = mode

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderAgain:
        mode = getattr(getattr(crawler.spider, "args", None), "render", "never")
        if mode == "never":
            raise NotConfigured  # -a render=never, the default: nothing to warn about
        return cls(crawler, mode)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get(RENDERED):
            self._check_rendered(request, response)
            return response
        if request.meta.get(PAGE) not in ("story", "later") or response.status != 200:
            return response
        if not isinstance(response, TextResponse) or not self._wanted(request, response):
            return response
        stats = self._stats()
        stats.inc_value("newscrawl/render/requested")
        # The static page was a download like any other; Scrapy signals no response for it,
        # as this middleware answers it with the render, so it is counted here.
        stats.inc_value("newscrawl/responses/total")
        meta = {name: request.meta[name] for name in CARRIED if name in request.meta}
        return Request(
            response.url,
            callback=request.callback,
            errback=request.errback,
            priority=request.priority,
            dont_filter=True,  # the same URL as the static request, on purpose
            meta=render_meta(meta, response.text, self.crawler.spider.scope),  # type: ignore[union-attr]
        )

    def _wanted(self, request: Request, response: TextResponse) -> bool:
        if request.meta[PAGE] == "later":
            return bool(request.meta[ASSEMBLY].rendered)
        if self.mode == "always":
            return True
        profile = self.crawler.spider.profile  # type: ignore[union-attr]
        page = profile.extract_story(response.selector, response.url)
        request.meta[EXTRACTED] = page  # read once: the spider takes it from here if it stays
        return needs_browser(page)

    def _check_rendered(self, request: Request, response: Response) -> None:
        """The browser was given this page's text and every other document is refused, so a
        rendered page elsewhere is a browser error page: never read it as a story."""
        profile = self.crawler.spider.profile  # type: ignore[union-attr]
        if profile.canonical_url(response.url) != profile.canonical_url(request.url):
            raise Refused("render_error", left_page=response.url)
        self._stats().inc_value("newscrawl/render/pages")

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
