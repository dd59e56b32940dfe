"""Running a benchmark script as its smoke tests do: tiny sizes, its printed tables read back."""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import ROOT


def run_benchmark(script: str, *args: str) -> str:
    """``benchmarks/<script>`` with ``args``: what it printed (it must exit 0)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def table_rows(printed: str) -> list[list[str]]:
    """The cells of every markdown table row printed, stripped."""
    return [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in printed.splitlines()
        if line.startswith("| ")
    ]
