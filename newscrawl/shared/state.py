"""The state of a crawl shared through Redis: what the SQLite state is for a run of one process.

A key (``NEWSCRAWL_REDIS_KEY``) keeps, besides the crawl under way (its frontier, leases, story
set: deleted when it ends), the stories its crawls emitted, with their revisions, and the URLs
settled as copies of them or redirects to them (``K:state:*``, :mod:`newscrawl.shared.scripts`
lists them). So a crawl on the key is a scheduled crawl (README, "Scheduled crawls"): its
workers fetch listings, young stories (``NEWSCRAWL_REFRESH_HOURS``) and the stories a listing
shows changed, not the stories known (they end ``known``); a story fetched again with the same
text ends ``unchanged``, with another text it is the next ``revision``; near copies of recent
stories (``NEWSCRAWL_DEDUP_WINDOW_DAYS``) are caught.

:class:`SharedState` answers the :class:`~newscrawl.state.records.StoryState` the state pipeline
and the frontier's rules ask, judging by the same functions as the SQLite state
(:func:`~newscrawl.state.records.worth_fetching`, :func:`~newscrawl.state.records.classification`).
What it records of an emitted story (:meth:`SharedState.record_of`, what the SQLite state reads
back from a feed) goes to Redis with the story's end, in one script, once the feed line is on
disk (:mod:`newscrawl.shared.frontier`); a dead worker's is read from its feed by the worker
that reaps it (:mod:`newscrawl.shared.worker`). So the feed stays the record: Redis never knows a
story no feed has, and a story a feed has is known to Redis once its worker ended it or was
reaped from its files.

Whether to fetch a story page is asked for every link a page meets: the page's links are looked
up in one round trip before the frontier's script decides (:meth:`SharedState.look_up`), so the
rule itself stays synchronous and the same as one process's.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.config import config_of
from newscrawl.shared.connection import RedisUnavailable, SharedRedis
from newscrawl.state.records import (
    EmittedStory,
    SettledUrl,
    StoredStory,
    emitted_story,
    parse_time,
    worth_fetching,
)
from newscrawl.state.sketch import StoryMinhash, story_fingerprint

if TYPE_CHECKING:
    from newscrawl.shared.frontier import SharedFrontier

STATE_KEYS = ("stories", "minhash", "fingerprints", "settled")
SCAN_BATCH = 1000


def state_keys(redis: SharedRedis) -> dict[str, str]:
    return {name: redis.key("state", name) for name in STATE_KEYS}


class SharedState:
    errors: tuple[type[BaseException], ...] = (RedisUnavailable,)

    def __init__(self, crawler: Crawler, redis: SharedRedis) -> None:
        self.crawler = crawler
        self.redis = redis
        self.refresh_hours = config_of(crawler).state.refresh_hours
        self.minhash = StoryMinhash(config_of(crawler).dedup)
        self.k = state_keys(redis)
        self.frontier: SharedFrontier | None = None  # settlements go with its ends
        self._looked_up: dict[str, StoredStory | SettledUrl | None] = {}

    def now(self) -> datetime:
        return datetime.now(UTC)

    def failed(self, error: BaseException) -> None:
        machinery.fail(self.crawler, "the shared crawl", str(error))  # its message is one line

    @property
    def where(self) -> str:
        """The state as a manifest names it: the Redis (without its password) and the key."""
        parts = urlsplit(self.redis.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        return f"{urlunsplit((parts.scheme, host, parts.path, '', ''))} {self.redis.key('state')}"

    # --- should a story page be fetched (the frontier's rules) --------------------------

    async def look_up(self, urls: Iterable[str]) -> None:
        """What the state holds of the URLs a page met, for :meth:`should_fetch` to judge them
        (one round trip for the whole page)."""
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            self._looked_up = {}
            return

        async def both() -> Any:
            pipe = self.redis.aio.pipeline(transaction=False)
            pipe.hmget(self.k["stories"], wanted)
            pipe.hmget(self.k["settled"], wanted)
            return await pipe.execute()

        stories, settled = await self.redis.call(both)
        self._looked_up = {
            url: _story(url, story) or _settled(url, copy)
            for url, story, copy in zip(wanted, stories, settled, strict=True)
        }

    def should_fetch(self, url: str, listed_at: str | None = None) -> bool:
        if url in self._looked_up:
            stored = self._looked_up[url]
        else:  # a redirect's target, asked from a synchronous hook (rare)
            story, copy = self.redis.call_sync(
                lambda: (
                    self.redis.sync.hget(self.k["stories"], url),
                    self.redis.sync.hget(self.k["settled"], url),
                )
            )
            stored = _story(url, story) or _settled(url, copy)
        return worth_fetching(stored, self.now(), self.refresh_hours, listed_at)

    # --- the state pipeline ---------------------------------------------------------------

    async def lookup(self, url: str) -> StoredStory | None:
        raw = await self.redis.call(lambda: self.redis.aio.hget(self.k["stories"], url))
        return _story(url, raw)

    async def first_url_with(self, fingerprint: str, other_than: str) -> str | None:
        raw = await self.redis.call(
            lambda: self.redis.aio.hget(self.k["fingerprints"], fingerprint)
        )
        url = _text(raw) if raw is not None else None
        if url is None or url == other_than:
            return None
        stored = await self.lookup(url)
        return url if stored is not None and stored.fingerprint == fingerprint else None

    async def touch(self, url: str, published_at: str | None) -> None:
        await self.redis.script("touch", [self.k["stories"]], [url, _iso(), published_at or ""])

    def settle(
        self, url: str, reason: str, story_url: str | None, published_at: str | None
    ) -> None:
        """Sent with the next batch of ends (a lost one costs a request later, never a story)."""
        if self.frontier is not None:
            record = {"r": reason, "u": story_url, "p": published_at, "t": _iso()}
            self.frontier.send(["t", url, record])

    async def recent_fingerprints(
        self, since: datetime
    ) -> AsyncIterator[tuple[str, str, bytes | None]]:
        """As the SQLite state's: stories published, emitted or seen since then (the latest
        of the three), with their signatures."""
        cursor = 0
        while True:
            cursor, entries = await self._scan(cursor)
            recent = []
            for raw_url, raw in entries.items():
                record = json.loads(raw)
                times = [parse_time(record.get(k)) for k in ("p", "e", "ls")]
                parsed = [t for t in times if t is not None]
                if not parsed or max(parsed) >= since:
                    recent.append((_text(raw_url), str(record.get("f") or "")))
            if recent:
                blobs = await self._signatures([url for url, _ in recent])
                for (url, fingerprint), blob in zip(recent, blobs, strict=True):
                    yield url, fingerprint, blob
            if int(cursor) == 0:
                return

    async def _scan(self, cursor: int) -> tuple[int, dict[Any, Any]]:
        answer: Any = await self.redis.call(
            lambda: self.redis.aio.hscan(self.k["stories"], cursor, count=SCAN_BATCH)
        )
        return int(answer[0]), dict(answer[1])

    async def _signatures(self, urls: list[str]) -> list[bytes | None]:
        blobs: Any = await self.redis.call(lambda: self.redis.aio.hmget(self.k["minhash"], urls))
        return list(blobs)

    async def signature_of(self, url: str) -> tuple[str, bytes] | None:
        """A stored story's fingerprint and signature (a story withdrawn from this crawl's
        story set is known again by its earlier text)."""
        story, blob = await self.redis.call(lambda: _both(self, url))
        record = _story(url, story)
        if record is None or not blob:
            return None
        return record.fingerprint, blob

    async def count(self) -> int:
        return int(await self.redis.call(lambda: self.redis.aio.hlen(self.k["stories"])))

    # --- what is recorded of a story emitted --------------------------------------------

    def record_of(self, story: Any) -> tuple[dict[str, Any], bytes | None]:
        """A story (an item, or a feed line read back): its record, and its signature."""
        line = story if isinstance(story, dict) else _line_of(story)
        return _record(emitted_story(line, story_fingerprint, self.minhash))


async def _both(state: SharedState, url: str) -> Any:
    pipe = state.redis.aio.pipeline(transaction=False)
    pipe.hget(state.k["stories"], url)
    pipe.hget(state.k["minhash"], url)
    return await pipe.execute()


def _line_of(story: Any) -> dict[str, Any]:
    fields = ("url", "story_id", "body", "published_at", "modified_at", "revision")
    return {name: getattr(story, name, None) for name in fields}


def _record(emitted: EmittedStory) -> tuple[dict[str, Any], bytes | None]:
    record = {
        "i": emitted.story_id,
        "f": emitted.fingerprint,
        "p": emitted.published_at,
        "r": emitted.revision,
        "t": _iso(),
    }
    return record, emitted.minhash


def _story(url: str, raw: Any) -> StoredStory | None:
    if raw is None:
        return None
    r = json.loads(raw)
    return StoredStory(
        url=url,
        story_id=str(r.get("i") or ""),
        fingerprint=str(r.get("f") or ""),
        published_at=r.get("p"),
        revision=int(r.get("r") or 1),
        first_seen=str(r.get("fs") or ""),
        last_seen=str(r.get("ls") or ""),
        emitted_at=str(r.get("e") or ""),
    )


def _settled(url: str, raw: Any) -> SettledUrl | None:
    if raw is None:
        return None
    r = json.loads(raw)
    return SettledUrl(
        url=url,
        reason=str(r.get("r") or ""),
        story_url=r.get("u"),
        published_at=r.get("p"),
        first_seen=str(r.get("fs") or ""),
        last_seen=str(r.get("ls") or ""),
    )


def _iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
