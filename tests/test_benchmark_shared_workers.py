"""The shared-workers benchmark runs (tiny sizes), so it cannot rot."""

from __future__ import annotations

import pytest

from tests.benchmark import run_benchmark, table_rows

pytestmark = pytest.mark.e2e


def test_the_benchmark_prints_one_row_per_run_with_the_same_stories() -> None:
    rows = table_rows(run_benchmark("shared_workers.py", "--stories", "60", "--workers", "1", "2"))
    runs = {cells[0]: cells for cells in rows if cells[0] not in ("run", "---")}
    assert list(runs) == ["one process, no Redis", "1 worker(s)", "2 worker(s)"]
    assert [cells[1] for cells in runs.values()] == ["0", "0", "0,0"]
    stories = {int(cells[2]) for cells in runs.values()}
    assert len(stories) == 1 and stories.pop() > 20  # every run gives the same stories
    assert float(runs["2 worker(s)"][7]) > 0  # Redis did work, and it was measured
