"""The run manifest: when the engine stops, ``manifest.json`` in the run's folder
(:mod:`newscrawl.runs`) says what the run did (see :mod:`newscrawl.state.manifest`).

It names the run's feeds (wherever ``FEEDS`` or ``-o`` sent them) and its rejects file. It is
written when the engine stops, after the state has read the feed back and before the health
check logs its verdict, and judges the run itself (:func:`newscrawl.health.assess`), so a
failure of the read-back is in it, and so is how the run ended (``ending``: ``finished``,
``interrupted`` …, :mod:`newscrawl.endings`). A manifest that cannot be written is a failure of
the run's own machinery, which the verdict then names. It logs at DEBUG only: the verdict stays
the log's last line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.extensions.feeds import local_feed_paths
from newscrawl.extensions.health import verdict_of
from newscrawl.health import ARGUMENTS_STAT
from newscrawl.hints import hints_of
from newscrawl.runs import RunFolder, run_if_made, spider_name_of, started_at_text
from newscrawl.state.manifest import summary_from_stats, write_manifest

logger = logging.getLogger(__name__)


class RunManifest:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        manifest = cls(crawler)
        crawler.signals.connect(manifest.engine_stopped, signal=signals.engine_stopped)
        return manifest

    def engine_stopped(self) -> None:
        assert self.crawler.stats is not None
        run = run_if_made(self.crawler)
        if run is None:
            return  # the run never opened: no folder of its own to write in
        try:
            write_manifest(run.manifest, run_summary(self.crawler, run))
        except OSError as error:
            machinery.fail(self.crawler, f"the manifest {run.manifest}", error)
            return
        logger.debug("newscrawl: manifest written to %s", run.manifest)


def run_summary(crawler: Crawler, run: RunFolder) -> dict[str, Any]:
    """What the manifest says of the run, as its stats stand (the state's run history records
    the same)."""
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    verdict = verdict_of(crawler)
    feeds = local_feed_paths(
        crawler.settings.getdict("FEEDS"), run.uri_params(spider_name_of(crawler))
    )
    return {
        "run": run.name,
        "started_at": started_at_text(run.started_at),
        "finished_at": started_at_text(datetime.now(UTC)),
        **summary_from_stats(stats),
        "ending": verdict.ending.word,
        "exit_status": verdict.exit_status,
        "healthy": verdict.ok,
        "reasons": list(verdict.reasons),
        "hints": hints_of(stats),
        "arguments": stats.get(ARGUMENTS_STAT),
        "feeds": [str(path.absolute()) for path in feeds],
        "rejects": str(run.rejects.absolute()),
        "state": stats.get("newscrawl/state/path"),
    }
