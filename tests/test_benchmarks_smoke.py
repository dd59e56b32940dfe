"""The benchmarks of this issue run (tiny sizes), so they cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmark import run_benchmark as run
from tests.crawl import ROOT


def test_the_corpus_benchmark_scores_both_extractors() -> None:
    out = run("corpus.py", "--pages", "2", "--repeat", "1")
    assert "all    newscrawl" in out and "all    trafilatura" in out
    assert "median time per page, trafilatura" in out


def test_the_holdout_benchmark_scores_both_extractors_on_the_fields_each_source_gives() -> None:
    out = run("holdout.py", "--pages", "3", "--repeat", "1")
    assert "| field | newscrawl | trafilatura | pages scored |" in out
    assert "| title |" in out and "| body |" in out
    assert "median time per page, trafilatura" in out


def test_the_dates_benchmark_prints_its_table() -> None:
    out = run("dates.py", "--repeat", "20")
    assert "| `le 27 décembre 2021 à 9 h 08` | 2021-12-27T09:08:00+01:00 |" in out


def test_the_observability_benchmark_times_the_report_and_a_snapshot() -> None:
    out = run("observability.py", "--stories", "40", "--runs", "2", "--frontier", "500")
    assert "report html      40 stories, 2 runs" in out
    assert "report md" in out
    assert "progress snapshot over       500 frontier entries" in out


def test_the_cleaning_benchmark_finds_its_fast_path_exact() -> None:
    out = run("cleaning.py", "--stories", "20", "--repeat", "1")
    assert "different outcome, fast path against ftfy on every text: 0" in out
    assert "| cleaning, pipeline |" in out


def test_the_extraction_benchmark_times_profile_trafilatura_lxml_and_another_checkout() -> None:
    # --before: this checkout again, read by a process of its own (as a worktree of main is).
    out = run("extraction.py", "--stories", "20", "--repeat", "1", "--before", str(ROOT))
    assert "| lxml parse |" in out and "| crawl's parse |" in out and "| trafilatura |" in out
    assert "profile is" in out and "faster than trafilatura" in out and "faster than before" in out
    assert "| profile | 19/19 | 19/19 | 19/19 | 19/19 |" in out
    assert "| profile before | 19/19 | 19/19 | 19/19 | 19/19 |" in out


def test_the_extraction_stages_benchmark_times_each_part_warm_and_cold() -> None:
    out = run("extraction_stages.py", "--stories", "20", "--repeat", "1")
    assert "| part | warm µs | cold µs | cold/warm |" in out
    rows = {line.split(" | ")[0].strip("| "): line for line in out.splitlines() if line[:2] == "| "}
    for part in ("parse", "bounds", "landmarks", "title", "dates", "related", "body", "section"):
        assert part in rows, part
    for part in ("meta", "the rest", "total"):
        assert part in rows, part
    total = float(rows["total"].split(" | ")[1])
    assert total > 0 and float(rows["parse"].split(" | ")[1]) < total


def test_the_instruction_count_benchmark_counts_the_parse_and_the_extraction() -> None:
    out = run("extraction_instructions.py", "--pages", "2", "--rounds", "1")
    row = next(line for line in out.splitlines() if line.startswith("| this checkout |"))
    cells = [cell.strip(" |").replace(",", "") for cell in row.split(" | ")[1:4]]
    parse, whole, alone = (int(cell) for cell in cells)
    assert 0 < parse < whole and abs(alone - (whole - parse)) <= 1  # each rounded apart


def test_the_extraction_benchmark_refuses_a_before_without_the_package(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "extraction.py"), "--before", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0 and "no newscrawl package there" in result.stderr


def test_the_nested_pages_benchmark_rejects_the_deep_page_and_reads_the_others() -> None:
    out = run("nested_pages.py", "--size", "20000", "--repeat", "1")
    assert "| nested 2,000 deep | portal |" in out and "rejected too_complex" in out
    assert "| nested 120 deep | generic |" in out


@pytest.mark.e2e
def test_the_memory_benchmark_prints_each_structure_and_the_crawls() -> None:
    out = run("memory.py", "--crawls", "20", "40", "--structures", "200")
    assert "| dedup index, in memory" in out and "| frontier" in out
    assert "peak RSS, largest against smallest crawl" in out


@pytest.mark.e2e
def test_the_crawl_speed_benchmark_compares_with_scrapy_bench() -> None:
    out = run(
        "crawl_speed.py", "--stories", "40", "--rounds", "1", "--bench-seconds", "2",
        "--workers", "0,1",
    )  # fmt: skip
    assert "| scrapy bench |" in out and "| crawl |" in out and "| crawl, 1 workers |" in out
    row = next(line for line in out.splitlines() if line.startswith("| crawl, 1 workers |"))
    engine_ms, workers_ms = (float(cell) for cell in row.strip(" |").split(" | ")[-2:])
    assert engine_ms > 0 and workers_ms > 0  # each process's CPU a response, printed
