"""The crawl's stats collector: Scrapy's own, without a wrapper around every call.

Scrapy 2.19's ``StatsCollector`` finds each of its methods through a Python-level
``__getattribute__`` that wraps it in a check for a ``spider`` argument (deprecated), so every
``stats.inc_value(...)`` costs a formatted attribute name, a failed lookup and the wrapper's own
call: several a request in Scrapy's middlewares and ours, ~1.5% of the engine's time
(BENCHMARKS.md, *Speed*). This one looks its methods up as any object does; they are Scrapy's,
and keep the same answers. A caller that still passes ``spider=`` is not warned.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class CrawlStats(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__
