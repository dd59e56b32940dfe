"""``scrapy demo``: crawl the bundled replica of the portal, no network needed.

The replica answers as an HTTP proxy for the portal's host, so the crawl runs
with the production settings, spider and pipelines; only ``http_proxy`` points
at 127.0.0.1. Writes ``output/demo/<UTC time>.jsonl``, ``.csv`` and
``.rejects.jsonl`` and prints what became of every URL.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

DEMO_FEEDS = {
    "output/demo/%(run_time)s.jsonl": {
        "format": "jsonlines",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
    "output/demo/%(run_time)s.csv": {
        "format": "csv",
        "encoding": "utf-8",
        "item_classes": ["newscrawl.items.Story"],
    },
}


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False

    def short_desc(self) -> str:
        return "Crawl the bundled offline replica of the portal and print a summary"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--stories", type=int, default=60, help="stories in the replica")
        parser.add_argument("--seed", type=int, default=2021, help="replica seed")
        parser.add_argument("--max-depth", type=int, default=3, help="related-headline hops")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # Imported here: `scrapy <any command>` loads every command module.
        from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer

        assert self.settings is not None
        settings = demo_settings(self.settings)
        portal = Portal(ReplicaOptions(stories=opts.stories, seed=opts.seed))
        with ReplicaServer(portal) as server:
            os.environ["http_proxy"] = server.proxy_url
            os.environ.pop("no_proxy", None)
            os.environ.pop("NO_PROXY", None)
            stats = crawl(
                settings, max_depth=opts.max_depth, max_listing_pages=1 + opts.stories // 20
            )
            requests = len(server.requests)
        print(
            f"replica: {opts.stories} stories served at {server.proxy_url}; "
            f"{requests} requests received"
        )
        print(stats.get("newscrawl/summary", "newscrawl summary: (none)"))
        print(f"rejections and failures: {stats.get('newscrawl/rejects_file')}")
        if not stats.get("newscrawl/stories"):
            self.exitcode = 1
            print("demo: no story was emitted", file=sys.stderr)


def demo_settings(base: Settings) -> Settings:
    settings = base.copy()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.set("FEEDS", DEMO_FEEDS, priority="project")
    # The replica is ours and local: no need to be slow with it.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="project")
    settings.set("DOWNLOAD_DELAY", 0, priority="project")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="project")
    return settings


def crawl(settings: Settings, **spider_args: Any) -> dict[str, Any]:
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler("related")
    process.crawl(crawler, **spider_args)
    process.start()
    assert crawler.stats is not None
    return crawler.stats.get_stats()
