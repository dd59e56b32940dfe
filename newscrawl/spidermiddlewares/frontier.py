"""The frontier middleware: every story link the spider yields passes the crawl's frontier.

The spider says where it met a story link (``newscrawl_link``: a seed, a listing, a related
headline); the frontier (:class:`newscrawl.frontier.Frontier`, kept by the outcome ledger)
decides what is requested, at which hop, and what ends at once (off the portal, no story URL,
older than ``since``, beyond ``max_depth``, known to the state). Everything else the spider
yields (listings, later pages, stories) passes untouched.

What one page met is written to the durable frontier (with a state) in one transaction before
any of that page's output leaves this middleware: its requests, and its story, which reaches
the feed only after this. So a run killed at any moment has written down every story URL it
could forget; the next run takes them up (:meth:`process_start`) before its own start URLs.
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response

from newscrawl import machinery
from newscrawl.compact import SpillFile
from newscrawl.extensions.ledger import OutcomeLedger
from newscrawl.frontier import Met
from newscrawl.spiders.related import HOP, LINK, LISTED_AT, PAGE, RELATED, SEED, STORY_URL
from newscrawl.state.store import StateStoreError


class Backlog:
    """Story URLs to request, nearest hop first, in the order they were met within a hop.

    A crawl's listings can name every story of the portal in its first seconds, so a URL waits
    here as its text in a spill file and 12 bytes (where, how long) in two arrays of its hop,
    not as a string: ~120 bytes each, made while the listings are parsed, which would keep the
    allocator's arenas of those first seconds for the whole run (a heap of (hop, order, URL)
    tuples cost ~100 bytes more)."""

    def __init__(self, spill_folder: str | None = None) -> None:
        self._by_hop: dict[int, _Queue] = {}
        self._text = SpillFile(spill_folder)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, hop: int, url: str) -> None:
        text = url.encode("utf-8", "surrogatepass")
        self._by_hop.setdefault(hop, _Queue()).push(self._text.append(text), len(text))
        self._size += 1

    def pop(self) -> str:
        hop = min(self._by_hop)
        waiting = self._by_hop[hop]
        at, size = waiting.pop()
        if not waiting:
            del self._by_hop[hop]
        self._size -= 1
        return self._text.read_bytes(at, size).decode("utf-8", "surrogatepass")


class _Queue:
    """Where the texts of one hop's URLs are, first in first out; what was taken is dropped
    from the front now and then (one copy of what is left, not one per URL taken)."""

    def __init__(self) -> None:
        self._at, self._size, self._next = array("q"), array("I"), 0

    def __len__(self) -> int:
        return len(self._at) - self._next

    def push(self, at: int, size: int) -> None:
        self._at.append(at)
        self._size.append(size)

    def pop(self) -> tuple[int, int]:
        taken = self._at[self._next], self._size[self._next]
        self._next += 1
        if self._next >= 4096 and self._next * 2 >= len(self._at):
            del self._at[: self._next], self._size[: self._next]
            self._next = 0
        return taken


class FrontierMiddleware:
    """Story requests wait in the frontier, not in Scrapy's scheduler: at most
    :data:`MAX_QUEUED` requests are in the scheduler at once, and the rest of the story URLs
    to fetch wait in a :class:`Backlog`, nearest hop first, released as the scheduler drains
    (with each page's output, and when the crawl would otherwise be idle). A request costs
    ~0.8 KB; a backlog entry 8 bytes beside the frontier's own entry, so a crawl whose listings
    name 100,000 stories at once does not hold 100,000 requests."""

    MAX_QUEUED = 1000

    def __init__(self, crawler: Crawler, ledger: OutcomeLedger) -> None:
        self.crawler = crawler
        self.ledger = ledger
        self.backlog = Backlog()
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        ledger = crawler.get_extension(OutcomeLedger)
        if ledger is None:
            raise NotConfigured("no outcome ledger: story links go to the scheduler as they are")
        return cls(crawler, ledger)

    def spider_idle(self) -> None:
        """Nothing in flight, nothing scheduled: the backlog's next requests, if any."""
        if machinery.failed(self.crawler) or not self.backlog:
            return
        engine = self.crawler.engine
        assert engine is not None
        released = self._released(self.MAX_QUEUED)
        for request in released:
            engine.crawl(request)
        if released:
            raise DontCloseSpider

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if machinery.failed(self.crawler):
            return
        taken_up = self._guard(self.ledger.take_up)
        self._requests(taken_up)
        for request in self._released(self._room()):
            yield request
        async for output in start:
            for passed in self._through([output], None):
                yield passed

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._through(list(result), response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        for passed in self._through([output async for output in result], response):
            yield passed

    # ------------------------------------------------------------------------------------

    def _through(self, outputs: list[Any], response: Response | None) -> list[Any]:
        """The page's output, its story links replaced by what the frontier requests."""
        frontier = self.ledger.frontier
        parent = _story_of(response)
        parent_hop = _hop_of(parent, response, frontier)
        passed: list[Any] = []
        children: list[str] = []
        for output in outputs:
            link = output.meta.get(LINK) if isinstance(output, Request) else None
            if link is None:
                passed.append(output)
                continue
            hop, via = self._where(link, parent, parent_hop, response)
            met = self._guard(
                lambda o=output, h=hop, v=via: frontier.meet(o.url, h, v, o.meta.get(LISTED_AT))
            )
            if link == RELATED:
                children.append(output.url)
            passed += self._requests(met)
        if parent is not None:
            self._guard(lambda: frontier.expanded(parent, children))
        self._guard(frontier.flush)
        if machinery.failed(self.crawler):
            return []  # nothing of this page leaves unless what it met is written down
        return passed + self._released(self._room())

    @staticmethod
    def _where(
        link: str, parent: str | None, parent_hop: int, response: Response | None
    ) -> tuple[int, str | None]:
        if link == RELATED and parent is not None:
            return parent_hop + 1, parent
        return 0, (None if link == SEED or response is None else response.url)

    def _requests(self, met: Met | None) -> list[Request]:
        if met is None:
            return []
        for outcome in met.outcomes:
            self.ledger.record(outcome)
        try:
            for visit in met.visits:
                self.backlog.push(visit.hop, visit.url)
        except OSError as error:  # its spill file; the frontier keeps the URLs unended
            machinery.fail(self.crawler, machinery.temporary_files(), error)
        return []  # released from the backlog at the end of the page (_released)

    def _room(self) -> int:
        """How many more requests the scheduler may hold now."""
        engine = self.crawler.engine
        scheduler = getattr(getattr(engine, "_slot", None), "scheduler", None)
        try:
            queued = len(scheduler) if scheduler is not None else 0  # type: ignore[arg-type]
        except TypeError:  # a scheduler that cannot say: no backlog
            return len(self.backlog)
        return max(self.MAX_QUEUED - queued, 0)

    def _released(self, room: int) -> list[Request]:
        """Up to ``room`` story requests from the backlog, nearest hop first, each at the hop
        the frontier has for it now (a URL met again nearer while it waited moved there)."""
        frontier = self.ledger.frontier
        spider = self.crawler.spider
        requests: list[Request] = []
        while self.backlog and len(requests) < room and not machinery.failed(self.crawler):
            try:
                url = self.backlog.pop()
            except OSError as error:  # its spill file; the frontier keeps the URLs unended
                machinery.fail(self.crawler, machinery.temporary_files(), error)
                break
            hop = frontier.scheduled_hop(url)
            if hop is None:
                continue  # ended meanwhile (an alias of a redirect, a state's decision)
            requests.append(spider.story_request(url, hop))  # type: ignore[union-attr]
        return requests

    def _guard(self, call: Any) -> Any:
        """A state store or a spill file that fails stops the run (newscrawl.machinery), not
        just this page."""
        if machinery.failed(self.crawler):
            return None
        try:
            return call()
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state's frontier", error)
        except OSError as error:  # the frontier's spill file: TMPDIR full or gone
            machinery.fail(self.crawler, machinery.temporary_files(), error)
        return None


def _story_of(response: Response | None) -> str | None:
    """The story whose first page this response is (its related headlines are children)."""
    if response is None or response.meta.get(PAGE) != "story":
        return None
    story: str | None = response.meta.get(STORY_URL)
    return story


def _hop_of(parent: str | None, response: Response | None, frontier: Any) -> int:
    if parent is None or response is None:
        return 0
    hop = frontier.hop(parent)
    return int(response.meta.get(HOP, 0)) if hop is None else hop
