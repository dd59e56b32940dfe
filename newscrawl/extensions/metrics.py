"""The run's metrics file (:mod:`newscrawl.metrics`), written when the engine stops.

After the manifest, before the health check's last word: the figures are the manifest's, and a
file that cannot be written is a failure of the run's own machinery, which the verdict then
names (exit status 74): a scheduler that reads the file must not be told nothing silently.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.extensions.history import past_runs
from newscrawl.extensions.manifest import run_summary
from newscrawl.metrics import metrics_text, previous_timestamps
from newscrawl.runs import run_if_made, spider_name_of
from newscrawl.state.manifest import write_atomically

logger = logging.getLogger(__name__)


class RunMetrics:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.textfile = config_of(crawler).watch.metrics_file

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunMetrics:
        metrics = cls(crawler)
        crawler.signals.connect(metrics.engine_stopped, signal=signals.engine_stopped)
        return metrics

    def engine_stopped(self) -> None:
        run = run_if_made(self.crawler)
        if run is None:
            return  # the run never opened
        summary = run_summary(self.crawler, run)
        spider = spider_name_of(self.crawler)
        previous = (
            previous_timestamps(self.textfile, spider, str(summary.get("state") or ""))
            if self.textfile is not None
            else {}
        )
        text = metrics_text(summary, spider, past_runs(self.crawler), previous)
        for path in (run.metrics, self.textfile):
            if path is None:
                continue
            try:
                write_atomically(path, text)
            except OSError as error:
                machinery.fail(self.crawler, f"the metrics file {path}", error)
                return
            logger.debug("newscrawl: metrics written to %s", path)
