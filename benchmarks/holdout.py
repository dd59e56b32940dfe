"""Pages the extractor was not tuned on, scored for this project and for trafilatura side by side.

    python benchmarks/holdout.py                   # every page: scores per field, median times
    python benchmarks/holdout.py --pages 3         # a smoke run on three pages

The hold-out set and its truth: ``tests/holdout/`` (README there): French-language pages of
fundus, readability, postlight/parser, trafilatura and htmldate test data. Each field is scored
only on the pages whose source gives it (a missing field is not scored, not a zero), with the
corpus's scoring (``tests/corpus/score.py``) and both extractors as ``benchmarks/corpus.py``
runs them. A second table keeps only the pages whose host is not one of the development
corpus's; a third leaves out trafilatura's and htmldate's own evaluation pages (where
trafilatura plays at home). The figures are recorded (BENCHMARKS.md), not enforced: no gate
reads them, so no one is tempted to tune on these pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import extract_both
from tests.corpus.score import Case, Extracted, cases, score

HOLDOUT = Path(__file__).resolve().parent.parent / "tests" / "holdout"
# A field scored, the truth key that gives it, and a stand-in for the other keys score() reads.
FIELDS = {"title": "title", "date": "published_at", "authors": "authors", "body": "body"}
STAND_IN = {"title": "", "published_at": "1990-01-01", "authors": [], "body": "", "related": []}


@dataclass(frozen=True)
class HoldoutCase(Case):
    @property
    def html(self) -> bytes:
        return gzip.decompress((HOLDOUT / "pages" / f"{self.id}.html.gz").read_bytes())


def holdout_cases() -> list[HoldoutCase]:
    found = []
    for path in sorted((HOLDOUT / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        found.append(HoldoutCase(truth["id"], truth["url"], "holdout", truth))
    return found


def host(url: str) -> str:
    name = (urlsplit(url).hostname or "").lower()
    return name.removeprefix("www.")


def scores(results: dict[str, Extracted], chosen: list[HoldoutCase]) -> dict[str, tuple]:
    """Per field: (score, pages scored); None where no chosen page's truth gives the field."""
    figures: dict[str, tuple] = {}
    for field, key in FIELDS.items():
        given = [c for c in chosen if key in c.truth]
        padded = [Case(c.id, c.url, c.split, {**STAND_IN, **c.truth}) for c in given]
        figures[field] = (score(results, padded)[field] if padded else None, len(padded))
    return figures


def same_day(extracted: str | None, truth: str) -> bool:
    """The truth's calendar day, a naive time accepted (trafilatura's dates are naive days): a
    reading beside the issue's measure, to show how much of the date lead is the offset."""
    try:
        moment = datetime.fromisoformat(extracted or "")
    except ValueError:
        return False
    if len(truth) > 10 and moment.tzinfo is not None:
        moment = moment.astimezone(datetime.fromisoformat(truth).tzinfo)
    return moment.date().isoformat() == truth[:10]


def day_scores(results: dict[str, Extracted], chosen: list[HoldoutCase]) -> tuple:
    given = [c for c in chosen if "published_at" in c.truth]
    met = sum(same_day(results[c.id].published_at, c.truth["published_at"]) for c in given)
    return (round(met / len(given), 3) if given else None, len(given))


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def table(title: str, results: dict[str, dict[str, Extracted]], chosen: list[HoldoutCase]) -> None:
    print(f"\n{title} ({len(chosen)} pages)\n")
    print("| field | newscrawl | trafilatura | pages scored |")
    print("| --- | --- | --- | --- |")
    ours_, theirs_ = scores(results["newscrawl"], chosen), scores(results["trafilatura"], chosen)
    for field in FIELDS:
        (mine, n), (other, _) = ours_[field], theirs_[field]
        print(f"| {field} | {cell(mine)} | {cell(other)} | {n} |")
    (mine, n), (other, _) = (
        day_scores(results["newscrawl"], chosen),
        day_scores(results["trafilatura"], chosen),
    )
    print(f"| date, the day only, naive accepted | {cell(mine)} | {cell(other)} | {n} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed extractions per page")
    parser.add_argument("--show", action="store_true", help="each page's title, date, authors")
    args = parser.parse_args()
    chosen = holdout_cases()[: args.pages or None]
    results, times = extract_both(chosen, args.repeat)
    print(
        f"# {len(chosen)} hold-out pages; {platform.processor() or platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    table("All hold-out pages", results, chosen)
    tuned_hosts = {host(c.url) for c in cases()}
    fresh = [c for c in chosen if host(c.url) not in tuned_hosts]
    table("Hosts not in the development corpus", results, fresh)
    away = [c for c in chosen if not c.truth["source"]["repository"].startswith("adbar/")]
    table("Not trafilatura's or htmldate's own evaluation pages", results, away)
    if args.show:
        for case in chosen:
            print(f"\n{case.id}")
            for key in ("title", "published_at", "authors"):
                if key in case.truth:
                    got = [getattr(results[n][case.id], key) for n in results]
                    print(f"  {key}: truth {case.truth[key]!r}; ours {got[0]!r}; theirs {got[1]!r}")
            if "body" in case.truth:
                one = {case.id: results["newscrawl"][case.id]}
                other = {case.id: results["trafilatura"][case.id]}
                padded = [Case(case.id, case.url, case.split, {**STAND_IN, **case.truth})]
                print(
                    f"  body F1: ours {score(one, padded)['body']}; "
                    f"theirs {score(other, padded)['body']}"
                )
    print()
    for name, values in times.items():
        print(f"median time per page, {name}: {statistics.median(values) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
