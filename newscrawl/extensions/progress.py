"""Progress while a crawl runs: one line every ``NEWSCRAWL_PROGRESS_INTERVAL`` seconds.

It replaces Scrapy's LogStats line ("Crawled N pages (at N pages/min)…", off in the settings)
with one that says where the crawl is::

    newscrawl progress: 412 stories, 37 rejected, 5 failed; 186 pages/min; frontier 230 to
    fetch (hop 1: 12, hop 2: 218), 16 in flight, 198 queued; crawling hop 2 of 2; 2m30s
    elapsed; about 1m15s left

- stories, rejected and failed: the URLs that ended so far (the outcome ledger's counts);
- pages a minute: responses over the last interval;
- the frontier (:class:`~newscrawl.frontier.Frontier`): story URLs the crawl decided to fetch
  and that have not ended yet, by hop; in flight: requests being downloaded; queued: requests
  waiting in Scrapy's scheduler or for a downloader slot (listings and later pages of long
  stories included);
- the hop being crawled: the hops of the story requests in flight, of ``-a max_depth``;
- the time left, only when it can honestly be told: once no listing is left to read (they
  seed the crawl), either the frontier can no longer grow (every story still to fetch is at
  the last hop: its related headlines are beyond ``max_depth``), and then it is what is left
  over the rate at which story URLs ended in the last interval; or the frontier shrank over
  the last interval, and then it is what is left over the rate at which it shrank. Otherwise
  the line says why it cannot be told yet.

Logged at INFO: ``LOG_LEVEL=WARNING`` (``-L WARNING``) keeps it quiet. One plain line each
time, on a terminal as in a log file, so a log stays greppable (no updating line).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from newscrawl.config import config_of
from newscrawl.history import NOT_REQUESTED
from newscrawl.spiders.related import HOP, PAGE

logger = logging.getLogger(__name__)
LISTING = "listing"  # the spider's PAGE for a listing


@dataclass(frozen=True)
class Snapshot:
    """Where the crawl is, at ``at`` seconds since it started."""

    at: float
    stories: int = 0
    rejected: int = 0
    failed: int = 0
    done: int = 0  # story URLs ended after a request (stories, failures, fetched rejections)
    responses: int = 0
    to_fetch: Counter[int] = field(default_factory=Counter)  # hop -> story URLs
    in_flight: int = 0
    queued: int | None = None  # None: the scheduler cannot tell
    hops_in_flight: tuple[int, ...] = ()
    listings_left: int = 0
    listings_read: int = 0
    max_depth: int | None = None

    @property
    def frontier(self) -> int:
        return sum(self.to_fetch.values())


def duration(seconds: float) -> str:
    """``45s``, ``2m30s``, ``1h05m``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def time_left(now: Snapshot, before: Snapshot | None) -> tuple[float | None, str]:
    """Seconds left (or None) and, when None, why it cannot be told."""
    if before is None or now.at <= before.at:
        return None, "time left not known yet"
    if now.listings_left or not now.listings_read:
        return None, "time left not known while listings are read"
    if not now.frontier:
        return 0.0, ""
    elapsed = now.at - before.at
    last_hop_only = now.max_depth is not None and set(now.to_fetch) <= {now.max_depth}
    ended_rate = (now.done - before.done) / elapsed
    if last_hop_only and ended_rate > 0:
        return now.frontier / ended_rate, ""
    shrink_rate = (before.frontier - now.frontier) / elapsed
    if shrink_rate > 0:
        return now.frontier / shrink_rate, ""
    return None, "time left not known while the frontier grows"


