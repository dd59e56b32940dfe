"""The story set the workers share: each story once across every worker, near copies included.

Each worker keeps its own :class:`~newscrawl.pipelines.dedup.DedupIndex` (the same exact
fingerprints, MinHash LSH and exact Jaccard similarity as a run of one process) as a replica of
the crawl's ``K:dedup`` stream in Redis, where every accepted story is appended (URL,
fingerprint, the 64-bit hashes of its shingles, its MinHash: ~3 KB). To judge a story a worker
replays what the others appended since it last looked, decides against its replica, and appends
the story only if nobody appended anything meanwhile (the ``accept`` script compares the
stream's last id): otherwise it replays and decides again. So two workers never both accept
two copies of one text, and a near copy is caught whichever worker read the original; no lock
is held in Redis, so a worker killed in mid-decision holds nobody up. Within a worker, stories
are decided one at a time (an asyncio lock; sketching, the costly part, is done before it), so
its replica only ever moves forward through the stream. A story withdrawn (its worker died

before its feed line was written, see :mod:`newscrawl.shared.worker`) is appended as
``retract`` and forgotten by every replica; if the key's state holds an earlier text of it (an
earlier crawl's), that text is known again, as it was before.

Stories of earlier crawls on the key are preloaded into each replica when it opens, from the
state's signatures (the state pipeline does it, as for a run of one process: the
:data:`~newscrawl.pipelines.dedup.dedup_index_opened` signal).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from typing import Any

import numpy as np
from datasketch import MinHash
from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.dedup import (
    MINHASH_SCHEME,
    MINHASH_SEED,
    DedupIndex,
    Sketch,
    dedup_index_opened,
)
from newscrawl.shared.connection import RedisUnavailable
from newscrawl.shared.worker import Worker
from newscrawl.state.sketch import signature_from_bytes

STATS = "newscrawl/shared/dedup"
REPLAY_BATCH = 500


class SharedDedupIndex(DedupIndex):
    """The worker's replica of the shared story set (``forget`` is DedupIndex's own)."""

    def replayed(self, url: str, fingerprint: str, shingles: bytes, signature: bytes) -> None:
        minhash = MinHash(
            hashvalues=np.frombuffer(signature, dtype="<u4").astype(np.uint32),
            seed=MINHASH_SEED,
            permutations=self._permutations,
            scheme=MINHASH_SCHEME,
        )
        hashes = np.frombuffer(shingles, dtype="<u8").astype(np.uint64)
        self.add(url, Sketch(fingerprint, minhash, hashes))


class SharedDeduplicatePipeline:
    def __init__(self, crawler: Crawler, worker: Worker) -> None:
        self.crawler = crawler
        self.worker = worker
        self.index = SharedDedupIndex(config_of(crawler).dedup)
        self.last_id = "0-0"  # the replica holds the stream up to here, and nothing later
        # One decision at a time. Items are decided concurrently otherwise, and two replays
        # running at once each apply their own batch and move ``last_id`` back and forth: one
        # lagging behind applied a story's accept after its withdrawal had been applied, the
        # next read started past the withdrawal, and the story, fetched again, was rejected as
        # the duplicate of itself (lost; seen in CI, tests/test_shared_dedup.py).
        self._one_at_a_time = asyncio.Lock()
        # The token of the story being decided, and whether a replay read an entry of it (its
        # accept landed, its answer lost in an outage).
        self._token = ""
        self._landed = False
        # Stories this worker accepted whose end is not known yet (a later pipeline may fail
        # them): at most the items Scrapy processes at once.
        self._in_flight: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedDeduplicatePipeline:
        worker = crawler.get_extension(Worker)
        assert worker is not None
        pipeline = cls(crawler, worker)
        crawler.signals.connect(pipeline._ended, signal=signals.item_scraped)
        crawler.signals.connect(pipeline._ended, signal=signals.item_dropped)
        crawler.signals.connect(pipeline._failed, signal=signals.item_error)
        return pipeline

    def _ended(self, item: Any) -> None:
        self._in_flight.discard(getattr(item, "url", ""))

    async def _failed(self, item: Any) -> None:
        """A story a later pipeline failed (``pipeline_error``) was not emitted: withdrawn from
        the shared set as a dead worker's story is (``retract``), so a copy of it met later, by
        any worker, is emitted, not rejected as the copy of a story nobody has."""
        url = getattr(item, "url", "")
        if url not in self._in_flight:
            return
        self._in_flight.discard(url)
        redis = self.worker.redis
        try:
            await redis.call(
                lambda: redis.aio.xadd(redis.key("dedup"), {"op": "retract", "url": url})
            )
        except RedisUnavailable as error:
            machinery.fail(self.crawler, "the shared crawl", str(error))

    def open_spider(self) -> None:
        self.crawler.signals.send_catch_log(signal=dedup_index_opened, index=self.index)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        sketch = self.index.sketch(item.body)  # the costly part, outside the lock
        try:
            async with self._one_at_a_time:
                self._token, self._landed = uuid.uuid4().hex, False
                await self._decide(item, sketch)
        except RedisUnavailable as error:
            machinery.fail(self.crawler, "the shared crawl", str(error))
            raise StoryRejected(item.url, "not_emitted", because=machinery.CLOSE_REASON) from error
        except OSError as error:  # the index's spill files (Redis's own end as RedisUnavailable)
            machinery.fail(self.crawler, machinery.temporary_files(), error)
            raise StoryRejected(item.url, "not_emitted", because=machinery.CLOSE_REASON) from error
        self._in_flight.add(item.url)
        return dataclasses.replace(item, story_id=sketch.story_id)

    async def _decide(self, item: Story, sketch: Sketch) -> None:
        """Accepted, or a rejection raised; replayed and judged again while another worker
        accepted something first."""
        while True:
            await self._replay()
            if self._landed:
                return  # accepted by a call whose answer was lost
            self._judge(item, sketch)
            if await self._accept(item.url, sketch):
                return
            self._stats().inc_value(f"{STATS}/conflicts")

    def _judge(self, item: Story, sketch: Sketch) -> None:
        if self.index.seen(item.url):
            raise StoryRejected(item.url, "duplicate_url", duplicate_of=item.url)
        match = self.index.match(item.url, sketch)
        if match is not None:
            raise match.rejection(item.url)

    async def _replay(self) -> None:
        """Replay what was appended since (under the lock)."""
        redis, key = self.worker.redis, self.worker.redis.key("dedup")
        while True:
            entries: Any = await redis.call(
                lambda: redis.aio.xrange(key, min=f"({self.last_id}", count=REPLAY_BATCH)
            )
            for entry_id, fields in entries:
                self.last_id = _text(entry_id)
                url = _text(fields[b"url"])
                if fields.get(b"op") == b"retract":
                    self.index.forget(url)
                    await self._known_again(url)
                else:
                    self.index.replayed(url, _text(fields[b"fp"]), fields[b"sh"], fields[b"mh"])
                    if self._token and _text(fields.get(b"tok") or b"") == self._token:
                        self._landed = True
            if len(entries) < REPLAY_BATCH:
                return

    async def _known_again(self, url: str) -> None:
        """A story withdrawn from this crawl is known again by its earlier crawl's text."""
        known = await self.worker.state.signature_of(url)
        if known is None:
            return
        signature = signature_from_bytes(known[1])
        if len(signature) == self.index.config.num_perm:
            self.index.add_known(url, fingerprint=known[0], signature=signature)

    async def _accept(self, url: str, sketch: Sketch) -> bool:
        assert sketch.shingle_hashes is not None
        redis = self.worker.redis
        new_id = await redis.script(
            "accept",
            [redis.key("dedup"), redis.key("f")],
            [
                self.last_id,
                url,
                sketch.fingerprint,
                sketch.shingle_hashes.astype("<u8").tobytes(),
                sketch.minhash.hashvalues.astype("<u4").tobytes(),
                self._token,
            ],
        )
        if not new_id:
            return False
        self.last_id = _text(new_id)
        self.index.add(url, sketch)
        return True

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
