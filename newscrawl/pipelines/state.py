"""The state pipeline: with ``NEWSCRAWL_STATE``, each story against what earlier runs emitted.

After deduplication (so ``story_id`` is set), before the story limit. A story

- not stored: new, emitted as revision 1; unless its text is exactly that of a story an
  earlier run emitted under another URL (found by fingerprint in the store, however old):
  rejected ``duplicate``, ``duplicate_of`` naming it;
- stored with the same body fingerprint: rejected ``unchanged`` (it was fetched again because
  it was young or its listing showed a later time, and nothing in its text moved);
- stored with another fingerprint: revised, emitted again with ``revision`` = stored + 1,
  ``previous_fingerprint`` = the stored one, and the stored (first) ``story_id``, so a reader
  joins the revisions of one story on ``story_id``.

The store itself is not written here: the feed is the record of what was emitted, and
:class:`~newscrawl.extensions.state.RunState` reads it back (see there and README).

Near-duplicates across runs: when the dedup pipeline opens its index, the stories earlier
runs published, emitted or seen within ``NEWSCRAWL_DEDUP_WINDOW_DAYS`` are preloaded into it
from their stored MinHash signatures (no shingles are stored, so a copy of one of these is
judged by the MinHash estimate, not the exact similarity used within a run). Each preloaded
story costs about 7 KB of memory (LSH buckets and the signature, see BENCHMARKS.md,
"Deduplication"), so the window bounds memory: wire copies are republished within days, not
years. Stories older than the window are still
never emitted twice under their own URL (the state knows them), nor under another URL with the
very same text (found by fingerprint); only a *near* copy of one is no longer recognised.
A URL rejected as a copy is remembered (``settled`` in the store) and not requested again
while it is old, like a stored story.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.extensions.state import RunState
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.dedup import DedupIndex, dedup_index_opened
from newscrawl.state.sketch import signature_from_bytes, story_fingerprint
from newscrawl.state.store import StateStoreError

logger = logging.getLogger(__name__)
STATS = "newscrawl"


class StateStoryPipeline:
    def __init__(self, crawler: Crawler, state: RunState, dedup_window_days: float) -> None:
        self.crawler = crawler
        self.state = state
        self.dedup_window_days = dedup_window_days

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateStoryPipeline:
        state = crawler.get_extension(RunState)
        if state is None:
            raise NotConfigured  # no NEWSCRAWL_STATE: every story is new (no warning)
        pipeline = cls(crawler, state, config_of(crawler).state.dedup_window_days)
        # Connected now: the dedup pipeline sends it from its open_spider, before ours runs.
        crawler.signals.connect(pipeline.preload, signal=dedup_index_opened)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        return pipeline

    def preload(self, index: DedupIndex) -> None:
        """Put earlier runs' recent stories into this run's dedup index."""
        try:
            self._preload(index)
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state", error)

    def _preload(self, index: DedupIndex) -> None:
        since = self.state.now() - timedelta(days=self.dedup_window_days)
        loaded = skipped = 0
        for url, fingerprint, blob in self.state.store.recent_fingerprints(since):
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

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        try:
            return self._judge(item)
        except StateStoreError as error:  # nothing is emitted that the state cannot judge
            machinery.fail(self.crawler, "the state", error)
            raise StoryRejected(item.url, "not_emitted", because=machinery.CLOSE_REASON) from error

    def _judge(self, item: Story) -> Story:
        fingerprint = story_fingerprint({"body": item.body})
        kind, stored = self.state.store.classify(item.url, fingerprint)
        if stored is None:
            original = self.state.store.first_url_with(fingerprint, item.url)
            if original is not None:  # an exact copy of a story older than the dedup window
                raise StoryRejected(item.url, "duplicate", duplicate_of=original)
            return item
        if kind == "unchanged":
            self.state.store.touch(item.url, datetime.now(UTC), item.last_dated())
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

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats
