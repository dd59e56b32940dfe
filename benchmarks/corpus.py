"""The real-pages corpus, scored for this project and for trafilatura side by side.

    python benchmarks/corpus.py                    # every page: scores per split, median times
    python benchmarks/corpus.py --pages 3          # a smoke run on three pages
    python benchmarks/corpus.py --write-baseline   # freeze this project's scores as the gate's

The corpus and its ground truth: ``tests/corpus/`` (README there). Ours is what a crawl would
emit for each saved page (``newscrawl.extraction.offline.extract_saved``: decoder, profile by
host, cleaning, validation). Trafilatura 2.3.1 is given its best: ``bare_extraction`` with
metadata, htmldate asked for the original date with extensive search and a time in its output
format, no fallback disabled. Trafilatura reads no related headlines (its scores there are
``-``). Each page is extracted ``--repeat`` times per extractor, interleaved, and the median
time per page is printed (the machine is shared: compare the two columns of one run).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pages import trafilatura_document
from newscrawl.extraction.decode import decode_page
from tests.corpus.score import BASELINE, FIELDS, Case, Extracted, cases, newscrawl_reads, score


def theirs(case: Case) -> Extracted:
    # the same text as ours reads
    document = trafilatura_document(decode_page(case.html, "text/html").text, case.url)
    if document is None:
        return Extracted()
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return Extracted(
        title=document.title,
        published_at=document.date,
        authors=authors,
        body=document.text or "",
    )


def timed(extract, case: Case) -> tuple[Extracted, float]:
    start = time.perf_counter()
    result = extract(case)
    return result, time.perf_counter() - start


def extract_both(
    chosen: list[Any], repeat: int
) -> tuple[dict[str, dict[str, Extracted]], dict[str, list[float]]]:
    """Each page read ``repeat`` times by each extractor, interleaved: what each got (by page
    id), and each page's median time per extractor (the machine is shared)."""
    results: dict[str, dict[str, Extracted]] = {"newscrawl": {}, "trafilatura": {}}
    times: dict[str, list[float]] = {"newscrawl": [], "trafilatura": []}
    for extract in (newscrawl_reads, theirs):  # warm the imports
        extract(chosen[0])
    for case in chosen:
        per: dict[str, list[float]] = {"newscrawl": [], "trafilatura": []}
        for _ in range(repeat):
            for name, extract in (("newscrawl", newscrawl_reads), ("trafilatura", theirs)):
                result, seconds = timed(extract, case)
                results[name][case.id] = result
                per[name].append(seconds)
        for name in per:
            times[name].append(statistics.median(per[name]))
    return results, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timed extractions per page")
    parser.add_argument("--write-baseline", action="store_true")
    args = parser.parse_args()
    chosen = cases()[: args.pages or None]
    results, times = extract_both(chosen, args.repeat)
    print(
        f"# {len(chosen)} pages; {platform.processor() or platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    header = f"{'split':6} {'extractor':12} " + " ".join(f"{f:>17}" for f in FIELDS)
    print(header)
    scores: dict[str, dict[str, dict]] = {}
    for split in ("dev", "test", None):
        subset = [c for c in chosen if split is None or c.split == split]
        if not subset:
            continue
        for name in results:
            figures = score(results[name], subset)
            scores.setdefault(split or "all", {})[name] = figures
            cells = " ".join(f"{'-' if v is None else v:>17}" for v in figures.values())
            print(f"{split or 'all':6} {name:12} {cells}")
    for name, values in times.items():
        print(f"median time per page, {name}: {statistics.median(values) * 1000:.1f} ms")
    if args.write_baseline:
        frozen = {split: figures["newscrawl"] for split, figures in scores.items()}
        frozen["trafilatura"] = {split: figures["trafilatura"] for split, figures in scores.items()}
        BASELINE.write_text(json.dumps(frozen, indent=2) + "\n", encoding="utf-8")
        print(f"baseline written: {BASELINE}")


if __name__ == "__main__":
    main()
