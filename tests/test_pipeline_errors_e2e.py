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
