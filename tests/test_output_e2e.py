"""What a run writes, and where: one folder per run, CSVs that always read as tables.

Each test crawls a small replica through a real ``scrapy crawl`` process.
"""

from __future__ import annotations

import glob
import json
import stat
import subprocess
from pathlib import Path

import pandas
import pytest

from newscrawl.exporters import CSV_COLUMNS
from newscrawl.replica import ReplicaServer
from tests.crawl import crawl_invocation, plain_story_urls, read_jsonl, run_crawl

pytestmark = pytest.mark.e2e

PORTAL = "http://french.peopledaily.com.cn"
# README, "Output": every story of every run, and nothing else.
ALL_STORIES = "output/related/*/stories.jsonl"
ALL_CSV = "output/related/*/stories.csv"


def seeds(server: ReplicaServer, first: int, count: int = 2) -> str:
    return "start_urls=" + ",".join(plain_story_urls(server.portal)[first : first + count])


def csv_header_rows(path: Path) -> int:
    return sum(line.startswith("url,title,") for line in path.read_text().splitlines())


def test_each_run_writes_a_folder_of_its_own_named_as_its_manifest_says(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=30)
    run = run_crawl(server.proxy_url, tmp_path, seeds(server, 0), "max_depth=1")
    assert run.returncode == 0, run.log[-3000:]
    folder = run.folder
    assert folder.parent == tmp_path / "output" / "related"
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "metrics.prom",
        "rejects.jsonl",
        "stories.csv",
        "stories.jsonl",
    ]
    manifest = run.manifest
    assert folder.name == manifest["run"]
    assert folder.name.startswith(manifest["started_at"].replace(":", "-"))  # ...Z-<random>
    assert manifest["started_at"].endswith("Z") and "+00" not in folder.name
    assert manifest["ending"] == "finished"
    assert manifest["feeds"] == [str(folder / "stories.jsonl"), str(folder / "stories.csv")]
    assert manifest["rejects"] == str(folder / "rejects.jsonl")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert set(modes.values()) == {0o644}, modes  # the manifest is readable like the feeds


def test_two_runs_started_at_once_never_share_their_files(
    replica_of, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two cron lines on the same minute: two folders, each run's files whole and its own."""
    server = replica_of(stories=30)
    processes = []
    for first in (0, 2):
        command, env = crawl_invocation(
            server.proxy_url, tmp_path, (seeds(server, first), "max_depth=0"), {}
        )
        processes.append(
            subprocess.Popen(
                command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
        )
    for process in processes:
        _, log = process.communicate(timeout=120)
        assert process.returncode == 0, log[-3000:]
    folders = sorted((tmp_path / "output" / "related").iterdir())
    assert len(folders) == 2
    urls = []
    for folder in folders:
        stories = read_jsonl(folder / "stories.jsonl")
        assert len(stories) == 2  # its own two seeds, not the other run's
        assert csv_header_rows(folder / "stories.csv") == 1
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["run"] == folder.name and manifest["stories_new"] == 2
        urls += [s["url"] for s in stories]
    assert len(set(urls)) == 4
    # The README's glob reads all of them, and no rejects file.
    monkeypatch.chdir(tmp_path)
    assert len(glob.glob(ALL_STORIES)) == 2
    assert not [p for p in glob.glob(ALL_STORIES) if "rejects" in p]


def test_a_run_with_no_story_writes_a_csv_with_its_header(
    replica_of, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quiet hour: no new story, and still a CSV that reads as an empty table."""
    server = replica_of(stories=30)
    run = run_crawl(
        server.proxy_url,
        tmp_path,
        f"start_urls={PORTAL}/International/",
        "since=2099-01-01",
        "max_depth=0",
    )
    assert run.returncode == 0, run.log[-3000:]
    assert run.stories == [] and run.rejects  # every listed story was before since
    frame = pandas.read_csv(run.folder / "stories.csv")
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == 0
    # A loop over every run's CSV, as README shows it, reads this one too.
    monkeypatch.chdir(tmp_path)
    assert len(pandas.concat(pandas.read_csv(p) for p in glob.glob(ALL_CSV))) == 0


def test_dash_o_appends_under_one_header_and_keeps_each_runs_rejects_and_manifest(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=30)
    options = ("-o", "stories.csv", "-o", "stories.jsonl")
    first = run_crawl(server.proxy_url, tmp_path, seeds(server, 0), "max_depth=0", options=options)
    second = run_crawl(server.proxy_url, tmp_path, seeds(server, 2), "max_depth=0", options=options)
    assert first.returncode == second.returncode == 0, second.log[-3000:]
    assert csv_header_rows(tmp_path / "stories.csv") == 1  # -o appends rows, not a header
    frame = pandas.read_csv(tmp_path / "stories.csv")
    assert len(frame) == 4 == len(read_jsonl(tmp_path / "stories.jsonl"))
    assert list(frame.columns) == list(CSV_COLUMNS)
    # Each run's rejects and manifest are in its own folder: neither overwrote the other's.
    assert first.folder != second.folder
    assert [m["feeds"] for m in (first.manifest, second.manifest)] == [
        [str(tmp_path / "stories.csv"), str(tmp_path / "stories.jsonl")]
    ] * 2
    assert not list(first.folder.glob("stories.*"))  # -o replaced the default feeds
    # -O replaces the file: one header, this run's rows only.
    third = run_crawl(
        server.proxy_url, tmp_path, seeds(server, 4), "max_depth=0", options=("-O", "stories.csv")
    )
    assert third.returncode == 0, third.log[-3000:]
    assert csv_header_rows(tmp_path / "stories.csv") == 1
    assert len(pandas.read_csv(tmp_path / "stories.csv")) == 2
