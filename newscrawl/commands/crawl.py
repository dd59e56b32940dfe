"""``scrapy crawl``, with arguments checked up front and an exit status that means something.

Scrapy's own command exits 0 whatever the crawl found. Here:
- a wrong ``-a`` value prints one line and exits 2 before any request;
- a crawl this machine cannot run (``-a render=auto|always`` without Chromium at
  ``NEWSCRAWL_CHROMIUM_PATH``) prints one line and exits 69 (``EXIT_UNAVAILABLE``, sysexits'
  EX_UNAVAILABLE) before any request;
- with ``-s NEWSCRAWL_STATE=…`` the run holds the state's run lock for the whole crawl; if
  another run holds it, one line names that run and the process exits 75 (``EXIT_LOCKED``)
  before any request;
- a run's components may set the stat ``newscrawl/exit_status`` (the health
  check: 3), and the process exits with it.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawl.settings import FEEDS as DEFAULT_FEEDS
from newscrawl.state.lock import EXIT_LOCKED, StateLocked, run_lock_for

EXIT_BAD_ARGUMENTS = 2
EXIT_UNAVAILABLE = 69
logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if opts.output or opts.overwrite_output:
            # Scrapy merges -o/-O with FEEDS; a user naming the output file wants only that one,
            # as in a project without default feeds.
            assert self.settings is not None
            feeds = {
                uri: options
                for uri, options in self.settings.getdict("FEEDS").items()
                if uri not in DEFAULT_FEEDS
            }
            self.settings.set("FEEDS", feeds, priority="cmdline")
        if len(args) == 1:
            self._refuse_what_cannot_run(args[0], opts)

    def _refuse_what_cannot_run(self, spider_name: str, opts: argparse.Namespace) -> None:
        """Bad -a values, or a machine without what the run needs: one line, before anything.

        Done here, before Scrapy builds its crawler process and logs its banner, so the line
        is all the user sees.
        """
        assert self.settings is not None
        try:
            spidercls = get_spider_loader(self.settings).load(spider_name)
        except KeyError:
            return  # Scrapy's own "Spider not found" follows
        validate = getattr(spidercls, "validate_arguments", None)
        environment_problem = getattr(spidercls, "environment_problem", None)
        try:
            if validate is not None:
                validate(opts.spargs)
        except ValueError as error:
            print(f"newscrawl: {error}", file=sys.stderr)
            sys.exit(EXIT_BAD_ARGUMENTS)
        problem = environment_problem(opts.spargs, self.settings) if environment_problem else None
        if problem:
            print(f"newscrawl: {problem}", file=sys.stderr)
            sys.exit(EXIT_UNAVAILABLE)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.settings is not None
        try:
            with run_lock_for(self.settings.get("NEWSCRAWL_STATE")):
                self._crawl(args[0], opts)
        except StateLocked as locked:
            logger.error(str(locked))
            self.exitcode = EXIT_LOCKED

    def _crawl(self, spider_name: str, opts: argparse.Namespace) -> None:
        assert self.crawler_process
        crawler = self._create_crawler(spider_name)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None:
            self.exitcode = int(crawler.stats.get_value("newscrawl/exit_status", 0) or 0)
