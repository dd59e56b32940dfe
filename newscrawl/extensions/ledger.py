"""The outcome ledger: every story URL the crawl met, and how it ended.

It listens to the spider's ``url_met``/``url_outcome``/``url_alias`` signals and
to Scrapy's ``item_scraped``/``item_dropped``; writes rejections and failures
beside the feed (``<feed>.rejects.jsonl``); keeps the counts in Scrapy's stats
under ``newscrawl/``; and closes the run with one summary line. A URL met but
never resolved (the crawl stopped first, or it was beyond the depth limit)
is written as a rejection with the reason it was met with.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import apply_uri_params

from newscrawl.items import Story
from newscrawl.outcomes import Outcome, StoryRejected, rejected, url_alias, url_met, url_outcome

logger = logging.getLogger(__name__)
FEED_SUFFIXES = (".jsonl", ".jl", ".json", ".csv", ".xml")


def rejects_path_for(feed_uri: str) -> str:
    """``output/related/T.jsonl`` -> ``output/related/T.rejects.jsonl``."""
    for suffix in FEED_SUFFIXES:
        if feed_uri.endswith(suffix):
            return feed_uri[: -len(suffix)] + ".rejects.jsonl"
    return feed_uri + ".rejects.jsonl"


class OutcomeLedger:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.feeds = list(crawler.settings.getdict("FEEDS"))
        self.pending: dict[str, str] = {}  # met, not yet resolved -> reason if it never is
        self.resolved: dict[str, str] = {}  # url -> "story" | "rejected" | "failed"
        self.counts: Counter[tuple[str, str]] = Counter()
        self.path: Path | None = None
        self._file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutcomeLedger:
        ledger = cls(crawler)
        for handler, signal in (
            (ledger.spider_opened, signals.spider_opened),
            (ledger.spider_closed, signals.spider_closed),
            (ledger.item_scraped, signals.item_scraped),
            (ledger.item_dropped, signals.item_dropped),
            (ledger.response_received, signals.response_received),
            (ledger.request_dropped, signals.request_dropped),
            (ledger.met, url_met),
            (ledger.record, url_outcome),
            (ledger.alias, url_alias),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ledger

    # --- where ----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        run_time = getattr(spider, "run_time", None) or "run"
        params = {
            "name": spider.name,
            "run_time": run_time,
            "time": run_time,
            "batch_time": run_time,
            "batch_id": 1,
        }
        local = [uri for uri in self.feeds if "://" not in uri or uri.startswith("file://")]
        template = local[0] if local else f"output/{spider.name}/{run_time}.jsonl"
        try:
            uri = apply_uri_params(template.removeprefix("file://"), params)
        except (KeyError, ValueError):
            uri = f"output/{spider.name}/{run_time}.jsonl"
        self.path = Path(rejects_path_for(uri))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Line-buffered: a killed run keeps every rejection it had written.
        self._file = self.path.open("w", encoding="utf-8", buffering=1)
        self.stats.set_value("newscrawl/rejects_file", str(self.path))

    # --- what -----------------------------------------------------------------------------

    def met(self, url: str, pending_reason: str = "not_fetched") -> None:
        if url not in self.resolved:
            self.pending.setdefault(url, pending_reason)

    def alias(self, url: str, final_url: str) -> None:
        """A URL that redirected: it ends as a pointer to the URL the story is filed under."""
        if url in self.resolved:
            return
        self.record(rejected(url, "redirected", final_url=final_url))

    def record(self, outcome: Outcome) -> None:
        if outcome.url in self.resolved:
            return  # first outcome wins: a URL ends once
        self.pending.pop(outcome.url, None)
        self.resolved[outcome.url] = outcome.outcome
        self.counts[(outcome.outcome, outcome.reason)] += 1
        self.stats.inc_value(f"newscrawl/{outcome.outcome}/{outcome.reason}")
        self.stats.inc_value(f"newscrawl/{outcome.outcome}")
        if self._file is not None:
            self._file.write(json.dumps(outcome.to_dict(), ensure_ascii=False) + "\n")

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Story):
            return
        self.pending.pop(item.url, None)
        self.resolved[item.url] = "story"
        self.counts[("story", "")] += 1
        self.stats.inc_value("newscrawl/stories")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, StoryRejected):
            self.record(exception.outcome)
        else:
            url = getattr(item, "url", None) or "?"
            self.record(rejected(url, "dropped", message=str(exception)[:300]))

    def request_dropped(self, request: Any) -> None:
        """The scheduler's duplicate filter dropped a request: typically a redirect to a
        story already requested under its own URL."""
        story_url = request.meta.get("story_url")
        if story_url and story_url in self.pending:
            self.record(
                rejected(
                    story_url,
                    "duplicate_url",
                    duplicate_of=request.url,
                    via="redirect" if request.url != story_url else "request",
                )
            )

    def response_received(self, response: Any) -> None:
        self.stats.inc_value("newscrawl/responses/total")
        if response.status >= 400:
            self.stats.inc_value("newscrawl/responses/error")

    # --- end ------------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for url, pending_reason in list(self.pending.items()):
            # Only a URL the crawl meant to fetch was cut short by the close.
            details = {"close_reason": reason} if pending_reason == "not_fetched" else {}
            self.record(rejected(url, pending_reason, **details))
        if self._file is not None:
            self._file.close()
        line = self.summary()
        self.stats.set_value("newscrawl/summary", line)
        logger.info(line)

    def summary(self) -> str:
        stories = f"{self.counts[('story', '')]} stories"
        new = self.stats.get_value("newscrawl/stories/new")
        revised = self.stats.get_value("newscrawl/stories/revised")
        if new is not None or revised is not None:  # an incremental run: which are revisions
            stories += f" ({new or 0} new, {revised or 0} revised)"
        requests = self.stats.get_value("downloader/request_count", 0)
        return (
            f"newscrawl summary: {stories}; {_by_reason(self.counts, 'rejected')}; "
            f"{_by_reason(self.counts, 'failed')}; {requests} requests"
        )


def _by_reason(counts: Counter[tuple[str, str]], kind: str) -> str:
    reasons = {reason: n for (k, reason), n in counts.items() if k == kind}
    total = sum(reasons.values())
    if not total:
        return f"{kind} 0"
    parts = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    return f"{kind} {total} ({parts})"
