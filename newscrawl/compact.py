"""Compact structures for what a long crawl keeps per story: numpy arrays and spill files
instead of a Python object per story (BENCHMARKS.md, *Memory*).

- :class:`KeyTable`: keys, each with a number (the LSH band keys and the body fingerprints
  with their story's, Scrapy's request fingerprints), in sorted runs of bounded size;
- :class:`SpillFile`: arrays and records (the shingle hashes, the related URLs of ended pages)
  appended to an unlinked temporary file, read back by offset;
- :class:`Column`: one number per story, grown by doubling;
- :class:`URLNumbers`: a number for each URL, its text in a spill file (the frontier's ended
  URLs, the dedup index's stories), found again by its hash and confirmed by its text.
"""

from __future__ import annotations

import errno
import os
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


class KeyTable:
    """A multimap of keys to numbers (a story's; 0 where it serves as a set): 12 bytes an entry
    with 64-bit keys, 8 with 32-bit ones (``key_bits=32``: a key is then its low 32 bits, for an
    index whose every hit is judged again, such as the LSH band keys, where a chance match only
    adds a candidate).

    The latest entries wait in a dict until there are :data:`MERGE_EVERY` of them; then they
    are sorted and merged into the last run, or start a new one once that run holds
    :data:`RUN` entries. A query searches each run (``searchsorted``). Runs are bounded so
    that a merge copies one run, never the whole table: one sorted array of everything,
    merged with ``np.insert``, held two copies of everything at each merge (25 MB more at the
    peak of a 90,000-story crawl). The owner retires a story's entries by retiring its number.
    """

    MERGE_EVERY = 8192
    RUN = 1 << 18

    def __init__(self, key_bits: int = 64) -> None:
        if key_bits not in (32, 64):
            raise ValueError("a KeyTable's keys have 32 or 64 bits")
        self._dtype = np.int64 if key_bits == 64 else np.int32
        self._narrow = key_bits == 32
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._recent: dict[int, list[int]] = {}
        self._recent_count = 0

    def __len__(self) -> int:
        return sum(keys.size for keys, _ in self._runs) + self._recent_count

    @property
    def runs(self) -> int:
        return len(self._runs)

    def _key(self, key: int) -> int:
        return ((key + (1 << 31)) & 0xFFFFFFFF) - (1 << 31) if self._narrow else key

    def add(self, keys: list[int], story: int) -> None:
        for key in keys:
            self._recent.setdefault(self._key(key), []).append(story)
        self._recent_count += len(keys)
        if self._recent_count >= self.MERGE_EVERY:
            self._merge()

    def query(self, keys: list[int]) -> list[int]:
        """The stories of every entry under one of these keys."""
        wanted = [self._key(key) for key in keys]
        found: list[int] = []
        for key in wanted:
            found += self._recent.get(key, ())
        if not self._runs:
            return found
        searched = np.asarray(wanted, dtype=self._dtype)
        for run_keys, stories in self._runs:
            left = np.searchsorted(run_keys, searched, side="left")
            right = np.searchsorted(run_keys, searched, side="right")
            for hit in np.flatnonzero(right > left).tolist():
                found += stories[int(left[hit]) : int(right[hit])].tolist()
        return found

    def get(self, key: int) -> list[int]:
        """The numbers of every entry under one key: :meth:`query` for a single key, without
        building arrays for it (a frontier asks once for every story link it meets)."""
        key = self._key(key)
        found = list(self._recent.get(key, ()))
        # A numpy scalar of the runs' type: searched with a Python int, numpy would first
        # convert the whole run to int64 (30 µs for a run of 2**18 32-bit keys, 0.3 with this).
        searched = self._dtype(key)
        for run_keys, stories in self._runs:
            left = int(run_keys.searchsorted(searched))
            if left < run_keys.size and run_keys[left] == searched:
                right = int(run_keys.searchsorted(searched, side="right"))
                found += stories[left:right].tolist()
        return found

    def _merge(self) -> None:
        count = self._recent_count
        keys = np.fromiter(
            (k for k, stories in self._recent.items() for _ in stories), self._dtype, count
        )
        stories = np.fromiter(
            (s for items in self._recent.values() for s in items), np.int32, count
        )
        order = np.argsort(keys, kind="stable")
        keys, stories = keys[order], stories[order]
        if self._runs and self._runs[-1][0].size + keys.size <= self.RUN:
            run_keys, run_stories = self._runs.pop()
            at = np.searchsorted(run_keys, keys, side="right")
            keys, stories = np.insert(run_keys, at, keys), np.insert(run_stories, at, stories)
        self._runs.append((keys, stories))
        self._recent, self._recent_count = {}, 0

    def nbytes(self) -> int:
        """Bytes of the runs (the recent entries' dict not counted: at most MERGE_EVERY)."""
        return sum(k.nbytes + s.nbytes for k, s in self._runs)


