"""The run manifest: when the engine stops, a small JSON file beside the feed says what the
run did (see :mod:`newscrawl.state.manifest`).

It goes where the ledger wrote the rejections: ``output/related/T.rejects.jsonl`` gives
``output/related/T.manifest.json``, and ``feeds`` lists the run's other ``T.*`` files. It
reads the health check's verdict from the stats, so it runs after it (``engine_stopped``), and
it logs at DEBUG only: the health verdict stays the log's last line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl.health import EXIT_STATUS_STAT
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
        write_manifest(path, self.summary(stats, base, path))
        logger.debug("newscrawl: manifest written to %s", path)

    def summary(self, stats: dict[str, Any], base: str, manifest: Path) -> dict[str, Any]:
        siblings = sorted(Path(base).parent.glob(Path(base).name + ".*"))
        healthy = stats.get("newscrawl/health/ok")
        return {
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **summary_from_stats(stats),
            "exit_status": int(stats.get(EXIT_STATUS_STAT, 0) or 0),
            "healthy": None if healthy is None else bool(healthy),
            "reasons": list(stats.get("newscrawl/health/reasons", [])),
            "feeds": [
                str(p) for p in siblings if p != manifest and not str(p).endswith(REJECTS_SUFFIX)
            ],
            "rejects": base + REJECTS_SUFFIX,
            "state": stats.get("newscrawl/state/path"),
        }
