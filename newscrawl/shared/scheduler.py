"""The scheduler of a worker: Scrapy's own, for the requests of the work this worker holds.

Work comes from the shared ready queue (:class:`~newscrawl.shared.worker.Worker` leases it and
hands its requests to the engine); what a held page leads to (a retry, a redirect, a long
story's later pages, a render) stays in this worker's own queue: it is part of work it holds.
Opening it joins the crawl, before the spider opens. It never deletes the shared queue (the
hole of scrapy-redis's ``flush()`` on close): a worker that stops hands back what it holds.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import Deferred

from newscrawl.shared.worker import Worker


class SharedScheduler(Scheduler):
    worker: Worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        worker = crawler.get_extension(Worker)
        assert worker is not None, "the Distributed add-on installs the worker extension"
        scheduler.worker = worker
        return scheduler

    def open(self, spider: Any) -> Deferred[None] | None:
        super().open(spider)
        return deferred_from_coro(self.worker.join(spider))
