"""The run manifest: whole, atomic, and saying what the run did."""

from __future__ import annotations

import json
from pathlib import Path

from newscrawl.state.manifest import (
    MANIFEST_FIELDS,
    manifest_path_for,
    summary_from_stats,
    write_manifest,
)


def test_the_manifest_sits_beside_the_feed() -> None:
    feed = Path("output/related/2026-11-28T20-00-00.jsonl")
    assert manifest_path_for(feed) == Path("output/related/2026-11-28T20-00-00.manifest.json")


def test_write_manifest_writes_every_field_and_replaces_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "run.manifest.json"
    path.write_text("old, not even JSON")
    summary = {
        "started_at": "2026-11-28T20:00:00+00:00",
        "finished_at": "2026-11-28T20:05:00+00:00",
        "stories_new": 3,
        "stories_revised": 1,
        "rejected": {"duplicate": 2},
        "failed": {"http_404": 1},
        "requests": 40,
        "exit_status": 0,
        "healthy": True,
        "reasons": [],
        "feeds": ["output/related/T.jsonl"],
        "state": "state.sqlite",
    }
    write_manifest(path, summary)
    written = json.loads(path.read_text())
    assert written == summary
    assert list(written)[: len(MANIFEST_FIELDS)] == list(MANIFEST_FIELDS)
    assert [p.name for p in tmp_path.iterdir()] == ["run.manifest.json"]  # no temp file left


def test_summary_from_stats_groups_reasons() -> None:
    stats = {
        "newscrawl/stories": 5,
        "newscrawl/stories/revised": 1,
        "newscrawl/rejected": 3,
        "newscrawl/rejected/duplicate": 2,
        "newscrawl/rejected/no_body": 1,
        "newscrawl/failed/http_404": 1,
        "downloader/request_count": 17,
    }
    assert summary_from_stats(stats) == {
        "stories_new": 4,
        "stories_revised": 1,
        "rejected": {"duplicate": 2, "no_body": 1},
        "failed": {"http_404": 1},
        "requests": 17,
    }
