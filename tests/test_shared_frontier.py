"""The shared frontier's ``meet`` script decides as the frontier of one process does.

The same pages met in the same order by :class:`newscrawl.frontier.Frontier` (Python) and by
:class:`newscrawl.shared.frontier.SharedFrontier` (Lua, in a real Redis): the same URLs are
requested, every URL ends up at the same hop, and the same ones end at once with the same
reasons. (One difference, on purpose: a URL still waiting in the shared queue when it is met
nearer moves up the queue; a request already made in one process keeps its priority.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from newscrawl.distributed import SharedConfig
from newscrawl.frontier import Frontier
from newscrawl.shared.connection import SharedRedis
from newscrawl.shared.frontier import SharedFrontier
from newscrawl.spiders.related import HOP, LINK, LISTING, PAGE, RELATED, SEED, STORY_URL
from tests.redis_server import RedisServer
from tests.test_frontier import rules, story

Page = tuple[str | None, int, list[tuple[str, str]]]  # (story read or None, its hop, links)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def in_python(pages: list[Page], **kwargs: Any) -> tuple[set, dict, set]:
    frontier = Frontier(rules(**kwargs))
    visits, ends = set(), set()
    for parent, hop, links in pages:
        for url, link in links:
            link_hop = (frontier.hop(parent) or hop) + 1 if link == RELATED and parent else 0
            met = frontier.meet(url, link_hop, parent if link == RELATED else None)
            visits |= {v.url for v in met.visits}
            ends |= {(o.url, o.reason) for o in met.outcomes}
        if parent:
            frontier.expanded(parent, [url for url, link in links if link == RELATED])
    return visits, {url: frontier.hop(url) for url in frontier}, ends


def in_redis(redis: RedisServer, pages: list[Page], **kwargs: Any) -> tuple[set, dict, set]:
    async def run() -> tuple[set, dict, set]:
        config = SharedConfig(redis.url, "t", "w", 1, 1, 1, 1)
        shared = SharedRedis(config)
        await shared.aio.hset(shared.key("crawl"), "id", "c")
        frontier = SharedFrontier(shared, "w", "c", rules(**kwargs))
        ends = set()
        for parent, hop, links in pages:
            outputs = [Request(url, meta={LINK: link}) for url, link in links]
            response = None
            if parent:
                meta = {PAGE: "story", STORY_URL: parent, HOP: hop}
                response = HtmlResponse(parent, request=Request(parent, meta=meta))
            _, met = await frontier.page(response, outputs)
            ends |= {(o.url, o.reason) for o in met.outcomes}
        ready = await shared.aio.zrange(shared.key("ready"), 0, -1)
        entries = await shared.aio.hgetall(shared.key("f"))
        await shared.close()
        hops = {url.decode(): json.loads(entry)["h"] for url, entry in entries.items()}
        return {url.decode() for url in ready}, hops, ends

    return asyncio.run(run())


CASES: dict[str, tuple[list[Page], dict[str, Any]]] = {
    "two spellings, one request": (
        [(None, 0, [(story(1) + "?from=rel", SEED), (story(1) + "#top", LISTING)])],
        {},
    ),
    "rejected at once, once": (
        [
            (None, 0, [("http://en.people.cn/n3/2021/1227/c90000-1.html", LISTING)]),
            (None, 0, [("http://en.people.cn/n3/2021/1227/c90000-1.html", SEED)]),
            (None, 0, [("http://french.peopledaily.com.cn/Chine/", LISTING)]),
            (None, 0, [(story(1, day="1101"), LISTING)]),
        ],
        {"since": date(2021, 12, 1)},
    ),
    "beyond the depth until met nearer": (
        [
            (None, 0, [(story(1), SEED)]),
            (story(1), 0, [(story(2), RELATED)]),
            (story(2), 1, [(story(3), RELATED)]),
            (story(3), 2, [(story(4), RELATED)]),  # hop 3: beyond max_depth 2
            (None, 0, [(story(4), LISTING)]),  # then listed: hop 0
        ],
        {},
    ),
    "met nearer after its page was read, its headlines move nearer": (
        [
            (None, 0, [(story(1), SEED)]),
            (story(1), 0, [(story(2), RELATED)]),
            (story(2), 1, [(story(3), RELATED)]),
            (story(3), 2, [(story(4), RELATED), (story(5), RELATED)]),
            (None, 0, [(story(3), LISTING)]),  # story 3 listed: 4 and 5 now hop 1
            (story(4), 1, [(story(6), RELATED)]),
        ],
        {},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_redis_decides_as_one_process_does(redis: RedisServer, case: str) -> None:
    pages, kwargs = CASES[case]
    assert in_redis(redis, pages, **kwargs) == in_python(pages, **kwargs)
