"""Browser contexts for rendered requests: each page closed at once, each context recycled.

scrapy-playwright keeps a browser context open for the whole crawl, and a long-lived context
grows (its issues tell of context leaks). Here every rendered request is given the current
context; after ``NEWSCRAWL_RENDER_PAGES_PER_CONTEXT`` requests the next one gets a fresh
context, and the old one is closed as soon as its last page is done, so a long crawl's browser
memory stays flat. Requests that are not rendered pass untouched.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import suppress
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

from newscrawl.config import config_of

logger = logging.getLogger(__name__)
CONTEXT_PREFIX = "newscrawl-"
OPEN = "newscrawl_context_open"  # meta: this download holds a place in its context's count


class BrowserContexts:
    def __init__(self, pages_per_context: int, stats: Any) -> None:
        self.pages_per_context = pages_per_context
        self.stats = stats
        self.generation = 0
        self.given = 0  # requests given the current context
        self.in_flight: Counter[str] = Counter()
        self.retired: set[str] = set()
        self.contexts: dict[str, Any] = {}  # name -> BrowserContext, once a page showed it

    @classmethod
    def from_crawler(cls, crawler: Any) -> BrowserContexts:
        if getattr(getattr(crawler.spider, "args", None), "render", "never") == "never":
            # -a render=never, the default: no request is rendered, and an awaited call on
            # every response for nothing is not free (BENCHMARKS.md, *Speed*).
            raise NotConfigured
        return cls(config_of(crawler).render.pages_per_context, crawler.stats)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("playwright"):
            return
        name = f"{CONTEXT_PREFIX}{self.generation}"
        # The page comes back in meta so that this middleware, not the callback, closes it.
        request.meta["playwright_context"] = name
        request.meta["playwright_include_page"] = True
        request.meta[OPEN] = True
        self.in_flight[name] += 1
        self.given += 1
        if self.given >= self.pages_per_context:
            self.retired.add(name)
            self.generation += 1
            self.given = 0

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._done(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._done(request)

    async def _done(self, request: Request) -> None:
        if not request.meta.pop(OPEN, False):  # not rendered, or already counted
            return
        name = request.meta["playwright_context"]
        page = request.meta.pop("playwright_page", None)
        if page is not None:
            self.contexts.setdefault(name, page.context)
            with suppress(Exception):  # already closed by a crash: nothing left to free
                await page.close()
            self.stats.inc_value("newscrawl/render/pages_closed")
        self.in_flight[name] -= 1
        if self.in_flight[name] <= 0 and name in self.retired:
            del self.in_flight[name]
            await self._close_context(name)

    async def _close_context(self, name: str) -> None:
        context = self.contexts.pop(name, None)
        if context is None:  # no page of it ever opened; the handler closes it at the end
            return
        with suppress(Exception):
            await context.close()
        self.stats.inc_value("newscrawl/render/contexts_closed")
        logger.debug("closed browser context %s", name)
