"""What a scheduled run killed at any moment loses: SIGKILLs, then reruns to completion.

    python benchmarks/kill_and_rerun.py                       # 3,000 stories; 1 kill, then 10
    python benchmarks/kill_and_rerun.py --stories 2000 --kills 1 3

The default command of a scheduled crawl (``scrapy crawl related -s NEWSCRAWL_STATE=…``:
``max_depth=2``, one listing page per section, the test suite's fast settings) on a replica:
first one uninterrupted run on a fresh state, then, for each number N of ``--kills``, a fresh
state whose runs are SIGKILLed N times (each after ``--after`` more story requests reached the
replica) and then run once more to completion. Printed per scenario: the stories the
uninterrupted run emitted, those the union of the killed runs' feeds and the last run's holds,
how many of the first are missing from it (lost), how many lines of it repeat a story
(repeated), and the story pages requested. Copies are judged as the suite does: of each
duplicate pair of the replica, either one counts for the pair.
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Measure the checkout this script lives in, not whichever newscrawl is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import FAST, crawl_invocation, story_feeds


def story_urls(folder: Path) -> list[str]:
    """Every story line of every feed under ``folder`` (a killed run's cut last line skipped)."""
    urls = []
    for feed in story_feeds(folder):
        for line in feed.read_bytes().split(b"\n")[:-1]:
            if line.strip():
                urls.append(json.loads(line)["url"])
    return urls


def story_pages(server: ReplicaServer, since: int) -> int:
    return sum("/n3/" in r.url for r in server.requests[since:])


def run(server: ReplicaServer, workdir: Path, state: Path, kill_after: int | None) -> int:
    """One crawl; SIGKILLed once ``kill_after`` story pages were served, if given. Its status."""
    workdir.mkdir(parents=True)
    settings = {**FAST, "NEWSCRAWL_STATE": str(state)}
    command, env = crawl_invocation(server.proxy_url, workdir, (), settings)
    before = len(server.requests)
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if kill_after is None:
        return process.wait(timeout=3600)
    while story_pages(server, before) < kill_after:
        if process.poll() is not None:
            return process.returncode  # ended before it could be killed
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return -9


def canonical(urls: list[str], pairs: list[tuple[str, str, str]]) -> list[str]:
    """Each URL, the copy of a duplicate pair counted as its first."""
    copy_of = {copy: first for first, copy, _ in pairs}
    return [copy_of.get(url, url) for url in urls]


def scenario(server: ReplicaServer, root: Path, kills: int, after: int) -> dict:
    state = root / "state.sqlite"
    started = len(server.requests)
    statuses = [run(server, root / f"killed{n}", state, after) for n in range(kills)]
    final = run(server, root / "final", state, None)
    return {
        "urls": canonical(story_urls(root), server.portal.duplicates),
        "killed": sum(s == -9 for s in statuses),
        "final_status": final,
        "story_pages": story_pages(server, started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--kills", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--after", type=int, default=100, help="story requests before a kill")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, replica of {args.stories}, kill every {args.after}")
    print("| runs | killed | final exit | stories | lost | repeated | story pages requested |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with (
        tempfile.TemporaryDirectory() as scratch,
        ReplicaServer(Portal(ReplicaOptions(stories=args.stories))) as server,
    ):
        root = Path(scratch)
        whole = scenario(server, root / "whole", 0, args.after)
        expected = set(whole["urls"])
        rows = [("uninterrupted", whole)]
        for kills in args.kills:
            rows.append(
                (f"{kills} kills + rerun", scenario(server, root / f"k{kills}", kills, args.after))
            )
        for name, result in rows:
            urls = result["urls"]
            print(
                f"| {name} | {result['killed']} | {result['final_status']} | {len(set(urls))} "
                f"| {len(expected - set(urls))} | {len(urls) - len(set(urls))} "
                f"| {result['story_pages']} |"
            )


if __name__ == "__main__":
    main()
