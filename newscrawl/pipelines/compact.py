"""Compact structures for what a long crawl keeps per story: numpy arrays and spill files
instead of a Python object per story (BENCHMARKS.md, *Memory*).

- :class:`KeyTable`: 64-bit keys, each with a story number and its generation (the LSH band
  keys, the body fingerprints), in sorted runs of bounded size;
- :class:`SpillFile`: arrays appended to an unlinked temporary file, read back by offset;
- :class:`Column`: one number per story, grown by doubling.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np


class KeyTable:
    """A multimap of 64-bit keys to (story, generation), 14 bytes an entry.

    The latest entries wait in a dict until there are :data:`MERGE_EVERY` of them; then they
    are sorted and merged into the last run, or start a new one once that run holds
    :data:`RUN` entries. A query searches each run (``searchsorted``). Runs are bounded so
    that a merge copies one run, never the whole table: one sorted array of everything,
    merged with ``np.insert``, held two copies of everything at each merge (25 MB more at the
    peak of a 90,000-story crawl). A generation lets the owner retire a story's entries
    without touching the arrays: an entry counts while its generation is the story's.
    """

    MERGE_EVERY = 8192
    RUN = 1 << 18

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._recent: dict[int, list[tuple[int, int]]] = {}
        self._recent_count = 0

    def __len__(self) -> int:
        return sum(keys.size for keys, _, _ in self._runs) + self._recent_count

    @property
    def runs(self) -> int:
        return len(self._runs)

    def add(self, keys: list[int], story: int, generation: int) -> None:
        for key in keys:
            self._recent.setdefault(key, []).append((story, generation))
        self._recent_count += len(keys)
        if self._recent_count >= self.MERGE_EVERY:
            self._merge()

    def query(self, keys: list[int]) -> list[tuple[int, int]]:
        """(story, generation) of every entry under one of these keys."""
        found: list[tuple[int, int]] = []
        for key in keys:
            found += self._recent.get(key, ())
        if not self._runs:
            return found
        wanted = np.asarray(keys, dtype=np.int64)
        for run_keys, stories, generations in self._runs:
            left = np.searchsorted(run_keys, wanted, side="left")
            right = np.searchsorted(run_keys, wanted, side="right")
            for hit in np.flatnonzero(right > left).tolist():
                start, stop = int(left[hit]), int(right[hit])
                found += zip(
                    stories[start:stop].tolist(), generations[start:stop].tolist(), strict=True
                )
        return found

    def _merge(self) -> None:
        entries = [(k, s, g) for k, items in self._recent.items() for s, g in items]
        keys = np.fromiter((e[0] for e in entries), dtype=np.int64, count=len(entries))
        stories = np.fromiter((e[1] for e in entries), dtype=np.int32, count=len(entries))
        generations = np.fromiter((e[2] for e in entries), dtype=np.uint16, count=len(entries))
        order = np.argsort(keys, kind="stable")
        keys, stories, generations = keys[order], stories[order], generations[order]
        if self._runs and self._runs[-1][0].size + keys.size <= self.RUN:
            run_keys, run_stories, run_generations = self._runs.pop()
            at = np.searchsorted(run_keys, keys, side="right")
            keys = np.insert(run_keys, at, keys)
            stories = np.insert(run_stories, at, stories)
            generations = np.insert(run_generations, at, generations)
        self._runs.append((keys, stories, generations))
        self._recent, self._recent_count = {}, 0

    def nbytes(self) -> int:
        """Bytes of the runs (the recent entries' dict not counted: at most MERGE_EVERY)."""
        return sum(k.nbytes + s.nbytes + g.nbytes for k, s, g in self._runs)


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

    def append(self, values: np.ndarray) -> int:
        at = self.size
        self.write_at(at, values)
        return at

    def write_at(self, at: int, values: np.ndarray) -> None:
        data = np.ascontiguousarray(values).tobytes()
        os.pwrite(self._open(), data, at)
        self.size = max(self.size, at + len(data))

    def read(self, at: int, count: int, dtype: Any) -> np.ndarray:
        size = count * np.dtype(dtype).itemsize
        return np.frombuffer(os.pread(self._open(), size, at), dtype=dtype)

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
