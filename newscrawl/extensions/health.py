"""The health check: at the end of a run, judge it and make the process's exit status say so.

On ``spider_closed`` it computes :func:`newscrawl.health.assess` over the crawler's stats and
writes ``newscrawl/health/ok``, ``newscrawl/health/reasons`` and raises
``newscrawl/exit_status`` (the ``crawl`` command exits with it). It logs the verdict on
``engine_stopped``, after Scrapy's stats dump and "Spider closed" line, so that the verdict is
the log's last line: ``newscrawl: run unhealthy: <reasons>`` or ``newscrawl: run healthy``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.health import EXIT_STATUS_STAT, HealthThresholds, HealthVerdict, assess

logger = logging.getLogger(__name__)


class HealthCheck:
    def __init__(self, crawler: Crawler, thresholds: HealthThresholds) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.verdict: HealthVerdict | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthCheck:
        check = cls(crawler, HealthThresholds.from_settings(crawler.settings))
        crawler.signals.connect(check.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(check.engine_stopped, signal=signals.engine_stopped)
        return check

    def spider_closed(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        self.verdict = assess(stats.get_stats(), self.thresholds)
        stats.set_value("newscrawl/health/ok", int(self.verdict.ok))
        stats.set_value("newscrawl/health/reasons", list(self.verdict.reasons))
        stats.max_value(EXIT_STATUS_STAT, self.verdict.exit_status)

    def engine_stopped(self) -> None:
        if self.verdict is None:
            return  # the engine stopped before a spider was ever closed
        if self.verdict.ok:
            logger.info(self.verdict.log_line())
        else:
            logger.error(self.verdict.log_line())
