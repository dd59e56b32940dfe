"""The shared story set against a real Redis: a decision whose answer an outage lost."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import redis as redis_client
from redis.exceptions import ConnectionError as RedisConnectionError
from scrapy.utils.test import get_crawler

from newscrawl.distributed import shared_config
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.shared import dedup as shared_dedup
from newscrawl.shared.connection import SharedRedis
from newscrawl.shared.dedup import SharedDeduplicatePipeline
from tests.redis_server import RedisServer

BODY = " ".join(
    f"Le conseil municipal de la ville numéro {n} a voté le budget de l'année, "
    f"après un débat de {n + 2} heures sur les écoles et les transports."
    for n in range(12)
)


def test_a_story_whose_accept_landed_but_whose_answer_was_lost_is_emitted_once(
    tmp_path: Path,
) -> None:
    """The accept ran in Redis, its answer was lost, and while it was retried another item's
    replay read the entry: the story is still this one's to emit, not its own duplicate."""
    with RedisServer(tmp_path / "redis") as server:
        crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": server.url})
        redis = SharedRedis(shared_config(crawler))
        dedup = SharedDeduplicatePipeline(crawler, SimpleNamespace(redis=redis, state=None))  # type: ignore[arg-type]
        accept = redis.aio_scripts["accept"]
        answers: list[Any] = []

        async def landed_then_lost(keys: list[str], args: list[Any]) -> Any:
            answer = await accept(keys=keys, args=args)
            answers.append(answer)
            if len(answers) == 1:
                await dedup._replay()  # another story, decided meanwhile, replays the stream
                raise RedisConnectionError("Connection reset by peer")
            return answer

        redis.aio_scripts["accept"] = landed_then_lost  # type: ignore[assignment]
        item = Story("http://french.peopledaily.com.cn/Chine/n3/2022/0604/c31357-9505692.html",
                     "Titre", "2022-06-04T09:08:00+08:00", body=BODY)  # fmt: skip

        async def decide() -> Any:
            try:
                return await dedup.process_item(item)
            finally:
                await redis.close()

        emitted = asyncio.run(decide())
        assert emitted.url == item.url  # not rejected duplicate_url of itself
        assert answers[0] and not answers[1]  # it landed once; the retry found the stream moved
        import redis as redis_client

        client = redis_client.Redis.from_url(server.url)
        try:
            assert client.xlen(redis.key("dedup")) == 1  # accepted once
        finally:
            client.close()


def _body(n: int) -> str:
    return " ".join(
        f"Dépêche {n}, paragraphe {p} : la province numéro {n * 31 + p} a inauguré "
        f"{p + 3} écoles et {n % 7 + p} hôpitaux cette année, selon le bureau {n}-{p}."
        for p in range(10)
    )


def _story(n: int) -> Story:
    return Story(f"http://french.peopledaily.com.cn/n3/2022/0604/c31357-{9_500_000 + n}.html",
                 f"Titre {n}", "2022-06-04T09:08:00+08:00", body=_body(n))  # fmt: skip


class _Unknown:
    """A key's state without earlier crawls; it answers after a Redis round trip, as it does,
    and, asked by the task named in ``hold``, only once that task's event is set."""

    def __init__(self, redis: SharedRedis, hold: dict[str, asyncio.Event] | None = None) -> None:
        self.redis, self.hold = redis, hold or {}

    async def signature_of(self, url: str) -> None:
        task = asyncio.current_task()
        event = self.hold.get(task.get_name() if task else "")
        if event is not None:
            await _until(event)
        await self.redis.call(lambda: self.redis.aio.ping())


