"""The ended URLs of a frontier, kept compact: most URLs of a long crawl have ended, and a later
meeting needs only three things of one (BENCHMARKS.md, *Memory*): its hop (met nearer, it moves
there), whether its end is durable (the store's row), and the related story URLs of its page
(met nearer, they come nearer too).

An ended URL is one int: bit 0 its end is durable, bit 1 its page was read. Not read, the rest
is the hop: a small int, which CPython shares (no object of its own). Read, the related URLs are
appended to a spill file (an unlinked temporary file) and the int holds the hop (20 bits), the
record's size (24 bits) and its offset: ~40 bytes a story page instead of an Entry (~90 bytes)
and a tuple of its related URLs (~130). They are read back only when the URL is met nearer,
which a crawl's breadth-first order makes rare. A hop or a record too large for its bits keeps
the URLs in a tuple instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from newscrawl.compact import SpillFile

DURABLE, READ = 1, 2
HOP_BITS, SIZE_BITS = 20, 24
HOP_MASK, SIZE_MASK = (1 << HOP_BITS) - 1, (1 << SIZE_BITS) - 1

# hop and durable, with the related URLs inline (the rare fallback)
Inline = tuple[int, bool, tuple[str, ...]]


class EndedURLs:
    def __init__(self, spill_folder: str | None = None) -> None:
        self._urls: dict[str, int | Inline] = {}
        self._spill = SpillFile(spill_folder)

    def __contains__(self, url: object) -> bool:
        return url in self._urls

    def __len__(self) -> int:
        return len(self._urls)

    def __iter__(self) -> Iterator[str]:
        return iter(self._urls)

    def close(self) -> None:
        self._spill.close()

    def put(self, url: str, hop: int, durable: bool, children: tuple[str, ...] | None) -> None:
        """``url`` ended at ``hop`` (again, at a new hop: the last one counts)."""
        if children is None:
            self._urls[url] = hop << 2 | durable
            return
        record = _record(children)
        if hop > HOP_MASK or len(record) > SIZE_MASK:
            self._urls[url] = (hop, durable, children)
            return
        at = self._spill.append(record)
        self._urls[url] = ((at << SIZE_BITS | len(record)) << HOP_BITS | hop) << 2 | READ | durable

    def move(self, url: str, hop: int) -> None:
        """An ended ``url`` met nearer: its new hop, its related URLs where they are."""
        value = self._urls[url]
        if isinstance(value, tuple) or (value & READ and hop > HOP_MASK):
            _, durable, children = self.get(url)  # type: ignore[misc]
            self.put(url, hop, durable, children)  # a tuple's, or one the bits cannot hold
        elif value & READ:
            self._urls[url] = value & ~(HOP_MASK << 2) | hop << 2
        else:
            self._urls[url] = hop << 2 | value & DURABLE

    def hop(self, url: str) -> int | None:
        value = self._urls.get(url)
        if value is None:
            return None
        if isinstance(value, tuple):
            return value[0]
        return (value >> 2) & HOP_MASK if value & READ else value >> 2

    def get(self, url: str) -> tuple[int, bool, tuple[str, ...] | None] | None:
        """(hop, durable, related URLs or None if its page was not read) of an ended ``url``."""
        value = self._urls.get(url)
        if value is None or isinstance(value, tuple):
            return value
        durable, hop = bool(value & DURABLE), value >> 2
        if not value & READ:
            return hop, durable, None
        size, at = (hop >> HOP_BITS) & SIZE_MASK, hop >> (HOP_BITS + SIZE_BITS)
        return hop & HOP_MASK, durable, _urls_of(self._spill.read_bytes(at, size))


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
