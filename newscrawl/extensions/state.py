"""The run's state: with ``-s NEWSCRAWL_STATE=path``, what earlier runs emitted and met.

When the crawler is built it takes the run lock on the state's real path (re-entrant: the
``crawl`` command already holds it), opens the :class:`~newscrawl.state.store.StateStore`
(checking it is a sound state) and reconciles it with the feeds earlier runs registered, so a
story a killed run wrote but did not record is known, and ended in its frontier, before the
first request. The outcome ledger gives the store to the crawl's frontier, which writes there
what the run met. It is the SQLite :class:`~newscrawl.state.records.StoryState` the state
pipeline and the frontier's rules ask (:func:`newscrawl.distributed.state_for`; a crawl shared
through Redis has its own, :class:`~newscrawl.shared.state.SharedState`). Without
``NEWSCRAWL_STATE`` the extension is off and a run is a plain one-off crawl.

The feed is the record of what was emitted (README, "Scheduled crawls"): nothing is marked
emitted while the run goes on. When the spider opens, this run's local JSON lines feeds are
registered in the store (before their first story); when the engine stops (the feed exporter
has closed them), they are read back into the store, and, if the run finished, its frontier is
cleared in the same transaction. A run killed before that leaves its feed registered and its
frontier in place: the next run reads the feed on start (every whole line in it is a story that
run emitted) and takes up the frontier's unended URLs.

Any error of the store stops the run as a failure of its own machinery
(:mod:`newscrawl.machinery`, exit status 74).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.extensions.feeds import local_jsonl_feeds, open_run
from newscrawl.state.lock import RunLock
from newscrawl.state.records import StoredStory
from newscrawl.state.sketch import StoryMinhash, story_fingerprint
from newscrawl.state.store import StateStore, StateStoreError

logger = logging.getLogger(__name__)
FINISHED = "finished"  # Scrapy's close reason of a crawl that ran out of work
# Signal, kwargs store: the run is over and its feeds read back; the store is still open (the
# run history records the run in it: newscrawl.extensions.history).
state_closing = object()


class RunState:
    def __init__(
        self,
        crawler: Crawler,
        path: Path,
        refresh_hours: float,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.crawler = crawler
        self.path = path
        self.refresh_hours = refresh_hours
        self.now = now
        self.minhash = StoryMinhash(config_of(crawler).dedup)
        self.feeds: list[Path] = []  # this run's local JSON lines feeds
        self.close_reason: str | None = None
        self.started = False  # the engine started (so engine_stopped will be sent)
        self.stopped = False
        self.lock = RunLock.for_state(path).acquire()
        try:
            self.store = StateStore.open(path)
            self.reconciled = self.store.reconcile_with_feeds(
                self.store.registered_feeds(), self.now(), story_fingerprint, self.minhash
            )
        except BaseException:
            self.lock.release()
            raise

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunState:
        config = config_of(crawler).state
        if config.path is None:
            raise NotConfigured  # no NEWSCRAWL_STATE: a one-off crawl (no warning: the usual case)
        state = cls(crawler, config.path, config.refresh_hours)
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.engine_started, signal=signals.engine_started)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(state.engine_stopped, signal=signals.engine_stopped)
        return state

    errors: tuple[type[BaseException], ...] = (StateStoreError,)

    def should_fetch(self, url: str, listed_at: str | None = None) -> bool:
        """Ask for story pages only: listings are always fetched. ``listed_at``: the time a
        listing shows beside the story, if it shows one."""
        return self.store.should_fetch(url, self.now(), self.refresh_hours, listed_at)

    def spider_opened(self, spider: Any) -> None:
        params = open_run(self.crawler).uri_params(spider.name)
        self.feeds = local_jsonl_feeds(self.crawler.settings.getdict("FEEDS"), params)
        if not self.feeds:
            logger.error(
                "newscrawl: NEWSCRAWL_STATE is set but FEEDS has no local JSON lines feed: "
                "this run's stories will not be recorded, and the next run emits them again"
            )
        try:
            for feed in self.feeds:
                self.store.register_feed(feed, self.now())
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state", error)
            raise CloseSpider(machinery.CLOSE_REASON) from error
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("newscrawl/state/path", str(self.path))
        self.crawler.stats.set_value("newscrawl/state/reconciled", self.reconciled)
        self.crawler.stats.set_value("newscrawl/state/known_before", len(self.store))

    def engine_started(self) -> None:
        self.started = True

    def spider_closed(self, reason: str) -> None:
        self.close_reason = reason
        if not self.started:  # closed as it opened (CloseSpider): no engine_stopped follows
            self.engine_stopped()

    # --- the StoryState the state pipeline and the frontier's rules ask ------------------

    def failed(self, error: BaseException) -> None:
        machinery.fail(self.crawler, "the state", error)

    async def lookup(self, url: str) -> StoredStory | None:
        return self.store.lookup(url)

    async def first_url_with(self, fingerprint: str, other_than: str) -> str | None:
        return self.store.first_url_with(fingerprint, other_than)

    async def touch(self, url: str, published_at: str | None) -> None:
        self.store.touch(url, self.now(), published_at)

    def settle(
        self, url: str, reason: str, story_url: str | None, published_at: str | None
    ) -> None:
        self.store.record_settled(url, reason, story_url, published_at, self.now())

    async def recent_fingerprints(
        self, since: datetime
    ) -> AsyncIterator[tuple[str, str, bytes | None]]:
        for row in self.store.recent_fingerprints(since):
            yield row

    def engine_stopped(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        finished = self.close_reason == FINISHED and not machinery.failed(self.crawler)
        try:
            if finished:
                recorded = self.store.finish_run(
                    self.feeds, self.now(), story_fingerprint, self.minhash
                )
            else:
                recorded = self.store.reconcile_with_feeds(
                    self.feeds, self.now(), story_fingerprint, self.minhash
                )
            logger.info(
                "newscrawl: state %s now holds %d stories (%d recorded by this run)%s",
                self.path,
                len(self.store),
                recorded,
                "" if finished else "; its frontier is kept for the next run",
            )
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state", error)
        finally:
            self.crawler.signals.send_catch_log(signal=state_closing, store=self.store)
            self.store.close()
            self.lock.release()
