"""Log records nobody writes are not made.

Scrapy sets the root logger to NOTSET and filters at its handler (``LOG_LEVEL``), so every
``Crawled (200)`` and ``Scraped from`` DEBUG line of a run at INFO is still made into a
``LogRecord`` (with its stack walk) and only then thrown away: ~1.5% of a crawl's samples
in py-spy (BENCHMARKS.md, *Speed*). Once every handler is in place (Scrapy's root handler, the log
counter: both at ``LOG_LEVEL``), the root logger is set to the lowest level any of its handlers
writes, so the same lines are written and counted, and the others are never made. A handler
that takes everything (pytest's ``caplog``, a user's own at DEBUG) leaves it as it is.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler


class LogLevelGate:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogLevelGate:
        gate = cls()
        crawler.signals.connect(gate.engine_started, signal=signals.engine_started)
        return gate

    def engine_started(self) -> None:
        set_root_to_handlers()


def set_root_to_handlers(root: logging.Logger = logging.root) -> None:
    """The root logger at the lowest level of its handlers (if each has one)."""
    levels = [handler.level for handler in root.handlers]
    if levels and min(levels) > root.level:
        root.setLevel(min(levels))
