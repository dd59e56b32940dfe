"""The frontier the workers of one crawl share, in Redis: what :class:`~newscrawl.frontier.Frontier`
is for one process, with leases.

The rules are the same (:class:`~newscrawl.frontier.StoryRules`, evaluated here, in Python, for
each link); the decisions are made in Redis, atomically, by the ``meet`` script, which is the
Lua rendering of :meth:`Frontier.meet` (every URL once, at its smallest hop, a URL met nearer
moving its related headlines nearer too). A story URL to fetch goes to the shared ready queue,
not to this worker: any worker leases it. A leased URL is this worker's alone until it ends
(only its holder ends it, so the first end wins without asking Redis) or until the worker is
taken for dead, when it goes back to the ready queue.

Ends are sent to Redis in batches, just after they are written down here (a rejection in the
rejects file, a story in the feed: a batch with a story in it waits for the feed's fsync). A
story's end carries what the key's state records of it (:mod:`newscrawl.shared.state`), in the
same script, so the state learns a story only once a feed has it on disk. A SIGKILL between the
two leaves the URL leased by a dead worker: whoever reaps it reads its feed and rejects file
first (on the same machine), so what it wrote is not done again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response

from newscrawl.frontier.book import Entry, Met, Rules, Visit
from newscrawl.shared.connection import SharedRedis
from newscrawl.spiders.related import HOP, LINK, LISTED_AT, PAGE, RELATED, SEED, STORY_URL

if TYPE_CHECKING:
    from newscrawl.shared.state import SharedState

logger = logging.getLogger(__name__)
LEASE = "newscrawl_lease"  # request meta: the work item this request is for
LISTING = "L"
STATE = ("stories", "minhash", "fingerprints", "settled")  # the key's state (shared.state)


FEED_PAGE = 0  # a feed's work item (robots.txt, a sitemap, RSS): listings count from 1


def listing_member(url: str, page: int, start: bool) -> str:
    return f"{LISTING}\t{page}\t{int(start)}\t{url}"


def parse_listing(member: str) -> tuple[str, int, bool]:
    _, page, start, url = member.split("\t", 3)
    return url, int(page), start == "1"


@dataclass
class Seeded:
    """What ``scrapy seed`` put into the crawl: story URLs to fetch, listings (and feeds) to
    read; what ended at once (nothing: seeds are checked first); over: the crawl was ending."""

    stories: int = 0
    listings: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    over: bool = False


class SharedFrontier:
    def __init__(
        self,
        redis: SharedRedis,
        worker: str,
        crawl_id: str,
        rules: Rules,
        state: SharedState | None = None,
    ) -> None:
        self.redis = redis
        self.state = state  # the key's state: looked up before meeting, recorded with the ends
        self.feeds: list[Path] = []  # this worker's JSON lines feeds, fsynced before a story ends
        self.worker = worker
        self.crawl_id = crawl_id
        self.rules = rules
        self.in_hand: dict[str, int] = {}  # leased by this worker and not ended: member -> hop
        self._listing_of: dict[str, str] = {}  # listing URL -> its work item
        self._ended: set[str] = set()  # ended by this worker
        self._hop_when_ended: dict[str, int] = {}  # for the ledger's stories-by-hop counts
        self._decided: set[str] = set()  # ended in Redis already (at their first meeting)
        self._ops: list[tuple[list[Any], bytes | None]] = []  # ends to send, and their blobs
        self._flushing: asyncio.Task[None] | None = None
        self.on_error: Any = None  # called with the exception a background flush met
        self.handed_back = asyncio.Event()
        self.k = {
            name: redis.key(name) for name in ("f", "ready", "listings", "crawl", "dedup", "alive")
        }
        self.k["mine"] = redis.key("leased", worker)
        for name in STATE:
            self.k[name] = redis.key("state", name)

    # --- work taken from the shared queue ----------------------------------------------

    def took(self, member: str, score: float) -> None:
        self.in_hand[member] = int(score)
        if member.startswith(LISTING + "\t"):
            self._listing_of[parse_listing(member)[0]] = member

    def request_for(self, spider: Any, member: str, score: float) -> Request:
        if member.startswith(LISTING + "\t"):
            url, page, start = parse_listing(member)
            if page == FEED_PAGE:
                request: Request = spider.feed_request(url, start_page=start)
            else:
                request = spider.listing_request(url, page_number=page, start_page=start)
        else:
            request = spider.story_request(member, int(score))
        request.meta[LEASE] = member
        return request.replace(dont_filter=True)

    # --- meeting (a page's links, the seeds) -------------------------------------------

    def _payload(self, outputs: list[Any], response: Response | None) -> tuple[dict, list, list]:
        parent = _story_of(response)
        hint = int(response.meta.get(HOP, 0)) if response is not None else 0
        links, listings, passed, children = [], [], [], []
        for output in outputs:
            if not isinstance(output, Request):
                passed.append(output)
                continue
            if output.meta.get(PAGE) == "listing":
                meta = output.meta
                page = FEED_PAGE if meta.get("feed") else int(meta["listing_page"])
                listings.append(listing_member(output.url, page, bool(meta["start_page"])))
                continue
            link = output.meta.get(LINK)
            if link is None:
                passed.append(output)
                continue
            url = self.rules.canonical(output.url)
            listed_at = output.meta.get(LISTED_AT)
            via = None if link == SEED or response is None else response.url
            rejection = self.rules.rejection(url, listed_at)
            reason, details = rejection if rejection else (None, None)
            wanted = 0 if rejection else int(self.rules.wanted(url, listed_at))
            links.append([url, link, 0, via, listed_at, reason, details, wanted])
            if link == RELATED:
                children.append(url)
        release = response.meta.get(LEASE) if response is not None else None
        if release is not None and not release.startswith(LISTING + "\t"):
            release = None  # a story's lease lasts until the story ends
        payload = {
            "max": self.rules.max_depth,
            "parent": parent,
            "phop": self.in_hand.get(parent, hint) if parent else 0,
            "links": links,
            "children": list(dict.fromkeys(children)) if parent else None,
            "listings": listings,
            "release": release,
            "mine": 0,
            "t": uuid.uuid4().hex,
        }
        return payload, passed, links

    async def page(self, response: Response | None, outputs: list[Any]) -> tuple[list[Any], Met]:
        """What a page (or the start) met, decided in Redis; the outputs that pass untouched,
        and what ended at once (to be recorded)."""
        payload, passed, result = await self._meet_all(outputs, response)
        met = self._met(result)
        if payload["release"] is not None:  # released by the script itself
            self.in_hand.pop(payload["release"], None)
            self.handed_back.set()
        return passed, met

    async def _meet_all(
        self, outputs: list[Any], response: Response | None, seed: bool = False
    ) -> tuple[dict[str, Any], list[Any], Any]:
        if self.state is not None:  # what the state knows of them, for the rules' should_fetch
            await self.state.look_up(
                self.rules.canonical(o.url)
                for o in outputs
                if isinstance(o, Request) and o.meta.get(LINK) is not None
            )
        payload, passed, _ = self._payload(outputs, response)
        payload["seed"] = int(seed)
        result = await self.redis.script(
            "meet", self._meet_keys(), [json.dumps(payload), self.crawl_id]
        )
        return payload, passed, result

    async def seed(self, outputs: list[Any]) -> Seeded:
        """``scrapy seed``: start pages (the spider's start outputs, already checked against the
        rules: none is rejected) met as a worker meets its own; what they became."""
        _, passed, result = await self._meet_all(outputs, None, seed=True)
        assert not passed, "only story links and listings are seeds"
        decoded = json.loads(result)
        if decoded.get("gone") or decoded.get("ending"):
            return Seeded(over=True)
        return Seeded(
            stories=len(decoded.get("visits") or []),
            listings=int(decoded.get("listed") or 0),
            rejected=[(url, reason) for url, reason, _ in decoded.get("out") or []],
        )

    def _meet_keys(self) -> list[str]:
        k = self.k
        return [k["f"], k["ready"], k["mine"], k["listings"], k["crawl"]]

    def _met(self, result: Any) -> Met:
        decoded = json.loads(result)
        met = Met()
        if decoded.get("gone"):
            return met
        from newscrawl.outcomes import rejected

        for url, reason, details in decoded.get("out") or []:
            self._decided.add(url)
            met.outcomes.append(rejected(url, reason, **(details or {})))
        for url, hop in decoded.get("visits") or []:
            met.visits.append(Visit(url, int(hop)))
        return met

    # --- the Frontier interface the ledger uses (synchronous: redirects only) ----------

    def meet(self, url: str, hop: int, via: str | None = None, listed_at: str | None = None) -> Met:
        """A redirect's target: met now, and if it is to be fetched, leased to this worker,
        which follows the redirect."""
        url = self.rules.canonical(url)
        rejection = self.rules.rejection(url, listed_at)
        reason, details = rejection if rejection else (None, None)
        wanted = 0 if rejection else int(self.rules.wanted(url, listed_at))
        payload = {
            "max": self.rules.max_depth,
            "parent": None,
            "phop": 0,
            "links": [[url, "redirect", hop, via, listed_at, reason, details, wanted]],
            "children": None,
            "listings": [],
            "release": None,
            "mine": 1,
            "t": uuid.uuid4().hex,
        }
        result = self.redis.script_sync(
            "meet", self._meet_keys(), [json.dumps(payload), self.crawl_id]
        )
        met = self._met(result)
        for visit in met.visits:
            self.in_hand[visit.url] = visit.hop
        return met

    def claim(self, url: str, hop: int, via: str | None) -> bool:
        url = self.rules.canonical(url)
        k = self.k
        claimed = self.redis.script_sync(
            "claim", [k["f"], k["mine"], k["crawl"]], [url, hop, via or "", self.crawl_id]
        )
        if claimed == 1:
            self.in_hand[url] = hop
        return bool(claimed == 1)

    def hop(self, url: str) -> int | None:
        hop = self.in_hand.get(url)
        return hop if hop is not None else self._hop_when_ended.get(url)

    def to_fetch(self) -> Counter[int]:
        """This worker's view (its progress line): the story URLs it holds, by hop."""
        return Counter(
            hop for member, hop in self.in_hand.items() if not member.startswith(LISTING + "\t")
        )

    def scheduled_hop(self, url: str) -> int | None:
        return None if url.startswith(LISTING + "\t") else self.in_hand.get(url)

    def has_met(self, url: str) -> bool:
        return self.rules.canonical(url) in self.in_hand

    def expanded(self, url: str, children: Any) -> None:
        """Sent with the page's links (:meth:`page`)."""

    def note_pending(self, url: str, reason: str) -> None:
        """Nothing is left pending by one worker: what it does not finish goes back."""

    def end(self, url: str, durable: bool = True) -> bool:
        """``url`` ends here; False if it had (or if it is only handed back: ``durable=False``
        means the run stopped before doing it, and in a shared crawl another worker does)."""
        if url in self._ended:
            return False
        if url in self._decided:  # ended in Redis at its first meeting
            self._decided.discard(url)
            self._ended.add(url)
            return True
        member = self._listing_of.get(url, url)
        if not durable:
            self._hand_back(member, "r")
            return False
        self._ended.add(url)
        self._hand_back(member, "e")
        return True

    def emitted(self, url: str, story: Any = None) -> bool:
        """A story's feed line is written (and flushed to the OS): its end, with what the
        state records of it, goes once the feed is on disk (:meth:`flush_ends`)."""
        if url in self._ended:
            return False
        self._ended.add(url)
        if self.state is not None and story is not None:
            record, blob = self.state.record_of(story)
            self._hand_back(url, "s", record, blob)
        else:
            self._hand_back(url, "s")
        return True

    def ended_here(self) -> set[str]:
        return self._ended | {m for url, m in self._listing_of.items() if url in self._ended}

    def ended_elsewhere(self, url: str) -> None:
        """``url`` ends in this worker's files but is ended in Redis already (the finisher's
        pending URLs)."""
        self._decided.add(url)

    def unended(self) -> Iterator[tuple[str, Entry]]:
        return iter(())  # a worker leaves nothing pending: see newscrawl.shared.worker

    def flush(self) -> None:
        """Ends go to Redis in the background (:meth:`flush_ends`)."""

    def take_up(self) -> Met:
        return Met()  # the shared frontier is durable itself: nothing to take up

    def __len__(self) -> int:
        return len(self.in_hand)

    # --- ends, in batches ---------------------------------------------------------------

    def _hand_back(
        self, member: str, op: str, record: Any = None, blob: bytes | None = None
    ) -> None:
        hop = self.in_hand.pop(member, None)
        if hop is not None and op == "s":
            self._hop_when_ended[member] = hop
        self.send([op, member, record], blob)
        self.handed_back.set()

    def send(self, op: list[Any], blob: bytes | None = None) -> None:
        """``op`` goes to Redis with the next batch of ends (``ends`` script)."""
        self._ops.append((op, blob))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush_in_background())

    async def _flush_in_background(self) -> None:
        try:
            await self.flush_ends()
        except Exception as error:
            if self.on_error is not None:
                self.on_error(error)

    async def flush_ends(self) -> None:
        while self._ops:
            ops, self._ops = self._ops, []
            keys = [self.k[n] for n in ("f", "ready", "mine", "dedup", *STATE)]
            sent, blobs = [], []
            for op, blob in ops:
                if blob is not None:
                    blobs.append(blob)
                    op = [op[0], op[1], {**op[2], "m": len(blobs)}]
                sent.append(op)
            try:
                if self.feeds and any(op[0] == "s" for op in sent):
                    await asyncio.to_thread(_fsync, self.feeds)  # the feed first, then Redis
                await self.redis.script("ends", keys, [json.dumps(sent), *blobs])
            except BaseException:
                self._ops = ops + self._ops
                raise

    async def hand_back_all(self) -> int:
        """The work this worker holds and did not end goes back to the shared queue."""
        held = list(self.in_hand)
        for member in held:
            self._hand_back(member, "r")
        await self.flush_ends()
        return len(held)


def _fsync(paths: list[Path]) -> None:
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)  # Linux syncs a file's data through any descriptor
        except FileNotFoundError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _story_of(response: Response | None) -> str | None:
    if response is None or response.meta.get(PAGE) != "story":
        return None
    story: str | None = response.meta.get(STORY_URL)
    return story
