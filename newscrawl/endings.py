"""How a run ended, in one word, and the exit status that goes with it.

Scrapy closes a spider that ran out of work as ``finished``, one stopped by Ctrl-C or SIGTERM as
``shutdown``, and exits 0 either way. Here the ending is said (the manifest's ``ending``, the
verdict line) and an interrupted run exits as a shell reports a process the signal stopped:

- ``finished``: the crawl ran out of work;
- ``max_stories``: ``-a max_stories`` was reached (any other close reason is kept as it is);
- ``interrupted``: SIGINT (Ctrl-C) or SIGTERM without ``JOBDIR``: exit status 128 + the
  signal's number, 130 or 143; what it had not fetched is in its rejects as ``not_fetched``
  (and, with a state, in the frontier the next run takes up);
- ``paused``: the same with ``JOBDIR``, a clean pause: Scrapy kept the pending requests there
  and the same command resumes the crawl. Exit status 0: the part that ran is whole (its feed
  and rejects are its own), and a pause is the way ``JOBDIR`` is meant to be used;
- ``failed``: the run's own machinery failed (:mod:`newscrawl.machinery`, exit status 74).

Which signal stopped the run is recorded by :func:`watch_signals` on the crawler process (the
``crawl`` and ``demo`` commands call it); a run stopped without a signal it saw counts as SIGINT.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

FINISHED = "finished"
INTERRUPTED = "interrupted"
PAUSED = "paused"
FAILED = "failed"
SHUTDOWN = "shutdown"  # Scrapy's close reason after a shutdown signal
SIGNAL_STAT = "newscrawl/interrupted_by"  # the name of the signal that stopped the run
FINISH_REASON_STAT = "finish_reason"  # Scrapy's CoreStats: the spider's close reason
SIGNAL_BASE = 128  # a process stopped by signal N exits 128 + N in a shell's eyes
DEFAULT_SIGNAL = "SIGINT"


@dataclass(frozen=True)
class Ending:
    word: str
    signal: str | None = None  # for interrupted and paused
    jobdir: str | None = None  # for paused

    @property
    def exit_status(self) -> int:
        """This ending's own exit status (the health verdict may say worse)."""
        if self.word != INTERRUPTED:
            return 0
        return SIGNAL_BASE + int(signal.Signals[self.signal or DEFAULT_SIGNAL])

    def describe(self, stats: Mapping[str, Any]) -> str:
        """The verdict line's words for an interrupted or paused run."""
        name = self.signal or DEFAULT_SIGNAL
        if self.word == PAUSED:
            return (
                f"run paused by {name}: the pending requests are kept in JOBDIR {self.jobdir}; "
                "the same command resumes the crawl"
            )
        if stats.get("newscrawl/shared/worker"):  # a worker of a crawl shared through Redis
            handed = int(stats.get("newscrawl/shared/handed_back", 0) or 0)
            return (
                f"run interrupted by {name} (exit status {self.exit_status}): the {handed} "
                "items of work it held went back to the shared crawl"
            )
        left = int(stats.get("newscrawl/rejected/not_fetched", 0) or 0)
        kept = (
            "its state keeps them for the next run"
            if stats.get("newscrawl/state/path")
            else "no state keeps them"
        )
        return (
            f"run interrupted by {name} (exit status {self.exit_status}): {left} story URLs "
            f"were not fetched ({kept})"
        )


def ending_of(stats: Mapping[str, Any], jobdir: str | None = None) -> Ending:
    """The ending a run's stats tell (pure)."""
    if stats.get("newscrawl/machinery/failed"):
        return Ending(FAILED)
    reason = stats.get(FINISH_REASON_STAT)
    received = stats.get(SIGNAL_STAT)
    if reason == SHUTDOWN or (received and reason in (None, SHUTDOWN)):
        if jobdir:
            return Ending(PAUSED, received or DEFAULT_SIGNAL, jobdir)
        return Ending(INTERRUPTED, received or DEFAULT_SIGNAL)
    return Ending(str(reason or FINISHED))


def jobdir_of(crawler: Any) -> str | None:
    value = crawler.settings.get("JOBDIR")
    return str(value) if value else None


def watch_signals(process: Any) -> None:
    """Record which shutdown signal stops the crawls of ``process`` (a Scrapy crawler process),
    in each crawler's stats, before Scrapy's own handler shuts them down gracefully.

    Scrapy installs its handler (``_signal_shutdown``, or ``_signal_shutdown_reactorless``
    without a Twisted reactor) when the process starts; the handler it finds is this wrapper.
    """
    for name in ("_signal_shutdown", "_signal_shutdown_reactorless"):
        handler = getattr(process, name, None)
        if handler is not None:
            setattr(process, name, _recording(process, handler))


def signal_received(process: Any) -> str | None:
    """The first shutdown signal the process received, if any."""
    return getattr(process, "_newscrawl_signal", None)


def _recording(process: Any, handler: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    def shutdown(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if signal_received(process) is None:
            process._newscrawl_signal = name
        for crawler in list(getattr(process, "crawlers", ())):
            if crawler.stats is not None and crawler.stats.get_value(SIGNAL_STAT) is None:
                crawler.stats.set_value(SIGNAL_STAT, name)
        handler(signum, frame)

    return shutdown
