"""Where the portal's profile spends its time on a story page, part by part, read warm and cold.

    python benchmarks/extraction_stages.py                 # 300 replica stories, 5 rounds
    python benchmarks/extraction_stages.py --stories 20 --repeat 1

``extraction.py`` times each reader right after the others (trafilatura's 4 ms of work come
before each page's profile): the profile's code and data are then out of the CPU's caches. This
script times the same ``extract_story`` of each page twice in each round: *cold*, right after
trafilatura read the page (as in ``extraction.py``), and *warm*, right after the profile read
that very page. Each part is timed by wrapping the profile's own steps (the parse, the page's
bounds, its landmarks, its meta tags, title, dates, related headlines, body, section) with a
clock; "the rest" is the page's time less theirs (byline, editors, keywords, the canonical URL,
the story's making). Wall time (``perf_counter_ns``) of one thread, the median over the pages
of each page's median over the rounds; the wrapping adds ~0.2 µs a part.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from pages import replica_pages, trafilatura_document

from newscrawl.extraction import inputs, tree
from newscrawl.sites import get_profile, peopledaily_fr

PROFILE = get_profile("peopledaily_fr")
Clock = dict[str, int]


_OPEN: list[str] = []  # the parts being timed, innermost last


def timed(clock: Clock, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` behind a clock: its time goes to ``part``, less that of the parts it calls
    (a fallback reading the meta tags inside the dates counts as meta)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter_ns()
        _OPEN.append(part)
        try:
            return function(*args, **kwargs)
        finally:
            _OPEN.pop()
            spent = time.perf_counter_ns() - started
            clock[part] = clock.get(part, 0) + spent
            if _OPEN:
                clock[_OPEN[-1]] = clock.get(_OPEN[-1], 0) - spent

    return wrapper


def wrap(clock: Clock) -> None:
    """Each step the profile takes, as its module calls it, behind a clock."""
    site = peopledaily_fr.PeopleDailyFrench
    for name in ("_title", "_dates", "_related", "_body", "_section"):
        setattr(site, name, timed(clock, name.strip("_"), getattr(site, name)))
    peopledaily_fr.tree.complexity = timed(clock, "bounds", tree.complexity)
    landmarks = peopledaily_fr.Landmarks
    landmarks.of = classmethod(timed(clock, "landmarks", landmarks.of.__func__))
    meta = inputs.PageInputs.__dict__["meta"]
    meta.function = timed(clock, "meta", meta.function)


def read(page: Any, clock: Clock) -> dict[str, int]:
    clock.clear()
    started = time.perf_counter_ns()
    parsed = tree.page_selector(page.text)
    clock["parse"] = time.perf_counter_ns() - started
    PROFILE.extract_story(parsed, page.url)
    del parsed  # the tree's freeing is part of the page's cost, as in the crawl
    total = time.perf_counter_ns() - started
    parts = dict(clock)
    parts["the rest"] = total - sum(parts.values())
    parts["total"] = total
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pages = list(replica_pages(args.stories))
    clock: Clock = {}
    wrap(clock)
    read(pages[0], clock)  # warm imports and caches
    trafilatura_document(pages[0].text, pages[0].url)
    cold: list[list[dict[str, int]]] = [[] for _ in pages]
    warm: list[list[dict[str, int]]] = [[] for _ in pages]
    for _ in range(args.repeat):
        for number, page in enumerate(pages):
            trafilatura_document(page.text, page.url)
            cold[number].append(read(page, clock))
            warm[number].append(read(page, clock))
    parts = list(cold[0][0])
    print(
        f"# {len(pages)} replica story pages, {args.repeat} rounds; "
        f"{platform.processor() or platform.machine()}, python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    print("| part | warm µs | cold µs | cold/warm |")
    print("| --- | ---: | ---: | ---: |")
    for part in parts:
        hot, chilled = _median(warm, part), _median(cold, part)
        ratio = chilled / hot if hot else float("nan")
        print(f"| {part} | {hot / 1e3:.1f} | {chilled / 1e3:.1f} | {ratio:.2f} |")


def _median(rounds: list[list[dict[str, int]]], part: str) -> float:
    return statistics.median(statistics.median(r.get(part, 0) for r in page) for page in rounds)


if __name__ == "__main__":
    main()
