"""The engine's process collects its young garbage every ``NEWSCRAWL_GC_THRESHOLD`` allocations.

Python's default, a collection of the youngest generation every 700 allocations (and of all
of them every hundredth of those), is made for small heaps. A crawl's engine keeps ~280,000
objects alive (Scrapy's coroutines and async generators of every response in its scraper, the
queued requests, the feeds), and each full collection walks all of them: 3.4 s of a 25 s
crawl's CPU, 13% of the engine's process (BENCHMARKS.md, *The fourth morning*). Every
20,000 allocations, the same crawl spent 0.6 s. The cyclic garbage that waits longer for its
collection is at most a few tens of thousands of small objects; the memory benchmark's peaks
did not move (BENCHMARKS.md).

Set when the crawler is made, before the engine allocates its share; Python's own thresholds
are put back when the spider closes or the engine stops (whichever comes first), so a process
that runs crawls one after another (a test suite, a script's CrawlerProcess) keeps what it
had. ``NEWSCRAWL_GC_THRESHOLD=700`` is Python's own.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.config import config_of

# Crawls running in this process, and the thresholds the first of them found: several crawls
# of one process (CrawlerProcess) share its collector, and the last to stop gives it back.
_running: list[GarbageCollection] = []
_found: list[tuple[int, int, int]] = []


class GarbageCollection:
    def __init__(self, threshold: int):
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GarbageCollection:
        collection = cls(config_of(crawler).gc_threshold)
        collection.start()
        crawler.signals.connect(collection.stop, signal=signals.engine_stopped)
        # A spider that fails to open closes without the engine ever starting: no
        # engine_stopped is sent then, only spider_closed.
        crawler.signals.connect(collection.stop, signal=signals.spider_closed)
        return collection

    def start(self) -> None:
        if self in _running:
            return
        if not _running:
            _found[:] = [gc.get_threshold()]
        _running.append(self)
        gc.set_threshold(self.threshold, *_found[0][1:])

    def stop(self) -> None:
        if self not in _running:
            return
        _running.remove(self)
        if _running:  # the crawl still running sets its own
            gc.set_threshold(_running[-1].threshold, *_found[0][1:])
        else:
            gc.set_threshold(*_found[0])
