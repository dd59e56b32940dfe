"""The metrics file: Prometheus's text format, and a last success that outlives failed runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy.settings import Settings

from newscrawl.config import NewscrawlConfig
from newscrawl.metrics import LAST_STORY, LAST_SUCCESS, epoch, metrics_text, previous_timestamps
from newscrawl.setting import SettingError

STATE = "/srv/newscrawl/state/related.sqlite"


def summary(**changes: Any) -> dict[str, Any]:
    return {
        "started_at": "2026-12-01T08:00:00Z",
        "finished_at": "2026-12-01T08:02:30Z",
        "stories_new": 40,
        "stories_revised": 2,
        "rejected": {"known": 300, "duplicate": 3},
        "failed": {"http_404": 1},
        "requests": 120,
        "coverage": {"stories": 42, "title": 42, "date_with_time": 21, "related": 40},
        "ending": "finished",
        "exit_status": 0,
        "healthy": True,
        "state": STATE,
        **changes,
    }


def samples(text: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (
            s.name,
            tuple(sorted((k, v) for k, v in s.labels.items() if k not in ("spider", "state"))),
        ): s.value
        for family in text_string_to_metric_families(text.decode())
        for s in family.samples
    }


def test_the_file_parses_and_says_the_run() -> None:
    text = metrics_text(summary(), "related")
    got = samples(text)
    assert got[("newscrawl_run_stories", (("kind", "new"),))] == 40
    assert got[("newscrawl_run_stories", (("kind", "revised"),))] == 2
    assert got[("newscrawl_run_stories_found", ())] == 42 + 300
    assert got[("newscrawl_run_rejected", (("reason", "known"),))] == 300
    assert got[("newscrawl_run_failed", (("reason", "http_404"),))] == 1
    assert got[("newscrawl_run_requests", ())] == 120
    assert got[("newscrawl_run_duration_seconds", ())] == 150
    assert got[("newscrawl_run_exit_status", ())] == 0
    assert got[("newscrawl_run_healthy", ())] == 1
    assert got[("newscrawl_run_ending", (("ending", "finished"),))] == 1
    assert got[("newscrawl_run_coverage_ratio", (("field", "date_with_time"),))] == 0.5
    finished = epoch("2026-12-01T08:02:30Z")
    assert got[("newscrawl_last_run_timestamp", ())] == finished
    assert got[(LAST_SUCCESS, ())] == finished
    assert got[(LAST_STORY, ())] == finished
    labels = {
        s.labels["state"] for f in text_string_to_metric_families(text.decode()) for s in f.samples
    }
    assert labels == {STATE}


def test_a_failed_run_keeps_the_last_success_of_its_history() -> None:
    good = summary(finished_at="2026-11-30T08:02:00Z")
    empty = summary(finished_at="2026-11-30T09:02:00Z", stories_new=0, stories_revised=0)
    failed = summary(healthy=False, exit_status=3, stories_new=0, stories_revised=0)
    got = samples(metrics_text(failed, "related", past=[good, empty]))
    assert got[("newscrawl_run_exit_status", ())] == 3
    assert got[(LAST_SUCCESS, ())] == epoch("2026-11-30T09:02:00Z")  # empty but healthy
    assert got[(LAST_STORY, ())] == epoch("2026-11-30T08:02:00Z")
    assert got[("newscrawl_last_run_timestamp", ())] == epoch("2026-12-01T08:02:30Z")


@pytest.mark.parametrize(
    "changes",
    [
        {"healthy": False, "exit_status": 3},
        {"healthy": True, "exit_status": 130, "ending": "interrupted"},
        {"healthy": True, "exit_status": 0, "ending": "paused"},
        {"healthy": False, "exit_status": 74, "ending": "failed"},
    ],
)
def test_no_unsuccessful_run_moves_the_last_success(changes: dict[str, Any]) -> None:
    previous = {LAST_SUCCESS: 1_700_000_000.0}
    got = samples(metrics_text(summary(**changes), "related", previous=previous))
    assert got[(LAST_SUCCESS, ())] == 1_700_000_000.0
    # with neither a history nor an earlier file: 0, "never", which an alert sees as old
    assert samples(metrics_text(summary(**changes), "related"))[(LAST_SUCCESS, ())] == 0


def test_the_previous_file_is_read_back_for_its_own_crawl_only(tmp_path: Path) -> None:
    path = tmp_path / "newscrawl.prom"
    path.write_bytes(metrics_text(summary(), "related"))
    assert previous_timestamps(path, "related", STATE) == {
        LAST_SUCCESS: epoch("2026-12-01T08:02:30Z"),
        LAST_STORY: epoch("2026-12-01T08:02:30Z"),
    }
    assert previous_timestamps(path, "related", "/other/state.sqlite") == {}
    path.write_text("garbage {{{\n")
    assert previous_timestamps(path, "related", STATE) == {}
    assert previous_timestamps(tmp_path / "missing.prom", "related", STATE) == {}


def test_a_metrics_file_the_collector_would_not_read_is_refused() -> None:
    with pytest.raises(SettingError, match=r"must end in \.prom"):
        NewscrawlConfig.from_settings(Settings({"NEWSCRAWL_METRICS_FILE": "/tmp/newscrawl.txt"}))
    config = NewscrawlConfig.from_settings(Settings({"NEWSCRAWL_METRICS_FILE": "/tmp/n.prom"}))
    assert config.watch.metrics_file == Path("/tmp/n.prom")
