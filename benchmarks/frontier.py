"""What the durable frontier costs: time and bytes per story, and a crawl with and without it.

    python benchmarks/frontier.py                 # 20,000 simulated stories; a 2,000-story crawl
    python benchmarks/frontier.py --stories 5000 --crawl-stories 500

1. The frontier alone, as the crawl drives it, side by side in one process: each story page
   met at a hop, its 10 related headlines met one hop further (3 of them new), its children
   recorded, one flush per page; then the story ended. Kept in memory only (a one-off crawl)
   and written to a state's SQLite file (a scheduled crawl). CPU time per story page, and the
   bytes the frontier table takes per story (SQLite's ``dbstat``) at its largest, before the
   finished run clears it.
2. Two real crawls of the same replica, back to back: one-off and scheduled (with a state),
   the end-to-end tests' fast settings; wall time per story. The scheduled run also reads its
   feed back and checks the state: what it costs in all, not the frontier alone.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.frontier import Frontier, StoryRules
from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.scope import Scope
from newscrawl.sites import PageKind, get_profile
from newscrawl.state.store import StateStore
from tests.crawl import run_crawl

PROFILE = get_profile("peopledaily_fr")
RELATED = 10
NEW_PER_PAGE = 3


def url(n: int) -> str:
    return f"http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-{10_000_000 + n}.html"


def rules() -> StoryRules:
    return StoryRules(
        canonical_url=PROFILE.canonical_url,
        refusal=Scope.of(PROFILE).refusal,
        is_story=lambda u: PROFILE.classify(u) is PageKind.STORY,
        story_date=PROFILE.story_date,
        max_depth=10**6,
    )


def drive(frontier: Frontier, stories: int) -> float:
    """CPU seconds per story page for ``stories`` pages read as a crawl reads them."""
    started = time.process_time()
    frontier.meet(url(0), 0)
    frontier.flush()
    for page in range(stories):
        children = [url(page * NEW_PER_PAGE + k + 1) for k in range(NEW_PER_PAGE)]
        children += [url(max(page - k, 0)) for k in range(RELATED - NEW_PER_PAGE)]
        for child in children:
            frontier.meet(child, 1, via=url(page))
        frontier.expanded(url(page), children)
        frontier.flush()
        frontier.end(url(page), durable=False)
    return (time.process_time() - started) / stories


def frontier_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(
            db.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%frontier%'").fetchone()[0]
        )


def crawl_seconds(server: ReplicaServer, workdir: Path, state: Path | None) -> tuple[float, int]:
    settings = {"NEWSCRAWL_STATE": str(state)} if state else {}
    started = time.perf_counter()
    run = run_crawl(server.proxy_url, workdir, "max_depth=50", "max_listing_pages=1000",
                    settings=settings, timeout=3600)  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(run.log[-3000:])
    return time.perf_counter() - started, len(run.stories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--crawl-stories", type=int, default=2000)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        memory = drive(Frontier(rules()), args.stories)
        with StateStore.open(root / "state.sqlite") as store:
            durable = drive(Frontier(rules(), store), args.stories)
        size = frontier_bytes(root / "state.sqlite")
        with StateStore.open(root / "state.sqlite") as store:
            store.finish_run([], datetime.now(UTC), lambda s: "")
        print(f"frontier, {args.stories} story pages of {RELATED} related headlines each:")
        print("| kept | CPU µs per story page | frontier table bytes per story |")
        print("| --- | ---: | ---: |")
        print(f"| in memory (one-off crawl) | {memory * 1e6:.0f} | - |")
        print(f"| in the state (SQLite, WAL) | {durable * 1e6:.0f} | {size / args.stories:.0f} |")
        with ReplicaServer(Portal(ReplicaOptions(stories=args.crawl_stories))) as server:
            results = []
            for name, state in (("one-off", None), ("scheduled", root / "crawl.sqlite")):
                server.portal.reset()
                seconds, stories = crawl_seconds(server, root / name, state)
                results.append((name, seconds, stories))
        print(f"\ncrawl of a {args.crawl_stories}-story replica, back to back:")
        print("| crawl | stories | seconds | ms per story |")
        print("| --- | ---: | ---: | ---: |")
        for name, seconds, stories in results:
            print(f"| {name} | {stories} | {seconds:.1f} | {seconds / stories * 1e3:.1f} |")


if __name__ == "__main__":
    main()
