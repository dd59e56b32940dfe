"""The run history: what earlier runs of the state did, and this run recorded for later ones.

When the spider opens, the run's spider arguments go into the stats (``newscrawl/arguments``:
runs are compared with runs of the same arguments, and the manifest says them) and, with a
state, the summaries of its last runs are read from its ``runs`` table: the health verdict
compares this run with them (:mod:`newscrawl.history`). When the run is over and its feeds
read back (:data:`~newscrawl.extensions.state.state_closing`), its summary, the one its manifest
gets, is recorded there, healthy or not; a run killed outright records nothing, and is no
part of the usual for the runs after it. A failure to record it is a failure of the run's own
machinery (exit status 74).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery
from newscrawl.extensions.state import RunState, state_closing
from newscrawl.health import ARGUMENTS_STAT
from newscrawl.runs import run_if_made
from newscrawl.state.store import StateStore, StateStoreError

logger = logging.getLogger(__name__)
# Past runs read: enough for NEWSCRAWL_HISTORY_RUNS comparable ones among runs of other
# arguments on the same state.
PAST_RUNS_READ = 200


class RunHistory:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.past: list[dict[str, Any]] = []  # oldest first

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunHistory:
        history = cls(crawler)
        crawler.signals.connect(history.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(history.record, signal=state_closing)
        return history

    def spider_opened(self, spider: Any) -> None:
        assert self.crawler.stats is not None
        arguments = getattr(spider, "args", None)
        if dataclasses.is_dataclass(arguments) and not isinstance(arguments, type):
            self.crawler.stats.set_value(ARGUMENTS_STAT, arguments_of(arguments))
        state = self.crawler.get_extension(RunState)
        if state is None:
            return
        try:
            self.past = state.store.recent_runs(PAST_RUNS_READ)
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state's run history", error)

    def record(self, store: StateStore) -> None:
        from newscrawl.extensions.manifest import run_summary  # the manifest's own summary

        run = run_if_made(self.crawler)
        if run is None or self.crawler.stats is None:
            return
        try:
            store.record_run(run.name, run_summary(self.crawler, run))
        except StateStoreError as error:
            machinery.fail(self.crawler, "the state's run history", error)


def arguments_of(arguments: Any) -> dict[str, Any]:
    """The spider's arguments as JSON values (lists for tuples and sets, ISO dates)."""
    return {f.name: _plain(getattr(arguments, f.name)) for f in dataclasses.fields(arguments)}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def past_runs(crawler: Crawler) -> list[dict[str, Any]]:
    """The state's earlier runs, oldest first ([] without a state)."""
    history = crawler.get_extension(RunHistory) if crawler.extensions else None
    return history.past if history is not None else []
