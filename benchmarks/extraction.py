"""Profile extraction against trafilatura's ``bare_extraction`` and lxml's parse, on the same
replica story pages, and which fields each gets right.

    python benchmarks/extraction.py                  # 400 replica stories, 5 rounds
    python benchmarks/extraction.py --stories 20 --repeat 1
    python benchmarks/extraction.py --before ../ext-before   # and another checkout's profile

Each page (the first page of each replica story answering 200, decoded as the crawl decodes it)
is read, interleaved round after round, by: lxml's parse alone, as parsel's ``Selector`` builds
it (what Scrapy builds for ``response.selector``) and as the crawl parses a page
(``page_selector``: the same tree); the portal's profile (the crawl's parse, then
``extract_story``: every field of the story page, ``profile_reader.py``; those two are timed,
not the gathering of the fields this script checks); trafilatura 2.3's
``bare_extraction`` of the same text with its metadata (title, date, author), as a crawl that
used it would. ``--before DIR`` adds the profile of another checkout (``git worktree add DIR
main``), read in a process of its own running that checkout's code, page by page in the same
rounds. Times are CPU time per page (``time.process_time``: the machine is shared), the median
over all pages of each page's median over the rounds.

Fields are checked against the replica's ground truth: title; ``published_at`` to the minute
with its offset (trafilatura's htmldate gives a day or a naive time); the related headlines
(the set of URLs); the editors; the body (word F1 at least 0.95).
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pages import SavedPage, replica_pages, trafilatura_document
from parsel import Selector
from profile_reader import read

from newscrawl.extraction.tree import page_selector

FIELDS = ("title", "published_at", "related", "editors", "body")
WORD = re.compile(r"\w+")


def parse(page: SavedPage) -> Any:
    return Selector(text=page.text)


def crawl_parse(page: SavedPage) -> Any:
    return page_selector(page.text)


def profile(page: SavedPage) -> tuple[float, dict[str, Any]]:
    return read(page.url, page.text)


class Before:
    """The profile of another checkout, in a process running that checkout's code: each page
    is sent to it and it answers with its own CPU time and the fields it read."""

    def __init__(self, checkout: str) -> None:
        folder = Path(checkout).resolve()
        if not (folder / "newscrawl").is_dir():
            raise SystemExit(f"--before {checkout}: no newscrawl package there")
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("profile_reader.py"))],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(folder)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def __call__(self, page: SavedPage) -> tuple[float, dict[str, Any]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        pickle.dump((page.url, page.text), self.process.stdin)
        self.process.stdin.flush()
        seconds, fields = pickle.load(self.process.stdout)
        return seconds, fields

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def trafilatura(page: SavedPage) -> dict[str, Any]:
    document = trafilatura_document(page.text, page.url)
    if document is None:
        return {}
    return {"title": document.title, "published_at": document.date, "body": document.text or ""}


def right(field: str, got: dict[str, Any], expected: dict[str, Any]) -> bool:
    value, truth = got.get(field), expected.get(field)
    if field == "published_at":
        return _instant(value) is not None and _instant(value) == _instant(truth)
    if field == "related":
        return value is not None and set(value) == {link["url"] for link in truth or []}
    if field == "editors":
        return value is not None and value == truth
    if field == "body":
        return _f1(value or "", truth or "") >= 0.95
    return bool(value) and " ".join(str(value).split()) == " ".join(str(truth).split())


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _f1(got: str, truth: str) -> float:
    a, b = WORD.findall(got.lower()), WORD.findall(truth.lower())
    if not a or not b:
        return 0.0
    common = sum(min(a.count(w), b.count(w)) for w in set(a))
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall) if common else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", help="also time the profile of this checkout's code")
    args = parser.parse_args()
    before = Before(args.before) if args.before else None
    pages = list(replica_pages(args.stories))
    readers: dict[str, Callable[[SavedPage], Any]] = {
        "lxml parse": parse,
        "crawl's parse": crawl_parse,
        "profile": profile,
    }
    if before is not None:  # right after the profile, each after a parse of the page
        readers["profile before"] = before
    readers["trafilatura"] = trafilatura
    for reader in readers.values():  # warm imports and caches
        reader(pages[0])
    times: dict[str, list[float]] = {name: [] for name in readers}
    found: dict[str, list[dict[str, Any]]] = {
        name: [] for name in ("profile", "profile before", "trafilatura") if name in readers
    }
    for page in pages:
        per: dict[str, list[float]] = {name: [] for name in readers}
        for round_number in range(args.repeat):
            for name, reader in readers.items():
                started = time.process_time()
                result = reader(page)
                seconds = time.process_time() - started
                if reader is profile or reader is before:  # parse and extraction alone
                    seconds, result = result
                per[name].append(seconds)
                if name in found and round_number == 0:
                    found[name].append(result)
        for name in readers:
            times[name].append(statistics.median(per[name]))
    if before is not None:
        before.close()
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"# {len(pages)} replica story pages, {args.repeat} rounds; "
        f"{platform.processor() or platform.machine()}, python {platform.python_version()}"
        f"; load average {os.getloadavg()[0]:.2f} at the end"
    )
    print("| reader | median CPU ms per page | pages/s on one core |")
    print("| --- | ---: | ---: |")
    for name, seconds in median.items():
        print(f"| {name} | {seconds * 1e3:.3f} | {1 / seconds:,.0f} |")
    for name in ("profile", "profile before"):
        if name in median:
            faster = median["trafilatura"] / median[name]
            print(f"{name} is {faster:.1f}x faster than trafilatura")
    after = median["profile"] - median["crawl's parse"]
    print(f"profile after the crawl's parse: {after * 1e3:.3f} ms")
    if "profile before" in median:
        after = median["profile before"] - median["lxml parse"]
        print(f"profile before after its parse (parsel's): {after * 1e3:.3f} ms")
        print(f"profile is {median['profile before'] / median['profile']:.2f}x faster than before")
    print("\nfields right (of the pages):")
    print("| reader | " + " | ".join(FIELDS) + " |")
    print("| --- |" + " ---: |" * len(FIELDS))
    for name, results in found.items():
        cells = []
        for field in FIELDS:
            if name == "trafilatura" and field in ("related", "editors"):
                cells.append("- (not read)")
                continue
            hits = sum(
                right(field, got, page.expected or {})
                for got, page in zip(results, pages, strict=True)
            )
            cells.append(f"{hits}/{len(pages)}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