class SpillFile:
    """Arrays written to an unlinked temporary file and read back by offset: the shingle
    hashes and signatures of the run's stories, which a check reads only for the few LSH
    candidates (TMPDIR, or ``folder``; gone when the file is closed or the process ends)."""

    def __init__(self, folder: str | None = None) -> None:
        self._folder = folder
        self._fd = -1  # opened at the first write
        self._closed: Callable[[], None] = lambda: None
        self.size = 0

    def _open(self) -> int:
        if self._fd < 0:
            handle = tempfile.TemporaryFile(dir=self._folder)  # noqa: SIM115 (kept open)
            self._fd = handle.fileno()
            # Closed with the index (or at exit), never left to the garbage collector's warning.
            self._closed = weakref.finalize(self, handle.close)
        return self._fd

    def append(self, values: np.ndarray | bytes) -> int:

        at = self.size
        self.write_at(at, values)
        return at

    def write_at(self, at: int, values: np.ndarray | bytes) -> None:
        data = values if isinstance(values, bytes) else np.ascontiguousarray(values).tobytes()
        view = memoryview(data)
        while view:  # a short write (a signal, a nearly full disk) goes on where it stopped
            written = os.pwrite(self._open(), view, at)
            if not written:
                raise OSError(errno.ENOSPC, "nothing written to a spill file")
            view, at = view[written:], at + written
        self.size = max(self.size, at)

    def read(self, at: int, count: int, dtype: Any) -> np.ndarray:
        size = count * np.dtype(dtype).itemsize
        return np.frombuffer(self.read_bytes(at, size), dtype=dtype)

    def read_bytes(self, at: int, size: int) -> bytes:
        return os.pread(self._open(), size, at)

    def close(self) -> None:
        self._closed()
        self._fd = -1


class Column:
    """A growable numpy array, one value per story."""

    def __init__(self, dtype: Any, fill: int = 0) -> None:
        self.values = np.full(1024, fill, dtype=dtype)
        self.fill = fill

    def ensure(self, size: int) -> None:
        if size > self.values.size:
            grown = np.full(max(size, self.values.size * 2), self.fill, dtype=self.values.dtype)
            grown[: self.values.size] = self.values
            self.values = grown


class URLNumbers:
    """A number for each URL (0, 1, 2 … in the order added), without the URL's string in
    memory: what an index keeps of URLs it must only recognise again, such as the frontier's
    ended URLs and the dedup index's stories (BENCHMARKS.md, *Memory*).

    In memory a URL is 20 bytes: the low 32 bits of its hash with its number in a
    :class:`KeyTable` (8 bytes), and where its text is in a spill file (an offset and a size,
    12 bytes), plus the columns' room to grow (they double). Its string would be ~110 bytes,
    with ~80 more for its dict slot and its entry among the interned strings: small objects
    made while a page is parsed, which keep the allocator's arenas of that moment in use for
    the whole run.

    The hash only says where to look. Every hit is confirmed against the URL's text read back
    from the file (a pread of ~100 bytes, from the page cache), so two URLs that share a hash
    are told apart whatever the hash (``hash_of``: a test forces collisions with its own); a
    URL that was never added meets a chance entry with probability n / 2**32 (one read more
    for one lookup in ~10,000 at 400,000 URLs), and a URL added meets its own entry, read
    once. A URL added again gets a new number; :meth:`number` answers the latest.
    """

    RECENT = 4096  # URLs whose numbers are kept in a dict (~0.8 MB), emptied when full

    def __init__(
        self, spill_folder: str | None = None, hash_of: Callable[[str], int] = hash
    ) -> None:
        self._hash = hash_of
        self._keys = KeyTable(key_bits=32)
        self._text = SpillFile(spill_folder)
        self._at = Column(np.int64)
        self._size = Column(np.uint32)
        self._count = 0
        # The numbers of the URLs asked or added last (a story is met again as the related
        # headline of a dozen others, within minutes): a dict hit, not a hash, a sort and a
        # read of the spill file. Bounded, so memory stays flat: emptied when full.
        self._recent: dict[str, int] = {}

    def __len__(self) -> int:
        return self._count

    def add(self, url: str) -> int:
        """``url``'s new number."""
        number, text = self._count, _utf8(url)
        self._at.ensure(number + 1)
        self._size.ensure(number + 1)
        self._at.values[number] = self._text.append(text)
        self._size.values[number] = len(text)
        self._keys.add([self._hash(url)], number)
        self._count += 1
        self._remember(url, number)
        return number

    def number(self, url: str) -> int | None:
        """The latest number of ``url`` (None: never added)."""
        number = self._recent.get(url)
        if number is None:
            number = next(self.numbers(url), None)
            if number is not None:
                self._remember(url, number)
        return number

    def _remember(self, url: str, number: int) -> None:
        if len(self._recent) >= self.RECENT:
            self._recent.clear()
        self._recent[url] = number

    def numbers(self, url: str) -> Iterator[int]:
        """Every number of ``url``, the latest first."""
        candidates = self._keys.get(self._hash(url))
        if not candidates:
            return
        text = _utf8(url)
        for number in sorted(candidates, reverse=True):
            if self._text_of(number) == text:  # else another URL's hash, met by chance
                yield number

    def url(self, number: int) -> str:
        return self._text_of(number).decode("utf-8", "surrogatepass")

    def _text_of(self, number: int) -> bytes:
        return self._text.read_bytes(int(self._at.values[number]), int(self._size.values[number]))

    def nbytes(self) -> int:
        """Bytes in memory: the keys' runs and the columns."""
        return self._keys.nbytes() + self._at.values.nbytes + self._size.values.nbytes

    @property
    def spilled(self) -> int:
        """Bytes of URL text in the spill file (on disk)."""
        return self._text.size

    def close(self) -> None:
        self._text.close()


def _utf8(url: str) -> bytes:
    # surrogatepass: a URL is any str (a lone surrogate from a bad page too), and comes back equal
    return url.encode("utf-8", "surrogatepass")