async def _until(event: asyncio.Event) -> None:
    """Wait for ``event``, or 0.3 s: a schedule the code under test cannot follow (a
    decision holding the others back) must not hang the test."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), 0.3)


def test_a_withdrawn_story_is_emitted_when_a_lagging_replay_applies_its_accept_late(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen in CI (two stories lost): a worker started again after a kill replays the stream
    (X accepted by its predecessor, X withdrawn by the reap, Z accepted elsewhere) for three
    pages at once. A replay whose answer came late applies X's accept after the one deciding X
    applied its withdrawal, and a third replay moves the worker's place in the stream past the
    withdrawal: X must still be emitted, not rejected as the duplicate of itself. The schedule
    is forced by events; decisions taken one at a time make it impossible (each wait then ends
    by its timeout)."""
    monkeypatch.setattr(shared_dedup, "REPLAY_BATCH", 1)  # a batch may end anywhere
    x, y, z, w = (_story(n) for n in range(4))
    forgot_x, x_again, z_read, x_decided = (asyncio.Event() for _ in range(4))
    with RedisServer(tmp_path / "redis") as server:
        crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": server.url})
        redis = SharedRedis(shared_config(crawler))
        killed = SharedDeduplicatePipeline(crawler, SimpleNamespace(redis=redis, state=None))  # type: ignore[arg-type]
        other = SharedDeduplicatePipeline(
            crawler,
            SimpleNamespace(redis=redis, state=_Unknown(redis)),  # type: ignore[arg-type]
        )
        state = _Unknown(redis, hold={"X": z_read})
        restarted = SharedDeduplicatePipeline(crawler, SimpleNamespace(redis=redis, state=state))  # type: ignore[arg-type]
        index = restarted.index
        forget, replayed = index.forget, index.replayed

        def forgetting(url: str) -> None:
            forget(url)
            if url == x.url:
                forgot_x.set()

        def replaying(url: str, *entry: Any) -> None:
            replayed(url, *entry)
            if url == x.url and forgot_x.is_set():
                x_again.set()  # X's accept applied again, after its withdrawal
            if url == z.url:
                z_read.set()

        monkeypatch.setattr(index, "forget", forgetting)
        monkeypatch.setattr(index, "replayed", replaying)
        call, calls = redis.call, Counter[str]()
        held_back = {("Y", 1): forgot_x, ("W", 1): x_again}  # (task, its nth call): until

        async def answered(what: Any) -> Any:
            task = asyncio.current_task()
            name = task.get_name() if task else ""
            calls[name] += 1
            sent = what()  # the request as sent: its place in the stream is taken now
            event = held_back.get((name, calls[name]))
            if event is not None:
                await _until(event)  # ... and its answer comes later
            elif name == "Y" and calls[name] > 1:
                await _until(x_decided)  # Y lags until X is decided
            return await call(lambda: sent)

        async def later(story: Story, after: asyncio.Event) -> Any:
            await _until(after)
            return await restarted.process_item(story)

        async def decide_x() -> Any:
            try:
                return await restarted.process_item(x)
            finally:
                x_decided.set()

        async def crawl() -> list[Any]:
            try:
                await killed.process_item(x)
                client = redis_client.Redis.from_url(server.url)
                client.xadd(redis.key("dedup"), {"op": "retract", "url": x.url})  # the reap
                client.close()
                await other.process_item(z)
                redis.call = answered  # type: ignore[method-assign]
                tasks = [
                    asyncio.create_task(restarted.process_item(y), name="Y"),
                    asyncio.create_task(decide_x(), name="X"),
                    asyncio.create_task(later(w, after=forgot_x), name="W"),
                ]
                return await asyncio.gather(*tasks, return_exceptions=True)
            finally:
                await redis.close()

        decided = asyncio.run(crawl())
        assert [getattr(d, "url", repr(d)) for d in decided] == [y.url, x.url, w.url]


def test_a_full_tmpdir_stops_the_worker_and_the_story_is_not_emitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's spill files failing (TMPDIR full) is the run's machinery failing: the story
    is not emitted (another run does it) and the run stops with the folder named."""
    from scrapy.statscollectors import MemoryStatsCollector

    from newscrawl import machinery
    from newscrawl.compact import SpillFile

    with RedisServer(tmp_path / "redis") as server:
        crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": server.url})
        crawler.stats = MemoryStatsCollector(crawler)
        redis = SharedRedis(shared_config(crawler))
        dedup = SharedDeduplicatePipeline(crawler, SimpleNamespace(redis=redis, state=None))  # type: ignore[arg-type]

        def full(*_: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(SpillFile, "write_at", full)

        async def decide() -> Any:
            try:
                return await dedup.process_item(_story(1))
            except StoryRejected as rejection:
                return rejection.outcome
            finally:
                await redis.close()

        outcome = asyncio.run(decide())
        assert (outcome.reason, outcome.details) == (
            "not_emitted",
            {"because": "machinery_failure"},
        )
        (line,) = crawler.stats.get_value(machinery.FAILED_STAT)
        assert line.startswith(f"{machinery.temporary_files()}: OSError: [Errno 28]")


def test_a_story_a_later_pipeline_failed_is_withdrawn_from_the_shared_set(tmp_path: Path) -> None:
    """Accepted by one worker, then failed by a pipeline after deduplication (pipeline_error):
    retracted, so its copy met by another worker is emitted, and its earlier crawl's text,
    if the key's state had one, would count again (the replay of a retract)."""
    with RedisServer(tmp_path / "redis") as server:

        def worker() -> tuple[SharedDeduplicatePipeline, SharedRedis]:
            crawler = get_crawler(settings_dict={"NEWSCRAWL_REDIS_URL": server.url})
            redis = SharedRedis(shared_config(crawler))
            state = _Unknown(redis)
            pipeline = SharedDeduplicatePipeline(crawler, SimpleNamespace(redis=redis, state=state))  # type: ignore[arg-type]
            return pipeline, redis

        async def crawl() -> tuple[Story, Any]:
            (first, first_redis), (second, second_redis) = worker(), worker()
            try:
                original = await first.process_item(_story(1))
                await first._failed(original)  # item_error, as the engine sends it
                copy = dataclasses.replace(_story(1), url=_story(2).url)
                emitted = await second.process_item(copy)
                with pytest.raises(StoryRejected) as third:
                    await first.process_item(dataclasses.replace(_story(1), url=_story(3).url))
                return emitted, third.value.outcome
            finally:
                await first_redis.close()
                await second_redis.close()

        emitted, third = asyncio.run(crawl())
        assert emitted.url == _story(2).url  # not the copy of a story nobody has
        assert third.reason == "duplicate" and third.details["duplicate_of"] == _story(2).url
