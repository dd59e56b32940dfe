"""The feeds: where they go, and Scrapy's feed exporter made to fail loudly.

Scrapy's ``FeedExporter`` writes each story from a signal handler, whose exceptions Scrapy only
logs: a full disk would scroll by as thousands of ``ENOSPC`` tracebacks while the run exits 0.
:class:`FeedExporter` (which replaces it in ``EXTENSIONS``) stops the run at the first write that
fails, as a failure of its own machinery (:mod:`newscrawl.machinery`, exit status 74), and writes
nothing more: the feed then ends at the last story the disk took (a JSON lines reader, and the
state's read-back, skip a cut last line), and what was not written is taken up by the next
run on the state. A feed Scrapy cannot store when it closes it counts as the same failure
(``newscrawl.health``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter
from scrapy.extensions.feedexport import apply_uri_params

from newscrawl import machinery
from newscrawl.distributed import shared_config, worker_of

logger = logging.getLogger(__name__)
JSONL_FORMATS = ("jsonlines", "jsonl", "jl")
FEED_SUFFIXES = (".jsonl", ".jl", ".json", ".csv", ".xml")
UNWRITTEN_STAT = "newscrawl/feeds/unwritten"  # stories handed to a feed after it failed


def run_name(spider: Any) -> str:
    """What every file of this run is named by: its UTC start time, followed, for a worker of a
    shared crawl, by the worker id (``2026-12-01T10-00-00+00-00.host-1234``)."""
    run_time = getattr(spider, "run_time", None) or "run"
    worker = worker_of(spider)
    return f"{run_time}.{worker}" if worker else str(run_time)


def uri_params(params: dict[str, Any], spider: Any) -> dict[str, Any]:
    """``FEED_URI_PARAMS`` of a shared crawl's worker: ``%(run_time)s`` is :func:`run_name`."""
    return {**params, "run_time": run_name(spider)}


def feed_params(spider: Any) -> dict[str, Any]:
    """What ``%(name)s``, ``%(run_time)s`` … of a ``FEEDS`` URI stand for in this run."""
    run_time = run_name(spider)
    return {
        "name": spider.name,
        "run_time": run_time,
        "time": run_time,
        "batch_time": run_time,
        "batch_id": 1,
    }


def local_feed_paths(
    feeds: dict[str, Any], spider: Any, formats: tuple[str, ...] = ()
) -> list[Path]:
    """Where the local feeds of ``FEEDS`` (of ``formats``, if given) go in this run."""
    paths = []
    for uri, options in feeds.items():
        uri = str(uri)
        if formats and (options or {}).get("format") not in formats:
            continue
        if "://" in uri and not uri.startswith("file://"):
            continue
        try:
            paths.append(Path(apply_uri_params(uri.removeprefix("file://"), feed_params(spider))))
        except (KeyError, ValueError):
            logger.warning("newscrawl: cannot tell where feed %s goes", uri)
    return paths


def local_jsonl_feeds(feeds: dict[str, Any], spider: Any) -> list[Path]:
    return local_feed_paths(feeds, spider, JSONL_FORMATS)


def rejects_path_of(feeds: dict[str, Any], spider: Any) -> Path:
    """Where this run's rejections go: beside its first local feed."""
    paths = local_feed_paths(feeds, spider)
    template = paths[0] if paths else Path(f"output/{spider.name}/{run_name(spider)}.jsonl")
    return Path(rejects_path_for(str(template)))


def rejects_path_for(feed_uri: str) -> str:
    """``output/related/T.jsonl`` -> ``output/related/T.rejects.jsonl``."""
    for suffix in FEED_SUFFIXES:
        if feed_uri.endswith(suffix):
            return feed_uri[: -len(suffix)] + ".rejects.jsonl"
    return feed_uri + ".rejects.jsonl"


class FeedExporter(ScrapyFeedExporter):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._flush_each = shared_config(crawler).enabled

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if machinery.failed(self.crawler):
            self.crawler.stats.inc_value(UNWRITTEN_STAT)  # type: ignore[union-attr]
            return
        try:
            super().item_scraped(item, spider)
            if self._flush_each:  # a shared crawl confirms a story once its line is in the OS
                for slot in self.slots:
                    if slot.file is not None:
                        slot.file.flush()
        except Exception as error:
            self.crawler.stats.inc_value(UNWRITTEN_STAT)  # type: ignore[union-attr]
            machinery.fail(self.crawler, "a feed", error)
