"""``scrapy seed``: start pages put into a shared crawl's frontier; the workers crawl from them.

The real command in a subprocess, a real ``redis-server`` on a loopback port: what it refuses
(one line, an exit status, nothing seeded), and, end to end on a replica, two workers started
after one listing was seeded crawl from that listing only: exactly what one process started
from that listing gives, each URL ended once, no other start page read.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.replica.newssite import NewsSite
from tests.crawl import FAST, crawl_invocation, run_crawl
from tests.redis_server import RedisServer
from tests.test_generic_e2e import truth_of
from tests.test_shared_e2e import WORKER, as_pairs, outputs, start_worker, wait_all

KEY = "newscrawl:related"
PORTAL = "http://french.peopledaily.com.cn"
STORY = f"{PORTAL}/Chine/n3/2026/0101/c31356-20000001.html"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def seed(
    workdir: Path, redis_url: str | None, *urls: str, args: tuple[str, ...] = (), **settings: str
) -> subprocess.CompletedProcess[str]:
    """``scrapy seed related [URL…] --redis URL``, as a user types it."""
    workdir.mkdir(parents=True, exist_ok=True)
    _, env = crawl_invocation("http://127.0.0.1:9", workdir, (), {})
    command = [sys.executable, "-m", "scrapy", "seed", "related", *urls]
    if redis_url is not None:
        command += ["--redis", redis_url]
    for argument in args:
        command += ["-a", argument]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)


def keys(redis: RedisServer) -> dict[str, bytes]:
    """Every key under the crawl's prefix, with a dump of its value (to see that none changed)."""
    import redis as redis_client

    client = redis_client.Redis.from_url(redis.url)
    try:
        return {key.decode(): client.dump(key) for key in client.keys(f"{KEY}:*")}
    finally:
        client.close()


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_url_off_the_portal_is_refused_and_nothing_is_seeded(
    redis: RedisServer, tmp_path: Path
) -> None:
    done = seed(tmp_path, redis.url, f"{PORTAL}/Chine/", "http://example.com/news/")
    assert done.returncode == 2
    assert one_line(done) == (
        "newscrawl: http://example.com/news/ is not a page of the crawl's sites "
        "(french.peopledaily.com.cn): other_host"
    )
    assert keys(redis) == {}  # not even the listing given before it


@pytest.mark.parametrize(
    ("urls", "args", "said"),
    [
        ((f"{PORTAL}/images/a.jpg",), (), "is not a page of the crawl's sites"),
        ((f"{PORTAL}/about.html",), (), "is neither a story, a listing nor a feed page"),
        ((STORY,), ("since=2026-06-01",), "the crawl's rules reject it (before_since"),
        ((STORY,), ("sections=International",), "(outside_sections: section Chine)"),
        ((f"{PORTAL}/Chine/",), ("sections=International",), "outside the crawl's -a sections"),
        ((), ("max_depth=many",), "-a max_depth=many: not a whole number"),
        ((), ("max_stories=5",), "a shared crawl has no single count of stories"),
    ],
)
def test_a_seed_the_crawl_would_not_fetch_is_refused(
    redis: RedisServer, tmp_path: Path, urls: tuple[str, ...], args: tuple[str, ...], said: str
) -> None:
    done = seed(tmp_path, redis.url, *urls, args=args)
    assert done.returncode == 2, done.stderr
    assert said in one_line(done)
    assert keys(redis) == {}


def test_without_a_redis_url_or_with_a_sqlite_state_nothing_is_seeded(tmp_path: Path) -> None:
    done = seed(tmp_path, None)
    assert done.returncode == 2
    assert "scrapy seed needs the shared crawl's Redis: --redis" in one_line(done)
    done = seed(tmp_path, "redis://127.0.0.1:9/0", NEWSCRAWL_STATE=str(tmp_path / "s.sqlite"))
    assert done.returncode == 2
    assert "a shared crawl keeps its state in Redis" in one_line(done)


def test_redis_unreachable_is_one_line_and_exit_74(tmp_path: Path) -> None:
    done = seed(tmp_path, "redis://127.0.0.1:9/0", NEWSCRAWL_REDIS_RETRY_SECONDS="1")
    assert done.returncode == 74
    last = done.stderr.strip().splitlines()[-1]  # after the retries' warnings
    assert last.startswith("newscrawl: Redis at redis://127.0.0.1:9/0 unreachable for 1 s (")
    assert last.endswith("; nothing was seeded")


def test_a_key_held_by_a_crawl_with_other_arguments_is_refused_with_75(
    redis: RedisServer, tmp_path: Path
) -> None:
    first = seed(tmp_path, redis.url, f"{PORTAL}/Chine/", args=("max_depth=1",))
    assert first.returncode == 0, first.stderr
    before = keys(redis)
    done = seed(tmp_path, redis.url, f"{PORTAL}/Sports/")
    assert done.returncode == 75
    line = one_line(done)
    assert line.startswith(f"newscrawl: another crawl holds the key {KEY} at {redis.url}")
    assert '"max_depth": 1' in line and line.endswith("; nothing was seeded")
    assert keys(redis) == before


