"""The state pipeline: each story against what earlier runs emitted, with a state.

A state is ``NEWSCRAWL_STATE`` (SQLite, a run of one process) or, for a crawl shared by workers
(``NEWSCRAWL_REDIS_URL``), the state its key keeps in Redis: one pipeline for both, asking the
:class:`~newscrawl.state.records.StoryState` that :func:`newscrawl.distributed.state_for` picks.

After deduplication (so ``story_id`` is set), before the story limit. A story

- not stored: new, emitted as revision 1; unless its text is exactly that of a story an
  earlier run emitted under another URL (found by fingerprint in the store, however old):
  rejected ``duplicate``, ``duplicate_of`` naming it;
- stored with the same body fingerprint: rejected ``unchanged`` (it was fetched again because
  it was young or its listing showed a later time, and nothing in its text moved);
- stored with another fingerprint: revised, emitted again with ``revision`` = stored + 1,
  ``previous_fingerprint`` = the stored one, and the stored (first) ``story_id``, so a reader
  joins the revisions of one story on ``story_id``.

What was emitted is not written here: the feed is the record of it, which
:class:`~newscrawl.extensions.state.RunState` reads back (see there and README), and a shared
crawl's worker sends with the story's end once its feed line is on disk
(:mod:`newscrawl.shared.frontier`).

Near-duplicates across runs: when the dedup pipeline opens its index, the stories earlier
runs published, emitted or seen within ``NEWSCRAWL_DEDUP_WINDOW_DAYS`` are preloaded into it
from their stored MinHash signatures (no shingles are stored, so a copy of one of these is
judged by the MinHash estimate, not the exact similarity used within a run). Each preloaded
story costs about 7 KB of memory (LSH buckets and the signature, see BENCHMARKS.md,
"Deduplication"), so the window bounds memory: wire copies are republished within days, not
years. Stories older than the window are still
never emitted twice under their own URL (the state knows them), nor under another URL with the
very same text (found by fingerprint); only a *near* copy of one is no longer recognised.
A URL rejected as a copy, and an old URL that redirects to a story, is remembered
(``settled``) and not requested again while it is old, like a stored story.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.distributed import state_for
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected, url_alias
from newscrawl.pipelines.dedup import DedupIndex, dedup_index_opened
from newscrawl.state.records import StoryState, classification
from newscrawl.state.sketch import signature_from_bytes, story_fingerprint

logger = logging.getLogger(__name__)
STATS = "newscrawl"
# Rejections that settle a URL for good: it is a copy of a story another URL carries.
SETTLING_REASONS = ("duplicate", "near_duplicate")


class StateStoryPipeline:
    def __init__(self, crawler: Crawler, state: StoryState, dedup_window_days: float) -> None:
        self.crawler = crawler
        self.state = state
        self.dedup_window_days = dedup_window_days
        self.index: DedupIndex | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateStoryPipeline:
        state = state_for(crawler)
        if state is None:
            raise NotConfigured  # no state: every story is new (no warning)
        pipeline = cls(crawler, state, config_of(crawler).state.dedup_window_days)
        # Connected now: the dedup pipeline sends it from its open_spider, which Scrapy calls
        # before ours (pipelines open in their order), so the index is here when ours runs.
        crawler.signals.connect(pipeline.index_opened, signal=dedup_index_opened)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.redirected, signal=url_alias)
        return pipeline

    def index_opened(self, index: DedupIndex) -> None:
        self.index = index

    async def open_spider(self) -> None:
        if self.index is not None:
            await self.preload(self.index)

    async def preload(self, index: DedupIndex) -> None:
        """Put earlier runs' recent stories into this run's dedup index."""
        try:
            await self._preload(index)
        except self.state.errors as error:
            self.state.failed(error)

    async def _preload(self, index: DedupIndex) -> None:
        since = self.state.now() - timedelta(days=self.dedup_window_days)
        loaded = skipped = 0
        async for url, fingerprint, blob in self.state.recent_fingerprints(since):
            signature = signature_from_bytes(blob) if blob else None
            if signature is None or len(signature) != index.config.num_perm:
                skipped += 1  # no signature, or one made with other MinHash settings
                continue
            index.add_known(url, fingerprint=fingerprint, signature=signature)
            loaded += 1
        self._stats().set_value(f"{STATS}/state/dedup_preloaded", loaded)
        if skipped:
            logger.warning(
                "newscrawl: %d recent stored stories have no usable MinHash signature; "
                "near-duplicates of them are not detected",
                skipped,
            )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        try:
            return await self._judge(item)
        except self.state.errors as error:  # nothing is emitted that the state cannot judge
            self.state.failed(error)
            raise StoryRejected(item.url, "not_emitted", because=machinery.CLOSE_REASON) from error

    async def _judge(self, item: Story) -> Story:
        fingerprint = story_fingerprint({"body": item.body})
        stored = await self.state.lookup(item.url)
        kind = classification(stored, fingerprint)
        if stored is None:
            original = await self.state.first_url_with(fingerprint, item.url)
            if original is not None:  # an exact copy of a story older than the dedup window
                raise StoryRejected(item.url, "duplicate", duplicate_of=original)
            return item
        if kind == "unchanged":
            await self.state.touch(item.url, item.last_dated())
            raise StoryRejected(
                item.url, "unchanged", story_id=stored.story_id, revision=stored.revision
            )
        return dataclasses.replace(
            item,
            revision=stored.revision + 1,
            previous_fingerprint=stored.fingerprint,
            story_id=stored.story_id or item.story_id,
        )

    def item_scraped(self, item: Any) -> None:
        """Counted once emitted: a story the limit pipeline drops later is neither."""
        if isinstance(item, Story):
            kind = "revised" if item.revision > 1 else "new"
            self._stats().inc_value(f"{STATS}/stories/{kind}")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """A copy of another story is not requested again while it is old."""
        outcome = getattr(exception, "outcome", None)
        if outcome is None or outcome.reason not in SETTLING_REASONS:
            return
        story_url = outcome.details.get("duplicate_of")
        # The latest time the story shows, which is what a listing shows beside it.
        published_at = item.last_dated() if isinstance(item, Story) else None
        self._settle(outcome.url, outcome.reason, story_url, published_at)

    def redirected(self, url: str, final_url: str) -> None:
        """An old URL that redirects to a story is not requested again while it is young."""
        self._settle(url, "redirect", final_url, None)

    def _settle(self, url: str, reason: str, story_url: str | None, published: str | None) -> None:
        if machinery.failed(self.crawler):
            return
        try:
            self.state.settle(url, reason, story_url, published)
        except self.state.errors as error:
            self.state.failed(error)

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
