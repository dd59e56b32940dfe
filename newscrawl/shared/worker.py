"""One worker of a shared crawl: it joins the crawl, holds work by a heartbeat, ends by itself.

- **Joining.** The crawl under ``NEWSCRAWL_REDIS_KEY`` is created by ``scrapy seed``
  (:mod:`newscrawl.shared.seed`) or by the first worker, with its spider arguments; a worker
  with the same arguments joins it (and seeds its start pages, unless ``scrapy seed`` seeded the
  crawl: a page already taken into the crawl is not taken again), one with other arguments is
  refused before it crawls (exit 75, as a held state lock), so two crawls of one key never mix.
- **Leases.** Work is leased from the shared ready queue a few items at a time (never more
  than ``CONCURRENT_REQUESTS`` + 4 in hand), and is the worker's while its heartbeat (every
  quarter of ``NEWSCRAWL_REDIS_DEAD_SECONDS``) lasts. A worker whose heartbeat ran out is dead
  (SIGKILLed, its machine gone): another worker *reaps* it: on the same machine it first reads
  the dead worker's feed and rejects file, so that what it wrote counts as done, then hands the
  rest of its work back to the ready queue (a story the shared dedup had accepted but whose
  feed line is missing is withdrawn from the dedup, so it is fetched and emitted again). A dead
  worker on another machine is reaped after three times that delay, without its files: a story
  it wrote in its last instant may then be emitted again, which ``scrapy merge`` removes. A
  worker taken for dead while it was only stalled stops at its next heartbeat. A worker that
  was itself cut from Redis (an outage) reaps nobody until it has been connected again for
  that long: the others' heartbeats ran out during the outage too.
- **Ending.** Once the ready queue has been empty and no worker has held any work for
  ``NEWSCRAWL_REDIS_IDLE_SECONDS``, each worker ends (close reason ``finished``); the first to
  get there ends the crawl: it writes the URLs left pending (``beyond_max_depth``, ``known``)
  to its rejects file and deletes the crawl's working keys (frontier, queue, leases, story
  set), so the next run on the key starts a new crawl; the key's state stays
  (:mod:`newscrawl.shared.state`), so that crawl emits only what is new. A worker that stops
  early (SIGTERM, a failure) hands its work back first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider

from newscrawl import machinery
from newscrawl.distributed import SharedConfig, shared_config
from newscrawl.extensions.feeds import local_jsonl_feeds, open_run
from newscrawl.frontier.book import Rules
from newscrawl.outcomes import failed, rejected
from newscrawl.shared.connection import RedisUnavailable, SharedRedis
from newscrawl.shared.frontier import SharedFrontier
from newscrawl.shared.state import SharedState
from newscrawl.state.store import read_feed

logger = logging.getLogger(__name__)
STATS = "newscrawl/shared"
LEASE_MARGIN = 4
POLL = 0.2  # seconds between looks at an empty ready queue
# What the state records of a story read back from a dead worker's feed is made from these.
STORY_FIELDS = ("url", "story_id", "body", "published_at", "modified_at", "revision")


def crawl_arguments(spider_name: str, arguments: Any) -> str:
    """What makes two workers parts of one crawl: the spider and its arguments."""
    args = asdict(arguments) if arguments is not None else {}
    return json.dumps({"spider": spider_name, **args}, sort_keys=True, default=_plain)


def _plain(value: Any) -> Any:
    """A set in one order (a frozenset's own text follows the process's hash seed: two workers
    with the same ``-a sections`` would be two crawls), anything else as text (a date)."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def check_before_crawling(config: SharedConfig, spider_name: str, arguments: Any) -> str | None:
    """Before Scrapy starts: Redis answers, and the key holds no other crawl. One line if not."""
    redis = SharedRedis(config)
    try:
        held = redis.call_sync(
            lambda: redis.sync.hmget(redis.key("crawl"), "arguments", "started_at")
        )
    except RedisUnavailable as error:
        return str(error)
    finally:
        redis.sync.close()
    mine = crawl_arguments(spider_name, arguments)
    if held[0] is not None and _text(held[0]) != mine:
        return refusal("other", [None, held[0], held[1]], config)
    return None


