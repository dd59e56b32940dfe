"""The run's state: with ``-s NEWSCRAWL_STATE=path``, what earlier runs emitted.

When the crawler is built it takes the run lock (re-entrant: the ``crawl`` command already
holds it), opens the :class:`~newscrawl.state.store.StateStore` and reconciles it with the feeds
earlier runs registered, so a story a killed run wrote but did not record is known before the
first request. The spider and pipelines reach it with ``crawler.get_extension(RunState)``:
``.should_fetch(url)`` for story pages, ``.store`` for the rest. Closed when the engine stops.
Without ``NEWSCRAWL_STATE`` the extension is off and a run is a plain one-off crawl.

The feed is the record of what was emitted (README, "Scheduled crawls"): nothing is marked
emitted while the run goes on. When the spider opens, this run's local JSON lines feeds are
registered in the store (before their first story); when the engine stops (the feed exporter
has closed them), they are read back into the store. A run killed before that leaves its
feed registered, and the next run reads it on start: every whole line in it is a story that
run emitted, and a story still in the exporter's buffer at the kill is in no feed and not in
the state either, so the next run emits it. Nothing is lost, nothing is emitted twice.
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
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.utils.misc import load_object

from newscrawl.outcomes import url_alias
from newscrawl.state.lock import RunLock
from newscrawl.state.sketch import StoryMinhash
from newscrawl.state.store import FingerprintOf, MinhashOf, StateStore

logger = logging.getLogger(__name__)
JSONL_FORMATS = ("jsonlines", "jsonl", "jl")
DEFAULT_FINGERPRINT = "newscrawl.state.sketch.story_fingerprint"
# Rejections that settle a URL for good: it is a copy of a story another URL carries.
SETTLING_REASONS = ("duplicate", "near_duplicate")


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
        fingerprint = settings.get("NEWSCRAWL_STATE_FINGERPRINT") or DEFAULT_FINGERPRINT
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
        self.minhash: MinhashOf = StoryMinhash.from_settings(crawler.settings)
        self.feeds: list[Path] = []  # this run's local JSON lines feeds
        self.lock = RunLock.for_state(config.path).acquire()
        try:
            self.store = StateStore.open(config.path)
            self.reconciled = self._reconcile(self.store.registered_feeds())
        except BaseException:
            self.lock.release()
            raise

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunState:
        config = StateConfig.from_settings(crawler.settings)
        if config.path is None:
            raise NotConfigured("no NEWSCRAWL_STATE: a one-off crawl")
        state = cls(crawler, config)
        crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(state.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(state.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(state.redirected, signal=url_alias)
        return state

    def _reconcile(self, feeds: list[Path]) -> int:
        if self.config.fingerprint is None:
            if feeds:
                logger.warning(
                    "newscrawl: NEWSCRAWL_STATE_FINGERPRINT is not set: the state is not "
                    "reconciled with %d earlier feeds",
                    len(feeds),
                )
            return 0
        return self.store.reconcile_with_feeds(
            feeds, self.now(), self.config.fingerprint, self.minhash
        )

    def should_fetch(self, url: str, listed_at: str | None = None) -> bool:
        """Ask for story pages only: listings are always fetched. ``listed_at``: the time a
        listing shows beside the story, if it shows one."""
        return self.store.should_fetch(url, self.now(), self.config.refresh_hours, listed_at)

    def spider_opened(self, spider: Any) -> None:
        self.feeds = local_jsonl_feeds(self.crawler.settings.getdict("FEEDS"), spider)
        if not self.feeds:
            logger.error(
                "newscrawl: NEWSCRAWL_STATE is set but FEEDS has no local JSON lines feed: "
                "this run's stories will not be recorded, and the next run emits them again"
            )
        for feed in self.feeds:
            self.store.register_feed(feed, self.now())
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("newscrawl/state/path", str(self.config.path))
        self.crawler.stats.set_value("newscrawl/state/reconciled", self.reconciled)
        self.crawler.stats.set_value("newscrawl/state/known_before", len(self.store))

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """A copy of another story is not requested again while it is old."""
        outcome = getattr(exception, "outcome", None)
        if outcome is None or outcome.reason not in SETTLING_REASONS:
            return
        story_url = outcome.details.get("duplicate_of")
        published_at = getattr(item, "published_at", None)
        self.store.record_settled(outcome.url, outcome.reason, story_url, published_at, self.now())

    def redirected(self, url: str, final_url: str) -> None:
        """An old URL that redirects to a story is not requested again while it is young."""
        self.store.record_settled(url, "redirect", final_url, None, self.now())

    def engine_stopped(self) -> None:
        try:
            recorded = self._reconcile(self.feeds)
            logger.info(
                "newscrawl: state %s now holds %d stories (%d recorded by this run)",
                self.config.path,
                len(self.store),
                recorded,
            )
        finally:
            self.store.close()
            self.lock.release()


def local_jsonl_feeds(feeds: dict[str, Any], spider: Any) -> list[Path]:
    """The local JSON lines files among ``FEEDS``, their ``%(name)s``-style parameters filled."""
    run_time = getattr(spider, "run_time", None) or "run"
    params = {
        "name": spider.name,
        "run_time": run_time,
        "time": run_time,
        "batch_time": run_time,
        "batch_id": 1,
    }
    paths = []
    for uri, options in feeds.items():
        uri = str(uri)
        if (options or {}).get("format") not in JSONL_FORMATS:
            continue
        if "://" in uri and not uri.startswith("file://"):
            continue
        try:
            paths.append(Path(apply_uri_params(uri.removeprefix("file://"), dict(params))))
        except (KeyError, ValueError):
            logger.warning("newscrawl: cannot tell where feed %s goes; not recorded", uri)
    return paths
