"""The durable feed writer: what it wrote is whole, even when its writer is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from newscrawl.state.feed import DurableJsonlWriter
from newscrawl.state.store import read_feed

ROOT = Path(__file__).resolve().parent.parent


def story(n: int) -> dict:
    return {"url": f"http://french.peopledaily.com.cn/n{n}.html", "title": f"Édition n°{n}"}


def test_every_write_is_one_whole_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "run.jsonl"
    with DurableJsonlWriter(path) as writer:
        writer.write(story(1))
        writer.write_many([story(2), story(3)])
        # Already on disk before close: another reader sees all three.
        assert [json.loads(line) for line in path.read_text("utf-8").splitlines()] == [
            story(1),
            story(2),
            story(3),
        ]
    assert "Édition" in path.read_text("utf-8")  # UTF-8, not \\u escapes


def test_appending_after_a_cut_line_keeps_the_new_story_whole(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(story(1)) + "\n" + json.dumps(story(2))[:20], encoding="utf-8")
    with DurableJsonlWriter(path) as writer:
        writer.write(story(3))
    assert list(read_feed(path)) == [story(1), story(3)]


def test_a_line_cut_just_before_its_newline_is_not_a_story(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(json.dumps(story(1)) + "\n" + json.dumps(story(2)), encoding="utf-8")
    assert list(read_feed(path)) == [story(1)]


WRITER = """
import sys
from newscrawl.state.feed import DurableJsonlWriter
writer = DurableJsonlWriter(sys.argv[1])
for n in range(1_000_000):
    writer.write({"url": f"http://x/{n}", "body": "mot " * 500})
    if n == 20:
        print("written", flush=True)
"""


def test_a_writer_killed_by_sigkill_leaves_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline() == "written\n"
        writer.send_signal(signal.SIGKILL)
    stories = list(read_feed(path))
    assert len(stories) > 20
    assert [s["url"] for s in stories] == [f"http://x/{n}" for n in range(len(stories))]
    lines = path.read_bytes().split(b"\n")
    assert all(json.loads(line) for line in lines[:-1])  # at most the last one is cut
