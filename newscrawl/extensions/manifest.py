"""The run manifest: when the engine stops, a small JSON file beside the feed says what the
run did (see :mod:`newscrawl.state.manifest`).

It goes where the ledger wrote the rejections: ``output/related/T.rejects.jsonl`` gives
``output/related/T.manifest.json``, and ``feeds`` lists the run's other ``T.*`` files. It is
written when the engine stops, after the state has read the feed back and before the health
check logs its verdict, and judges the run itself (:func:`newscrawl.health.assess`), so a
failure of the read-back is in it. A manifest that cannot be written is a failure of the run's
own machinery, which the verdict then names. It logs at DEBUG only: the verdict stays the log's
last line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.health import EXIT_STATUS_STAT, assess
from newscrawl.state.manifest import summary_from_stats, write_manifest

logger = logging.getLogger(__name__)
REJECTS_SUFFIX = ".rejects.jsonl"


class RunManifest:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        manifest = cls(crawler)
        crawler.signals.connect(manifest.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(manifest.engine_stopped, signal=signals.engine_stopped)
        return manifest

    def spider_opened(self) -> None:
        self.started_at = datetime.now(UTC)

    def engine_stopped(self) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        rejects = stats.get("newscrawl/rejects_file")
        if not rejects or not rejects.endswith(REJECTS_SUFFIX):
            return  # no ledger, so no place beside a feed
        base = rejects.removesuffix(REJECTS_SUFFIX)
        path = Path(base + ".manifest.json")
        try:
            write_manifest(path, self.summary(stats, base, path))
        except OSError as error:
            machinery.fail(self.crawler, f"the manifest {path}", error)
            return
        logger.debug("newscrawl: manifest written to %s", path)

    def summary(self, stats: dict[str, Any], base: str, manifest: Path) -> dict[str, Any]:
        siblings = sorted(Path(base).parent.glob(Path(base).name + ".*"))
        verdict = assess(stats, config_of(self.crawler).health)
        return {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **summary_from_stats(stats),
            "exit_status": max(int(stats.get(EXIT_STATUS_STAT, 0) or 0), verdict.exit_status),
            "healthy": verdict.ok,
            "reasons": list(verdict.reasons),
            "feeds": [
                str(p) for p in siblings if p != manifest and not str(p).endswith(REJECTS_SUFFIX)
            ],
            "rejects": base + REJECTS_SUFFIX,
            "state": stats.get("newscrawl/state/path"),
        }
