"""Instructions the portal's profile executes on a story page, counted by valgrind: a figure
this shared VM's speed does not move, for changes too small for its noise.

    python benchmarks/extraction_instructions.py                    # 100 replica story pages
    python benchmarks/extraction_instructions.py --before ../ext-before
    python benchmarks/extraction_instructions.py --pages 5 --rounds 1   # smoke

The pages are replica story pages the profile reads without any fallback (the median page of
``extraction.py``; a page read by trafilatura costs ten times more and would weigh on a mean).
Each checkout's code is run under ``valgrind --tool=callgrind`` twice, reading every page once
to warm up and then ``--rounds`` times more or not: the difference, over the pages read, is
what one page costs, imports and set-up cancelled out. Printed for the parse alone
(``page_selector``, and the tree's freeing) and for the parse and ``extract_story``. Needs
Debian's ``valgrind``; about a minute per checkout.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLLECTED = re.compile(r"Collected : (\d+)")


def pages(count: int) -> list[tuple[str, str]]:
    """``count`` replica story pages (URL, text) the profile reads without a fallback."""
    from pages import replica_pages

    from newscrawl.extraction.tree import page_selector
    from newscrawl.sites import StoryPage, get_profile

    profile = get_profile("peopledaily_fr")
    chosen: list[tuple[str, str]] = []
    for page in replica_pages(max(10, count * 2)):
        story = profile.extract_story(page_selector(page.text), page.url)
        if isinstance(story, StoryPage) and not story.fallbacks:
            chosen.append((page.url, page.text))
        if len(chosen) == count:
            break
    return chosen


def read(saved: str, rounds: int, parse_only: bool) -> None:
    """The child: every page once, then ``rounds`` more times (the code is the checkout's
    first on ``sys.path``)."""
    from datetime import UTC, datetime

    from newscrawl.extraction.tree import page_selector
    from newscrawl.sites import get_profile

    profile = get_profile("peopledaily_fr")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    chosen = pickle.loads(Path(saved).read_bytes())
    for _ in range(rounds + 1):
        for url, text in chosen:
            page = page_selector(text)
            if not parse_only:
                profile.extract_story(page, url, now)
            del page


def instructions(checkout: Path, saved: str, rounds: int, parse_only: bool) -> int:
    counts = []
    for extra in (0, rounds):
        command = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            str(HERE / "extraction_instructions.py"),
            "--child",
            saved,
            str(extra),
            "parse" if parse_only else "all",
        ]
        env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=checkout)
        found = COLLECTED.search(done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"valgrind failed in {checkout}:\n{done.stderr[-2000:]}")
        counts.append(int(found.group(1)))
    return counts[1] - counts[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", help="also count the code of this checkout")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        saved, rounds, mode = args.child
        return read(saved, int(rounds), mode == "parse")
    checkouts = {"this checkout": HERE.parent}
    if args.before:
        checkouts["before"] = Path(args.before).resolve()
        if not (checkouts["before"] / "newscrawl").is_dir():
            raise SystemExit(f"--before {args.before}: no newscrawl package there")
    with tempfile.NamedTemporaryFile(suffix=".pickle") as saved:
        chosen = pages(args.pages)
        saved.write(pickle.dumps(chosen))
        saved.flush()
        read_pages = len(chosen) * args.rounds
        print(f"# {len(chosen)} replica story pages, {args.rounds} rounds counted; valgrind")
        print("| code | parse, instructions a page | parse and extraction | extraction alone |")
        print("| --- | ---: | ---: | ---: |")
        totals = {}
        for name, folder in checkouts.items():
            parse = instructions(folder, saved.name, args.rounds, True) / read_pages
            whole = instructions(folder, saved.name, args.rounds, False) / read_pages
            totals[name] = whole
            print(f"| {name} | {parse:,.0f} | {whole:,.0f} | {whole - parse:,.0f} |")
        if "before" in totals:
            fewer = 1 - totals["this checkout"] / totals["before"]
            print(f"this checkout executes {fewer:.1%} fewer instructions a page than before")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
