"""Scheduled crawls end to end: real ``scrapy crawl related`` runs sharing one state file.

Every run writes into its own directory (feeds are named by the second a run starts, and two
runs may start within one second); only ``NEWSCRAWL_STATE`` links them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newscrawl.replica import ReplicaServer
from newscrawl.state.lock import EXIT_LOCKED, lock_path_for
from newscrawl.state.sketch import story_fingerprint
from tests.crawl import FAST, CrawlRun, crawl_invocation, run_crawl, story_feeds

pytestmark = pytest.mark.e2e

WHOLE_PORTAL = ("max_depth=20", "max_listing_pages=20")
# Stories published since this moment count as fresh; the replica's run from 2021 to
# 2022-12-22, so the last few weeks of it are fresh and the rest old.
FRESH_SINCE = datetime(2022, 12, 1, tzinfo=UTC)
STORIES = 40


def refresh_hours() -> str:
    return f"{(datetime.now(UTC) - FRESH_SINCE).total_seconds() / 3600:.0f}"


def state_settings(state: Path, **more: str) -> dict[str, str]:
    return {
        "NEWSCRAWL_STATE": str(state),
        "NEWSCRAWL_REFRESH_HOURS": refresh_hours(),
        # NEWSCRAWL_DEDUP_WINDOW_DAYS stays at its default: the replica's stories are years
        # old, but emitted by these runs, which is what makes them recent for their copies.
        **more,
    }


def story_pages(records: list[Any]) -> list[str]:
    return [r.url for r in records if "/n3/" in r.url]


def fresh(server: ReplicaServer) -> set[str]:
    return {
        s["url"]
        for s in server.portal.expected_stories()
        if datetime.fromisoformat(s["published_at"]) >= FRESH_SINCE
    }


def last_line(log: str) -> str:
    return log.rstrip().splitlines()[-1]


class Runs:
    """Three scheduled runs: the replica, the same replica again, then its next edition."""

    def __init__(self, replica_of: Any, root: Path) -> None:
        self.state = root / "state" / "state.sqlite"
        self.server = replica_of(stories=STORIES)
        self.first, self.first_requests = self.crawl(self.server, root / "run1")
        self.second, self.second_requests = self.crawl(self.server, root / "run2")
        self.second_other_requests = self.other_requests
        self.edition = replica_of(stories=STORIES, edition=1)
        self.third, self.third_requests = self.crawl(self.edition, root / "run3")

    def crawl(self, server: ReplicaServer, workdir: Path) -> tuple[CrawlRun, list[str]]:
        before = len(server.requests)
        run = run_crawl(
            server.proxy_url, workdir, *WHOLE_PORTAL, settings=state_settings(self.state)
        )
        assert run.returncode == 0, run.log[-3000:]
        self.other_requests = [r.url for r in server.requests[before:] if "/n3/" not in r.url]
        return run, story_pages(server.requests[before:])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    from newscrawl.replica import Portal, ReplicaOptions

    servers: list[ReplicaServer] = []

    def start(**options: Any) -> ReplicaServer:
        server = ReplicaServer(Portal(ReplicaOptions(**options)))
        server.__enter__()
        servers.append(server)
        return server

    try:
        yield Runs(start, tmp_path_factory.mktemp("scheduled"))
    finally:
        for server in servers:
            server.__exit__(None, None, None)


def assert_each_story_once(urls: list[str], server: ReplicaServer) -> None:
    """Every story of the replica once, and one of each duplicate pair (either one)."""
    assert len(urls) == len(set(urls)), "a story was emitted twice"
    pairs = {(first, copy) for first, copy, _ in server.portal.duplicates}
    in_pairs = {url for pair in pairs for url in pair}
    expected = {s["url"] for s in server.portal.expected_stories()} - in_pairs
    assert set(urls) - in_pairs == expected, "a story was lost"
    for pair in pairs:
        assert len(set(pair) & set(urls)) == 1, pair


def test_first_run_emits_every_story_as_revision_1(runs: Runs) -> None:
    first = runs.first
    assert_each_story_once([s["url"] for s in first.stories], runs.server)
    assert {s["revision"] for s in first.stories} == {1}
    assert all(s["previous_fingerprint"] is None for s in first.stories)


def test_second_run_emits_nothing_and_requests_only_fresh_or_unsettled_story_pages(
    runs: Runs,
) -> None:
    second = runs.second
    assert second.stories == []
    assert last_line(second.log).endswith("newscrawl: run healthy")  # nothing new is healthy
    stored = set(runs.first.by_url())
    young = fresh(runs.server)
    assert young & stored, "some stories should be young enough to be fetched again"
    requested = set(runs.second_requests)
    # Story pages are requested again only when young, or when they failed (failures are
    # retried); copies of stories and redirecting URLs are settled, like stored stories.
    failed = {r["url"] for r in runs.first.rejects if r["outcome"] == "failed"}
    assert requested <= young | failed
    assert young & stored <= requested
    listings = {runs.server.portal.front_url, *runs.server.portal.section_urls}
    for url in runs.second_other_requests:  # besides story pages: robots.txt and listings
        assert url.endswith("/robots.txt") or url in listings or "/index" in url, url
    assert len(runs.second_requests) < len(runs.first_requests) / 3
    outcomes = second.outcomes()
    for url in stored - requested:
        assert outcomes[url] == "rejected:known", url
    for url in young & stored:
        assert outcomes[url] == "rejected:unchanged", url
    manifest = second.manifest
    assert (manifest["stories_new"], manifest["stories_revised"]) == (0, 0)
    assert manifest["exit_status"] == 0


def test_next_edition_emits_exactly_the_edit_as_revision_2_and_the_added_stories(
    runs: Runs,
) -> None:
    variants = runs.edition.portal.variants
    (edited,) = variants["edited"]
    assert edited not in fresh(runs.server)  # re-fetched because its listing shows a new time
    # In this replica the edited story is no half of a duplicate pair: run 1 emitted it.
    assert not [pair for pair in runs.edition.portal.duplicates if edited in pair[:2]]
    third = runs.third.by_url()
    assert set(third) == {edited, *variants["added"]}
    before = runs.first.by_url()[edited]
    story = third[edited]
    assert story["revision"] == 2
    assert story["previous_fingerprint"] == story_fingerprint(before)
    assert story["story_id"] == before["story_id"]
    assert story["body"] != before["body"]
    assert story["published_at"] > before["published_at"]
    for url in variants["added"]:
        assert third[url]["revision"] == 1
    manifest = runs.third.manifest
    assert (manifest["stories_new"], manifest["stories_revised"]) == (2, 1)
    assert "newscrawl summary: 3 stories (2 new, 1 revised);" in runs.third.log


def test_no_old_story_page_is_requested_twice_across_runs_except_the_edited_one(runs: Runs) -> None:
    settled = {r["url"] for r in runs.first.rejects if r["outcome"] == "rejected"}
    old = (set(runs.first.by_url()) | settled) - fresh(runs.server)
    (edited,) = runs.edition.portal.variants["edited"]
    assert old & set(runs.first_requests)
    again = set(runs.second_requests + runs.third_requests) & old
    assert again == {edited}


# --- near-duplicates across runs -----------------------------------------------------------


def test_a_near_copy_of_an_earlier_runs_story_is_rejected(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=STORIES)
    first, copy = next(
        (a, b) for a, b, kind in server.portal.duplicates if kind == "near_duplicate"
    )
    state = tmp_path / "state.sqlite"
    for number, url in enumerate((first, copy)):
        run = run_crawl(
            server.proxy_url,
            tmp_path / f"run{number}",
            f"start_urls={url}",
            "max_depth=0",
            settings=state_settings(state),
        )
        assert run.returncode == 0, run.log[-3000:]
    assert run.stories == []
    (rejection,) = [r for r in run.rejects if r["url"] == copy]
    assert (rejection["reason"], rejection["details"]["duplicate_of"]) == ("near_duplicate", first)


# --- crashes ---------------------------------------------------------------------------------


def crawl_command(workdir: Path, proxy_url: str, settings: dict[str, str]) -> dict[str, Any]:
    """subprocess keyword arguments for a crawl of the whole replica (to start and kill)."""
    workdir.mkdir(parents=True, exist_ok=True)
    command, env = crawl_invocation(proxy_url, workdir, WHOLE_PORTAL, {**FAST, **settings})
    return {"args": command, "cwd": workdir, "env": env}


def whole_lines(path: Path) -> list[dict[str, Any]]:
    """The stories of a feed: complete lines only (a killed run may leave half of one)."""
    lines = path.read_bytes().split(b"\n")[:-1]  # what follows the last newline is cut
    return [json.loads(line) for line in lines if line.strip()]


def test_runs_killed_at_any_point_then_rerun_emit_each_story_exactly_once(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=STORIES)
    state = tmp_path / "state.sqlite"
    settings = state_settings(state, NEWSCRAWL_REFRESH_HOURS="0", CONCURRENT_REQUESTS="4")
    kills = (3, 10, 20)  # story pages served before the SIGKILL
    for number, after in enumerate(kills):
        before = len(server.requests)
        workdir = tmp_path / f"killed{number}"
        process = subprocess.Popen(
            **crawl_command(workdir, server.proxy_url, settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while len(story_pages(server.requests[before:])) < after:
                assert process.poll() is None, "the crawl ended before it could be killed"
                time.sleep(0.01)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    final = run_crawl(server.proxy_url, tmp_path / "final", *WHOLE_PORTAL, settings=settings)
    assert final.returncode == 0, final.log[-3000:]
    union = [story["url"] for feed in story_feeds(tmp_path) for story in whole_lines(feed)]
    assert_each_story_once(union, server)


# --- overlap, layout change ------------------------------------------------------------------


def test_a_second_run_on_a_busy_state_exits_75_at_once_without_a_request(
    replica_of, tmp_path: Path
) -> None:
    busy, idle = replica_of(stories=STORIES), replica_of(stories=STORIES)
    state = tmp_path / "state.sqlite"
    slow = state_settings(state, DOWNLOAD_DELAY="1", CONCURRENT_REQUESTS="1")
    process = subprocess.Popen(
        **crawl_command(tmp_path / "first", busy.proxy_url, slow),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not busy.requests:  # it holds the lock before its first request
            assert process.poll() is None
            time.sleep(0.05)
        second = run_crawl(
            idle.proxy_url, tmp_path / "second", *WHOLE_PORTAL, settings=state_settings(state)
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert second.returncode == EXIT_LOCKED
    assert f"another run holds the state lock {lock_path_for(state)} (pid {process.pid}" in (
        last_line(second.log)
    )
    assert idle.requests == []
    assert not [p for p in second.files if p.suffix in (".jsonl", ".csv")]


def test_a_changed_layout_fails_the_run_with_the_reason_on_the_last_line(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=STORIES, layout="changed")
    state = tmp_path / "state.sqlite"
    run = run_crawl(
        server.proxy_url, tmp_path / "run", *WHOLE_PORTAL, settings=state_settings(state)
    )
    assert run.returncode == 3, run.log[-3000:]
    # The generic machinery still reads the redesigned pages, and each story says so; the
    # run fails all the same, so that the profile is mended.
    assert run.stories and all(s["extraction"].startswith("fallback(") for s in run.stories)
    assert "newscrawl: run unhealthy: the layout seems to have changed" in last_line(run.log)


# --- JOBDIR ----------------------------------------------------------------------------------


def test_a_jobdir_crawl_paused_and_resumed_keeps_multipage_stories_through_the_disk_queue(
    replica_of, tmp_path: Path
) -> None:
    """Scrapy's pause and resume of one crawl, beside the state: SIGTERM, then the same command."""
    server = replica_of(stories=STORIES)
    settings = state_settings(
        tmp_path / "state.sqlite", JOBDIR=str(tmp_path / "job"), CONCURRENT_REQUESTS="2"
    )
    process = subprocess.Popen(
        **crawl_command(tmp_path / "run", server.proxy_url, settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    while len(story_pages(server.requests)) < 15:
        assert process.poll() is None, "the crawl ended before it could be paused"
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)  # one SIGTERM or Ctrl-C: a clean pause
    _, paused_log = process.communicate()
    assert process.returncode == 0  # a pause, not a failure: the same command resumes it
    assert "Closing spider (shutdown)" in paused_log
    assert (
        paused_log.rstrip()
        .splitlines()[-1]
        .endswith(
            f"newscrawl: run paused by SIGTERM: the pending requests are kept in JOBDIR "
            f"{tmp_path / 'job'}; the same command resumes the crawl"
        )
    )
    (paused,) = (tmp_path / "run" / "output" / "related").glob("*/manifest.json")
    assert json.loads(paused.read_text())["ending"] == "paused"
    # At once: the resumed part writes in a folder of its own, even within the same second.
    resumed = run_crawl(server.proxy_url, tmp_path / "run", *WHOLE_PORTAL, settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "Resuming crawl" in resumed.log
    for log in (paused_log, resumed.log):
        assert "'scheduler/enqueued/disk'" in log
        assert "scheduler/unserializable" not in log  # every request, meta included, pickled
    feeds = story_feeds(tmp_path / "run")
    stories = {s["url"]: s for feed in feeds for s in whole_lines(feed)}
    assert_each_story_once([s["url"] for feed in feeds for s in whole_lines(feed)], server)
    multipage = server.portal.variants["multipage"]
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    assert multipage and all(stories[url]["body"] == truth[url]["body"] for url in multipage)
