"""``scrapy demo``, run from any folder: it writes there, and says where everything went."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


def test_the_demo_writes_under_the_folder_it_runs_in_and_prints_every_path(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"  # no scrapy.cfg here: not the project's folder
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "demo", "--stories", "20"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (folder,) = (elsewhere / "output" / "demo").iterdir()
    assert f"written to {folder}/" in result.stdout
    printed = re.findall(
        r"^  (?:stories|rejects|manifest|metrics): +(\S+)$", result.stdout, re.MULTILINE
    )
    assert sorted(printed) == sorted(str(p) for p in folder.iterdir())
    assert sorted(Path(p).name for p in printed) == [
        "manifest.json",
        "metrics.prom",
        "rejects.jsonl",
        "stories.csv",
        "stories.jsonl",
    ]
    assert "newscrawl summary:" in result.stdout
    assert not (ROOT / "output" / "demo" / folder.name).exists()
