"""Memory of a long crawl: peak RSS of whole crawls at two sizes, and bytes per story of each
structure that grows with the stories.

    python benchmarks/memory.py                              # crawls of 10,000 and 100,000 stories
    python benchmarks/memory.py --crawls 2000 --structures 5000
    python benchmarks/memory.py --crawls 60 --structures 200  # smoke

1. Crawls: ``scrapy crawl related`` of a whole replica (``max_depth=50``, every listing page)
   with everything on (extraction, cleaning, validation, deduplication, JSONL and CSV feeds,
   the ledger) and the end-to-end tests' speed settings; the replica runs in a process of its
   own. The crawl process's RSS is sampled every 0.5 s: the peak, the stories, and the two
   sizes' peaks against each other.
2. Structures, in this process, each measured with tracemalloc (Python's allocations, numpy's
   included) after ``--structures`` stories: the frontier (every story URL met, its hop,
   where it was met, its children: 10 related headlines a story page, 3 of them new, as in
   ``benchmarks/frontier.py``), the dedup index (``DedupIndex``: stories of
   ``benchmarks/dedup.py``'s generator, 150-400 words), with the index's own breakdown and what
   it writes to its spill files on disk.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import StoryFactory  # noqa: E402
from frontier import NEW_PER_PAGE, RELATED, rules, url  # noqa: E402

from newscrawl.frontier import Frontier  # noqa: E402
from newscrawl.pipelines.dedup import DedupConfig, DedupIndex  # noqa: E402
from tests.crawl import FAST, crawl_invocation  # noqa: E402

MB = 2**20


def crawl_peak(stories: int, workdir: Path) -> tuple[float, int, float]:
    """(peak RSS in MB, stories emitted, seconds) of a crawl of a whole replica."""
    replica = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.replica", "--stories", str(stories), "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert replica.stdout is not None
        proxy = replica.stdout.readline().decode().strip()
        output = workdir / "stories.jsonl"
        settings = {**FAST, "LOG_LEVEL": "WARNING", "NEWSCRAWL_PROGRESS_INTERVAL": "0"}
        command, env = crawl_invocation(
            proxy,
            workdir,
            ("max_depth=50", "max_listing_pages=1000000"),
            settings,
            options=("-O", str(output)),
        )
        workdir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        watched, peak = psutil.Process(process.pid), 0
        while process.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, watched.memory_info().rss)
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            assert process.stderr is not None
            raise SystemExit(process.stderr.read().decode()[-3000:])
        with output.open("rb") as feed:
            emitted = sum(1 for _ in feed)
        return peak / MB, emitted, seconds
    finally:
        replica.kill()


def measured(build) -> tuple[object, int]:
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    thing = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return thing, after - before


def frontier_of(stories: int) -> Frontier:
    frontier = Frontier(rules())
    frontier.meet(url(0), 0)
    for page in range(stories):
        children = [url(page * NEW_PER_PAGE + k + 1) for k in range(NEW_PER_PAGE)]
        children += [url(max(page - k, 0)) for k in range(RELATED - NEW_PER_PAGE)]
        for child in children:
            frontier.meet(child, 1, via=url(page))
        frontier.expanded(url(page), children)
        frontier.end(url(page), durable=False)
        frontier.flush()  # as the frontier middleware does after each page
    return frontier


def index_of(stories: int) -> DedupIndex:
    factory, index = StoryFactory(2021), DedupIndex(DedupConfig())
    for generated in factory.stories(stories):
        sketch = index.sketch(generated.story.body)
        if index.match(generated.story.url, sketch) is None:
            index.add(generated.story.url, sketch)
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crawls", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--structures", type=int, default=20_000)
    args = parser.parse_args()
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}",
        flush=True,
    )
    n = args.structures
    frontier, frontier_bytes = measured(lambda: frontier_of(n))
    index, index_bytes = measured(lambda: index_of(n))
    assert isinstance(index, DedupIndex) and isinstance(frontier, Frontier)
    print(f"\nstructures after {n:,} stories (tracemalloc):")
    print("| structure | bytes per story |\n| --- | ---: |")
    print(f"| frontier ({len(frontier):,} URLs met) | {frontier_bytes / n:,.0f} |")
    print(f"| dedup index, in memory ({len(index):,} stories kept) | {index_bytes / n:,.0f} |")
    for name, size in index.memory().items():
        print(f"| - {name} | {size / n:,.0f} |")
    index.close()
    peaks = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.crawls:
            peak, emitted, seconds = crawl_peak(size, Path(scratch) / str(size))
            peaks.append(peak)
            print(
                f"\ncrawl of a {size:,}-story replica: {emitted:,} stories in {seconds:.0f} s, "
                f"peak RSS {peak:.0f} MB",
                flush=True,
            )
    if len(peaks) >= 2:
        print(f"peak RSS, largest against smallest crawl: {peaks[-1] / peaks[0]:.2f}x")


if __name__ == "__main__":
    main()
