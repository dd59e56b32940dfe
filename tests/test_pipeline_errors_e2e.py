"""A pipeline that raises what no pipeline means to (a bug) loses no story URL: each such story
ends once, as a failure ``pipeline_error`` with the error, the crawl still ends, and it ends
unhealthy: a bug is no healthy run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscrawl import settings as project
from newscrawl.health import EXIT_UNHEALTHY
from tests.crawl import run_crawl

pytestmark = pytest.mark.e2e

WITH_A_BUG = json.dumps({**project.ITEM_PIPELINES, "tests.faulty_pipeline.FaultyPipeline": 350})


def test_a_story_a_pipeline_raised_on_ends_as_pipeline_error(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=30)
    run = run_crawl(server.proxy_url, tmp_path, settings={"ITEM_PIPELINES": WITH_A_BUG})
    errors = [r for r in run.rejects if r["reason"] == "pipeline_error"]
    assert errors, run.log[-3000:]
    assert all(r["outcome"] == "failed" for r in errors)
    assert all(r["details"]["error"].startswith("KeyError: ") for r in errors)
    assert all(r["url"] in r["details"]["error"] for r in errors)  # the story it raised on
    ended = [s["url"] for s in run.stories] + [r["url"] for r in run.rejects]
    assert len(ended) == len(set(ended))  # each URL once
    assert not [r for r in run.rejects if r["reason"] == "not_fetched"]
    assert run.returncode == EXIT_UNHEALTHY
    last = run.log.rstrip().splitlines()[-1]
    assert f"newscrawl: run unhealthy: {len(errors)} stories failed in an item pipeline" in last


def test_a_copy_of_a_story_a_pipeline_failed_is_emitted_not_rejected(
    replica_of, tmp_path: Path
) -> None:
    """The dedup index forgets a story a later pipeline failed: its copies are no copies of a
    story anybody has (before, they were rejected as such and lost)."""
    server = replica_of(stories=60)
    first = run_crawl(server.proxy_url, tmp_path / "first")
    copies = {
        r["url"]: r["details"]["duplicate_of"]
        for r in first.rejects
        if r["reason"] in ("duplicate", "near_duplicate")
    }
    originals = set(copies.values())
    assert copies and originals, first.rejects
    failing = json.dumps({**project.ITEM_PIPELINES, "tests.faulty_pipeline.FailingPipeline": 350})
    run = run_crawl(
        server.proxy_url,
        tmp_path / "second",
        settings={"ITEM_PIPELINES": failing, "TEST_FAIL_URLS": json.dumps(sorted(originals))},
    )
    stories = {s["url"] for s in run.stories}
    failed = {r["url"] for r in run.rejects if r["reason"] == "pipeline_error"}
    assert failed and failed <= originals
    copies_rejected = [r for r in run.rejects if r["reason"] in ("duplicate", "near_duplicate")]
    # every copy rejected names a story that was emitted; none names a failed one
    assert all(r["details"]["duplicate_of"] in stories for r in copies_rejected), copies_rejected
    # a copy of each failed original is emitted in its place
    for original in failed:
        assert any(copies[c] == original and c in stories for c in copies), original
    ended = [s["url"] for s in run.stories] + [r["url"] for r in run.rejects]
    assert len(ended) == len(set(ended))
