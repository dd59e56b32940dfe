"""What watching a crawl costs: the report's time and size, a progress line's snapshot.

    python benchmarks/observability.py                      # 1,000 and 10,000 stories
    python benchmarks/observability.py --stories 50 --frontier 1000    # a smoke run

- ``scrapy report``: the replica's stories (its ground truth, the shape a feed has) written as
  the feeds of ``--runs`` run folders, then the report made from them (reading, figures, the
  plots, HTML), and its markdown; time and size of each;
- the progress line: one :class:`~newscrawl.extensions.progress.Progress` snapshot walks the
  frontier's entries (``--frontier`` of them), every ``NEWSCRAWL_PROGRESS_INTERVAL`` seconds.

Figures go to ``BENCHMARKS.md`` with the command and the machine; the machine is shared, so
compare figures of one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from frontier import rules, url

from newscrawl.frontier import Frontier
from newscrawl.replica import Portal, ReplicaOptions
from newscrawl.report import make_report


def write_runs(root: Path, stories: int, runs: int) -> None:
    """``runs`` run folders whose feeds hold the portal's stories, split between them."""
    portal = Portal(ReplicaOptions(stories=max(stories, 10)))
    expected = portal.expected_stories()[:stories]
    for index in range(runs):
        part = expected[index::runs]
        folder = root / f"2026-12-01T0{index}-00-00Z-00000{index}"
        folder.mkdir(parents=True)
        with (folder / "stories.jsonl").open("w", encoding="utf-8") as feed:
            for story in part:
                story = {**story, "extraction": "profile", "revision": 1}
                feed.write(json.dumps(story, ensure_ascii=False) + "\n")
        (folder / "rejects.jsonl").write_text(
            json.dumps({"url": "http://x/", "outcome": "failed", "reason": "http_404"}) + "\n"
        )
        manifest = {
            "run": folder.name,
            "started_at": f"2026-12-01T0{index}:00:00Z",
            "finished_at": f"2026-12-01T0{index}:05:00Z",
            "stories_new": len(part),
            "stories_revised": 0,
            "rejected": {},
            "failed": {"http_404": 1},
            "requests": len(part) + 10,
            "stories_by_hop": {"0": len(part)},
            "ending": "finished",
            "exit_status": 0,
            "healthy": True,
            "reasons": [],
            "feeds": [str(folder / "stories.jsonl")],
            "rejects": str(folder / "rejects.jsonl"),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest))


def time_report(stories: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "related"
        write_runs(root, stories, runs)
        for form in ("html", "md"):
            start = time.perf_counter()
            text, figures = make_report([root], form=form)
            took = time.perf_counter() - start
            size = len(text.encode()) / 1024
            print(
                f"report {form:4} {figures.stories:>7,} stories, {runs} runs, "
                f"{figures.graph_edges:>7,} edges: {took:6.2f} s, {size:7.0f} kB"
            )


def frontier_of(count: int) -> Frontier:
    """A frontier of ``count`` story URLs at hops 0-2, half of them ended."""
    frontier = Frontier(rules())
    for i in range(count):
        frontier.meet(url(i), i % 3)
    frontier.flush()  # as the frontier middleware does after each page
    for i in range(0, count, 2):
        frontier.end(url(i), durable=False)
    return frontier


def time_snapshot(count: int, repeat: int) -> None:
    frontier = frontier_of(count)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        frontier.to_fetch()  # what Progress.snapshot asks
        times.append(time.perf_counter() - start)
    print(
        f"progress snapshot over {count:>9,} frontier entries: "
        f"{statistics.median(times) * 1000:7.2f} ms (median of {repeat})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--frontier", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.node()}")
    for stories in args.stories:
        time_report(stories, args.runs)
    for count in args.frontier:
        time_snapshot(count, args.repeat)


if __name__ == "__main__":
    main()
