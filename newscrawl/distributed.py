"""The one switch between a run of one process and a worker of a crawl shared through Redis.

``-s NEWSCRAWL_REDIS_URL=redis://host:6379/0`` makes the run one worker of the crawl kept under
``NEWSCRAWL_REDIS_KEY`` in that Redis (:mod:`newscrawl.shared`); without it nothing changes and
nothing of Redis is imported: this module reads the settings and names the worker, and imports
:mod:`newscrawl.shared` only when the URL is set. The :class:`~newscrawl.addons.Distributed`
add-on installs the shared components; the outcome ledger asks :func:`frontier_for` for its
frontier, and it and the state pipeline ask :func:`state_for` for the crawl's state; the feeds
ask :func:`worker_of_crawler` for the worker id that goes into every file name.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newscrawl import setting
from newscrawl.runs import WORKER_RE as WORKER_ID
from newscrawl.setting import SettingError

if TYPE_CHECKING:
    from newscrawl.frontier.book import Frontier, Rules, Store
    from newscrawl.state.records import StoryState


@dataclass(frozen=True)
class SharedConfig:
    url: str | None  # None: a run of one process
    key: str
    worker: str
    idle_seconds: float
    dead_seconds: float
    retry_seconds: float
    timeout_seconds: float

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @classmethod
    def from_settings(cls, settings: Any) -> SharedConfig:
        url = setting.raw(settings, "NEWSCRAWL_REDIS_URL")
        url = None if url is None or str(url).strip() in ("", "None") else str(url).strip()
        if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingError("NEWSCRAWL_REDIS_URL", url, "not a redis:// URL")
        worker = setting.raw(settings, "NEWSCRAWL_WORKER_ID")
        worker = f"{socket.gethostname()}-{os.getpid()}" if not worker else str(worker).strip()
        if not WORKER_ID.match(worker):
            raise SettingError(
                "NEWSCRAWL_WORKER_ID", worker, "letters, digits, '.', '_' or '-' only (64 at most)"
            )
        if url is not None and setting.optional_path(settings, "NEWSCRAWL_STATE") is not None:
            raise SettingError(
                "NEWSCRAWL_STATE",
                settings.get("NEWSCRAWL_STATE"),
                "a shared crawl keeps its state in Redis (under NEWSCRAWL_REDIS_KEY); "
                "leave it unset",
            )
        return cls(
            url=url,
            key=setting.text(settings, "NEWSCRAWL_REDIS_KEY", allow_empty=False),
            worker=worker,
            idle_seconds=setting.number(settings, "NEWSCRAWL_REDIS_IDLE_SECONDS", above=0),
            dead_seconds=setting.number(settings, "NEWSCRAWL_REDIS_DEAD_SECONDS", minimum=1),
            retry_seconds=setting.number(settings, "NEWSCRAWL_REDIS_RETRY_SECONDS", minimum=0),
            timeout_seconds=setting.number(settings, "NEWSCRAWL_REDIS_TIMEOUT_SECONDS", above=0),
        )


def shared_config(crawler: Any) -> SharedConfig:
    from newscrawl.config import config_of

    return config_of(crawler).shared


def worker_of_crawler(crawler: Any) -> str | None:
    """The worker id that goes into this run's folder name (:func:`newscrawl.runs.run_name`);
    None for a run of one process."""
    config = shared_config(crawler)
    return config.worker if config.enabled else None


def frontier_for(crawler: Any, rules: Rules, store: Store | None) -> Frontier:
    """The crawl's frontier: this process's own, or the one its workers share in Redis."""
    from newscrawl.frontier import Frontier

    if not shared_config(crawler).enabled:
        return Frontier(rules, store)
    from newscrawl.shared.worker import Worker

    worker = crawler.get_extension(Worker)
    return worker.frontier_with(rules)  # type: ignore[no-any-return]


def state_for(crawler: Any) -> StoryState | None:
    """The crawl's state (README, "Scheduled crawls"), the one place that chooses it: the SQLite
    state of ``NEWSCRAWL_STATE`` for a run of one process, the state a shared crawl keeps in
    Redis beside its frontier (always: its key is its state), or None (a one-off crawl)."""
    if shared_config(crawler).enabled:
        from newscrawl.shared.worker import Worker

        worker = crawler.get_extension(Worker)
        return worker.state if worker is not None else None
    from newscrawl.extensions.state import RunState

    state: StoryState | None = crawler.get_extension(RunState)
    return state


def arguments_problem(arguments: Any) -> str | None:
    """What a shared crawl cannot do with these spider arguments (one line), or None."""
    if getattr(arguments, "max_stories", None) is not None:
        return (
            "-a max_stories: a shared crawl has no single count of stories; "
            "leave it out with NEWSCRAWL_REDIS_URL"
        )
    return None
