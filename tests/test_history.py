"""Alarms from history: a run far from the usual runs of its state is unhealthy, and says why."""

from __future__ import annotations

from typing import Any

import pytest

from newscrawl.health import EXIT_UNHEALTHY, HealthThresholds, assess
from newscrawl.history import (
    BLOCKED,
    HistoryThresholds,
    family_of,
    fetched,
    found,
    history_reasons,
    shape_of,
)

DEFAULT = HistoryThresholds()
ARGS = {"start_urls": [], "max_depth": 2, "since": None, "max_stories": None, "sections": None}


def run(
    new: int = 50,
    known: int = 0,
    failed: dict[str, int] | None = None,
    rejected: dict[str, int] | None = None,
    coverage: dict[str, int] | None = None,
    healthy: bool = True,
    ending: str = "finished",
    arguments: dict[str, Any] | None = None,
) -> dict[str, Any]:
    stories = new
    return {
        "stories_new": new,
        "stories_revised": 0,
        "rejected": {**({"known": known} if known else {}), **(rejected or {})},
        "failed": failed or {},
        "coverage": {
            "stories": stories,
            "title": stories,
            "date_with_time": stories,
            "related": stories,
            **(coverage or {}),
        },
        "healthy": healthy,
        "ending": ending,
        "arguments": ARGS if arguments is None else arguments,
    }


USUAL = [run(new=50), run(new=48), run(new=53)]


@pytest.mark.parametrize(
    ("this", "past", "reason"),
    [
        (
            run(new=10),
            USUAL,
            "far fewer stories than usual: 10 found (emitted, known or unchanged), usual 50",
        ),
        # an incremental run finds what its state already holds: known stories count
        (run(new=2, known=3), [run(new=2, known=48)] * 3, "far fewer stories than usual: 5 found"),
        (
            run(new=30, failed={"http_403": 20}),
            USUAL,
            "blocked (http_403): 20 of 50 story pages fetched (40%) failed so, usual 0%",
        ),
        (
            run(new=40, failed={"http_429_after_retries": 8, "http_403": 2}),
            USUAL,
            "blocked (http_403, http_429_after_retries): 10 of 50 story pages fetched (20%)",
        ),
        (
            run(new=40, failed={"http_500_after_retries": 6, "http_503": 4}),
            USUAL,
            "server errors (http_500_after_retries, http_503): 10 of 50",
        ),
        (run(new=40, failed={"timeout": 12}), USUAL, "timeouts (timeout): 12 of 52"),
        (run(new=40, failed={"http_404": 12}), USUAL, "http_404: 12 of 52 story pages fetched"),
        (
            run(new=50, coverage={"date_with_time": 10}),
            USUAL,
            "coverage of date with time fell: 10 of 50 stories (20%), usual 100% (limit -20%)",
        ),
        (
            run(new=50, coverage={"related": 5}),
            USUAL,
            "coverage of related headlines fell: 5 of 50 stories (10%)",
        ),
    ],
)
def test_a_run_far_from_the_usual_is_told_why(this: dict, past: list, reason: str) -> None:
    reasons = history_reasons(this, past, DEFAULT)
    assert len(reasons) == 1, reasons
    assert reason in reasons[0]


@pytest.mark.parametrize(
    ("this", "past"),
    [
        (run(new=10), USUAL[:2]),  # two runs are no history yet (min_runs 3)
        (run(new=26), USUAL),  # 26 of a usual 50: over half
        (run(new=10, ending="interrupted"), USUAL),  # cut short: fewer, and it says why already
        (run(new=10, ending="max_stories"), USUAL),
        # unhealthy runs never become the usual: a week of blocked runs stays blocked
        (run(new=10), [*USUAL[:2], run(new=50, healthy=False)]),
        # nor runs of other arguments (a manual run of one section on the cron's state)
        (run(new=10), [*USUAL[:2], run(new=50, arguments={**ARGS, "max_depth": 3})]),
        (run(new=48, failed={"http_403": 4}), USUAL),  # under NEWSCRAWL_HISTORY_MIN_FAILURES
        # a portal that always fails this much is no jump
        (run(new=30, failed={"http_403": 20}), [run(new=30, failed={"http_403": 15})] * 3),
        (run(new=5, coverage={"date_with_time": 0}), [run(new=5)] * 3),  # too few to judge
        (run(new=0, known=50), [run(new=0, known=50)] * 3),  # an incremental run, nothing new
        (run(new=0), [run(new=0)] * 3),  # a usual of nothing: nothing to fall from
    ],
)
def test_a_usual_run_is_no_alarm(this: dict, past: list) -> None:
    assert history_reasons(this, past, DEFAULT) == []


