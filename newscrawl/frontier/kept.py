"""What a frontier keeps of the URLs it has no live entry for, compact: those waiting to be
fetched with nothing known but their hop, and those that ended (BENCHMARKS.md, *Memory*).

A crawl's listings name most stories of the portal in its first seconds, so while the frontier
is largest nearly every URL is waiting; by the end nearly every URL has ended. Neither needs its
string in memory. A later meeting needs of a waiting URL its hop and its listing time (the
state's question: fetch it?), and of an ended one its hop (met nearer, it moves there), whether
its end is durable (the store's row), and the related story URLs of its page (met nearer, they
come nearer too).

Each such URL has one number for the whole run (:class:`URLNumbers`: its text in a spill file,
found again by its hash and confirmed by its text, so two URLs sharing a hash never pass for
each other) and, by that number, numpy columns: its hop with its kind (waiting, ended, durably
ended, or neither: it has a live entry now), and where its record is in a second spill file
(-1: none): a waiting URL's listing time, an ended URL's related URLs of its page (none: its
page was not read). That is ~40 bytes a URL (the columns' room to grow aside) instead of an
Entry, its strings and a dict slot: 320 bytes for a listed URL waiting (tracemalloc, 100,000 of
the portal's), ~250 for one ended. A record is read back only when a waiting URL is met nearer
or ends, or an ended one is met nearer, which a crawl's breadth-first order makes rare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import numpy as np

from newscrawl.compact import Column, SpillFile, URLNumbers

LIVE, WAITING, ENDED = 0, 1, 2  # a URL's kind: its low 2 bits
DURABLE = 4  # ended, and the durable store keeps its end
KIND_BITS = 3


class KeptURLs:
    def __init__(self, spill_folder: str | None = None, hash_of: Callable[[str], int] = hash):
        self._numbers = URLNumbers(spill_folder, hash_of)
        self._state = Column(np.int64)  # hop << KIND_BITS | DURABLE? | kind
        # Its record in the spill file (-1: none): the listing time of a waiting URL, the
        # related URLs of an ended URL's page (none: the page was not read).
        self._record_at = Column(np.int64, -1)
        self._record_size = Column(np.uint32)
        self._spill = SpillFile(spill_folder)
        self._counts = [0, 0, 0]  # by kind
        # The last URL asked about and its number: a meeting asks "waiting?", then "ended?".
        self._last: tuple[str | None, int | None] = (None, None)

    # --- waiting ------------------------------------------------------------------------

    def wait(self, url: str, hop: int, listed_at: str | None = None) -> None:
        """``url`` waits to be fetched at ``hop``, nothing else known but the time its listing
        gave (it has no live entry)."""
        number = self._number_for(url)
        self._set(number, hop << KIND_BITS | WAITING)
        self._write_record(number, None if listed_at is None else _utf8(listed_at))

    def waiting_hop(self, url: str) -> int | None:
        value = self._value(url)
        return value >> KIND_BITS if value is not None and value & 3 == WAITING else None

    def waiting_at(self, url: str) -> tuple[int, str | None] | None:
        """(hop, listing time) of a waiting ``url``."""
        hop = self.waiting_hop(url)
        if hop is None:
            return None
        return hop, self._listed_at(self._number(url))  # type: ignore[arg-type]

    def unwait(self, url: str) -> tuple[int, str | None] | None:
        """(hop, listing time) of a waiting ``url``, which waits no more (it gets a live entry,
        or ends)."""
        waiting = self.waiting_at(url)
        if waiting is not None:
            self._set(self._number(url), LIVE)  # type: ignore[arg-type]
        return waiting

    def waiting(self) -> Iterator[tuple[str, int, str | None]]:
        """Every waiting URL with its hop and listing time (read back from the spill files:
        the run's close)."""
        values = self._state.values[: len(self._numbers)]
        for number in np.flatnonzero(values & 3 == WAITING).tolist():
            hop = int(values[number]) >> KIND_BITS
            yield self._numbers.url(number), hop, self._listed_at(number)

    def _listed_at(self, number: int) -> str | None:
        record = self._record(number)
        return None if record is None else record.decode("utf-8", "surrogatepass")

    def waiting_hops(self) -> Counter[int]:
        values = self._state.values[: len(self._numbers)]
        hops, counts = np.unique(values[values & 3 == WAITING] >> KIND_BITS, return_counts=True)
        return Counter(dict(zip(hops.tolist(), counts.tolist(), strict=True)))

    @property
    def waiting_count(self) -> int:
        return self._counts[WAITING]

    # --- ended --------------------------------------------------------------------------

    def __contains__(self, url: object) -> bool:
        """Has ``url`` ended?"""
        value = self._value(url) if isinstance(url, str) else None
        return value is not None and value & 3 == ENDED

    def __len__(self) -> int:
        """How many URLs ended."""
        return self._counts[ENDED]

    def __iter__(self) -> Iterator[str]:
        """Every ended URL, read back from the spill file (a test's question, not a crawl's)."""
        values = self._state.values[: len(self._numbers)]
        return (self._numbers.url(n) for n in np.flatnonzero(values & 3 == ENDED).tolist())

    def put(self, url: str, hop: int, durable: bool, children: tuple[str, ...] | None) -> None:
        """``url`` ended at ``hop`` (again, at a new hop: the last one counts)."""
        number = self._number_for(url)
        self._set(number, hop << KIND_BITS | (DURABLE if durable else 0) | ENDED)
        self._write_record(number, None if children is None else _record(children))

    def move(self, url: str, hop: int) -> None:
        """An ended ``url`` met nearer: its new hop (its related URLs stay where they are)."""
        number = self._number(url)
        if number is None or self._state.values[number] & 3 != ENDED:
            raise KeyError(url)
        value = int(self._state.values[number])
        self._set(number, hop << KIND_BITS | value & (DURABLE | 3))

    def hop(self, url: str) -> int | None:
        """The hop of an ended ``url`` (None: it has not ended)."""
        value = self._value(url)
        return value >> KIND_BITS if value is not None and value & 3 == ENDED else None

    def get(self, url: str) -> tuple[int, bool, tuple[str, ...] | None] | None:
        """(hop, durable, related URLs or None if its page was not read) of an ended ``url``."""
        number = self._number(url)
        if number is None or self._state.values[number] & 3 != ENDED:
            return None
        value, record = int(self._state.values[number]), self._record(number)
        hop, durable = value >> KIND_BITS, bool(value & DURABLE)
        return hop, durable, None if record is None else _urls_of(record)

    # --- records ------------------------------------------------------------------------

    def _write_record(self, number: int, record: bytes | None) -> None:
        if record is None:
            self._record_at.values[number] = -1
            return
        self._record_at.values[number] = self._spill.append(record)
        self._record_size.values[number] = len(record)

    def _record(self, number: int) -> bytes | None:
        at = int(self._record_at.values[number])
        return None if at < 0 else self._spill.read_bytes(at, int(self._record_size.values[number]))

    # --- numbers ------------------------------------------------------------------------

    def _number(self, url: str) -> int | None:
        if self._last[0] != url:
            self._last = (url, self._numbers.number(url))
        return self._last[1]

    def _number_for(self, url: str) -> int:
        """``url``'s number, given now if it has none (a URL keeps one number all the run)."""
        number = self._number(url)
        if number is None:
            number = self._numbers.add(url)
            for column in (self._state, self._record_at, self._record_size):
                column.ensure(number + 1)
            self._counts[LIVE] += 1
            self._last = (url, number)
        return number

    def _value(self, url: str) -> int | None:
        number = self._number(url)
        return None if number is None else int(self._state.values[number])

    def _set(self, number: int, value: int) -> None:
        self._counts[int(self._state.values[number]) & 3] -= 1
        self._counts[value & 3] += 1
        self._state.values[number] = value


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _record(children: tuple[str, ...]) -> bytes:
    parts = [_utf8(child) for child in children]
    return b"".join(len(part).to_bytes(4, "little") + part for part in parts)


def _urls_of(record: bytes) -> tuple[str, ...]:
    """The related URLs of a record."""
    urls, at = [], 0
    while at < len(record):
        size = int.from_bytes(record[at : at + 4], "little")
        urls.append(record[at + 4 : at + 4 + size].decode("utf-8", "surrogatepass"))
        at += 4 + size
    return tuple(urls)
