"""NEWSCRAWL_WORKERS: extraction, cleaning and sketches in worker processes emit what a crawl of
one process emits."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.crawl import ROOT, run_crawl

pytestmark = pytest.mark.e2e


def _without_time(story: dict) -> dict:
    return {k: v for k, v in story.items() if k != "crawled_at"}


def test_a_crawl_with_workers_ends_every_url_as_one_process_does(replica_of, tmp_path: Path):
    server = replica_of(stories=120)
    arguments = ("max_depth=50", "max_listing_pages=100")
    alone = run_crawl(server.proxy_url, tmp_path / "alone", *arguments)
    server.portal.reset()  # the story that fails once fails once again
    shared = run_crawl(
        server.proxy_url, tmp_path / "workers", *arguments, settings={"NEWSCRAWL_WORKERS": "2"}
    )
    assert alone.returncode == shared.returncode == 0, shared.log[-2000:]
    # Every URL ends the same way, but for which copy of a duplicate pair comes first (pages
    # arrive in another order when other processes read them).
    assert Counter(alone.outcomes().values()) == Counter(shared.outcomes().values())
    assert set(alone.outcomes()) == set(shared.outcomes())
    copies = {url for pair in server.portal.duplicates for url in pair[:2]}
    assert {u: o for u, o in alone.outcomes().items() if u not in copies} == {
        u: o for u, o in shared.outcomes().items() if u not in copies
    }
    both = set(alone.by_url()) & set(shared.by_url())
    # every story but a copy of a duplicate pair is emitted by both, and they are most
    assert set(alone.by_url()) - copies == set(shared.by_url()) - copies <= both
    assert len(both) >= len(alone.by_url()) - len(copies) > 80
    for url in both:
        assert _without_time(alone.by_url()[url]) == _without_time(shared.by_url()[url])


def test_a_wrong_number_of_workers_stops_the_run_with_one_line(replica_of, tmp_path: Path):
    server = replica_of(stories=10)
    run = run_crawl(server.proxy_url, tmp_path, settings={"NEWSCRAWL_WORKERS": "-1"})
    assert run.returncode == 2
    assert "NEWSCRAWL_WORKERS" in run.log.strip().splitlines()[-1]


def test_a_crawl_whose_workers_cannot_start_goes_on_in_one_process(replica_of, tmp_path: Path):
    """No worker process to be had (here every start raises, as at a process limit): one
    error line, and the crawl ends every URL as a crawl of one process does."""
    server = replica_of(stories=60)
    arguments = ("max_depth=50", "max_listing_pages=100")
    alone = run_crawl(server.proxy_url, tmp_path / "alone", *arguments)
    server.portal.reset()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import multiprocessing.context\n"
        "def _refuse(self):\n"
        "    raise OSError(11, 'Resource temporarily unavailable')\n"
        "multiprocessing.context.ForkServerProcess.start = _refuse\n"
    )
    refused = run_crawl(
        server.proxy_url,
        tmp_path / "refused",
        *arguments,
        settings={"NEWSCRAWL_WORKERS": "1"},
        env={"PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"},
    )
    assert alone.returncode == refused.returncode == 0, refused.log[-2000:]
    assert refused.log.count("a worker process could not start") == 1
    assert Counter(alone.outcomes().values()) == Counter(refused.outcomes().values())
    # the same stories, but for which copy of a duplicate pair comes first (arrival order)
    copies = {url for pair in server.portal.duplicates for url in pair[:2]}
    assert set(alone.by_url()) - copies == set(refused.by_url()) - copies
    assert len(refused.by_url()) > 40