def test_usual_is_the_median_of_the_last_comparable_runs() -> None:
    # the first full crawl of the portal (500) does not make every later run "far fewer"
    past = [run(new=500), run(new=50), run(new=52), run(new=49)]
    assert history_reasons(run(new=45), past, DEFAULT) == []
    # only the last NEWSCRAWL_HISTORY_RUNS count: the old big runs are forgotten
    past = [run(new=500)] * 5 + [run(new=50)] * 3
    short = HistoryThresholds(runs=3)
    assert history_reasons(run(new=45), past, short) == []
    assert history_reasons(run(new=45), past, DEFAULT) != []


def test_since_does_not_make_runs_incomparable() -> None:
    yesterday = {**ARGS, "since": "2026-11-30"}
    assert shape_of(yesterday) == shape_of({**ARGS, "since": "2026-12-01"})
    assert shape_of(yesterday) != shape_of({**ARGS, "max_depth": 1})
    past = [run(new=50, arguments={**ARGS, "since": f"2026-11-{d}"}) for d in (27, 28, 29)]
    assert history_reasons(run(new=5, arguments=yesterday), past, DEFAULT)


def test_thresholds_are_settings() -> None:
    strict = HistoryThresholds(min_stories_share=0.9)  # Spidermon's "90% of the mean"
    assert history_reasons(run(new=40), USUAL, strict)
    assert not history_reasons(run(new=40), USUAL, DEFAULT)
    loose = HistoryThresholds(max_failure_jump=0.5)
    assert not history_reasons(run(new=30, failed={"http_403": 20}), USUAL, loose)
    with pytest.raises(ValueError, match="share between 0 and 1"):
        HistoryThresholds(max_coverage_drop=1.5)


def test_found_and_fetched_count_what_the_portal_showed_and_what_was_asked() -> None:
    summary = run(
        new=10,
        known=30,
        failed={"http_403": 5},
        rejected={"unchanged": 4, "duplicate": 2, "off_portal": 7, "beyond_max_depth": 9},
    )
    assert found(summary) == 10 + 30 + 4
    assert fetched(summary) == 10 + 5 + 4 + 2  # not the known, off-portal or too deep
    assert family_of("http_403") == BLOCKED
    assert family_of("http_502_after_retries") == "server errors"
    assert family_of("connection_error") == "connection_error"


def stats_of(summary: dict[str, Any]) -> dict[str, Any]:
    """The ledger's counters that make ``summary`` again."""
    stats: dict[str, Any] = {
        "newscrawl/stories": summary["stories_new"],
        "newscrawl/start_pages/ok": 1,
        "newscrawl/arguments": summary["arguments"],
        "finish_reason": "finished",
    }
    for kind in ("rejected", "failed"):
        for reason, n in summary[kind].items():
            stats[f"newscrawl/{kind}/{reason}"] = n
    for field, n in summary["coverage"].items():
        stats[f"newscrawl/coverage/{field}"] = n
    return stats


def test_assess_ends_a_far_run_unhealthy_with_the_reason_on_the_last_line() -> None:
    verdict = assess(stats_of(run(new=8)), HealthThresholds(), history=USUAL)
    assert not verdict.ok
    assert verdict.exit_status == EXIT_UNHEALTHY
    assert verdict.log_line().startswith("newscrawl: run unhealthy: far fewer stories than usual")
    # the same run with no history, or a usual one, is healthy
    assert assess(stats_of(run(new=8)), HealthThresholds()).ok
    assert assess(stats_of(run(new=50)), HealthThresholds(), history=USUAL).ok
