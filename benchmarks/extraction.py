"""Profile extraction against trafilatura's ``bare_extraction`` and lxml's parse, on the same
replica story pages, and which fields each gets right.

    python benchmarks/extraction.py                  # 400 replica stories, 5 rounds
    python benchmarks/extraction.py --stories 20 --repeat 1

Each page (the first page of each replica story answering 200, decoded as the crawl decodes it)
is read, interleaved round after round, by: lxml's parse alone (parsel's ``Selector``, what
Scrapy builds for ``response.selector``); the portal's profile (that parse, then
``extract_story``: every field of the story page); trafilatura 2.3's ``bare_extraction`` of
the same text with its metadata (title, date, author), as a crawl that used it would. Times are
CPU time per page (``time.process_time``: the machine is shared), the median over all pages of
each page's median over the rounds.

Fields are checked against the replica's ground truth: title; ``published_at`` to the minute
with its offset (trafilatura's htmldate gives a day or a naive time); the related headlines
(the set of URLs); the editors; the body (word F1 at least 0.95).
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import time
from datetime import datetime
from typing import Any

from pages import SavedPage, replica_pages, trafilatura_document
from parsel import Selector

from newscrawl.sites import NotAStory, get_profile

PROFILE = get_profile("peopledaily_fr")
FIELDS = ("title", "published_at", "related", "editors", "body")
WORD = re.compile(r"\w+")


def parse(page: SavedPage) -> Any:
    return Selector(text=page.text)


def profile(page: SavedPage) -> dict[str, Any]:
    story = PROFILE.extract_story(Selector(text=page.text), page.url)
    if isinstance(story, NotAStory):
        return {}
    return {
        "title": story.title,
        "published_at": story.published_at,
        "related": [link["url"] for link in story.related],
        "editors": story.editors,
        "body": "\n\n".join(story.paragraphs),
    }


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
    args = parser.parse_args()
    pages = list(replica_pages(args.stories))
    readers = {"lxml parse": parse, "profile": profile, "trafilatura": trafilatura}
    for reader in readers.values():  # warm imports and caches
        reader(pages[0])
    times: dict[str, list[float]] = {name: [] for name in readers}
    found: dict[str, list[dict[str, Any]]] = {"profile": [], "trafilatura": []}
    for page in pages:
        per: dict[str, list[float]] = {name: [] for name in readers}
        for _ in range(args.repeat):
            for name, reader in readers.items():
                started = time.process_time()
                result = reader(page)
                per[name].append(time.process_time() - started)
                if name in found and len(found[name]) < pages.index(page) + 1:
                    found[name].append(result)
        for name in readers:
            times[name].append(statistics.median(per[name]))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"# {len(pages)} replica story pages, {args.repeat} rounds; "
        f"{platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print("| reader | median CPU ms per page | pages/s on one core |")
    print("| --- | ---: | ---: |")
    for name, seconds in median.items():
        print(f"| {name} | {seconds * 1e3:.3f} | {1 / seconds:,.0f} |")
    print(f"profile is {median['trafilatura'] / median['profile']:.1f}x faster than trafilatura")
    print(f"profile after the parse: {(median['profile'] - median['lxml parse']) * 1e3:.3f} ms")
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
