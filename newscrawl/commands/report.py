"""``scrapy report``: one self-contained HTML file (or markdown) of what a crawl collected.

    scrapy report                                   # output/related -> report.html
    scrapy report output/related -o nightly.html
    scrapy report --state /srv/newscrawl/state/related.sqlite
    scrapy report output/related --format md        # the same numbers, for a terminal

It reads run folders (a run's own folder, or any folder above run folders) and, with
``--state`` (or ``-s NEWSCRAWL_STATE=…``), the state's runs and feeds; it writes nothing else
and needs no network: the HTML has its styles and plots inline and loads nothing. A path that
holds no run, or a file that is no state, is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand

from newscrawl.runs import output_root

EXIT_BAD_ARGUMENTS = 2
DEFAULT_HTML = "report.html"


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[RUN_FOLDER_OR_FOLDER_OF_RUNS ...] [--state STATE] [-o FILE] [--format html|md]"

    def short_desc(self) -> str:
        return "Write a self-contained HTML report (or markdown) of what a crawl collected"

    def long_desc(self) -> str:
        return (
            "Read a crawl's run folders (default: NEWSCRAWL_OUTPUT_DIR for the related "
            "spider, output/related) and, with --state, its state; write one HTML file that "
            "opens offline (plots inline, nothing fetched), or markdown with the same numbers."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--state", help="a NEWSCRAWL_STATE file: its runs and feeds too")
        parser.add_argument(
            "-o",
            "--output",
            help=f"where to write (default {DEFAULT_HTML}, or stdout for md); -: stdout",
        )
        parser.add_argument("--format", choices=("html", "md"), default="html")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawl.report import ReportInputError, make_report  # matplotlib: only here

        assert self.settings is not None
        state = opts.state or self.settings.get("NEWSCRAWL_STATE") or None
        paths: list[str | Path] = list(args)
        if not paths:
            default = output_root(
                str(self.settings.get("NEWSCRAWL_OUTPUT_DIR") or "output/%(name)s"), "related"
            )
            if default.exists() or state is None:
                paths = [default]
        try:
            text, figures = make_report(paths, state, opts.format)
        except ReportInputError as error:
            print(f"newscrawl: report: {error}", file=sys.stderr)
            self.exitcode = EXIT_BAD_ARGUMENTS
            return
        target = opts.output or (DEFAULT_HTML if opts.format == "html" else "-")
        if target == "-":
            sys.stdout.write(text)
            return
        path = Path(target)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"newscrawl: report: cannot write {path}: {error}", file=sys.stderr)
            self.exitcode = 74
            return
        print(
            f"newscrawl: report of {figures.stories} stories from {len(figures.runs)} runs "
            f"written to {path.absolute()}",
            file=sys.stderr,
        )
