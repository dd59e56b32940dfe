"""Alarms from history on real runs of one state, and the metrics file a scheduler reads.

Two usual runs make the history (``NEWSCRAWL_HISTORY_MIN_RUNS=2``; the refresh window covers
the whole replica, so every run fetches every story, as a crawl of a busy portal does); then
the portal loses most of its stories, or starts answering 403: each run ends unhealthy (exit 3)
with that reason on its last line, and its metrics keep the last success of the usual runs.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from newscrawl.metrics import epoch
from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import CrawlRun, run_crawl

pytestmark = pytest.mark.e2e

SETTINGS = {"NEWSCRAWL_HISTORY_MIN_RUNS": "2", "NEWSCRAWL_REFRESH_HOURS": "10000000"}
PROM = "textfile/newscrawl_related.prom"


def crawl(workdir: Path, state: Path, **options: Any) -> CrawlRun:
    settings = {
        **SETTINGS,
        "NEWSCRAWL_STATE": str(state),
        "NEWSCRAWL_METRICS_FILE": str(workdir / PROM),
    }
    with ReplicaServer(Portal(ReplicaOptions(stories=60, **options))) as server:
        return run_crawl(server.proxy_url, workdir, settings=settings)


def metrics(path: Path) -> dict[str, float]:
    """name{labels but spider and state} -> value, read with prometheus-client's parser."""
    values = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            labels = ",".join(
                f"{k}={v}" for k, v in sorted(sample.labels.items()) if k not in ("spider", "state")
            )
            values[sample.name + (f"{{{labels}}}" if labels else "")] = sample.value
    return values


@pytest.fixture(scope="module")
def usual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CrawlRun]]:
    workdir = tmp_path_factory.mktemp("usual")
    runs = [crawl(workdir, workdir / "state.sqlite") for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.log[-3000:]
    return workdir, runs


def copy_of(usual: tuple[Path, list[CrawlRun]], tmp_path: Path) -> Path:
    """The usual state, copied whole (its WAL included) for one test to run on."""
    workdir, _ = usual
    state = tmp_path / "state.sqlite"
    with sqlite3.connect(workdir / "state.sqlite") as source, sqlite3.connect(state) as copy:
        source.backup(copy)
    return state


def last_line(run: CrawlRun) -> str:
    return run.log.rstrip().splitlines()[-1]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"withdrawn": 0.8}, "far fewer stories than usual"),
        ({"blocked": 0.4}, "blocked (http_403): "),
    ],
)
def test_a_run_far_from_the_usual_ends_unhealthy_and_the_last_success_stays(
    usual: tuple[Path, list[CrawlRun]], tmp_path: Path, options: dict[str, Any], reason: str
) -> None:
    state = copy_of(usual, tmp_path)
    run = crawl(tmp_path, state, **options)
    assert run.returncode == 3, run.log[-3000:]
    assert "newscrawl: run unhealthy: " in last_line(run), last_line(run)
    assert reason in last_line(run)
    assert len(run.manifest["reasons"]) == 1  # the history says it; nothing else fired
    assert reason in run.manifest["reasons"][0]
    assert run.manifest["healthy"] is False and run.manifest["exit_status"] == 3
    # the scheduler's file: this run failed, the last success is the usual runs' last
    for path in (run.folder / "metrics.prom", tmp_path / PROM):
        got = metrics(path)
        assert got["newscrawl_run_exit_status"] == 3
        assert got["newscrawl_run_healthy"] == 0
        last_usual = usual[1][-1].manifest["finished_at"]
        assert got["newscrawl_last_success_timestamp"] == epoch(last_usual)
        assert got["newscrawl_last_run_timestamp"] == epoch(run.manifest["finished_at"])
        assert got["newscrawl_run_stories_found"] < 60


def test_a_usual_run_stays_healthy_and_moves_the_last_success(
    usual: tuple[Path, list[CrawlRun]], tmp_path: Path
) -> None:
    state = copy_of(usual, tmp_path)
    run = crawl(tmp_path, state)
    assert run.returncode == 0, run.log[-3000:]
    assert last_line(run).endswith("newscrawl: run healthy")
    got = metrics(tmp_path / PROM)
    assert got["newscrawl_last_success_timestamp"] == epoch(run.manifest["finished_at"])
    assert got["newscrawl_run_stories{kind=new}"] == run.manifest["stories_new"] == 0
    assert got["newscrawl_run_rejected{reason=unchanged}"] == run.manifest["rejected"]["unchanged"]
    assert got["newscrawl_run_requests"] == run.manifest["requests"]
    # the state's runs table now holds the three runs, this one last
    with sqlite3.connect(state) as db:
        names = [name for (name,) in db.execute("SELECT run FROM runs ORDER BY started_at")]
    assert names[-1] == run.manifest["run"] and len(names) == 3


def test_without_a_state_the_last_success_comes_from_the_file_it_replaces(
    tmp_path: Path,
) -> None:
    prom = tmp_path / PROM
    settings = {"NEWSCRAWL_METRICS_FILE": str(prom)}
    with ReplicaServer(Portal(ReplicaOptions(stories=20))) as server:
        good = run_crawl(server.proxy_url, tmp_path, settings=settings)
    assert good.returncode == 0, good.log[-3000:]
    with socket.socket() as closed:  # a port nothing listens on: every start page fails
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    bad = run_crawl(dead, tmp_path, settings=settings)
    assert bad.returncode == 3, bad.log[-3000:]
    got = metrics(prom)
    assert got["newscrawl_run_exit_status"] == 3
    assert got["newscrawl_last_success_timestamp"] == epoch(good.manifest["finished_at"])
    assert [p.name for p in prom.parent.iterdir()] == [prom.name]  # no temporary file left
