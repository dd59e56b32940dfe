"""Many workers, one crawl, through a real Redis: real ``scrapy crawl`` processes on one replica.

Three workers crawl a 2,000-story replica together; a worker is SIGKILLed mid-crawl and started
again; Redis is stopped mid-crawl and started again; Redis stays down. Each time the union of
the workers' feeds is the set of stories one run of one process gives, none twice, and every
URL that run ended ends once across all the workers' feeds and rejects files.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawl.health import EXIT_UNHEALTHY
from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import FAST, CrawlRun, crawl_invocation, read_jsonl, run_crawl
from tests.redis_server import RedisServer
from tests.test_pipeline_errors_e2e import WITH_A_BUG

pytestmark = pytest.mark.e2e

STORIES = 2000
STATE = ("stories", "minhash", "fingerprints", "settled")  # what a key keeps from crawl to crawl
WORKER = {
    "NEWSCRAWL_REDIS_IDLE_SECONDS": "2",
    "NEWSCRAWL_REDIS_DEAD_SECONDS": "3",
}


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaServer]:
    with ReplicaServer(Portal(ReplicaOptions(stories=STORIES))) as server:
        yield server


@pytest.fixture(scope="module")
def single(replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """What one run of one process gives (default arguments)."""
    run = run_crawl(replica.proxy_url, tmp_path_factory.mktemp("single"))
    assert run.returncode == 0, run.log[-3000:]
    return run


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def start_worker(
    server: ReplicaServer, redis: RedisServer, workdir: Path, worker: str, **settings: str
) -> subprocess.Popen[bytes]:
    workdir.mkdir(parents=True, exist_ok=True)
    every = {**FAST, **WORKER, "NEWSCRAWL_REDIS_URL": redis.url, "NEWSCRAWL_WORKER_ID": worker}
    command, env = crawl_invocation(server.proxy_url, workdir, (), {**every, **settings})
    with (workdir / f"{worker}.log").open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=log)


def wait_all(processes: list[subprocess.Popen[bytes]], timeout: float = 240) -> list[int]:
    deadline = time.monotonic() + timeout
    return [p.wait(timeout=max(1, deadline - time.monotonic())) for p in processes]


def story_pages_since(server: ReplicaServer, since: int) -> list[str]:
    return [r.url for r in server.requests[since:] if "/n3/" in r.url]


def wait_for_story_pages(server: ReplicaServer, since: int, pages: int) -> None:
    deadline = time.monotonic() + 120
    while len(story_pages_since(server, since)) < pages:
        assert time.monotonic() < deadline, "the crawl did not get that far"
        time.sleep(0.01)


def outputs(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Counter[str]]:
    """Every story and every rejection the workers wrote, and stories per worker id."""
    stories, rejects, per_worker = [], [], Counter()
    for run in sorted((folder / "output" / "related").iterdir()):  # <time>-<worker>-<unique>
        rejects += read_jsonl(run / "rejects.jsonl")
        lines = read_jsonl(run / "stories.jsonl") if (run / "stories.jsonl").exists() else []
        stories += lines
        per_worker[run.name.split("-")[-2]] += len(lines)
    return stories, rejects, per_worker


def as_pairs(urls: list[str], server: ReplicaServer) -> list[str]:
    copy_of = {copy: first for first, copy, _ in server.portal.duplicates}
    return [copy_of.get(url, url) for url in urls]


def assert_one_crawl(single: CrawlRun, folder: Path, server: ReplicaServer) -> Counter[str]:
    """The workers' outputs together are the single run's: each story once, each URL ended once."""
    stories, rejects, per_worker = outputs(folder)
    expected = as_pairs([s["url"] for s in single.stories], server)
    emitted = as_pairs([s["url"] for s in stories], server)
    assert [url for url, n in Counter(emitted).items() if n > 1] == [], "a story twice"
    assert set(expected) - set(emitted) == set(), "stories lost"
    assert set(emitted) == set(expected)
    ends = Counter([s["url"] for s in stories] + [r["url"] for r in rejects])
    assert [url for url, n in ends.items() if n > 1] == [], "a URL ended twice"
    assert set(ends) == set(single.outcomes()), "the URLs ended differ from one run's"
    return per_worker


def last_line(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace").rstrip().splitlines()[-1]


def test_three_workers_crawl_one_replica_together(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    before = len(replica.requests)
    workers = [start_worker(replica, redis, tmp_path / "crawl", f"w{n}") for n in (1, 2, 3)]
    assert wait_all(workers) == [0, 0, 0]
    per_worker = assert_one_crawl(single, tmp_path / "crawl", replica)
    assert sorted(per_worker) == ["w1", "w2", "w3"] and min(per_worker.values()) > 50
    pages = Counter(story_pages_since(replica, before))
    assert [url for url, n in pages.items() if n > 1] == [], "a story page requested twice"
    assert "newscrawl: run healthy" in last_line(tmp_path / "crawl" / "w1.log")
    assert_the_crawl_is_over(redis)
    merged = merge_outputs(tmp_path / "crawl")
    assert sorted(s["url"] for s in merged) == sorted(
        s["url"] for s in outputs(tmp_path / "crawl")[0]
    )


def merge_outputs(folder: Path) -> list[dict[str, Any]]:
    """``scrapy merge`` of the workers' outputs, as a user runs it."""
    command, env = crawl_invocation("http://127.0.0.1:9", folder, (), {})
    command = [command[0], "-m", "scrapy", "merge", "output/related", "-o", "all.jsonl"]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "newscrawl merge:" in done.stderr and "(0 repeated lines dropped)" in done.stderr
    return read_jsonl(folder / "all.jsonl")


