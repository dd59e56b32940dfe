"""The shared-state benchmark runs (tiny sizes), so it cannot rot."""

from __future__ import annotations

import pytest

from tests.benchmark import run_benchmark, table_rows

pytestmark = pytest.mark.e2e


def test_the_benchmark_prints_both_crawls_and_what_the_key_keeps() -> None:
    rows = table_rows(run_benchmark("shared_state.py", "--stories", "60", "--workers", "1"))
    cells = {row[0]: row[1:] for row in rows}
    first, second = cells["first"], cells["second"]
    assert first[0] == second[0] == "0"  # both crawls exited 0
    assert int(first[1]) > 20 and int(second[1]) == 0  # the second emits nothing new
    assert int(second[2]) < int(first[2])  # and requests fewer story pages
    assert int(first[6]) == int(first[1])  # the state holds every story emitted
    kept = int(cells["all four"][0].replace(",", ""))
    assert kept > 512 * int(first[1])  # a MinHash signature alone is 512 bytes a story
