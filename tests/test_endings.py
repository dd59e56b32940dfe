"""How a run ended: every ending says what it was, and an interrupted run is no success."""

from __future__ import annotations

import signal
from typing import Any

import pytest

from newscrawl.endings import SIGNAL_STAT, ending_of, watch_signals
from newscrawl.health import EXIT_MACHINERY, EXIT_UNHEALTHY, HealthThresholds, assess

DEFAULT = HealthThresholds()
LAYOUT_GONE = {
    "newscrawl/layout/pages": 10,
    "newscrawl/layout/missed": 9,
    "newscrawl/extraction/fallback": 9,
}


@pytest.mark.parametrize(
    ("stats", "jobdir", "word", "status"),
    [
        ({"finish_reason": "finished"}, None, "finished", 0),
        ({"finish_reason": "max_stories"}, None, "max_stories", 0),
        ({"finish_reason": "shutdown", SIGNAL_STAT: "SIGINT"}, None, "interrupted", 130),
        ({"finish_reason": "shutdown", SIGNAL_STAT: "SIGTERM"}, None, "interrupted", 143),
        ({"finish_reason": "shutdown"}, None, "interrupted", 130),  # stopped, no signal seen
        ({SIGNAL_STAT: "SIGTERM"}, None, "interrupted", 143),  # never closed: forced
        ({"finish_reason": "shutdown", SIGNAL_STAT: "SIGTERM"}, "job", "paused", 0),
        ({"finish_reason": "closespider_timeout"}, None, "closespider_timeout", 0),
        # A signal that came after the crawl had finished changes nothing.
        ({"finish_reason": "finished", SIGNAL_STAT: "SIGINT"}, None, "finished", 0),
    ],
)
def test_the_ending_and_its_exit_status(
    stats: dict[str, Any], jobdir: str | None, word: str, status: int
) -> None:
    ending = ending_of(stats, jobdir)
    assert (ending.word, ending.exit_status) == (word, status)
    assert assess(stats, DEFAULT, jobdir).exit_status == status


def test_an_interrupted_run_says_so_on_its_last_line_not_healthy() -> None:
    stats = {
        "finish_reason": "shutdown",
        SIGNAL_STAT: "SIGINT",
        "newscrawl/rejected/not_fetched": 630,
    }
    verdict = assess(stats, DEFAULT)
    assert verdict.ok  # nothing wrong was seen ...
    assert verdict.log_line() == (  # ... but the run did not finish, and exits 130
        "newscrawl: run interrupted by SIGINT (exit status 130): 630 story URLs were not "
        "fetched (no state keeps them)"
    )
    with_state = assess({**stats, "newscrawl/state/path": "s.sqlite"}, DEFAULT)
    assert with_state.log_line().endswith("(its state keeps them for the next run)")
    worker = {**stats, "newscrawl/shared/worker": "w1", "newscrawl/shared/handed_back": 20}
    assert assess(worker, DEFAULT).log_line() == (  # a worker of a shared crawl
        "newscrawl: run interrupted by SIGINT (exit status 130): the 20 items of work it held "
        "went back to the shared crawl"
    )


def test_a_paused_jobdir_crawl_says_how_to_resume() -> None:
    verdict = assess({"finish_reason": "shutdown", SIGNAL_STAT: "SIGTERM"}, DEFAULT, "crawls/r1")
    assert verdict.ending.word == "paused"
    assert verdict.log_line() == (
        "newscrawl: run paused by SIGTERM: the pending requests are kept in JOBDIR crawls/r1; "
        "the same command resumes the crawl"
    )


def test_unhealthy_and_machinery_failures_outrank_an_interruption() -> None:
    interrupted = {"finish_reason": "shutdown", SIGNAL_STAT: "SIGTERM"}
    unhealthy = assess({**interrupted, **LAYOUT_GONE}, DEFAULT)
    assert unhealthy.exit_status == EXIT_UNHEALTHY
    assert unhealthy.log_line().startswith("newscrawl: run unhealthy: the layout seems")
    assert unhealthy.log_line().endswith("; and it was interrupted by SIGTERM")
    failed = assess({**interrupted, "newscrawl/machinery/failed": ["a feed: OSError"]}, DEFAULT)
    assert (failed.exit_status, failed.ending.word) == (EXIT_MACHINERY, "failed")


class FakeStats:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get_value(self, name: str) -> Any:
        return self.values.get(name)

    def set_value(self, name: str, value: Any) -> None:
        self.values[name] = value


class FakeCrawler:
    def __init__(self) -> None:
        self.stats = FakeStats()


class FakeProcess:
    """The two handlers Scrapy's crawler processes install for a shutdown signal."""

    def __init__(self) -> None:
        self.crawlers = {FakeCrawler()}
        self.shut_down: list[int] = []

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        self.shut_down.append(signum)


def test_the_signal_that_stops_a_crawl_is_recorded_before_scrapy_shuts_down() -> None:
    process = FakeProcess()
    watch_signals(process)
    process._signal_shutdown(signal.SIGTERM, None)
    process._signal_shutdown(signal.SIGINT, None)  # a second signal: the first one stays
    (crawler,) = process.crawlers
    assert crawler.stats.values[SIGNAL_STAT] == "SIGTERM"
    assert process.shut_down == [signal.SIGTERM, signal.SIGINT]  # Scrapy's handler still runs