def test_seeding_twice_puts_each_page_in_once(redis: RedisServer, tmp_path: Path) -> None:
    # -a sections: a set of names, the same crawl in every process (whatever its hash seed)
    args = ("sections=Chine,Sports,International,Economie",)
    first = seed(tmp_path, redis.url, f"{PORTAL}/Chine/", STORY, args=args)
    assert first.returncode == 0, first.stderr
    assert "1 listings and 1 story pages put into a new crawl" in one_line(first)
    again = seed(tmp_path, redis.url, STORY, f"{PORTAL}/Sports/", f"{PORTAL}/Chine/", args=args)
    assert again.returncode == 0, again.stderr
    line = one_line(again)
    assert "1 listings and 0 story pages put into crawl" in line
    assert "(0 workers on it)" in line and "; 2 already in it" in line


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(Portal(ReplicaOptions(stories=300))) as server:
        yield server


@pytest.mark.e2e
def test_two_workers_started_after_one_listing_was_seeded_crawl_from_it_only(
    replica: ReplicaServer, redis: RedisServer, tmp_path: Path
) -> None:
    listing = replica.portal.section_urls[1]
    single = run_crawl(replica.proxy_url, tmp_path / "single", f"start_urls={listing}")
    assert single.returncode == 0, single.log[-3000:]
    assert 20 < len(single.stories) < 300  # a part of the portal: the listing and its relatives

    before = len(replica.requests)
    seeded = seed(tmp_path / "crawl", redis.url, listing)
    assert seeded.returncode == 0, seeded.stderr
    assert "1 listings and 0 story pages put into a new crawl" in one_line(seeded)
    assert replica.requests[before:] == []  # seeding crawls nothing
    folder = tmp_path / "crawl"
    workers = [start_worker(replica, redis, folder, w) for w in ("w1", "w2")]
    assert wait_all(workers) == [0, 0]

    stories, rejects, _ = outputs(folder)
    emitted = as_pairs([s["url"] for s in stories], replica)
    assert [url for url, n in Counter(emitted).items() if n > 1] == [], "a story twice"
    assert set(emitted) == set(as_pairs([s["url"] for s in single.stories], replica))
    ends = Counter([s["url"] for s in stories] + [r["url"] for r in rejects])
    assert [url for url, n in ends.items() if n > 1] == [], "a URL ended twice"
    assert set(ends) == set(single.outcomes())
    start_pages = {replica.portal.front_url, *replica.portal.section_urls}
    read = [r.url for r in replica.requests[before:] if r.url in start_pages]
    assert read == [listing]  # neither worker read its own start pages
    logs = "".join(p.read_text() for p in folder.glob("w*.log"))
    assert logs.count("the crawl was seeded by scrapy seed: this worker seeds none") == 2


@pytest.mark.e2e
def test_a_seeded_feed_leads_the_workers_to_the_sitemap_and_its_stories(
    replica_of: Any, redis: RedisServer, tmp_path: Path
) -> None:
    """A feed (robots.txt, then the sitemap it names) is work of its own in a shared crawl."""
    site = NewsSite("www.exemple.fr", stories=8, seed=5, layout="plain")
    server = replica_of(stories=10, sites=(site,))
    args = ("start_urls=http://www.exemple.fr/robots.txt", "max_depth=0")
    seeded = seed(tmp_path, redis.url, args=args)  # the spider's own start pages: robots.txt
    assert seeded.returncode == 0, seeded.stderr
    assert "1 listings and 0 story pages put into a new crawl" in one_line(seeded)
    settings = {**FAST, **WORKER, "NEWSCRAWL_REDIS_URL": redis.url, "NEWSCRAWL_WORKER_ID": "w1"}
    worker = run_crawl(server.proxy_url, tmp_path, *args, settings=settings, fast=False)
    assert worker.returncode == 0, worker.log[-3000:]
    assert {s["url"] for s in worker.stories} == set(truth_of(site))
    fetched = [r.url for r in server.requests]
    assert "http://www.exemple.fr/robots.txt" in fetched  # (also read for ROBOTSTXT_OBEY)
    assert fetched.count("http://www.exemple.fr/sitemap.xml") == 1


@pytest.mark.e2e
def test_a_seeded_near_copy_of_a_story_an_earlier_crawl_emitted_is_rejected(
    replica: ReplicaServer, redis: RedisServer, tmp_path: Path
) -> None:
    """One story seeded a crawl, its near copy the next crawl on the key: the key's state
    knows the first by its signature, and the copy is rejected as its near duplicate."""
    first, copy = next(
        (a, b) for a, b, kind in replica.portal.duplicates if kind == "near_duplicate"
    )
    args = ("max_depth=0",)
    settings = {**FAST, **WORKER, "NEWSCRAWL_REDIS_URL": redis.url, "NEWSCRAWL_WORKER_ID": "w1"}
    runs = []
    for number, url in enumerate((first, copy)):
        folder = tmp_path / f"crawl{number}"
        seeded = seed(folder, redis.url, url, args=args)
        assert seeded.returncode == 0, seeded.stderr
        assert "0 listings and 1 story pages put into a new crawl" in one_line(seeded)
        run = run_crawl(replica.proxy_url, folder, *args, settings=settings, fast=False)
        assert run.returncode == 0, run.log[-3000:]
        runs.append(run)
    assert [s["url"] for s in runs[0].stories] == [first]
    assert runs[1].stories == []
    (rejection,) = [r for r in runs[1].rejects if r["url"] == copy]
    assert (rejection["reason"], rejection["details"]["duplicate_of"]) == ("near_duplicate", first)
