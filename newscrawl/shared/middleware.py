"""The frontier middleware of a worker: every story link and listing goes to the shared frontier.

As :mod:`newscrawl.spidermiddlewares.frontier` does for one process, with one difference: what
is to be fetched is not returned to this worker's scheduler but put in the shared ready queue
(one Lua script per page: its links, its related headlines, the listings it leads to, and, for
a listing, the end of its lease), from which any worker leases it. The start pages (seeds and
listings) are met the same way by every worker: a page met already is not taken again; in a
crawl ``scrapy seed`` seeded, a worker's own start pages are not met at all.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl import machinery
from newscrawl.extensions.ledger import OutcomeLedger
from newscrawl.shared.connection import RedisUnavailable
from newscrawl.shared.frontier import SharedFrontier
from newscrawl.shared.worker import Worker

logger = logging.getLogger(__name__)


class SharedFrontierMiddleware:
    def __init__(self, crawler: Crawler, ledger: OutcomeLedger) -> None:
        self.crawler = crawler
        self.ledger = ledger

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontierMiddleware:
        ledger = crawler.get_extension(OutcomeLedger)
        if ledger is None:
            raise NotConfigured("no outcome ledger")
        return cls(crawler, ledger)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        outputs = [output async for output in start]
        worker = self.crawler.get_extension(Worker)
        if worker is not None and worker.seeded:
            logger.info(
                "newscrawl: the crawl was seeded by scrapy seed: this worker seeds none of its "
                "%d start pages",
                len(outputs),
            )
            return
        for passed in await self._through(outputs, None):
            yield passed

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [output async for output in result]
        for passed in await self._through(outputs, response):
            yield passed

    async def _through(self, outputs: list[Any], response: Response | None) -> list[Any]:
        if machinery.failed(self.crawler):
            return []
        frontier = self.ledger.frontier
        assert isinstance(frontier, SharedFrontier)
        try:
            passed, met = await frontier.page(response, outputs)
        except RedisUnavailable as error:
            machinery.fail(self.crawler, "the shared crawl", str(error))
            return []
        for outcome in met.outcomes:
            self.ledger.record(outcome)
        return passed
