"""The progress line in a real crawl: in place of Scrapy's, and quiet under -L WARNING."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.crawl import run_crawl

pytestmark = pytest.mark.e2e

# Slow enough for a few lines: one request at a time, 20 ms apart.
SLOW = {
    "NEWSCRAWL_PROGRESS_INTERVAL": "0.3",
    "DOWNLOAD_DELAY": "0.02",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
}
LINE = re.compile(
    r"newscrawl progress: (\d+) stories, (\d+) rejected, (\d+) failed; \d+ pages/min; "
    r"frontier (\d+) to fetch(?: \([^)]*\))?, \d+ in flight, \d+ queued; .*\d+(?:m\d+)?s elapsed; "
    r"(?:about \S+ left|time left not known (?:yet|while [a-z ]+))$"
)


def test_progress_lines_replace_scrapys_and_count_up(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    run = run_crawl(server.proxy_url, tmp_path, settings=SLOW)
    assert run.returncode == 0, run.log[-3000:]
    lines = [line for line in run.log.splitlines() if "newscrawl progress:" in line]
    assert len(lines) >= 2, run.log[-3000:]
    counts = []
    for line in lines:
        match = LINE.search(line)
        assert match, line
        assert "[newscrawl.extensions.progress] INFO:" in line
        counts.append(tuple(int(n) for n in match.groups()[:3]))
    assert counts == sorted(counts)  # what has ended only grows
    assert "Crawled " not in run.log  # Scrapy's LogStats line is gone, not doubled
    assert sum(counts[-1]) <= len(run.stories) + len(run.rejects)


def test_warning_level_keeps_it_quiet(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    run = run_crawl(server.proxy_url, tmp_path, settings=SLOW, options=("-L", "WARNING"))
    assert run.returncode == 0, run.log[-3000:]
    assert "newscrawl progress:" not in run.log
    assert "newscrawl summary:" in run.log


def test_an_interval_of_zero_turns_it_off(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=20)
    run = run_crawl(
        server.proxy_url, tmp_path, settings={**SLOW, "NEWSCRAWL_PROGRESS_INTERVAL": "0"}
    )
    assert run.returncode == 0, run.log[-3000:]
    assert "newscrawl progress:" not in run.log
