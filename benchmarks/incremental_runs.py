"""Benchmark of scheduled crawls: how much less a second run on an unchanged portal requests.

    python benchmarks/incremental_runs.py                  # a 500-story replica
    python benchmarks/incremental_runs.py --stories 2000 --refresh-hours 48

Three real ``scrapy crawl related`` runs (subprocesses, through the replica's proxy, the test
suite's fast settings: no politeness delays) share one state file: the whole replica, the same
replica again, then its next edition (one story edited, two added). Printed per run: requests
made (Scrapy's ``downloader/request_count``, robots.txt and listings included), story pages
requested (the replica's log), stories emitted, wall time; and the second and third runs'
requests as a fraction of the first's. ``--refresh-hours`` defaults to 48 as in production: the
replica's stories (2021-2022) are then all old, so a later run requests listings, new stories,
stories whose listing shows a later time, and URLs no run emitted (duplicate copies, dead links).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

# Measure the checkout this script lives in, not whichever newscrawl is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import run_crawl


def crawl(server: ReplicaServer, workdir: Path, state: Path, args: argparse.Namespace) -> dict:
    before = len(server.requests)
    started = time.perf_counter()
    run = run_crawl(
        server.proxy_url,
        workdir,
        "max_depth=20",
        f"max_listing_pages={args.stories // 20 + 1}",
        settings={
            "NEWSCRAWL_STATE": str(state),
            "NEWSCRAWL_REFRESH_HOURS": str(args.refresh_hours),
        },
        timeout=3600,
    )
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"crawl failed ({run.returncode}):\n{run.log[-3000:]}")
    manifest = run.manifest
    return {
        "requests": manifest["requests"],
        "story_pages": sum("/n3/" in r.url for r in server.requests[before:]),
        "stories": len(run.stories),
        "revised": manifest["stories_revised"],
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--refresh-hours", type=float, default=48)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, replica of {args.stories}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        state = root / "state.sqlite"
        results = []
        with ReplicaServer(Portal(ReplicaOptions(stories=args.stories))) as server:
            results.append(("first", crawl(server, root / "run1", state, args)))
            results.append(("second", crawl(server, root / "run2", state, args)))
        with ReplicaServer(Portal(ReplicaOptions(stories=args.stories, edition=1))) as server:
            results.append(("edition 1", crawl(server, root / "run3", state, args)))
    first = results[0][1]["requests"]
    print("| run | requests | share of the first | story pages | stories (revised) | time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results:
        print(
            f"| {name} | {r['requests']} | {r['requests'] / first:.1%} | {r['story_pages']} "
            f"| {r['stories']} ({r['revised']}) | {r['seconds']:.1f} s |"
        )


if __name__ == "__main__":
    main()
