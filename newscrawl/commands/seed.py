"""``scrapy seed SPIDER [URL…] --redis redis://host:6379/0 [-a NAME=VALUE…]``: start pages into a
shared crawl's frontier (README, "Past one machine"), without crawling.

Workers started afterwards on the key (or already waiting there) crawl from them; a crawl
seeded so is marked: its workers seed none of their own start pages. Without URLs, the spider's
own start pages are seeded. The ``-a`` arguments are the crawl's: give the workers the same
(:mod:`newscrawl.shared.seed`). Exit statuses: 0 seeded; 2 a wrong URL, ``-a`` or ``-s`` (one
line, nothing seeded); 74 Redis unreachable for ``NEWSCRAWL_REDIS_RETRY_SECONDS``; 75 the key
holds a crawl with other arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

from newscrawl.config import NewscrawlConfig
from newscrawl.setting import SettingError

EXIT_BAD_ARGUMENTS = 2


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # it crawls nothing: no reactor, no Scrapy banner
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}  # one line: the summary

    def syntax(self) -> str:
        return "SPIDER [URL ...] --redis redis://host:6379/0 [-a NAME=VALUE ...]"

    def short_desc(self) -> str:
        return "Put start pages into a crawl shared through Redis, for its workers to crawl"

    def long_desc(self) -> str:
        return (
            "Put start pages (the URLs given, or the spider's own) into the frontier of the "
            "crawl shared through Redis under NEWSCRAWL_REDIS_KEY, without crawling: the "
            "workers (scrapy crawl SPIDER -s NEWSCRAWL_REDIS_URL=...) take them up. Give the "
            "workers the same -a arguments. Exit statuses: 0 seeded; 2 a wrong URL, -a or -s "
            "(nothing seeded); 74 Redis unreachable; 75 the key holds a crawl with other "
            "arguments."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="the crawl's spider argument, as the workers get it (may be repeated)",
        )
        parser.add_argument(
            "--redis",
            metavar="URL",
            help="the Redis of the shared crawl (else -s NEWSCRAWL_REDIS_URL=...)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None
        if opts.redis:
            self.settings.set("NEWSCRAWL_REDIS_URL", opts.redis, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give the spider's name, then the URLs to seed (if any)")
        from newscrawl.shared.seed import SeedRefused

        try:
            config, spider = self._crawl_of(args[0], opts.spargs)
            self._seed(config, spider, args[1:])
        except SeedRefused as refused:
            print(f"newscrawl: {refused}", file=sys.stderr)
            self.exitcode = refused.status

    def _crawl_of(self, name: str, spargs: dict[str, str]) -> tuple[NewscrawlConfig, Any]:
        from newscrawl.distributed import arguments_problem
        from newscrawl.shared.seed import SeedRefused

        assert self.settings is not None
        try:
            config = NewscrawlConfig.from_settings(self.settings)
        except SettingError as error:
            raise SeedRefused(str(error), EXIT_BAD_ARGUMENTS) from error
        if not config.shared.enabled:
            raise SeedRefused(
                "scrapy seed needs the shared crawl's Redis: --redis redis://host:6379/0",
                EXIT_BAD_ARGUMENTS,
            )
        try:
            spidercls = get_spider_loader(self.settings).load(name)
        except KeyError:
            raise SeedRefused(f"no spider named {name!r}", EXIT_BAD_ARGUMENTS) from None
        parse = getattr(spidercls, "parse_arguments", None)
        if parse is None or not hasattr(spidercls, "start_pages"):
            raise SeedRefused(f"the spider {name!r} cannot be seeded", EXIT_BAD_ARGUMENTS)
        try:
            arguments = parse(spargs)
        except ValueError as error:
            raise SeedRefused(str(error), EXIT_BAD_ARGUMENTS) from error
        problem = arguments_problem(arguments)
        if problem:
            raise SeedRefused(problem, EXIT_BAD_ARGUMENTS)
        return config, spidercls(arguments=arguments)

    def _seed(self, config: NewscrawlConfig, spider: Any, given: list[str]) -> None:
        from newscrawl.shared.seed import checked_seeds, seed

        urls = checked_seeds(spider, config, given)
        report = asyncio.run(seed(config, spider, urls))
        print(report.line(config), file=sys.stderr)
