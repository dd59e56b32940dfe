"""The run's state: with ``-s NEWSCRAWL_STATE=path``, what earlier runs emitted.

When the crawler is built it takes the run lock (re-entrant: the ``crawl`` command already
holds it), opens the :class:`~newscrawl.state.store.StateStore` and reconciles it with the feeds
earlier runs registered, so a story a killed run wrote but did not record is known before the
first request. The spider and pipelines reach it with ``crawler.get_extension(RunState)``:
``.should_fetch(url)`` for story pages, ``.store`` for the rest. Closed when the engine stops.
Without ``NEWSCRAWL_STATE`` the extension is off and a run is a plain one-off crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import load_object

from newscrawl.state.lock import RunLock
from newscrawl.state.store import FingerprintOf, StateStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateConfig:
    path: Path | None
    refresh_hours: float = 48.0
    # The dedup pipeline's fingerprint of a story dict, to reconcile with feeds.
    fingerprint: FingerprintOf | None = None

    def __post_init__(self) -> None:
        if self.refresh_hours < 0:
            raise ValueError("NEWSCRAWL_REFRESH_HOURS must not be negative")

    @classmethod
    def from_settings(cls, settings: Any) -> StateConfig:
        path = settings.get("NEWSCRAWL_STATE")
        fingerprint = settings.get("NEWSCRAWL_STATE_FINGERPRINT")
        return cls(
            path=Path(path) if path else None,
            refresh_hours=settings.getfloat("NEWSCRAWL_REFRESH_HOURS", 48.0),
            fingerprint=load_object(fingerprint) if fingerprint else None,
        )


class RunState:
    def __init__(
        self,
        crawler: Crawler,
        config: StateConfig,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        assert config.path is not None
        self.crawler = crawler
        self.config = config
        self.now = now
        self.lock = RunLock.for_state(config.path).acquire()
        try:
            self.store = StateStore.open(config.path)
        except BaseException:
            self.lock.release()
            raise
        self.reconciled = self._reconcile()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunState:
        config = StateConfig.from_settings(crawler.settings)
        if config.path is None:
            raise NotConfigured("no NEWSCRAWL_STATE: a one-off crawl")
        state = cls(crawler, config)
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.engine_stopped, signal=signals.engine_stopped)
        return state

    def _reconcile(self) -> int:
        feeds = self.store.registered_feeds()
        if self.config.fingerprint is None:
            if feeds:
                logger.warning(
                    "newscrawl: NEWSCRAWL_STATE_FINGERPRINT is not set: the state is not "
                    "reconciled with %d earlier feeds",
                    len(feeds),
                )
            return 0
        return self.store.reconcile_with_feeds(feeds, self.now(), self.config.fingerprint)

    def should_fetch(self, url: str) -> bool:
        """Ask for story pages only: listings are always fetched."""
        return self.store.should_fetch(url, self.now(), self.config.refresh_hours)

    def spider_opened(self) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("newscrawl/state/path", str(self.config.path))
        self.crawler.stats.set_value("newscrawl/state/reconciled", self.reconciled)
        self.crawler.stats.set_value("newscrawl/state/known_before", len(self.store))

    def engine_stopped(self) -> None:
        self.store.close()
        self.lock.release()
