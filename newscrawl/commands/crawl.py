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

Then the crawl's components may raise the stat ``newscrawl/exit_status`` (the health check:
3 for an unhealthy run, 74 when the run's own machinery failed), and the process exits with it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.config import NewscrawlConfig
from newscrawl.extensions.health import HealthCheck, log_verdict
from newscrawl.health import EXIT_MACHINERY
from newscrawl.setting import SettingError
from newscrawl.settings import FEEDS as DEFAULT_FEEDS
from newscrawl.state.lock import EXIT_LOCKED, RunLock, StateLocked
from newscrawl.state.store import NotAState, StateSchemaError, StateStore, StateStoreError

EXIT_BAD_ARGUMENTS = 2
EXIT_UNAVAILABLE = 69


class Command(ScrapyCrawlCommand):
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
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        check = crawler.get_extension(HealthCheck) if crawler.extensions else None
        if check is not None and check.verdict is not None:
            log_verdict(check.verdict, crawler)  # a run that closed as it opened
        if crawler.stats is not None:
            self.exitcode = int(crawler.stats.get_value("newscrawl/exit_status", 0) or 0)


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
