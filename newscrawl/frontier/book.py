"""The frontier: every story URL a crawl has met, from the moment it is met until it ends.

Pure (no Scrapy), so every rule here is tested in a millisecond. The spider only says where it
met a story link (on a listing, as a related headline of a story); the frontier decides, once
per URL, whether it is requested now (a :class:`Visit`), rejected at once (off the portal, no
story URL, older than ``since``), or left pending with the reason it ends with if nothing
changes (``beyond_max_depth``, ``known``). Every URL is met at its smallest hop whatever order
pages arrive in: a URL met again nearer a seed is moved there, and if its page was already
read, its related headlines are met again one hop nearer too (so a story first reached at the
depth limit, then by a shorter path, still has its related headlines followed).

With a durable store (:mod:`newscrawl.frontier.store`, in the state of a scheduled crawl),
what was met is written by :meth:`Frontier.flush` before the requests and the story of the page
that met it leave the frontier middleware, so a run killed at any moment has lost nothing: the
next run :meth:`takes up <Frontier.take_up>` what it left unended.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from newscrawl.frontier.kept import KeptURLs
from newscrawl.outcomes import Outcome, rejected

SCHEDULED = "scheduled"  # requested (or about to be)
PENDING = "pending"  # not requested: ends with its pending reason unless met again nearer
ENDED = "ended"  # a story, a rejection or a failure

NOT_FETCHED = "not_fetched"  # the run stopped before the URL was done
BEYOND = "beyond_max_depth"
KNOWN = "known"  # a state holds it and it need not be fetched again


@dataclass(slots=True)
class Entry:
    hop: int
    via: str | None  # where it was met at that hop: a listing or a story URL; None for a seed
    listed_at: str | None = None
    state: str = SCHEDULED
    pending: str = NOT_FETCHED
    # The related story URLs of its page, once the page was read (None: not read yet).
    children: tuple[str, ...] | None = None
    closed: bool = False  # its end is one the durable store keeps


@dataclass(frozen=True)
class Visit:
    """A story URL to request now, at this hop."""

    url: str
    hop: int


@dataclass
class Met:
    visits: list[Visit] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # rejected at once, to report


@dataclass(frozen=True)
class Row:
    """What the durable store keeps of an entry."""

    url: str
    hop: int
    via: str | None
    listed_at: str | None
    ended: bool
    children: tuple[str, ...] | None


class Store(Protocol):
    def frontier_rows(self) -> Iterable[Row]: ...

    def write_frontier(self, rows: list[Row]) -> None: ...


class Rules(Protocol):
    @property
    def max_depth(self) -> int: ...

    def canonical(self, url: str) -> str: ...

    def rejection(self, url: str, listed_at: str | None) -> tuple[str, dict[str, Any]] | None: ...

    def wanted(self, url: str, listed_at: str | None) -> bool: ...


@dataclass(frozen=True)
class StoryRules:
    """Which story URLs a crawl requests: in scope, story-shaped, within ``sections`` (if
    given), not older than ``since``, within ``max_depth``, and (with a state) not known."""

    canonical_url: Callable[[str], str]
    refusal: Callable[[str], str | None]
    is_story: Callable[[str], bool]
    story_date: Callable[[str], date | None]
    max_depth: int
    since: date | None = None
    # A story's URL carries the day it was published, its date line the day it was last
    # updated, which can be a little later (a story of 31/12 edited on 02/01): so a URL
    # decides only when it is more than this many days older than ``since``.
    since_url_margin_days: int = 0
    wanted_by_state: Callable[[str, str | None], bool] | None = None
    # -a sections: a story outside them is not requested (``outside_sections``), however it
    # was met: listed on the front page, or a related headline of a story inside.
    sections: frozenset[str] | None = None
    section_of: Callable[[str], str | None] = lambda url: None

    def canonical(self, url: str) -> str:
        return self.canonical_url(url)

    def rejection(self, url: str, listed_at: str | None) -> tuple[str, dict[str, Any]] | None:
        why = self.refusal(url)
        if why is not None:
            return "off_portal", {"why": why}
        if not self.is_story(url):
            return "not_a_story_url", {}
        if self.sections is not None:
            section = self.section_of(url)
            if section not in self.sections:
                return "outside_sections", {"section": section}
        if self.since is not None:
            day = self.story_date(url)
            if day is not None and day < self.since - timedelta(days=self.since_url_margin_days):
                return "before_since", {"date": day.isoformat()}
            if listed_before(listed_at, self.since):  # its last update is older still
                return "before_since", {"listed_at": listed_at}
        return None

    def wanted(self, url: str, listed_at: str | None) -> bool:
        return self.wanted_by_state is None or self.wanted_by_state(url, listed_at)


class Frontier:
    """Every URL met. The ones not ended yet are :class:`Entry` objects in :attr:`entries`,
    except those that only wait; the waiting and the ended ones are kept compact
    (:class:`~newscrawl.frontier.kept.KeptURLs`)."""

    def __init__(self, rules: Rules, store: Store | None = None) -> None:
        self.rules = rules
        self.store = store
        # A story link is canonicalised when it is met and again when its page's links are
        # filed (expanded), and a story is a related headline of a dozen others: the spellings
        # of the last few thousand links are kept (3 µs each, ~3% of the engine's work).
        self._canonical = functools.lru_cache(maxsize=4096)(rules.canonical)
        # Not ended yet, and more than waiting. A URL to fetch that nothing else is known of
        # (scheduled, its page not read) waits, once its meeting is written, as its hop and its
        # listing time in ``_kept``, without an Entry or a string: a crawl's listings name most
        # of the portal's stories in its first seconds, so these are most of the frontier while
        # it is largest.
        self.entries: dict[str, Entry] = {}
        self._kept = KeptURLs()
        self._dirty: dict[str, Entry] = {}  # met, moved or ended since the last flush

    # --- meeting ------------------------------------------------------------------------

    def meet(self, url: str, hop: int, via: str | None = None, listed_at: str | None = None) -> Met:
        """A story link met at ``hop``: what to request, and what ends at once."""
        met = Met()
        work = [(url, hop, via, listed_at)]
        while work:
            self._meet_one(*work.pop(), met, work)
        return met

    def _meet_one(
        self,
        url: str,
        hop: int,
        via: str | None,
        listed_at: str | None,
        met: Met,
        work: list[tuple[str, int, str | None, str | None]],
    ) -> None:
        url = self._canonical(url)
        entry = self.entries.get(url)
        if entry is None:
            waiting_at = self._kept.waiting_hop(url)  # scheduled, nothing else known
            if waiting_at is None:
                ended_at = self._kept.hop(url)
                if ended_at is None:
                    self._first_meeting(url, hop, via, listed_at, met)
                elif hop < ended_at:
                    self._meet_ended(url, hop, via, work)
                return
            if hop >= waiting_at:
                return
            entry = self._live(url)
            assert entry is not None
        if hop >= entry.hop:
            if listed_at and entry.state == PENDING and entry.pending == KNOWN:
                self._reconsider_known(url, entry, listed_at, met)
            return
        entry.hop, entry.via = hop, via
        entry.listed_at = listed_at or entry.listed_at
        self._dirty[url] = entry
        if entry.state == PENDING and entry.pending == BEYOND and hop <= self.rules.max_depth:
            self._schedule_or_keep(url, entry, met)
        if entry.children and hop + 1 <= self.rules.max_depth:
            work.extend((child, hop + 1, url, None) for child in entry.children)

    def _meet_ended(
        self,
        url: str,
        hop: int,
        via: str | None,
        work: list[tuple[str, int, str | None, str | None]],
    ) -> None:
        """An ended URL met nearer: it moves there, and so do its related headlines."""
        self._kept.move(url, hop)
        entry = self.entry(url)
        assert entry is not None
        entry.via = via
        self._dirty[url] = entry
        if entry.children and hop + 1 <= self.rules.max_depth:
            work.extend((child, hop + 1, url, None) for child in entry.children)

    def _first_meeting(
        self, url: str, hop: int, via: str | None, listed_at: str | None, met: Met
    ) -> None:
        entry = Entry(hop, via, listed_at)
        self.entries[url] = entry
        self._dirty[url] = entry
        rejection = self.rules.rejection(url, listed_at)
        if rejection is not None:
            reason, details = rejection
            entry.state, entry.pending = PENDING, reason
            met.outcomes.append(rejected(url, reason, **details))
        elif hop > self.rules.max_depth:
            entry.state, entry.pending = PENDING, BEYOND
        else:
            self._schedule_or_keep(url, entry, met)

    def _schedule_or_keep(self, url: str, entry: Entry, met: Met) -> None:
        if self.rules.wanted(url, entry.listed_at):
            entry.state, entry.pending = SCHEDULED, NOT_FETCHED
            met.visits.append(Visit(url, entry.hop))
        else:
            entry.state, entry.pending = PENDING, KNOWN

    def _reconsider_known(self, url: str, entry: Entry, listed_at: str, met: Met) -> None:
        """A listing met later shows a known story with a newer time: it is fetched after all."""
        if self.rules.wanted(url, listed_at):
            entry.listed_at = listed_at
            entry.state, entry.pending = SCHEDULED, NOT_FETCHED
            self._dirty[url] = entry
            met.visits.append(Visit(url, entry.hop))

    def claim(self, url: str, hop: int, via: str | None) -> bool:
        """A page already fetched (the end of a redirect chain) is ``url``'s: True if ``url``
        was not met before, and is now, as being fetched; False if it was met already."""
        url = self._canonical(url)
        if url in self.entries or self._kept.waiting_hop(url) is not None or url in self._kept:
            return False
        self.entries[url] = self._dirty[url] = Entry(hop, via)
        return True

    def expanded(self, url: str, children: Iterable[str]) -> None:
        """The page of ``url`` was read: these are its related story URLs (already met)."""
        entry = self._live(url) or self.entry(url)
        if entry is None:
            return
        read = tuple(dict.fromkeys(self._canonical(c) for c in children))
        entry.children = read
        if entry.state == ENDED:
            self._kept.put(url, entry.hop, entry.closed, read)
        self._dirty[url] = entry

    # --- ending -------------------------------------------------------------------------

    def end(self, url: str, durable: bool = True) -> bool:
        """``url`` ends now; False if it had already ended (a URL ends once).

        ``durable=False`` for what the store must not learn from this run: a story (its feed
        line is the record, read back by the state), or a URL the run stopped before doing,
        which the next run takes up.
        """
        entry = self.entries.pop(url, None)
        if entry is None:
            waiting = self._kept.unwait(url)
            if waiting is None:
                if url in self._kept:
                    return False
                self._kept.put(url, 0, False, None)  # not a story link met (a listing, say)
                return True
            entry = Entry(waiting[0], None, waiting[1])
        entry.state = ENDED
        if durable:
            entry.closed = True
            self._dirty[url] = entry
        self._kept.put(url, entry.hop, entry.closed, entry.children)
        return True

    def emitted(self, url: str, story: Any = None) -> bool:
        """``url`` ends as a story: its feed line is the record (see :meth:`end`). ``story``:
        the story itself, which a shared frontier records with the end (here the state reads
        the feed back)."""
        return self.end(url, durable=False)

    # --- questions ----------------------------------------------------------------------

    def hop(self, url: str) -> int | None:
        entry = self.entries.get(url)
        if entry is not None:
            return entry.hop
        waiting_at = self._kept.waiting_hop(url)
        return waiting_at if waiting_at is not None else self._kept.hop(url)

    def scheduled_hop(self, url: str) -> int | None:
        """The hop of ``url`` if it is to be fetched, else None."""
        entry = self.entries.get(url)
        if entry is None:
            return self._kept.waiting_hop(url)
        return entry.hop if entry.state == SCHEDULED else None

    def to_fetch(self) -> Counter[int]:
        """How many URLs are to be fetched, by hop."""
        live = Counter(e.hop for e in self.entries.values() if e.state == SCHEDULED)
        return live + self._kept.waiting_hops()

    def entry(self, url: str) -> Entry | None:
        """What the frontier has of ``url`` (a copy, unless it is a live Entry)."""
        entry = self.entries.get(url)
        if entry is not None:
            return entry
        waiting = self._kept.waiting_at(url)
        if waiting is not None:
            return Entry(waiting[0], None, waiting[1])
        ended = self._kept.get(url)
        if ended is None:
            return None
        hop, durable, children = ended
        return Entry(hop, None, state=ENDED, children=children, closed=durable)

    def unended(self) -> Iterator[tuple[str, Entry]]:
        waiting = [(url, Entry(hop, None, at)) for url, hop, at in self._kept.waiting()]
        return iter(list(self.entries.items()) + waiting)

    def _live(self, url: str) -> Entry | None:
        """The live Entry of ``url``, made again from its hop if it was waiting."""
        entry = self.entries.get(url)
        if entry is None:
            waiting = self._kept.unwait(url)
            if waiting is not None:
                entry = self.entries[url] = Entry(waiting[0], None, waiting[1])
        return entry

    def __iter__(self) -> Iterator[str]:
        """Every URL met."""
        yield from self.entries
        yield from (url for url, _, _ in self._kept.waiting())
        yield from self._kept

    def __len__(self) -> int:
        return len(self.entries) + self._kept.waiting_count + len(self._kept)

    # --- the durable store --------------------------------------------------------------

    def flush(self) -> None:
        """Write what was met, moved and ended since the last flush, in one transaction."""
        if self.store is not None and self._dirty:
            self.store.write_frontier([_row(url, e) for url, e in self._dirty.items()])
        for url, entry in self._dirty.items():  # written: what only needs its hop keeps its hop
            if self.entries.get(url) is entry and _only_its_hop(entry):
                del self.entries[url]
                self._kept.wait(url, entry.hop, entry.listed_at)
        self._dirty.clear()

    def take_up(self) -> Met:
        """What the store holds of the last run's frontier: its ended URLs are ended in this
        crawl too (with their related headlines, for a shorter path met now); the rest is met
        again at its hop, nearest first."""
        if self.store is None:
            return Met()
        rows = list(self.store.frontier_rows())
        for row in rows:
            if row.ended:
                self._kept.put(row.url, row.hop, True, row.children)
        met = Met()
        for row in sorted((r for r in rows if not r.ended), key=lambda r: r.hop):
            part = self.meet(row.url, row.hop, row.via, row.listed_at)
            met.visits += part.visits
            met.outcomes += part.outcomes
            entry = self._live(self._canonical(row.url))
            if entry is not None and row.children is not None and entry.children is None:
                entry.children = row.children
        return met


def _only_its_hop(entry: Entry) -> bool:
    return entry.state == SCHEDULED and entry.children is None and not entry.closed


def _row(url: str, entry: Entry) -> Row:
    return Row(url, entry.hop, entry.via, entry.listed_at, entry.closed, entry.children)


def listed_before(listed_at: str | None, since: date) -> bool:
    """A listing's time (ISO with offset) before the ``since`` day."""
    if not listed_at:
        return False
    try:
        return datetime.fromisoformat(listed_at).date() < since
    except ValueError:
        return False
