"""The run manifest: a small JSON file in the run's folder that says what a run did.

Written atomically (temporary file in the same directory, fsync, ``os.replace``), so a reader
sees the previous manifest or the whole new one, never half of one; readable by all as the
feeds are (mode 0666 less the umask: 0644 usually), not only by its owner as ``mkstemp`` makes
it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newscrawl.coverage import coverage_of

MANIFEST_FIELDS = (
    "run",
    "started_at",
    "finished_at",
    "stories_new",
    "stories_revised",
    "rejected",
    "failed",
    "requests",
    "ending",
    "exit_status",
    "healthy",
    "reasons",
    "feeds",
)


def summary_from_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's figures from Scrapy's stats (the ``newscrawl/`` counters).

    ``stories_new``/``stories_revised`` are ``newscrawl/stories/new`` and ``…/revised`` when the
    state pipeline counts them; without a state every story is new.
    """
    stories = int(stats.get("newscrawl/stories", 0) or 0)
    revised = int(stats.get("newscrawl/stories/revised", 0) or 0)
    return {
        "stories_new": int(stats.get("newscrawl/stories/new", stories - revised) or 0),
        "stories_revised": revised,
        "rejected": _by_reason(stats, "newscrawl/rejected/"),
        "failed": _by_reason(stats, "newscrawl/failed/"),
        "requests": int(stats.get("downloader/request_count", 0) or 0),
        # What the stories carry, and the hop each was found at (newscrawl.coverage).
        "coverage": coverage_of(stats),
        "stories_by_hop": _by_reason(stats, "newscrawl/hops/"),
    }


def _by_reason(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): int(value)
        for key, value in sorted(stats.items())
        if key.startswith(prefix) and "/" not in key.removeprefix(prefix)
    }


def write_manifest(path: str | Path, summary: Mapping[str, Any]) -> Path:
    """Write ``summary`` (the :data:`MANIFEST_FIELDS`, plus anything else) as JSON, atomically."""
    ordered = {name: summary.get(name) for name in MANIFEST_FIELDS}
    ordered.update({k: v for k, v in summary.items() if k not in ordered})
    data = (json.dumps(ordered, ensure_ascii=False, indent=2, default=str) + "\n").encode()
    return write_atomically(path, data)


def write_atomically(path: str | Path, data: bytes) -> Path:
    """``data`` in ``path``: a reader sees the old file or the whole new one (the metrics file
    of :mod:`newscrawl.metrics` is written the same way)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process's umask (read by setting it, then putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