class Worker:
    def __init__(self, crawler: Crawler, config: SharedConfig) -> None:
        self.crawler = crawler
        self.config = config
        self.redis = SharedRedis(config)
        self.state = SharedState(crawler, self.redis)  # the key's state, from crawl to crawl
        self.host = socket.gethostname()
        self.crawl_id: str | None = None
        self.seeded = False  # by ``scrapy seed``: this worker seeds none of its start pages
        self.frontier: SharedFrontier | None = None
        self.feeds: list[Path] = []  # this worker's JSON lines feeds (fsynced before ends)
        self.target = crawler.settings.getint("CONCURRENT_REQUESTS") + LEASE_MARGIN
        self.finished = False  # the crawl is over: the engine may close
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Worker:
        worker = cls(crawler, shared_config(crawler))
        crawler.signals.connect(worker.engine_started, signal=signals.engine_started)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        return worker

    # --- joining (the scheduler's open, before the spider opens) ------------------------

    async def join(self, spider: Any) -> None:
        feeds = dict(self.crawler.settings.getdict("FEEDS"))
        run = open_run(self.crawler)  # this worker's run folder: <time>-<worker>-<unique>
        jsonl = [p.resolve() for p in local_jsonl_feeds(feeds, run.uri_params(spider.name))]
        info = {
            "host": self.host,
            "pid": os.getpid(),
            "feeds": [str(p) for p in jsonl],
            "rejects": str(run.rejects.resolve()),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        try:
            answer = await self.redis.script(
                "join",
                [self.redis.key("crawl"), self.redis.key("alive"), self.redis.key("workers")],
                [
                    uuid.uuid4().hex,
                    crawl_arguments(spider.name, getattr(spider, "args", None)),
                    self.config.worker,
                    json.dumps(info),
                    self._dead_ms(),
                    info["started_at"],
                ],
            )
        except RedisUnavailable as error:
            self.fail(error)
            raise CloseSpider(machinery.CLOSE_REASON) from error
        status = _text(answer[0])
        if status == "taken" and await self._reap_my_predecessor():
            return await self.join(spider)
        if status != "ok":
            self.fail(refusal(status, answer, self.config))
            raise CloseSpider(machinery.CLOSE_REASON)
        self.crawl_id = _text(answer[1])
        self.seeded = len(answer) > 2 and _text(answer[2]) == "1"
        self.feeds = jsonl
        self._stats().set_value(f"{STATS}/worker", self.config.worker)
        self._stats().set_value(f"{STATS}/crawl", self.crawl_id)
        self._stats().set_value("newscrawl/state/path", self.state.where)
        try:
            self._stats().set_value("newscrawl/state/known_before", await self.state.count())
        except RedisUnavailable as error:
            self.fail(error)
            raise CloseSpider(machinery.CLOSE_REASON) from error
        logger.info(
            "newscrawl: worker %s joined crawl %s at %s (key %s)",
            self.config.worker,
            self.crawl_id,
            self.redis.url,
            self.config.key,
        )

    def frontier_with(self, rules: Rules) -> SharedFrontier:
        assert self.crawl_id is not None, "the shared scheduler joins the crawl first"
        self.frontier = SharedFrontier(
            self.redis, self.config.worker, self.crawl_id, rules, self.state
        )
        self.frontier.feeds = self.feeds
        self.frontier.on_error = self.fail
        self.state.frontier = self.frontier
        return self.frontier

    # --- running ------------------------------------------------------------------------

    def engine_started(self) -> None:
        if self.crawl_id is None or self.frontier is None:
            return
        self._tasks = [
            asyncio.ensure_future(self._guarded(self._heartbeat())),
            asyncio.ensure_future(self._guarded(self._feed())),
        ]

    async def _guarded(self, work: Any) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.fail(error)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.config.dead_seconds / 4)
            beat = await self.redis.script(
                "heartbeat",
                [self.redis.key("alive"), self.redis.key("crawl")],
                [self.config.worker, self._dead_ms(), self.crawl_id],
            )
            if beat == 0:
                self.fail(
                    f"this worker was taken for dead (no heartbeat for "
                    f"{self.config.dead_seconds:g} s) and its work given to the others"
                )
                return

    async def _feed(self) -> None:
        """Keep this worker's hands full from the shared queue; end once the crawl is over."""
        assert self.frontier is not None
        frontier, engine, spider = self.frontier, self.crawler.engine, self.crawler.spider
        assert engine is not None
        idle_since: float | None = None
        next_reap = 0.0
        troubles = self.redis.troubles
        while not machinery.failed(self.crawler):
            if time.monotonic() >= next_reap:
                next_reap = time.monotonic() + self.config.dead_seconds / 2
                await self._reap()
            want = self.target - len(frontier.in_hand)
            got = 0
            if want > 0:
                answer = await self.redis.script(
                    "lease",
                    [
                        frontier.k["ready"],
                        frontier.k["mine"],
                        frontier.k["alive"],
                        frontier.k["crawl"],
                    ],
                    [min(want, 8), self.config.worker, self.crawl_id],
                )
                status = _text(answer[0])
                if status == "gone":
                    await self._crawl_over()
                    return
                if status == "reaped":
                    self.fail("this worker was taken for dead and its work given to the others")
                    return
                for i in range(1, len(answer), 2):
                    member, score = _text(answer[i]), float(answer[i + 1])
                    frontier.took(member, score)
                    engine.crawl(frontier.request_for(spider, member, score))
                    got += 1
                if self.redis.troubles != troubles:  # a lease whose answer was lost?
                    troubles = self.redis.troubles
                    got += await self._resync()
                self._stats().inc_value(f"{STATS}/leased", got)
            if got:
                idle_since = None
                await asyncio.sleep(0)
                continue
            if frontier.in_hand or not engine.spider_is_idle():
                idle_since = None
                frontier.handed_back.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(frontier.handed_back.wait(), POLL)
                continue
            ready, leased = await self.redis.script(
                "idle",
                [frontier.k["ready"], self.redis.key("workers"), frontier.k["crawl"]],
                [self.redis.key(""), self.crawl_id],
            )
            if ready == -1:
                await self._crawl_over()
                return
            if ready or leased:
                idle_since = None
            else:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= self.config.idle_seconds:
                    await self._finish()
                    return
            await asyncio.sleep(POLL)

    async def _resync(self) -> int:
        """After a failed call was retried: work Redis says this worker holds but whose lease
        answer never arrived is taken up now (else it would be held by nobody, for ever)."""
        assert self.frontier is not None
        frontier, key = self.frontier, self.frontier.k["mine"]
        held = {_text(m) for m in await self.redis.call(lambda: self.redis.aio.smembers(key))}
        lost = sorted(held - set(frontier.in_hand) - frontier.ended_here())
        for member in lost:
            if member.startswith("L\t"):
                score = -10.0
            else:
                raw = await self.hget(frontier.k["f"], member)
                score = float(json.loads(raw)["h"]) if raw else 0.0
            frontier.took(member, score)
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(frontier.request_for(self.crawler.spider, member, score))
        if lost:
            logger.info("newscrawl: %d leases whose answer was lost are taken up", len(lost))
        return len(lost)

    async def _reap_my_predecessor(self) -> bool:
        """This id is held by a worker of this machine whose process is gone (a worker started
        again under its id after a kill): it is reaped now, from its files, before this one
        joins (its leases must not become this worker's)."""
        raw = await self.redis.call(
            lambda: self.redis.aio.hget(self.redis.key("workers"), self.config.worker)
        )
        if raw is None:
            return True  # reaped by another worker since this one's join: the id is free
        info = json.loads(raw) if raw else {}
        if info.get("host") != self.host:
            return False
        if int(info.get("pid") or 0) == os.getpid():  # this worker's own join, retried
            await self.redis.call(
                lambda: self.redis.aio.hdel(self.redis.key("workers"), self.config.worker)
            )
            return True
        if _process_alive(int(info.get("pid") or 0)):
            return False
        if await self._reap_one(self.config.worker, info, grace=-(10**12)) >= 0:
            return True
        # Not alive any more: another worker reaped it between this one's join and now (its
        # heartbeats had stopped long enough). The id is free if its entry went with it.
        return not await self.redis.call(
            lambda: self.redis.aio.hexists(self.redis.key("workers"), self.config.worker)
        )

    async def _reap(self) -> None:
        """Hand back the work of dead workers (see the module's docstring)."""
        if time.monotonic() - self.redis.last_trouble < self.config.dead_seconds:
            return
        dead = await self.redis.script("dead", [self.redis.key("alive")], [0])
        for worker in map(_text, dead):
            if worker == self.config.worker:
                continue
            raw = await self.hget(self.redis.key("workers"), worker)
            info = json.loads(raw) if raw else {}
            grace = 0 if info.get("host") == self.host else int(self._dead_ms() * 3)
            await self._reap_one(worker, info, grace)

    async def _reap_one(self, worker: str, info: dict[str, Any], grace: int) -> int:
        here = info.get("host") == self.host
        stories, ended = _finished_in_files(info) if here else ([], [])
        records, blobs = await self._records_of(stories)
        k = self.state.k
        released = int(
            await self.redis.script(
                "reap",
                [
                    self.redis.key("alive"),
                    self.redis.key("f"),
                    self.redis.key("ready"),
                    self.redis.key("leased", worker),
                    self.redis.key("dedup"),
                    self.redis.key("workers"),
                    k["stories"],
                    k["minhash"],
                    k["fingerprints"],
                ],
                [worker, json.dumps({"stories": records, "ended": ended}), grace, *blobs],
            )
        )
        if released >= 0:
            self._stats().inc_value(f"{STATS}/reaped")
            logger.warning(
                "newscrawl: worker %s (host %s) is dead; %d items of its work handed back%s",
                worker,
                info.get("host", "?"),
                released,
                f" after reading its files ({len(stories)} stories, {len(ended)} other ends)"
                if here
                else " without its files (another machine)",
            )
        return released

    async def _records_of(
        self, stories: list[dict[str, Any]]
    ) -> tuple[list[list[Any]], list[bytes]]:
        """A dead worker's stories, each with what the state records of it when its end had
        not reached Redis yet (the ones it confirmed are recorded already)."""
        records: list[list[Any]] = []
        blobs: list[bytes] = []
        if not stories:
            return records, blobs
        urls = [story["url"] for story in stories]
        key = self.redis.key("f")
        entries = await self.redis.call(lambda: self.redis.aio.hmget(key, urls))
        for story, raw in zip(stories, entries, strict=True):
            if raw is not None and json.loads(raw).get("s") == "e":
                records.append([story["url"], None])
                continue
            record, blob = self.state.record_of(story)
            if blob is not None:
                blobs.append(blob)
                record["m"] = len(blobs)
            records.append([story["url"], record])
        return records, blobs

    async def _finish(self) -> None:
        answer = _text(
            await self.redis.script(
                "finish",
                [self.redis.key("ready"), self.redis.key("workers"), self.redis.key("crawl")],
                [self.redis.key(""), self.crawl_id, self.config.worker],
            )
        )
        if answer == "busy":
            return
        if answer == "mine":
            await self._end_the_crawl()
        else:  # another worker ends it; then the key may hold the next crawl already (seeded)
            while (
                _text(
                    await self.redis.call(
                        lambda: self.redis.aio.hget(self.redis.key("crawl"), "id")
                    )
                )
                == self.crawl_id
            ):
                await asyncio.sleep(POLL)
        await self._crawl_over()

    async def _end_the_crawl(self) -> None:
        """This worker ends the crawl: what is left pending ends in its rejects file, then the
        crawl's keys go."""
        from newscrawl.extensions.ledger import OutcomeLedger

        ledger = self.crawler.get_extension(OutcomeLedger)
        assert self.frontier is not None and ledger is not None
        pending = 0
        cursor = 0
        while True:
            cursor, entries = await self._scan(cursor)
            for raw_url, raw in entries.items():
                entry = json.loads(raw)
                if entry.get("s") == "e":
                    continue
                url = _text(raw_url)
                self.frontier.ended_elsewhere(url)
                if entry.get("s") == "p":
                    ledger.record(rejected(url, entry.get("p") or "not_fetched"))
                else:  # scheduled but neither ready nor held: no worker will do it now
                    logger.error("newscrawl: %s was left %s by the crawl", url, entry.get("s"))
                    ledger.record(failed(url, "lost_in_crawl", state=entry.get("s")))
                pending += 1
            if cursor == 0:
                break
        await self.redis.call(self._delete_the_crawl)
        logger.info(
            "newscrawl: crawl %s is over; %d URLs left pending ended here", self.crawl_id, pending
        )

    async def _delete_the_crawl(self) -> None:
        names = [self.redis.key(n) for n in ("f", "ready", "listings", "dedup", "alive", "workers")]
        async for key in self.redis.aio.scan_iter(match=self.redis.key("leased", "*")):
            names.append(key)
        # One DEL (atomic), the crawl's own key with the rest: a heartbeat between two DELs saw
        # the crawl still there and its worker gone from "alive", and took itself for dead
        # (exit 74 for a crawl that had just ended well).
        await self.redis.aio.delete(*names, self.redis.key("crawl"))

    async def _crawl_over(self) -> None:
        """Close the spider, from a task of its own: this one is cancelled by the close."""
        self.finished = True
        engine = self.crawler.engine
        assert engine is not None
        self._closing = asyncio.ensure_future(engine.close_spider_async(reason="finished"))

    def spider_idle(self) -> None:
        if not self.finished and not machinery.failed(self.crawler):
            raise DontCloseSpider  # more may come from the shared queue

    # --- stopping -----------------------------------------------------------------------

    async def spider_closed(self, reason: str) -> None:
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            if not task.done() and task is not asyncio.current_task():
                task.cancel()
        if self.crawl_id is not None and self.redis.gave_up is None:
            try:
                if self.frontier is not None:
                    handed = await self.frontier.hand_back_all()
                    self._stats().set_value(f"{STATS}/handed_back", handed)
                    if handed:
                        logger.info("newscrawl: %d items of work handed back to the crawl", handed)
                await self.redis.call(self._leave)
            except RedisUnavailable as error:
                self.fail(error)
        await self.redis.close()

    async def _leave(self) -> None:
        pipe = self.redis.aio.pipeline(transaction=True)
        pipe.zrem(self.redis.key("alive"), self.config.worker)
        pipe.hdel(self.redis.key("workers"), self.config.worker)
        pipe.delete(self.redis.key("leased", self.config.worker))
        await pipe.execute()

    async def hget(self, key: str, field: str) -> Any:
        return await self.redis.call(lambda: self.redis.aio.hget(key, field))

    async def _scan(self, cursor: int) -> Any:
        return await self.redis.call(
            lambda: self.redis.aio.hscan(self.redis.key("f"), cursor, count=1000)
        )

    def fail(self, error: BaseException | str) -> None:
        if isinstance(error, RedisUnavailable):
            error = str(error)  # one line that says it all
        machinery.fail(self.crawler, "the shared crawl", error)

    # ------------------------------------------------------------------------------------

    def _dead_ms(self) -> int:
        return int(self.config.dead_seconds * 1000)

    def _stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats


def refusal(status: str, answer: list[Any], config: SharedConfig) -> str:
    if status == "other":
        return (
            f"another crawl holds the key {config.key} at {config.url} with other arguments "
            f"({_text(answer[1])}, started {_text(answer[2])}); this worker stops before crawling"
        )
    if status == "taken":
        return f"a live worker already has the id {config.worker}"
    return f"the crawl under {config.key} is ending; start again in a moment"


def _finished_in_files(info: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """What a dead worker of this machine wrote: its stories (whole lines) and its other ends."""
    stories: list[dict[str, Any]] = []
    for feed in info.get("feeds") or []:
        if Path(feed).is_file():
            stories += [{k: story.get(k) for k in STORY_FIELDS} for story in read_feed(feed)]
    ended: list[str] = []
    rejects = info.get("rejects")
    if rejects and Path(rejects).is_file():
        with Path(rejects).open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    continue  # cut by the kill
                try:
                    ended.append(json.loads(raw)["url"])
                except (ValueError, KeyError, TypeError):
                    continue
    return stories, ended


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
