"""A shared crawl's end, in a real Redis: while the finisher deletes the crawl, every
worker's heartbeat sees a crawl with its workers or no crawl, never a crawl without them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from newscrawl.distributed import SharedConfig
from newscrawl.shared.connection import SharedRedis
from newscrawl.shared.worker import Worker
from tests.redis_server import RedisServer

ALIVE, TAKEN_FOR_DEAD, CRAWL_OVER = 1, 0, 2  # the heartbeat script's answers


def test_no_heartbeat_takes_a_worker_for_dead_while_the_ended_crawl_is_deleted(
    tmp_path: Path,
) -> None:
    with RedisServer(tmp_path / "redis") as server:

        async def run() -> tuple[list[int], list[Any]]:
            shared = SharedRedis(SharedConfig(server.url, "t", "w1", 1, 1, 1, 1))
            await shared.aio.hset(shared.key("crawl"), "id", "c")
            await shared.aio.zadd(shared.key("alive"), {"w1": 10**13, "w2": 10**13})
            await shared.aio.hset(shared.key("workers"), mapping={"w1": "{}", "w2": "{}"})
            await shared.aio.sadd(shared.key("leased", "w2"), "x")
            beats: list[int] = []
            delete = shared.aio.delete

            async def delete_then_beat(*names: str) -> Any:  # w2's heartbeat after each DEL
                deleted = await delete(*names)
                args = ["w2", 3000, "c"]
                keys = [shared.key("alive"), shared.key("crawl")]
                beats.append(int(await shared.script("heartbeat", keys, args)))
                return deleted

            shared.aio.delete = delete_then_beat  # type: ignore[method-assign]
            finisher = Worker.__new__(Worker)  # only its Redis is asked for
            finisher.redis = shared
            await finisher._delete_the_crawl()
            left = await shared.aio.keys(shared.key("*"))
            await shared.close()
            return beats, left

        beats, left = asyncio.run(run())
    assert TAKEN_FOR_DEAD not in beats and beats[-1] == CRAWL_OVER
    assert left == []


def test_a_worker_started_again_joins_when_another_reaped_its_predecessor_meanwhile(
    tmp_path: Path,
) -> None:
    """A worker killed and started again under its id finds the id held (by its dead
    predecessor); another worker may reap that one between the join and the restarted one's
    own reap (its heartbeats stopped long enough): the id is then free and the join is tried
    again, instead of the run stopping with "a live worker already has the id" (CI, once)."""
    with RedisServer(tmp_path / "redis") as server:

        async def run() -> list[bool]:
            shared = SharedRedis(SharedConfig(server.url, "t", "w2", 1, 1, 1, 1))
            worker = Worker.__new__(Worker)  # only its Redis, id and host are asked for
            worker.redis, worker.config, worker.host = shared, shared.config, "here"
            dead = json.dumps({"host": "here", "pid": 2**22 + 1})  # no such process
            answers = []
            try:
                await shared.aio.hset(shared.key("workers"), "w2", dead)

                async def reaped_by_another(name: str, info: Any, grace: int) -> int:
                    await shared.aio.hdel(shared.key("workers"), name)  # the other's reap
                    return -1  # not alive any more: nothing left to reap

                worker._reap_one = reaped_by_another  # type: ignore[method-assign]
                answers.append(await worker._reap_my_predecessor())  # reaped meanwhile
                answers.append(await worker._reap_my_predecessor())  # reaped before it asked

                async def not_reaped(name: str, info: Any, grace: int) -> int:
                    return -1

                await shared.aio.hset(shared.key("workers"), "w2", dead)
                worker._reap_one = not_reaped  # type: ignore[method-assign]
                answers.append(await worker._reap_my_predecessor())  # still held: refused
            finally:
                await shared.close()
            return answers

        assert asyncio.run(run()) == [True, True, False]
