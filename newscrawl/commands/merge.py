"""``scrapy merge FOLDER|FILE… [-o all.jsonl] [--rejects all.rejects.jsonl]``: a crawl's outputs.

The workers of a shared crawl (README, "Past one machine") each write their own feed and
rejects file (``<time>.<worker>.jsonl``, ``.rejects.jsonl``); this merges them (or the runs of a
scheduled crawl): every story once, by URL, as JSON lines on stdout or into ``-o``; with
``--rejects``, every other URL once. One summary line goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any, ClassVar

from scrapy.commands import ScrapyCommand

from newscrawl.merge import merge, output_files


class Command(ScrapyCommand):
    requires_project = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}  # one line: the summary

    def syntax(self) -> str:
        return "FOLDER|FILE... [-o all.jsonl] [--rejects all.rejects.jsonl]"

    def short_desc(self) -> str:
        return "Merge a crawl's feeds and rejects (many workers or runs): each URL once"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="stories to FILE, not stdout")
        parser.add_argument("--rejects", metavar="FILE", help="every other URL to FILE")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            print("newscrawl: scrapy merge needs output folders or files", file=sys.stderr)
            self.exitcode = 2
            return
        try:
            merged = merge(output_files(args))
        except OSError as error:
            print(f"newscrawl: {error}", file=sys.stderr)
            self.exitcode = 2
            return
        _write(merged.stories, opts.output)
        if opts.rejects:
            _write(merged.rejects, opts.rejects)
        print(
            f"newscrawl merge: {len(merged.stories)} stories from {merged.feeds} feeds "
            f"({merged.repeated_stories} repeated lines dropped); {len(merged.rejects)} other "
            f"URLs ({merged.repeated_ends} repeated ends dropped)",
            file=sys.stderr,
        )


def _write(records: list[dict[str, Any]], path: str | None) -> None:
    if path is None:
        _lines(records, sys.stdout)
        return
    with Path(path).open("w", encoding="utf-8") as handle:
        _lines(records, handle)


def _lines(records: list[dict[str, Any]], handle: IO[str]) -> None:
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
