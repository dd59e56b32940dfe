"""The run's own failures: the state store, the feeds, the rejects file, the manifest, the
temporary files (the frontier's and the dedup index's spill files, in TMPDIR).

When one of them fails (a damaged database, a full disk, a folder that cannot be made), the
crawl can no longer keep its promises (nothing lost, nothing twice, every URL ended once and
written down), so it stops at once and ends with ``EXIT_MACHINERY`` (74, ``EX_IOERR`` of
``sysexits.h``), the reason on the log's last line and, where it can still be written, in the
manifest. What the run had not finished stays in the state's frontier for the next run.

Components call :func:`fail`; the health check reads :data:`FAILED_STAT` for its verdict.
"""

from __future__ import annotations

import logging
import tempfile

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from newscrawl.health import EXIT_MACHINERY, EXIT_STATUS_STAT, MACHINERY_STAT

logger = logging.getLogger(__name__)

__all__ = ["EXIT_MACHINERY", "fail", "failed"]
FAILED_STAT = MACHINERY_STAT
CLOSE_REASON = "machinery_failure"


def fail(crawler: Crawler, what: str, error: BaseException | str) -> None:
    """``what`` (e.g. "the feed output/related/T.jsonl") failed: record it and stop the run."""
    assert crawler.stats is not None
    line = f"{what}: {_describe(error)}"
    failures: list[str] = list(crawler.stats.get_value(FAILED_STAT) or [])
    if any(known.startswith(f"{what}:") for known in failures):
        return  # the same component failing again says nothing new
    crawler._newscrawl_failed = True  # type: ignore[attr-defined]  # failed() reads it
    crawler.stats.set_value(FAILED_STAT, [*failures, line])
    crawler.stats.max_value(EXIT_STATUS_STAT, EXIT_MACHINERY)
    logger.error("newscrawl: %s; the run stops", line)
    _close(crawler)


def temporary_files() -> str:
    """What a spill file's failure (a full or unwritable TMPDIR) is said to be."""
    return f"the run's temporary files in {tempfile.gettempdir()} (TMPDIR)"


def failed(crawler: Crawler) -> bool:
    # Asked for every link and story: an attribute, not the stats (each stats call of Scrapy
    # 2.19 passes a deprecation wrapper).
    return bool(getattr(crawler, "_newscrawl_failed", False))


def _describe(error: BaseException | str) -> str:
    if isinstance(error, str):
        return error
    return f"{type(error).__name__}: {error}"[:300]


def _close(crawler: Crawler) -> None:
    try:
        engine = crawler.engine
    except RuntimeError:  # Scrapy 2.19: no engine before the crawl starts
        return
    if engine is None or getattr(crawler, "_newscrawl_closing", None) is not None:
        return
    if engine.spider is None or not engine.running or getattr(engine, "_slot", None) is None:
        return  # not started yet (the opener raises CloseSpider) or already stopping
    # Kept on the crawler so the close is not garbage-collected before it runs.
    crawler._newscrawl_closing = deferred_from_coro(  # type: ignore[attr-defined]
        engine.close_spider_async(reason=CLOSE_REASON)
    )
