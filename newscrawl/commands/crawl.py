"""``scrapy crawl``, with its inputs checked up front and an exit status that means something.

Scrapy's own command exits 0 whatever the crawl found. Here, before Scrapy builds its crawler
(so one line is all the user sees, and nothing is created or requested):

- a wrong ``-s NEWSCRAWL_*`` value, or a name no component reads, prints one line and exits 2;
- a wrong ``-a`` value prints one line and exits 2 (the arguments are parsed once, here, and
  handed to the spider);
- a crawl this machine cannot run (``-a render=auto|always`` without Chromium at
  ``NEWSCRAWL_CHROMIUM_PATH``) prints one line and exits 69 (``EX_UNAVAILABLE``);
- with ``-s NEWSCRAWL_STATE=…`` the run holds the state's run lock for the whole crawl; if
  another run holds it, one line names that run and the process exits 75 (``EXIT_LOCKED``); a
  path that is no state exits 2, a state SQLite finds damaged 74 (``EXIT_MACHINERY``).

Then the crawl's components set the stat ``newscrawl/exit_status`` (the health check: 3 for an
unhealthy run, 74 when the run's own machinery failed, 130 or 143 for a run interrupted by
SIGINT or SIGTERM: :mod:`newscrawl.endings`), and the process exits with it.

``scrapy crawl -h`` lists the spider's arguments, with their defaults, and the exit statuses
(:data:`EXIT_STATUSES`, which README's table repeats).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import NoReturn

from scrapy.commands import ScrapyHelpFormatter
from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.config import NewscrawlConfig
from newscrawl.endings import INTERRUPTED, Ending, signal_received, watch_signals
from newscrawl.extensions.health import HealthCheck, log_verdict
from newscrawl.health import EXIT_MACHINERY, EXIT_STATUS_STAT, EXIT_UNHEALTHY
from newscrawl.setting import SettingError
from newscrawl.settings import FEEDS as DEFAULT_FEEDS
from newscrawl.spiders.arguments import HELP_WIDTH, describe_arguments
from newscrawl.state.lock import EXIT_LOCKED, RunLock, StateLocked
from newscrawl.state.store import NotAState, StateSchemaError, StateStore, StateStoreError

EXIT_BAD_ARGUMENTS = 2
EXIT_UNAVAILABLE = 69
EXIT_STATUSES = (
    (0, "the run finished and is healthy (also when nothing was new), or paused with JOBDIR"),
    (1, "Scrapy itself failed to start the crawl"),
    (
        EXIT_BAD_ARGUMENTS,
        "a wrong -a argument, -s NEWSCRAWL_* value or name, or a NEWSCRAWL_STATE that is no "
        "state; nothing was created or requested",
    ),
    (EXIT_UNHEALTHY, "unhealthy: the reason is the log's last line and in the manifest"),
    (EXIT_UNAVAILABLE, "-a render=auto|always without Chromium at NEWSCRAWL_CHROMIUM_PATH"),
    (
        EXIT_MACHINERY,
        "the run's own machinery failed: the state, a feed, the rejects file or the manifest",
    ),
    (EXIT_LOCKED, "another run holds the state: try again later; nothing was requested"),
    (130, "interrupted by SIGINT (Ctrl-C) without JOBDIR"),
    (143, "interrupted by SIGTERM without JOBDIR"),
)


class HelpFormatter(ScrapyHelpFormatter):
    """Scrapy's help layout, but the description keeps its lines (they are tables)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "".join(indent + line for line in text.splitlines(keepends=True))


