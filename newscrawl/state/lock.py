"""The run lock: two runs against one state never overlap.

An OS lock (``fcntl.flock``) on ``<state>.lock`` beside the state's real path (symbolic links
resolved, so the same state reached through a link, a relative path or a linked folder is one
lock), taken without waiting. The kernel drops it
when the holder's process ends however it ends (SIGKILL included), so a crashed run never
leaves a stale lock behind; the file itself stays (deleting lock files invites races) and only
carries the holder's pid and start time for the message the next run prints.

``EXIT_LOCKED = 75`` is ``EX_TEMPFAIL`` from ``sysexits.h``: "try again later", which is what a
scheduled run that found the previous one still running should tell cron.

The lock is re-entrant inside one process (the crawl command and a state extension may both
take it); it guards against other processes, not against a second crawler in the same process.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_LOCKED = 75  # EX_TEMPFAIL: another run holds the state; try again later.

_held: dict[str, tuple[int, int]] = {}  # real path -> (fd, how many holders in this process)
_held_guard = threading.Lock()


class StateLocked(RuntimeError):
    """Another process holds the run lock of this state."""

    def __init__(self, path: Path, holder: dict[str, Any]) -> None:
        self.path = path
        self.holder = holder
        who = (
            f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"started {holder.get('started_at', '?')}"
            if holder
            else "holder not known yet: it is just starting"
        )
        super().__init__(
            f"newscrawl: another run holds the state lock {path} ({who}); "
            f"this run stops before crawling (exit status {EXIT_LOCKED})"
        )


def lock_path_for(state_path: str | Path) -> Path:
    real = Path(os.path.realpath(state_path))
    return real.with_name(real.name + ".lock")


@dataclass
class RunLock:
    path: Path
    acquired: bool = False

    @classmethod
    def for_state(cls, state_path: str | Path) -> RunLock:
        return cls(lock_path_for(state_path))

    def acquire(self) -> RunLock:
        """Take the lock now or raise :class:`StateLocked`; never waits."""
        if self.acquired:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        with _held_guard:
            if key in _held:
                fd, count = _held[key]
                _held[key] = (fd, count + 1)
            else:
                _held[key] = (_take(self.path), 1)
        self.acquired = True
        return self

    def release(self) -> None:
        if not self.acquired:
            return
        key = os.path.realpath(self.path)
        with _held_guard:
            fd, count = _held[key]
            if count > 1:
                _held[key] = (fd, count - 1)
            else:
                del _held[key]
                os.ftruncate(fd, 0)  # the holder's line goes before the lock does
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
        self.acquired = False

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _take(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise StateLocked(path, holder) from None
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
    return fd


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}
