"""``scrapy crawl``, with arguments checked up front and an exit status that means something.

Scrapy's own command exits 0 whatever the crawl found. Here:
- a wrong ``-a`` value prints one line and exits 2 before any request;
- a run's components may set the stat ``newscrawl/exit_status`` (the health
  check, the run lock), and the process exits with it.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process
        spidercls = self.crawler_process.spider_loader.load(args[0])
        validate = getattr(spidercls, "validate_arguments", None)
        if validate is not None:
            try:
                validate(opts.spargs)
            except ValueError as error:
                print(f"newscrawl: {error}", file=sys.stderr)
                self.exitcode = EXIT_BAD_ARGUMENTS
                return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None:
            self.exitcode = int(crawler.stats.get_value("newscrawl/exit_status", 0) or 0)
