"""The shared story set against a real Redis: a decision whose answer an outage lost."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from scrapy.utils.test import get_crawler

from newscrawl.distributed import shared_config
from newscrawl.items import Story
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