class Command(ScrapyCrawlCommand):
    def long_desc(self) -> str:
        statuses = [
            line
            for status, meaning in EXIT_STATUSES
            for line in textwrap.wrap(
                meaning, HELP_WIDTH, initial_indent=f"  {status:>3}  ", subsequent_indent=" " * 7
            )
        ]
        return "\n".join(
            [
                "Run a spider: `scrapy crawl related`, with -a arguments and -s settings.",
                "",
                "Arguments of the related spider (a wrong one stops the run: exit status 2):",
                *describe_arguments(),
                "",
                "Where the output goes: a folder of its own for each run, under",
                "NEWSCRAWL_OUTPUT_DIR (output/related): stories.jsonl, stories.csv,",
                "rejects.jsonl, manifest.json, metrics.prom. -o/-O FILE send the stories to",
                "FILE instead. `scrapy report` draws what the runs collected.",
                "",
                "Exit statuses:",
                *statuses,
                "",
            ]
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if opts.output or opts.overwrite_output:
            # Scrapy merges -o/-O with FEEDS; a user naming the output file wants only that one,
            # as in a project without default feeds.
            feeds = {
                uri: options
                for uri, options in self.settings.getdict("FEEDS").items()
                if uri not in DEFAULT_FEEDS
            }
            self.settings.set("FEEDS", feeds, priority="cmdline")
        try:
            self.config = NewscrawlConfig.from_settings(self.settings)
        except SettingError as error:
            _stop(str(error), EXIT_BAD_ARGUMENTS)
        if len(args) == 1:
            self._refuse_what_cannot_run(args[0], opts)
        self.lock = self._hold_the_state()

    def _refuse_what_cannot_run(self, spider_name: str, opts: argparse.Namespace) -> None:
        """Bad -a values, or a machine without what the run needs: one line, before anything."""
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            return  # Scrapy's own "Spider not found" follows
        parse = getattr(spidercls, "parse_arguments", None)
        if parse is None:
            return
        try:
            arguments = parse(opts.spargs)
        except ValueError as error:
            _stop(str(error), EXIT_BAD_ARGUMENTS)
        problem = getattr(spidercls, "environment_problem", lambda *_: None)(
            arguments, self.settings
        )
        if problem:
            _stop(problem, EXIT_UNAVAILABLE)
        opts.spargs = {"arguments": arguments}  # parsed once: the spider takes them as they are
        if self.config.shared.enabled:
            self._join_the_shared_crawl(spidercls.name, arguments)

    def _join_the_shared_crawl(self, spider_name: str, arguments: object) -> None:
        """A worker of a crawl shared through Redis: arguments it can take, a Redis that answers
        and a key that holds no other crawl; one line and no crawl if not."""
        from newscrawl.distributed import arguments_problem

        problem = arguments_problem(arguments)
        if problem:
            _stop(problem, EXIT_BAD_ARGUMENTS)
        from newscrawl.shared.worker import check_before_crawling

        problem = check_before_crawling(self.config.shared, spider_name, arguments)
        if problem and problem.startswith("another crawl"):
            _stop(f"{problem} (exit status {EXIT_LOCKED})", EXIT_LOCKED)
        if problem:
            _stop(
                f"{problem}; the run stops before crawling (exit status {EXIT_MACHINERY})",
                EXIT_MACHINERY,
            )

    def _hold_the_state(self) -> RunLock | None:
        """The state's run lock, held until the process ends; then the state checked."""
        path = self.config.state.path
        if path is None:
            return None
        try:
            lock = RunLock.for_state(path).acquire()
        except StateLocked as locked:
            _stop(str(locked).removeprefix("newscrawl: "), EXIT_LOCKED)
        except OSError as error:  # its folder cannot be made, or its lock file written
            _stop(
                f"-s NEWSCRAWL_STATE={path}: cannot use this place for a state "
                f"({type(error).__name__}: {error.strerror or error})",
                EXIT_BAD_ARGUMENTS,
            )
        _check_state(path)
        return lock

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        try:
            self._crawl(args[0], opts)
        finally:
            if self.lock is not None:
                self.lock.release()

    def _crawl(self, spider_name: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process
        crawler = self._create_crawler(spider_name)
        watch_signals(self.crawler_process)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        check = crawler.get_extension(HealthCheck) if crawler.extensions else None
        if check is not None and check.verdict is not None:
            log_verdict(check.verdict, crawler)  # a run that closed as it opened
        if crawler.stats is not None:
            self.exitcode = int(crawler.stats.get_value(EXIT_STATUS_STAT, 0) or 0)
        received = signal_received(self.crawler_process)
        if received and (check is None or check.verdict is None):
            # Stopped before it could judge itself (the signal came twice, or before the spider
            # opened): still no success, and said so.
            self.exitcode = self.exitcode or Ending(INTERRUPTED, received).exit_status
            print(
                f"newscrawl: run interrupted by {received} before it could wind up "
                f"(exit status {self.exitcode})",
                file=sys.stderr,
            )


def _check_state(path: Path) -> None:
    """A path that is no state (or a newer one) is a wrong setting; a damaged state is the
    run's own machinery failing. Either stops the run before Scrapy starts."""
    try:
        StateStore.open(path).close()
    except (NotAState, StateSchemaError) as error:
        _stop(f"-s NEWSCRAWL_STATE={path}: {error}", EXIT_BAD_ARGUMENTS)
    except StateStoreError as error:
        _stop(
            f"{error}; the run stops before crawling (exit status {EXIT_MACHINERY})", EXIT_MACHINERY
        )


def _stop(line: str, status: int) -> NoReturn:
    print(f"newscrawl: {line}", file=sys.stderr)
    sys.exit(status)
