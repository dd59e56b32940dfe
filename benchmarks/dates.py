"""French date lines read by newscrawl, dateparser and htmldate, side by side, and their cost.

    python benchmarks/dates.py                 # the table of BENCHMARKS.md, French dates
    python benchmarks/dates.py --repeat 50     # a smoke run

Fetch time 2022-01-03 13:00 in Paris. dateparser 1.5 with ``languages=["fr"]`` and the fetch
time as ``RELATIVE_BASE``; htmldate 1.11 ``find_date`` on a page holding the line, extensive
search, output to the minute. Both come with trafilatura; the crawl calls neither.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.extraction.dates import read_date, zone

FORMS = (
    "le 27 décembre 2021 à 9 h 08",
    "Publié le 27/12/2021 à 09h08, mis à jour le 28/12/2021 à 10h00",
    "27/12/2021 09:08",
    "27.12.2021 à 09h08",
    "lundi 27 décembre 2021 à 9h08",
    "1er janvier 2022 à 9h08",
    "27 déc. 2021 à 09h08",
    "il y a 3 heures",
    "hier à 18h30",
    "Dernière mise à jour à 09h08 le 27/12",
)


def per_call(function, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2000, help="calls timed per reader")
    args = parser.parse_args()
    import dateparser
    from htmldate import find_date

    paris, now = zone("Europe/Paris"), datetime(2022, 1, 3, 12, tzinfo=UTC)
    start = time.perf_counter()
    dateparser.parse("1 janvier 2020")
    print(
        f"dateparser's first call without languages=: {(time.perf_counter() - start) * 1000:.0f} ms"
    )
    print("| line | newscrawl | dateparser (fr) | htmldate |")
    print("| --- | --- | --- | --- |")
    for form in FORMS:
        ours = read_date(form, paris, now)
        theirs = dateparser.parse(
            form, languages=["fr"], settings={"RELATIVE_BASE": datetime(2022, 1, 3, 13)}
        )
        html = f"<html><body><p>{form}</p></body></html>"
        found = find_date(html, extensive_search=True, outputformat="%Y-%m-%dT%H:%M")
        cells = (
            ours.iso() if ours else "none",
            theirs.isoformat(timespec="minutes") if theirs else "none",
            found or "none",
        )
        print(f"| `{form}` | " + " | ".join(cells) + " |")
    line = "le 27 décembre 2021 à 9 h 08"
    print(f"newscrawl: {per_call(lambda: read_date(line, paris, now), args.repeat):.1f} µs a line")
    cost = per_call(lambda: dateparser.parse(line, languages=["fr"]), max(args.repeat // 7, 1))
    print(f"dateparser (fr): {cost:.1f} µs a line")


if __name__ == "__main__":
    main()
