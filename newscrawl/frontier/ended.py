"""The ended URLs of a frontier, kept compact: most URLs of a long crawl have ended, and a later
meeting needs only three things of one (BENCHMARKS.md, *Memory*): its hop (met nearer, it moves
there), whether its end is durable (the store's row), and the related story URLs of its page
(met nearer, they come nearer too).

No string of an ended URL stays in memory. Each has a number (:class:`URLNumbers`: its text in
a spill file, found again by its hash and confirmed by its text, so two URLs sharing a hash
never pass for each other) and, by that number, three numpy columns: its hop with whether its
end is durable, and where the related URLs of its page are in a second spill file (-1: its page
was not read). That is ~40 bytes an ended URL (the columns' room to grow aside) instead of a
string, a dict slot, an interned entry and an int (~250). The related URLs are read back only
when the URL is met nearer, which a crawl's breadth-first order makes rare.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import numpy as np

from newscrawl.compact import Column, SpillFile, URLNumbers


class EndedURLs:
    def __init__(self, spill_folder: str | None = None, hash_of: Callable[[str], int] = hash):
        self._numbers = URLNumbers(spill_folder, hash_of)
        self._hop = Column(np.int64)  # hop << 1 | durable
        self._related_at = Column(np.int64, -1)  # in the spill file; -1: its page was not read
        self._related_size = Column(np.uint32)
        self._spill = SpillFile(spill_folder)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._numbers.number(url) is not None

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        """Every ended URL, read back from the spill file (a test's question, not a crawl's)."""
        return (self._numbers.url(number) for number in range(len(self._numbers)))

    def close(self) -> None:
        self._numbers.close()
        self._spill.close()

    def put(self, url: str, hop: int, durable: bool, children: tuple[str, ...] | None) -> None:
        """``url`` ended at ``hop`` (again, at a new hop: the last one counts)."""
        number = self._numbers.number(url)
        if number is None:
            number = self._numbers.add(url)
            for column in (self._hop, self._related_at, self._related_size):
                column.ensure(number + 1)
        self._hop.values[number] = hop << 1 | durable
        if children is None:
            self._related_at.values[number] = -1
            return
        record = _record(children)
        self._related_at.values[number] = self._spill.append(record)
        self._related_size.values[number] = len(record)

    def move(self, url: str, hop: int) -> None:
        """An ended ``url`` met nearer: its new hop (its related URLs stay where they are)."""
        number = self._number(url)
        self._hop.values[number] = hop << 1 | int(self._hop.values[number]) & 1

    def hop(self, url: str) -> int | None:
        number = self._numbers.number(url)
        return None if number is None else int(self._hop.values[number]) >> 1

    def get(self, url: str) -> tuple[int, bool, tuple[str, ...] | None] | None:
        """(hop, durable, related URLs or None if its page was not read) of an ended ``url``."""
        number = self._numbers.number(url)
        if number is None:
            return None
        value, at = int(self._hop.values[number]), int(self._related_at.values[number])
        if at < 0:
            return value >> 1, bool(value & 1), None
        record = self._spill.read_bytes(at, int(self._related_size.values[number]))
        return value >> 1, bool(value & 1), _urls_of(record)

    def _number(self, url: str) -> int:
        number = self._numbers.number(url)
        if number is None:
            raise KeyError(url)
        return number


def _record(children: tuple[str, ...]) -> bytes:
    parts = [child.encode("utf-8", "surrogatepass") for child in children]
    return b"".join(len(part).to_bytes(4, "little") + part for part in parts)


def _urls_of(record: bytes) -> tuple[str, ...]:
    """The related URLs of a record, as the same string objects as the frontier's keys."""
    urls, at = [], 0
    while at < len(record):
        size = int.from_bytes(record[at : at + 4], "little")
        urls.append(sys.intern(record[at + 4 : at + 4 + size].decode("utf-8", "surrogatepass")))
        at += 4 + size
    return tuple(urls)
