"""``scrapy demo``: crawl the bundled replica of the portal, no network needed.

The replica answers as an HTTP proxy for the portal's host, so the crawl runs
with the production settings, spider and pipelines; only ``http_proxy`` points
at 127.0.0.1. Like ``scrapy crawl``, it writes under the folder it is run in: a run
folder of its own in ``./output/demo/`` (``stories.jsonl``, ``stories.csv``,
``rejects.jsonl``, ``manifest.json``, ``metrics.prom``); it prints what became of every URL
and where each file is.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from newscrawl.config import NewscrawlConfig
from newscrawl.endings import watch_signals
from newscrawl.health import EXIT_STATUS_STAT
from newscrawl.runs import MANIFEST, METRICS
from newscrawl.setting import SettingError

DEMO_OUTPUT_DIR = "output/demo"  # relative to the folder the demo runs in, as for a crawl


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
        try:
            NewscrawlConfig.from_settings(settings)
        except SettingError as error:
            print(f"newscrawl: {error}", file=sys.stderr)
            self.exitcode = 2
            return
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
        print(where_it_went(stats))
        self.exitcode = int(stats.get(EXIT_STATUS_STAT) or 0)  # as `scrapy crawl` would exit
        if not stats.get("newscrawl/stories"):
            self.exitcode = self.exitcode or 1
            print("demo: no story was emitted", file=sys.stderr)


def demo_settings(base: Settings) -> Settings:
    settings = base.copy()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.set("NEWSCRAWL_OUTPUT_DIR", DEMO_OUTPUT_DIR, priority="project")
    # The replica is ours and local: no need to be slow with it.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="project")
    settings.set("DOWNLOAD_DELAY", 0, priority="project")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="project")
    return settings


def where_it_went(stats: dict[str, Any]) -> str:
    """Every file the run wrote, by its absolute path (from the run's manifest)."""
    folder = stats.get("newscrawl/run_folder")
    manifest = Path(folder, MANIFEST) if folder else None
    if manifest is None or not manifest.is_file():
        return "demo: the run wrote no manifest"
    written = json.loads(manifest.read_text(encoding="utf-8"))
    lines = [f"written to {manifest.parent.absolute()}/"]
    lines += [f"  stories:  {feed}" for feed in written["feeds"]]
    lines.append(f"  rejects:  {written['rejects']}")
    lines.append(f"  manifest: {manifest.absolute()}")
    if (manifest.parent / METRICS).is_file():
        lines.append(f"  metrics:  {(manifest.parent / METRICS).absolute()}")
    return "\n".join(lines)


def crawl(settings: Settings, **spider_args: Any) -> dict[str, Any]:
    process = AsyncCrawlerProcess(settings)
    watch_signals(process)
    crawler = process.create_crawler("related")
    process.crawl(crawler, **spider_args)
    process.start()
    assert crawler.stats is not None
    return crawler.stats.get_stats()
