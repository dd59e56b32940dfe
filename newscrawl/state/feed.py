"""A durable JSONL writer: every story is on disk (flushed and fsynced) when ``write`` returns.

Not on the crawl's path: a crawl writes its feed with Scrapy's feed exporter and the state learns
what was emitted by reading the feed back (:meth:`~newscrawl.state.store.StateStore.
reconcile_with_feeds`), which needs no writer of our own (README, "Scheduled crawls"). This
writer serves a caller that must record each story in the state as soon as it is written: call
``record_emitted`` after :meth:`write` returns. A writer killed *during* a write leaves at most
one cut line at the end, which :func:`~newscrawl.state.store.read_feed` skips.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any


def story_line(story: Mapping[str, Any]) -> bytes:
    return (json.dumps(dict(story), ensure_ascii=False) + "\n").encode("utf-8")


class DurableJsonlWriter:
    """Appends one JSON line per story; every write is on disk when the call returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        self._file: IO[bytes] = self.path.open("ab")
        if created:
            _fsync_directory(self.path.parent)  # the file's name must survive a crash too
        else:
            self._end_half_line()

    def _end_half_line(self) -> None:
        # Appending to a feed a killed run cut mid-line: close that line first, so our first
        # story is not glued to the fragment (readers skip the fragment on its own line).
        with self.path.open("rb") as reader:
            reader.seek(0, os.SEEK_END)
            if reader.tell() == 0:
                return
            reader.seek(-1, os.SEEK_END)
            if reader.read(1) != b"\n":
                self._sync(b"\n")

    def write(self, story: Mapping[str, Any]) -> None:
        self._sync(story_line(story))

    def write_many(self, stories: Iterable[Mapping[str, Any]]) -> None:
        """A small batch behind a single fsync."""
        self._sync(b"".join(story_line(story) for story in stories))

    def _sync(self, data: bytes) -> None:
        self._file.write(data)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> DurableJsonlWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