def progress_line(now: Snapshot, before: Snapshot | None) -> str:
    elapsed = now.at - (before.at if before else 0.0)
    pages = (now.responses - (before.responses if before else 0)) / elapsed * 60 if elapsed else 0
    hops = ", ".join(f"hop {hop}: {n}" for hop, n in sorted(now.to_fetch.items()) if n)
    frontier = f"frontier {now.frontier} to fetch" + (f" ({hops})" if hops else "")
    frontier += f", {now.in_flight} in flight"
    if now.queued is not None:
        frontier += f", {now.queued} queued"
    parts = [
        f"newscrawl progress: {now.stories} stories, {now.rejected} rejected, {now.failed} failed",
        f"{pages:.0f} pages/min",
        frontier,
    ]
    if now.hops_in_flight:
        low, high = min(now.hops_in_flight), max(now.hops_in_flight)
        crawling = f"crawling hop {low}" if low == high else f"crawling hops {low}-{high}"
        if now.max_depth is not None:
            crawling += f" of {now.max_depth}"
        parts.append(crawling)
    elif now.listings_left:
        parts.append("reading listings")
    parts.append(f"{duration(now.at)} elapsed")
    left, why = time_left(now, before)
    parts.append(why if left is None else f"about {duration(left)} left")
    return "; ".join(parts)


def ended_counts(stats: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """(stories, rejected, failed, done) from the ledger's counters."""
    stories = int(stats.get("newscrawl/stories", 0) or 0)
    rejected = int(stats.get("newscrawl/rejected", 0) or 0)
    failed = int(stats.get("newscrawl/failed", 0) or 0)
    unrequested = sum(
        int(stats.get(f"newscrawl/rejected/{reason}", 0) or 0) for reason in NOT_REQUESTED
    )
    return stories, rejected, failed, stories + failed + rejected - unrequested


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.last: Snapshot | None = None
        self.listings_scheduled = 0
        self.listings_gone = 0  # dropped by the scheduler, or left the downloader
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = config_of(crawler).watch.progress_interval
        if not interval:
            raise NotConfigured
        progress = cls(crawler, interval)
        for handler, signal in (
            (progress.spider_opened, signals.spider_opened),
            (progress.spider_closed, signals.spider_closed),
            (progress.request_scheduled, signals.request_scheduled),
            (progress.request_gone, signals.request_dropped),
            (progress.request_gone, signals.request_left_downloader),
        ):
            crawler.signals.connect(handler, signal=signal)
        return progress

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def request_scheduled(self, request: Any) -> None:
        if request.meta.get(PAGE) == LISTING:
            self.listings_scheduled += 1

    def request_gone(self, request: Any) -> None:
        if request.meta.get(PAGE) == LISTING:
            self.listings_gone += 1

    def log(self) -> None:
        now = self.snapshot()
        logger.info(progress_line(now, self.last))
        self.last = now

    def snapshot(self) -> Snapshot:
        from newscrawl.extensions.ledger import OutcomeLedger  # it imports much of newscrawl

        assert self.crawler.stats is not None
        stories, rejected, failed, done = ended_counts(self.crawler.stats.get_stats())
        ledger = self.crawler.get_extension(OutcomeLedger)
        to_fetch: Counter[int] = ledger.frontier.to_fetch() if ledger is not None else Counter()
        engine = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        # In flight: being transferred; the downloader's other requests wait for their slot
        # (DOWNLOAD_DELAY, concurrency), so they count as queued, with the scheduler's.
        slots = list(getattr(downloader, "slots", {}).values())
        active = [r for slot in slots for r in getattr(slot, "transferring", ())]
        waiting = len(getattr(downloader, "active", ()) or ()) - len(active)
        try:
            queued: int | None = len(engine.scheduler) + max(0, waiting)  # type: ignore[arg-type, union-attr]
        except (TypeError, AttributeError):
            queued = None
        spider = getattr(self.crawler, "spider", None)
        return Snapshot(
            at=time.monotonic() - self.started,
            stories=stories,
            rejected=rejected,
            failed=failed,
            done=done,
            responses=int(self.crawler.stats.get_value("response_received_count", 0) or 0),
            to_fetch=to_fetch,
            in_flight=len(active),
            queued=queued,
            hops_in_flight=tuple(int(r.meta[HOP]) for r in active if r.meta.get(HOP) is not None),
            listings_left=max(0, self.listings_scheduled - self.listings_gone),
            listings_read=self.listings_gone,
            max_depth=getattr(getattr(spider, "args", None), "max_depth", None),
        )