def test_a_worker_killed_mid_crawl_and_started_again_loses_nothing_and_repeats_nothing(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    before = len(replica.requests)
    folder = tmp_path / "crawl"
    workers = [start_worker(replica, redis, folder, f"w{n}") for n in (1, 2, 3)]
    wait_for_story_pages(replica, before, 400)
    workers[1].send_signal(signal.SIGKILL)
    workers[1].wait()
    restarted = start_worker(replica, redis, folder, "w2")  # the same id, as a service restart
    assert wait_all([workers[0], workers[2], restarted]) == [0, 0, 0]
    per_worker = assert_one_crawl(single, folder, replica)
    assert per_worker["w2"] > 0
    pages = Counter(story_pages_since(replica, before))
    again = [url for url, n in pages.items() if n > 1]
    # Only the pages the killed worker held at the kill are fetched again: its lease bound.
    assert len(again) <= 16 + 4 + 8, again
    logs = "".join(log.read_text() for log in folder.glob("w*.log"))
    assert "worker w2 (host" in logs and "after reading its files" in logs  # reaped from them
    assert_the_crawl_is_over(redis)


def test_two_workers_killed_at_other_moments_and_started_again_lose_nothing(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    """One worker killed early (60 story pages), another late (900), each started again under
    its id: the restarted ones replay short and long streams of accepts and withdrawals."""
    before = len(replica.requests)
    folder = tmp_path / "crawl"
    workers = [start_worker(replica, redis, folder, f"w{n}") for n in (1, 2, 3)]
    for pages, n in ((60, 1), (900, 2)):
        wait_for_story_pages(replica, before, pages)
        workers[n].send_signal(signal.SIGKILL)
        workers[n].wait()
        workers[n] = start_worker(replica, redis, folder, f"w{n + 1}")
    assert wait_all(workers) == [0, 0, 0]
    assert_one_crawl(single, folder, replica)
    assert_the_crawl_is_over(redis)


def test_redis_stopped_mid_crawl_and_started_again(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    before = len(replica.requests)
    folder = tmp_path / "crawl"
    workers = [start_worker(replica, redis, folder, f"w{n}") for n in (1, 2)]
    wait_for_story_pages(replica, before, 400)
    redis.stop()
    time.sleep(3)
    redis.start()
    assert wait_all(workers) == [0, 0]
    assert_one_crawl(single, folder, replica)
    assert "retrying" in (folder / "w1.log").read_text()  # it did see the outage
    assert_the_crawl_is_over(redis)


def test_redis_down_for_good_stops_the_workers_with_one_line_then_a_rerun_completes(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    before = len(replica.requests)
    folder = tmp_path / "crawl"
    quick = {"NEWSCRAWL_REDIS_RETRY_SECONDS": "3"}
    workers = [start_worker(replica, redis, folder, f"w{n}", **quick) for n in (1, 2)]
    wait_for_story_pages(replica, before, 400)
    redis.stop()
    stopped = time.monotonic()
    assert wait_all(workers, timeout=60) == [74, 74]
    assert time.monotonic() - stopped < 30  # retried, then stopped: never the socket timeout
    for worker in ("w1", "w2"):
        line = last_line(folder / f"{worker}.log")
        assert "newscrawl: run failed: its own machinery failed: the shared crawl: Redis at" in line
        assert "unreachable for 3 s" in line
    redis.start()
    again = [start_worker(replica, redis, folder, f"w{n}") for n in (3, 4)]
    assert wait_all(again) == [0, 0]
    assert_one_crawl(single, folder, replica)
    assert_the_crawl_is_over(redis)


def assert_the_crawl_is_over(redis: RedisServer) -> None:
    """A finished crawl leaves nothing of itself in Redis but the key's state."""
    import redis as redis_client

    client = redis_client.Redis.from_url(redis.url)
    try:
        keys = {key.decode() for key in client.keys("newscrawl:*")}
    finally:
        client.close()
    assert keys <= {f"newscrawl:related:state:{n}" for n in STATE}, keys
    assert "newscrawl:related:state:stories" in keys


def test_stories_a_pipeline_raised_on_end_as_failures_and_the_crawl_still_ends(
    replica: ReplicaServer, single: CrawlRun, redis: RedisServer, tmp_path: Path
) -> None:
    """A pipeline with a bug (tests/faulty_pipeline.py) set on the command line: each story it
    raised on ends once as ``pipeline_error``, so no worker waits for it for ever, and the
    shared dedup is still the one deciding (the command line's pipelines keep it)."""
    folder = tmp_path / "crawl"
    bug = {"ITEM_PIPELINES": WITH_A_BUG}
    workers = [start_worker(replica, redis, folder, f"w{n}", **bug) for n in (1, 2)]
    assert wait_all(workers) == [EXIT_UNHEALTHY, EXIT_UNHEALTHY]
    stories, rejects, _ = outputs(folder)
    errors = [r["url"] for r in rejects if r["reason"] == "pipeline_error"]
    assert errors
    ends = Counter([s["url"] for s in stories] + [r["url"] for r in rejects])
    assert [url for url, n in ends.items() if n > 1] == [], "a URL ended twice"
    assert set(ends) == set(single.outcomes())  # every URL one run ends, ended
    logs = "".join(log.read_text() for log in folder.glob("w*.log"))
    assert "SharedDeduplicatePipeline" in logs
    assert_the_crawl_is_over(redis)
