"""The health check: at the end of a run, judge it and make the process's exit status say so.

It computes :func:`newscrawl.health.assess` over the crawler's stats on ``spider_closed`` and
again on ``engine_stopped``, last of all, so that a failure of the run's own machinery while it
was being wound up (the state's read-back, the manifest) counts too. It writes
``newscrawl/health/ok``, ``newscrawl/health/reasons``, ``newscrawl/ending`` and sets
``newscrawl/exit_status`` (the ``crawl`` command exits with it), and logs the verdict after
Scrapy's stats dump and "Spider closed" line, so that it is the log's last line: ``newscrawl:
run unhealthy: <reasons>``, ``newscrawl: run failed: <reasons>``, ``newscrawl: run interrupted
by SIGINT …``, ``newscrawl: run paused by SIGTERM …`` or ``newscrawl: run healthy``. It is
logged at WARNING or above, so ``-L WARNING`` still shows it.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.config import config_of
from newscrawl.endings import jobdir_of
from newscrawl.health import EXIT_STATUS_STAT, HealthThresholds, HealthVerdict, assess

logger = logging.getLogger(__name__)
LOGGED = "newscrawl/health/logged"


class HealthCheck:
    def __init__(self, crawler: Crawler, thresholds: HealthThresholds) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.jobdir = jobdir_of(crawler)
        self.verdict: HealthVerdict | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthCheck:
        check = cls(crawler, config_of(crawler).health)
        crawler.signals.connect(check.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(check.engine_stopped, signal=signals.engine_stopped)
        return check

    def spider_closed(self) -> None:
        self._judge()

    def engine_stopped(self) -> None:
        if self.verdict is None:
            return  # the engine stopped before a spider was ever closed
        log_verdict(self._judge(), self.crawler)

    def _judge(self) -> HealthVerdict:
        stats = self.crawler.stats
        assert stats is not None
        self.verdict = verdict_of(self.crawler)
        stats.set_value("newscrawl/health/ok", int(self.verdict.ok))
        stats.set_value("newscrawl/health/reasons", list(self.verdict.reasons))
        stats.set_value("newscrawl/ending", self.verdict.ending.word)
        # The verdict weighs everything (the machinery's failures included): its status wins.
        stats.set_value(EXIT_STATUS_STAT, self.verdict.exit_status)
        return self.verdict


def verdict_of(crawler: Crawler) -> HealthVerdict:
    """The verdict on the crawl as its stats stand, with its state's history (the manifest,
    the metrics and the run history all ask this)."""
    from newscrawl.extensions.history import past_runs  # it imports this module's verdict

    assert crawler.stats is not None
    return assess(
        crawler.stats.get_stats(),
        config_of(crawler).health,
        jobdir_of(crawler),
        history=past_runs(crawler),
    )


def log_verdict(verdict: HealthVerdict, crawler: Crawler) -> None:
    """The verdict as the log's last line (once: the crawl command logs it for a run that
    closed as it opened, when no engine_stopped follows)."""
    assert crawler.stats is not None
    if crawler.stats.get_value(LOGGED):
        return
    crawler.stats.set_value(LOGGED, 1)
    if verdict.ok:
        logger.warning(verdict.log_line())
    else:
        logger.error(verdict.log_line())
