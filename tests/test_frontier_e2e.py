"""The frontier end to end: a crawl that forgets nothing, and ends every URL once.

Real ``scrapy crawl related`` processes on replicas: SIGKILLs at several moments of a scheduled
run with the default arguments, then a rerun, against one uninterrupted run; a story reached
both through a redirect and under its own URL; pages that refresh themselves.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica import ReplicaServer
from newscrawl.replica.faults import FAULT_STORIES
from tests.crawl import FAST, crawl_invocation, run_crawl, story_feeds

pytestmark = pytest.mark.e2e

KILLED_STORIES = 2000  # a few thousand: the default crawl of it reads ~1,700 stories


def feed_lines(folder: Path) -> list[dict[str, Any]]:
    """Every whole story line of every feed under ``folder`` (a cut last line is no story)."""
    lines = []
    for feed in story_feeds(folder):
        lines += [json.loads(raw) for raw in feed.read_bytes().split(b"\n")[:-1] if raw]
    return lines


def as_pairs(urls: list[str], server: ReplicaServer) -> list[str]:
    """Each story URL, a copy of a duplicate pair counted as the pair's first: either one of
    a pair is the story, depending on which page arrives first."""
    copy_of = {copy: first for first, copy, _ in server.portal.duplicates}
    return [copy_of.get(url, url) for url in urls]


def story_pages(server: ReplicaServer, since: int = 0) -> int:
    return sum("/n3/" in r.url for r in server.requests[since:])


def start(
    server: ReplicaServer, workdir: Path, settings: dict[str, str], read_log: bool = False
) -> subprocess.Popen:
    """A crawl in the background; its log readable line by line if ``read_log`` (a log
    nobody reads would fill the pipe and stall the crawl)."""
    workdir.mkdir(parents=True)
    command, env = crawl_invocation(server.proxy_url, workdir, (), {**FAST, **settings})
    log = subprocess.PIPE if read_log else subprocess.DEVNULL
    return subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True
    )


def kill_after_story_pages(process: subprocess.Popen, server: ReplicaServer, pages: int) -> None:
    before = len(server.requests)
    while story_pages(server, before) < pages:
        assert process.poll() is None, "the crawl ended before it could be killed"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()


def kill_in_the_read_back(process: subprocess.Popen) -> None:
    """Killed once the spider has closed: while the state reads the run's feed back."""
    assert process.stderr is not None
    for line in process.stderr:
        if "Spider closed (finished)" in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    process.stderr.close()


def frontier_rows(state: Path) -> int:
    with sqlite3.connect(state) as db:
        return int(db.execute("SELECT count(*) FROM frontier").fetchone()[0])


def test_a_scheduled_run_killed_at_start_midway_and_in_its_read_back_then_rerun_loses_nothing(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=KILLED_STORIES)
    whole = run_crawl(
        server.proxy_url, tmp_path / "whole", settings={"NEWSCRAWL_STATE": str(tmp_path / "w")}
    )
    assert whole.returncode == 0, whole.log[-3000:]
    expected = as_pairs([s["url"] for s in whole.stories], server)
    assert len(expected) == len(set(expected)) > 1000

    runs, state = tmp_path / "runs", tmp_path / "state.sqlite"
    settings = {"NEWSCRAWL_STATE": str(state)}
    kill_after_story_pages(start(server, runs / "1", settings), server, 1)  # at start
    kill_after_story_pages(start(server, runs / "2", settings), server, 300)  # midway
    kill_in_the_read_back(start(server, runs / "3", settings, read_log=True))  # all the rest

    assert frontier_rows(state) > 0, "the third run finished its read-back before the kill"
    final = run_crawl(server.proxy_url, runs / "4", settings=settings)
    assert final.returncode == 0, final.log[-3000:]
    assert frontier_rows(state) == 0  # a finished run leaves no frontier behind

    emitted = as_pairs([s["url"] for s in feed_lines(runs)], server)
    repeated = [url for url, n in Counter(emitted).items() if n > 1]
    assert repeated == []
    assert set(expected) - set(emitted) == set(), "stories lost"
    assert set(emitted) == set(expected)


@pytest.mark.parametrize("first", ["old", "own"])
def test_a_story_reached_through_a_redirect_and_under_its_own_url_is_one_story(
    replica_of, tmp_path: Path, first: str
) -> None:
    server = replica_of(stories=60)
    old, own = server.portal.variants["redirect"][0], server.portal.variants["redirect_target"][0]
    starts = f"{old},{own}" if first == "old" else f"{own},{old}"
    run = run_crawl(
        server.proxy_url,
        tmp_path,
        f"start_urls={starts}",
        "max_depth=0",
        settings={"CONCURRENT_REQUESTS": "1"},  # the order of the two paths is the order given
    )
    assert run.returncode == 0, run.log[-3000:]
    assert [s["url"] for s in run.stories] == [own]
    assert [r for r in run.rejects if r["url"] == old] == [
        {"url": old, "outcome": "rejected", "reason": "redirected", "details": {"final_url": own}}
    ]
    assert [r for r in run.rejects if r["url"] == own] == []
    assert Counter(r.url for r in server.requests)[own] == 1  # fetched once, by one path


def test_listings_that_refresh_themselves_are_read(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60, refreshing=True)
    run = run_crawl(server.proxy_url, tmp_path, "max_depth=0")
    assert run.returncode == 0, run.log[-3000:]
    listed = {s["url"] for s in run.stories}
    assert len(listed) > 30, run.log[-3000:]  # every listing's stories, not 0
    listings = [server.portal.front_url, *server.portal.section_urls]
    fetched = Counter(r.url for r in server.requests)
    assert {url: fetched[url] for url in listings} == dict.fromkeys(listings, 1)
    assert "newscrawl: run healthy" in run.log.rstrip().splitlines()[-1]


def test_a_story_that_refreshes_itself_is_read_as_the_story(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=FAULT_STORIES, faults=True)
    (url,) = server.portal.variants["fault:meta_refresh_self"]
    run = run_crawl(server.proxy_url, tmp_path, f"start_urls={url}", "max_depth=0")
    assert run.returncode == 0, run.log[-3000:]
    assert [s["url"] for s in run.stories] == [url]
    assert [r for r in run.rejects if r["url"] == url] == []
    assert [r.url for r in server.requests].count(url) == 1
