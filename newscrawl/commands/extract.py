"""``scrapy extract``: the story a saved page yields, as a crawl would emit it.

    scrapy extract --url https://www.exemple.fr/a/123.html page.html     # one JSON line
    scrapy extract --batch pages.tsv > stories.jsonl                     # URL<TAB>FILE lines
    scrapy extract --site peopledaily_fr --url http://french.peopledaily.com.cn/… story.html

Each page gives one JSON line on stdout: the story (the fields of a crawl's JSONL feed), or
its rejection or failure as the rejects file writes it (``url``, ``outcome``, ``reason``,
``details``). It goes through the crawl's decoder, profile (the URL's host picks it; ``--site``
forces one), cleaning and validation (:mod:`newscrawl.extraction.offline`), with the project's
settings (``-s NEWSCRAWL_MIN_BODY_CHARS=…`` works here too). For checking a profile against
saved pages and re-extracting stored HTML after a fix.

``--batch``: one ``URL<TAB>FILE`` per line (blank lines and ``#`` comments skipped; a relative
FILE is taken from the batch file's folder, or from the working folder for ``--batch -``,
stdin); all pages in one process, one line out per line in, in order. A line that cannot be
read (no tab, a file that does not open) gives a failure line (``unreadable``) and the batch
goes on. Exit status: 0 when every page was read; 2 for a wrong option, a page or batch file
that does not open, or a wrong setting (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

EXIT_BAD_ARGUMENTS = 2
# Characters that are line breaks to some JSON lines readers (str.splitlines): escaped.
_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"}


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False

    def syntax(self) -> str:
        return "--url URL FILE | --batch FILE.tsv"

    def short_desc(self) -> str:
        return "Print the story (or the rejection) a saved page yields, as a crawl would"

    def long_desc(self) -> str:
        return __doc__ or ""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the URL the saved page was fetched from")
        parser.add_argument("--batch", help="a file of URL<TAB>FILE lines ('-': stdin)")
        parser.add_argument("--site", help="force this site profile (default: the URL's host's)")
        parser.add_argument(
            "--content-type",
            default="text/html",
            help="the Content-Type the page was served with (default: text/html)",
        )
        parser.add_argument(
            "--fetched-at",
            help="ISO time the page was fetched (for 'il y a 3 heures'; default: now)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: `scrapy <any command>` loads every command module.
        from newscrawl.config import NewscrawlConfig
        from newscrawl.extraction.offline import OfflineConfig
        from newscrawl.setting import SettingError
        from newscrawl.sites import PROFILES

        assert self.settings is not None
        if bool(opts.url) == bool(opts.batch):
            raise UsageError("give --url URL FILE, or --batch FILE")
        if opts.url and len(args) != 1:
            raise UsageError("--url needs exactly one FILE (the saved page)")
        if opts.site is not None and opts.site not in PROFILES:
            _stop(f"--site {opts.site}: unknown site (known: {', '.join(PROFILES)})")
        try:
            config = NewscrawlConfig.from_settings(self.settings)
        except SettingError as error:
            _stop(str(error))
        fetched_at = _fetched_at(opts.fetched_at)
        offline = OfflineConfig(clean=config.clean, validate=config.validate)
        extract = _Extractor(opts.site, opts.content_type, fetched_at, offline, sys.stdout)
        if opts.url:
            try:
                body = Path(args[0]).read_bytes()
            except OSError as error:
                _stop(f"{args[0]}: {error.strerror or error}")
            extract.page(opts.url, body)
            return
        for line in _batch_lines(opts.batch):
            if isinstance(line, dict):
                extract.write(line)
            else:
                extract.file(*line)


class _Extractor:
    def __init__(
        self,
        site: str | None,
        content_type: str,
        fetched_at: datetime | None,
        config: Any,
        out: TextIO,
    ) -> None:
        self.site, self.content_type, self.fetched_at = site, content_type, fetched_at
        self.config, self.out = config, out

    def page(self, url: str, body: bytes) -> None:
        from newscrawl.extraction.offline import extract_saved

        self.write(
            extract_saved(body, url, self.site, self.content_type, self.fetched_at, self.config)
        )

    def file(self, url: str, path: Path) -> None:
        try:
            body = path.read_bytes()
        except OSError as error:
            self.write(_unreadable(url, file=str(path), error=error.strerror or str(error)))
            return
        self.page(url, body)

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        for char, escaped in _LINE_BREAKS.items():
            line = line.replace(char, escaped)
        self.out.write(line + "\n")
        self.out.flush()


def _batch_lines(name: str) -> Iterator[tuple[str, Path] | dict[str, Any]]:
    if name == "-":
        source, folder = sys.stdin, Path.cwd()
    else:
        try:
            source = open(name, encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            _stop(f"--batch {name}: {error.strerror or error}")
        folder = Path(name).resolve().parent
    try:
        for number, raw in enumerate(source, start=1):
            text = raw.rstrip("\r\n")
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            url, tab, file = text.partition("\t")
            if not tab or not url.strip() or not file.strip():
                yield _unreadable(
                    url.strip() or f"line {number}", line=number, error="not URL<TAB>FILE"
                )
                continue
            path = Path(file.strip())
            yield url.strip(), path if path.is_absolute() else folder / path
    finally:
        if source is not sys.stdin:
            source.close()


def _unreadable(url: str, **details: Any) -> dict[str, Any]:
    from newscrawl.outcomes import failed

    return failed(url, "unreadable", **details).to_dict()


def _fetched_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _stop(f"--fetched-at {value}: not an ISO time such as 2021-12-27T09:08:00+01:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stop(line: str) -> NoReturn:
    print(f"newscrawl: {line}", file=sys.stderr)
    sys.exit(EXIT_BAD_ARGUMENTS)
