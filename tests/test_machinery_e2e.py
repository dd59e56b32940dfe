"""When the crawl's own machinery breaks, the run fails loudly and loses nothing.

Real ``scrapy crawl related`` processes: a damaged state file, a full disk (a small tmpfs, as
root), an output folder that cannot be made or written, wrong settings, and one state reached
through a symbolic link by two runs at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawl.health import EXIT_MACHINERY
from newscrawl.replica.faults import FAULT_STORIES
from newscrawl.state.lock import EXIT_LOCKED
from tests.crawl import FAST, CrawlRun, crawl_invocation, run_crawl
from tests.test_frontier_e2e import as_pairs, feed_lines

pytestmark = pytest.mark.e2e


def last_line(run: CrawlRun) -> str:
    return run.log.rstrip().splitlines()[-1]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[callable]:
    """Mount small tmpfs file systems (root only, as CI runs); each is unmounted at the end."""
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        where = tmp_path / name
        where.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def damage_a_table_page(state: Path) -> None:
    """Garbage over a B-tree page in the middle of the file (not the page of a stored blob,
    whose bytes SQLite does not check), as a bad sector or a stray write leaves it."""
    data = bytearray(state.read_bytes())
    size = int.from_bytes(data[16:18], "big")  # the database header's page size
    tree_pages = [n for n in range(1, len(data) // size) if data[n * size] in (0x0A, 0x0D)]
    page = tree_pages[len(tree_pages) // 2]
    data[page * size : (page + 1) * size] = os.urandom(size)
    state.write_bytes(data)


def test_a_state_damaged_in_the_middle_stops_the_run_before_it_crawls(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=200)
    state = tmp_path / "state.sqlite"
    first = run_crawl(server.proxy_url, tmp_path / "one", settings={"NEWSCRAWL_STATE": str(state)})
    assert first.returncode == 0, first.log[-3000:]
    damage_a_table_page(state)
    before = len(server.requests)
    run = run_crawl(server.proxy_url, tmp_path / "two", settings={"NEWSCRAWL_STATE": str(state)})
    assert run.returncode == EXIT_MACHINERY, run.log[-3000:]
    assert f"state {state}: damaged" in last_line(run)
    assert server.requests[before:] == []


def test_a_file_that_is_no_state_is_a_wrong_setting(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    state = tmp_path / "state.sqlite"
    state.write_bytes(os.urandom(8192))
    run = run_crawl(server.proxy_url, tmp_path / "run", settings={"NEWSCRAWL_STATE": str(state)})
    assert run.returncode == 2, run.log[-3000:]
    assert run.log.strip().splitlines() == [
        f"newscrawl: -s NEWSCRAWL_STATE={state}: state {state}: not a newscrawl state "
        "(file is not a database)"
    ]
    assert server.requests == []


def test_a_full_disk_stops_the_run_and_a_rerun_with_room_loses_nothing(
    replica_of, tmp_path: Path, tmpfs
) -> None:
    server = replica_of(stories=500)
    whole = run_crawl(server.proxy_url, tmp_path / "whole")
    expected = set(as_pairs([s["url"] for s in whole.stories], server))
    disk = tmpfs("disk", "size=200k")  # room for a few dozen stories and their rejects
    state = tmp_path / "state.sqlite"
    settings = {"NEWSCRAWL_STATE": str(state)}
    full = run_crawl(server.proxy_url, disk, settings=settings)
    assert full.returncode == EXIT_MACHINERY, full.log[-3000:]
    line = last_line(full)
    assert "newscrawl: run failed: its own machinery failed: a feed: OSError: [Errno 28]" in line
    assert "No space left on device" in line

    assert full.log.count("No space left on device") < 20  # one clear line, not thousands
    subprocess.run(["mount", "-o", "remount,size=50m", str(disk)], check=True)
    rerun = run_crawl(server.proxy_url, disk, settings=settings)
    assert rerun.returncode == 0, rerun.log[-3000:]
    emitted = as_pairs([s["url"] for s in feed_lines(disk)], server)
    assert len(emitted) == len(set(emitted)), "a story was emitted twice"
    assert set(emitted) == expected


def test_an_output_folder_that_cannot_be_made_stops_the_run_before_any_request(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=60)
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "output").write_text("a file where the output folder should be")
    run = run_crawl(server.proxy_url, tmp_path)
    assert run.returncode == EXIT_MACHINERY, run.log[-3000:]
    assert "the output folder" in last_line(run) and "run failed" in last_line(run)
    assert server.requests == []


def test_dash_o_into_a_read_only_place_stops_the_run_before_any_request(
    replica_of, tmp_path: Path, tmpfs
) -> None:
    server = replica_of(stories=60)
    read_only = tmpfs("ro", "ro,size=1m")
    run = run_crawl(
        server.proxy_url, tmp_path / "run", options=("-O", str(read_only / "stories.jsonl"))
    )
    assert run.returncode == EXIT_MACHINERY, run.log[-3000:]
    assert "Read-only file system" in last_line(run)
    assert server.requests == []


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("NEWSCRAWL_MAX_STORY_PAGES", "0", "-s NEWSCRAWL_MAX_STORY_PAGES=0: must be at least 1"),
        ("NEWSCRAWL_REFRESH_HOURS", "abc", "-s NEWSCRAWL_REFRESH_HOURS=abc: not a number"),
        (
            "NEWSCRAWL_REFRESH_HOUR",
            "2",
            "-s NEWSCRAWL_REFRESH_HOUR=2: no such setting (did you mean NEWSCRAWL_REFRESH_HOURS?)",
        ),
    ],
)
def test_a_wrong_setting_is_one_line_and_exit_2_before_anything(
    replica_of, tmp_path: Path, name: str, value: str, line: str
) -> None:
    server = replica_of(stories=60)
    state = tmp_path / "state.sqlite"
    run = run_crawl(
        server.proxy_url, tmp_path, settings={name: value, "NEWSCRAWL_STATE": str(state)}
    )
    assert run.returncode == 2
    assert run.log.strip().splitlines() == [f"newscrawl: {line}"]
    assert server.requests == [] and not state.exists() and not (tmp_path / "output").exists()
    assert not list(tmp_path.glob("*.lock"))  # no stray lock either


def test_a_state_where_no_state_can_be_is_one_line_and_exit_2(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=20)
    nowhere = "/proc/nope/state.sqlite"
    run = run_crawl(server.proxy_url, tmp_path, settings={"NEWSCRAWL_STATE": nowhere})
    assert run.returncode == 2, run.log[-3000:]
    assert run.log.strip().splitlines() == [
        f"newscrawl: -s NEWSCRAWL_STATE={nowhere}: cannot use this place for a state "
        "(FileNotFoundError: No such file or directory)"
    ]
    assert server.requests == [] and not (tmp_path / "output").exists()


def test_one_state_reached_through_a_symbolic_link_is_one_lock(replica_of, tmp_path: Path) -> None:
    busy, idle = replica_of(stories=60), replica_of(stories=60)
    state = tmp_path / "real" / "state.sqlite"
    state.parent.mkdir()
    link = tmp_path / "link.sqlite"
    link.symlink_to(state)
    slow = {
        **FAST,
        "NEWSCRAWL_STATE": str(state),
        "DOWNLOAD_DELAY": "1",
        "CONCURRENT_REQUESTS": "1",
    }
    command, env = crawl_invocation(busy.proxy_url, tmp_path, (), slow)
    holder = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not busy.requests:
            assert holder.poll() is None
            time.sleep(0.05)
        second = run_crawl(
            idle.proxy_url, tmp_path / "second", settings={"NEWSCRAWL_STATE": str(link)}
        )
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert second.returncode == EXIT_LOCKED, second.log[-3000:]
    assert idle.requests == []


def test_a_503_never_retried_is_not_said_to_be_after_retries(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=FAULT_STORIES, faults=True)
    (url,) = server.portal.variants["fault:server_error"]
    run = run_crawl(
        server.proxy_url,
        tmp_path,
        f"start_urls={url}",
        "max_depth=0",
        settings={"RETRY_TIMES": "0"},
    )
    assert run.outcomes()[url] == "failed:http_500"
    (record,) = [r for r in run.rejects if r["url"] == url]
    assert record["details"] == {"status": 500}
    assert json.dumps(record)  # plain data


def test_a_full_tmpdir_stops_the_run_and_a_rerun_with_room_loses_nothing(
    replica_of, tmp_path: Path, tmpfs
) -> None:
    """The frontier and the dedup index spill to unlinked files in TMPDIR (BENCHMARKS.md,
    *Memory*): a TMPDIR that fills is the run's own machinery failing, said in one line with
    exit 74, and the state keeps what the run had not finished."""
    server = replica_of(stories=400)
    whole = run_crawl(server.proxy_url, tmp_path / "whole")
    expected = set(as_pairs([s["url"] for s in whole.stories], server))
    spill = tmpfs("tmp", "size=64k")  # a few dozen stories' shingle hashes and signatures
    settings = {"NEWSCRAWL_STATE": str(tmp_path / "state.sqlite")}
    work = tmp_path / "run"
    full = run_crawl(server.proxy_url, work, settings=settings, env={"TMPDIR": str(spill)})
    assert full.returncode == EXIT_MACHINERY, full.log[-3000:]
    line = last_line(full)
    assert f"its own machinery failed: the run's temporary files in {spill} (TMPDIR)" in line
    assert "No space left on device" in line
    assert full.log.count("No space left on device") < 20  # one clear line, not thousands
    subprocess.run(["mount", "-o", "remount,size=50m", str(spill)], check=True)
    rerun = run_crawl(server.proxy_url, work, settings=settings, env={"TMPDIR": str(spill)})
    assert rerun.returncode == 0, rerun.log[-3000:]
    emitted = as_pairs([s["url"] for s in feed_lines(work)], server)
    assert len(emitted) == len(set(emitted)), "a story was emitted twice"
    assert set(emitted) == expected


def test_a_tmpdir_full_before_any_story_stops_the_run_and_a_rerun_loses_nothing(
    replica_of, tmp_path: Path, tmpfs
) -> None:
    """A TMPDIR too small for the listings' URLs alone: the frontier's compact URLs (their
    text is on disk) fill it while the first listings are met, before any story is decided,
    and the run stops the same way (the backlog's own failure: tests/test_frontier.py)."""
    server = replica_of(stories=3000)
    spill = tmpfs("tmp", "size=16k")
    settings = {"NEWSCRAWL_STATE": str(tmp_path / "state.sqlite")}
    work, env = tmp_path / "run", {"TMPDIR": str(spill)}
    full = run_crawl(server.proxy_url, work, settings=settings, env=env)
    assert full.returncode == EXIT_MACHINERY, full.log[-3000:]
    assert f"the run's temporary files in {spill} (TMPDIR)" in last_line(full)
    assert "Traceback" not in full.log
    subprocess.run(["mount", "-o", "remount,size=200m", str(spill)], check=True)
    rerun = run_crawl(server.proxy_url, work, settings=settings, env=env)
    assert rerun.returncode == 0, rerun.log[-3000:]
    whole = run_crawl(server.proxy_url, tmp_path / "whole")
    emitted = as_pairs([s["url"] for s in feed_lines(work)], server)
    assert len(emitted) == len(set(emitted)), "a story was emitted twice"
    assert set(emitted) == set(as_pairs([s["url"] for s in whole.stories], server))
