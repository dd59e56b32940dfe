"""Where a run's files go: one folder per run, made exclusively, named by its start time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newscrawl.runs import (
    MANIFEST,
    REJECTS,
    STORIES_CSV,
    STORIES_JSONL,
    RunFolder,
    output_root,
    run_name,
    started_at_text,
)

START = datetime(2026, 12, 1, 8, 39, 33, 654321, tzinfo=UTC)


def test_a_run_folder_is_named_by_its_start_time_as_the_manifest_says_it() -> None:
    run = RunFolder.create(Path("/tmp") / "unused", START, unique=lambda: "3fa9c1")
    try:
        assert run.name == "2026-12-01T08-39-33Z-3fa9c1"
        assert "+00" not in run.name and ":" not in run.name
        # The name is started_at with ':' written '-': one reads the other.
        assert run.name.startswith(started_at_text(run.started_at).replace(":", "-"))
        assert started_at_text(run.started_at) == "2026-12-01T08:39:33Z"
    finally:
        run.path.rmdir()


def test_a_start_time_in_another_zone_is_said_in_utc() -> None:
    paris = START.astimezone(timezone(timedelta(hours=1)))
    assert run_name(paris, "ab") == "2026-12-01T08-39-33Z-ab"
    assert started_at_text(paris) == "2026-12-01T08:39:33Z"


def test_two_runs_started_in_the_same_second_never_share_a_folder(tmp_path: Path) -> None:
    drawn = iter(["aaaaaa", "aaaaaa", "bbbbbb"])  # the second run draws the first's name first
    first = RunFolder.create(tmp_path, START, unique=lambda: next(drawn))
    second = RunFolder.create(tmp_path, START, unique=lambda: next(drawn))
    assert first.path != second.path
    assert (first.name, second.name) == (
        "2026-12-01T08-39-33Z-aaaaaa",
        "2026-12-01T08-39-33Z-bbbbbb",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name]


def test_every_file_of_a_run_is_in_its_folder(tmp_path: Path) -> None:
    run = RunFolder.create(tmp_path, START)
    assert [p.parent for p in (run.stories_jsonl, run.stories_csv, run.rejects, run.manifest)] == [
        run.path
    ] * 4
    assert [run.stories_jsonl.name, run.stories_csv.name, run.rejects.name, run.manifest.name] == [
        STORIES_JSONL,
        STORIES_CSV,
        REJECTS,
        MANIFEST,
    ]
    assert run.metrics.parent == run.path  # reserved for the run's metrics
    # The README's glob reads every story of every run, and never a rejects file.
    run.stories_jsonl.touch()
    run.rejects.touch()
    assert list(tmp_path.glob("*/stories.jsonl")) == [run.stories_jsonl]


def test_names_sort_by_start_time(tmp_path: Path) -> None:
    later = [RunFolder.create(tmp_path, START + timedelta(seconds=s)) for s in (61, 1, 3600)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        later[1].name,
        later[0].name,
        later[2].name,
    ]


def test_a_worker_id_has_its_place_in_the_name() -> None:
    assert run_name(START, "3fa9c1", worker="w02") == "2026-12-01T08-39-33Z-w02-3fa9c1"
    with pytest.raises(ValueError, match="file-name-safe"):
        run_name(START, "3fa9c1", worker="../etc")


def test_the_output_dir_names_the_spider() -> None:
    assert output_root("output/%(name)s", "related") == Path("output/related")
    assert output_root("/srv/out", "related") == Path("/srv/out")
