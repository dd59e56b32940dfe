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
from scrapy.exceptions import CloseSpider
from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter
from scrapy.extensions.feedexport import apply_uri_params

from newscrawl import machinery
from newscrawl.distributed import shared_config
from newscrawl.runs import RunFolder, run_of

logger = logging.getLogger(__name__)
OUTPUT_FOLDER = "the output folder"
JSONL_FORMATS = ("jsonlines", "jsonl", "jl")
UNWRITTEN_STAT = "newscrawl/feeds/unwritten"  # stories handed to a feed after it failed


def local_feed_paths(
    feeds: dict[str, Any], params: dict[str, Any], formats: tuple[str, ...] = ()
) -> list[Path]:
    """Where the local feeds of ``FEEDS`` (of ``formats``, if given) go in this run;
    ``params``: what the URIs' ``%(…)s`` stand for (:meth:`newscrawl.runs.RunFolder.uri_params`)."""
    paths = []
    for uri, options in feeds.items():
        uri = str(uri)
        if formats and (options or {}).get("format") not in formats:
            continue
        if "://" in uri and not uri.startswith("file://"):
            continue
        try:
            paths.append(Path(apply_uri_params(uri.removeprefix("file://"), params)))
        except (KeyError, ValueError):
            logger.warning("newscrawl: cannot tell where feed %s goes", uri)
    return paths


def local_jsonl_feeds(feeds: dict[str, Any], params: dict[str, Any]) -> list[Path]:
    return local_feed_paths(feeds, params, JSONL_FORMATS)


class FeedExporter(ScrapyFeedExporter):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._flush_each = shared_config(crawler).enabled

    def open_spider(self, spider: Spider) -> None:
        # The run's folder is made first of all (every feed URI may name it): if it cannot be
        # made, the run stops before any request.
        open_run(self.crawler)
        super().open_spider(spider)

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


def open_run(crawler: Any) -> RunFolder:
    """The run's folder (:func:`newscrawl.runs.run_of`); if it cannot be made, a failure of the
    run's own machinery and the spider is closed as it opens."""
    try:
        return run_of(crawler)
    except OSError as error:
        machinery.fail(crawler, OUTPUT_FOLDER, error)
        raise CloseSpider(machinery.CLOSE_REASON) from error
