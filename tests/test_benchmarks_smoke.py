"""The benchmarks of this issue run (tiny sizes), so they cannot rot."""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import ROOT


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_corpus_benchmark_scores_both_extractors() -> None:
    out = run("corpus.py", "--pages", "2", "--repeat", "1")
    assert "all    newscrawl" in out and "all    trafilatura" in out
    assert "median time per page, trafilatura" in out


def test_the_dates_benchmark_prints_its_table() -> None:
    out = run("dates.py", "--repeat", "20")
    assert "| `le 27 décembre 2021 à 9 h 08` | 2021-12-27T09:08:00+01:00 |" in out


def test_the_observability_benchmark_times_the_report_and_a_snapshot() -> None:
    out = run("observability.py", "--stories", "40", "--runs", "2", "--frontier", "500")
    assert "report html      40 stories, 2 runs" in out
    assert "report md" in out
    assert "progress snapshot over       500 frontier entries" in out
