"""Where a crawl's time goes: a py-spy raw profile (``crawl_speed.py --profile FILE``) summed
by part of the crawl.

    python benchmarks/stacks.py profile.txt [more.txt ...]

Each sample is counted once per part whose function is on its stack (so parts nest: the
extraction includes the parse). The parts are matched by function and file name.
"""

from __future__ import annotations

import argparse
import re

PARTS = (
    ("cleaning (CleanStoryPipeline)", r"CleanStoryPipeline\.process_item|pipelines/clean\.py"),
    ("  of which ftfy", r"ftfy/"),
    ("extraction (site profile)", r"\.extract_story \(newscrawl/sites"),
    (
        "HTML parse (page_selector, parsel Selector)",
        r"page_selector|Selector\.__init__|create_root_node",
    ),
    ("deduplication (DeduplicatePipeline)", r"DeduplicatePipeline\.(process_item|_decide)"),
    ("validation (JSON Schema)", r"ValidateStoryPipeline\.process_item"),
    ("feeds (JSONL and CSV)", r"FeedExporter|exporters\.py"),
    (
        "frontier middleware and ledger",
        r"FrontierMiddleware\._through|OutcomeLedger\.|frontier/book",
    ),
    ("asyncio task creation", r"create_task \(asyncio"),
    ("download handler (HTTP)", r"HTTP11DownloadHandler|_ScrapyAgent"),
    ("idle in the event loop (select)", r"\(selectors\.py|select \(|epoll"),
)


def summary(path: str) -> tuple[int, dict[str, int]]:
    total, counts = 0, dict.fromkeys((name for name, _ in PARTS), 0)
    patterns = [(name, re.compile(pattern)) for name, pattern in PARTS]
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            stack, _, number = line.rstrip("\n").rpartition(" ")
            if not number.isdigit():
                continue
            samples = int(number)
            total += samples
            for name, pattern in patterns:
                if pattern.search(stack):
                    counts[name] += samples
    return total, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profiles", nargs="+")
    args = parser.parse_args()
    results = [summary(path) for path in args.profiles]
    print("| part | " + " | ".join(args.profiles) + " |")
    print("| --- |" + " ---: |" * len(results))
    for name, _ in PARTS:
        cells = [f"{counts[name] / total:.1%}" if total else "-" for total, counts in results]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| samples | " + " | ".join(str(total) for total, _ in results) + " |")


if __name__ == "__main__":
    main()
