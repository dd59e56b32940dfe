"""The run manifest: whole, atomic, and saying what the run did."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from newscrawl.state.manifest import MANIFEST_FIELDS, summary_from_stats, write_manifest


def test_the_manifest_is_readable_like_the_feeds(tmp_path: Path) -> None:
    """A feed is made 0666 less the umask (0644 usually); so is the manifest, though it is
    written through a temporary file (which mkstemp makes 0600)."""
    old = os.umask(0o022)
    try:
        manifest = write_manifest(tmp_path / "manifest.json", {"run": "r"})
        feed = tmp_path / "stories.jsonl"
        feed.open("w").close()
        os.umask(0o002)
        shared = write_manifest(tmp_path / "shared.json", {"run": "r"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(manifest.stat().st_mode) == stat.S_IMODE(feed.stat().st_mode) == 0o644
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664


def test_write_manifest_writes_every_field_and_replaces_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text("old, not even JSON")
    summary = {
        "run": "2026-11-28T20-00-00Z-3fa9c1",
        "started_at": "2026-11-28T20:00:00Z",
        "finished_at": "2026-11-28T20:05:00Z",
        "stories_new": 3,
        "stories_revised": 1,
        "rejected": {"duplicate": 2},
        "failed": {"http_404": 1},
        "requests": 40,
        "ending": "finished",
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
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no temp file left


def test_summary_from_stats_groups_reasons() -> None:
    stats = {
        "newscrawl/stories": 5,
        "newscrawl/stories/revised": 1,
        "newscrawl/rejected": 3,
        "newscrawl/rejected/duplicate": 2,
        "newscrawl/rejected/no_body": 1,
        "newscrawl/failed/http_404": 1,
        "downloader/request_count": 17,
        "newscrawl/coverage/stories": 5,
        "newscrawl/coverage/related": 4,
        "newscrawl/hops/0": 3,
        "newscrawl/hops/1": 2,
    }
    assert summary_from_stats(stats) == {
        "stories_new": 4,
        "stories_revised": 1,
        "rejected": {"duplicate": 2, "no_body": 1},
        "failed": {"http_404": 1},
        "requests": 17,
        "coverage": {
            "stories": 5,
            "title": 0,
            "published_at": 0,
            "date_with_time": 0,
            "modified_at": 0,
            "section": 0,
            "source": 0,
            "authors": 0,
            "editors": 0,
            "related": 4,
            "images": 0,
        },
        "stories_by_hop": {"0": 3, "1": 2},
    }
