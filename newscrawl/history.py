"""Alarms from history: is this run far from the usual runs of its state? Pure.

A scheduled crawl that is blocked, half-emptied or fed a changed page rarely fails outright: it
exits 0 with fewer stories, more 403s or dates without time. So a run with a state
(``NEWSCRAWL_STATE``) is compared with the last runs the state recorded (its ``runs`` table,
:meth:`newscrawl.state.store.StateStore.record_run`), and is unhealthy (exit status 3, the
reason on the last line) when:

- **far fewer stories than usual**: the stories it *found* (emitted, plus ``known`` and
  ``unchanged``: the stories a state already holds are still stories the portal shows) are
  under ``NEWSCRAWL_HISTORY_MIN_STORIES_SHARE`` of the usual number. Counting found stories, not
  emitted ones, is what makes an incremental crawl comparable with itself: its first run emits
  the whole portal, the next ones only what is new, and all of them find about as many;
- **a jump in one failure reason**: the share of the story pages it fetched that failed for
  one reason is ``NEWSCRAWL_HISTORY_MAX_FAILURE_JUMP`` above the usual share (and at least
  ``NEWSCRAWL_HISTORY_MIN_FAILURES`` pages failed so). Reasons are grouped as an operator reads
  them: ``blocked`` (``http_401``, ``http_403``, ``http_429``…), ``server errors`` (``http_5xx``),
  ``timeouts`` (``timeout``, ``render_timeout``); any other reason stands for itself;
- **a field's coverage falling**: the share of its emitted stories carrying a field
  (:mod:`newscrawl.coverage`: a date with its time, related headlines, editors …) is
  ``NEWSCRAWL_HISTORY_MAX_COVERAGE_DROP`` under the usual share, once it emitted at least
  ``NEWSCRAWL_HISTORY_MIN_STORIES`` stories.

*Usual* is the median over the last ``NEWSCRAWL_HISTORY_RUNS`` runs that are comparable with
this one: the same spider arguments (``-a since`` aside, which a cron line may move every day),
finished (not interrupted, paused or stopped by ``max_stories``) and healthy. An unhealthy run
never becomes the usual, so a week of blocked runs keeps being reported as blocked. Nothing is
judged before ``NEWSCRAWL_HISTORY_MIN_RUNS`` such runs exist. The story count is judged only on
runs that finished themselves (an interrupted run finds fewer, and says why already).

The model is Spidermon's periodic-history monitors (``SPIDERMON_MAX_STORED_STATS``, a run's
items at least 90% of the mean of the stored runs). Here the median: one odd run (the first
crawl of an archive, a run cut short) does not move it, where it drags a mean for ten runs.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newscrawl import coverage, setting
from newscrawl.setting import DEFAULTS

FINISHED = "finished"
# Rejections of story URLs the run did not request: what was fetched is the rest.
NOT_REQUESTED = frozenset(
    {
        "known",
        "beyond_max_depth",
        "off_portal",
        "not_a_story_url",
        "outside_sections",
        "not_fetched",
        "max_stories_reached",
    }
)
# Rejections of stories the state already holds: still stories the portal shows.
ALREADY_HELD = ("known", "unchanged")
BLOCKED = "blocked"
SERVER_ERRORS = "server errors"
TIMEOUTS = "timeouts"
_BLOCKED = re.compile(r"^http_(401|403|429)(_after_retries)?$")
_SERVER = re.compile(r"^http_5\d\d(_after_retries)?$")
_TIMEOUT = frozenset({"timeout", "render_timeout"})
# Arguments that do not make runs incomparable (a cron line may move -a since every day).
NOT_SHAPE = frozenset({"since"})

Summary = Mapping[str, Any]


@dataclass(frozen=True)
class HistoryThresholds:
    runs: int = DEFAULTS["NEWSCRAWL_HISTORY_RUNS"]
    min_runs: int = DEFAULTS["NEWSCRAWL_HISTORY_MIN_RUNS"]
    min_stories_share: float = DEFAULTS["NEWSCRAWL_HISTORY_MIN_STORIES_SHARE"]
    max_failure_jump: float = DEFAULTS["NEWSCRAWL_HISTORY_MAX_FAILURE_JUMP"]
    min_failures: int = DEFAULTS["NEWSCRAWL_HISTORY_MIN_FAILURES"]
    max_coverage_drop: float = DEFAULTS["NEWSCRAWL_HISTORY_MAX_COVERAGE_DROP"]
    min_stories: int = DEFAULTS["NEWSCRAWL_HISTORY_MIN_STORIES"]

    def __post_init__(self) -> None:
        for name in ("min_stories_share", "max_failure_jump", "max_coverage_drop"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1")
        if self.runs < 1 or self.min_runs < 1:
            raise ValueError("runs and min_runs must be at least 1")

    @classmethod
    def from_settings(cls, settings: Any) -> HistoryThresholds:
        def share(name: str) -> float:
            return setting.number(settings, name, minimum=0, maximum=1)

        return cls(
            runs=setting.integer(settings, "NEWSCRAWL_HISTORY_RUNS", minimum=1),
            min_runs=setting.integer(settings, "NEWSCRAWL_HISTORY_MIN_RUNS", minimum=1),
            min_stories_share=share("NEWSCRAWL_HISTORY_MIN_STORIES_SHARE"),
            max_failure_jump=share("NEWSCRAWL_HISTORY_MAX_FAILURE_JUMP"),
            min_failures=setting.integer(settings, "NEWSCRAWL_HISTORY_MIN_FAILURES", minimum=1),
            max_coverage_drop=share("NEWSCRAWL_HISTORY_MAX_COVERAGE_DROP"),
            min_stories=setting.integer(settings, "NEWSCRAWL_HISTORY_MIN_STORIES", minimum=1),
        )


def shape_of(arguments: Mapping[str, Any] | None) -> str:
    """What makes two runs comparable: their arguments, ``since`` aside, as one text."""
    kept = {k: v for k, v in (arguments or {}).items() if k not in NOT_SHAPE}
    return json.dumps(kept, sort_keys=True, default=str)


def found(summary: Summary) -> int:
    """Stories the run found: emitted, or already held by the state."""
    rejected = summary.get("rejected") or {}
    held = sum(int(rejected.get(reason, 0) or 0) for reason in ALREADY_HELD)
    return _stories(summary) + held


def fetched(summary: Summary) -> int:
    """Story URLs the run requested: every end but the rejections made without a request."""
    rejected = summary.get("rejected") or {}
    failed = summary.get("failed") or {}
    asked = sum(int(n) for reason, n in rejected.items() if reason not in NOT_REQUESTED)
    return _stories(summary) + asked + sum(int(n) for n in failed.values())


def family_of(reason: str) -> str:
    """The failure family an operator reads: blocked, server errors, timeouts, or the reason."""
    if _BLOCKED.match(reason):
        return BLOCKED
    if _SERVER.match(reason):
        return SERVER_ERRORS
    if reason in _TIMEOUT:
        return TIMEOUTS
    return reason


def failures_by_family(summary: Summary) -> dict[str, tuple[int, list[str]]]:
    """family -> (failures, the reasons seen in it)."""
    families: dict[str, tuple[int, list[str]]] = {}
    for reason, n in sorted((summary.get("failed") or {}).items()):
        count, reasons = families.get(family_of(reason), (0, []))
        families[family_of(reason)] = (count + int(n), [*reasons, reason])
    return families


def comparable(summary: Summary, past: Sequence[Summary], runs: int) -> list[Summary]:
    """The last ``runs`` runs of ``past`` (oldest first) that make the usual for ``summary``."""
    shape = shape_of(summary.get("arguments"))
    usual = [
        run
        for run in past
        if run.get("healthy")
        and run.get("ending") == FINISHED
        and shape_of(run.get("arguments")) == shape
    ]
    return usual[-runs:]


def history_reasons(
    summary: Summary, past: Sequence[Summary], thresholds: HistoryThresholds
) -> list[str]:
    """Why this run (its manifest's figures) is far from the usual runs, if it is."""
    usual = comparable(summary, past, thresholds.runs)
    if len(usual) < thresholds.min_runs:
        return []
    reasons = []
    if summary.get("ending", FINISHED) == FINISHED:
        reasons += _fewer_stories(summary, usual, thresholds)
    reasons += _failure_jumps(summary, usual, thresholds)
    reasons += _coverage_drops(summary, usual, thresholds)
    return reasons


def _fewer_stories(summary: Summary, usual: list[Summary], t: HistoryThresholds) -> list[str]:
    now, median = found(summary), statistics.median(found(run) for run in usual)
    if not median or now >= median * t.min_stories_share:
        return []
    return [
        f"far fewer stories than usual: {now} found (emitted, known or unchanged), usual "
        f"{median:g} (median of the last {len(usual)} runs; limit {t.min_stories_share:.0%} "
        "of it)"
    ]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _failure_jumps(summary: Summary, usual: list[Summary], t: HistoryThresholds) -> list[str]:
    pages = fetched(summary)
    reasons = []
    for family, (count, seen) in failures_by_family(summary).items():
        if count < t.min_failures:
            continue
        share = _share(count, pages)
        before = statistics.median(
            _share(failures_by_family(run).get(family, (0, []))[0], fetched(run)) for run in usual
        )
        if share - before < t.max_failure_jump:
            continue
        what = "" if seen == [family] else f" ({', '.join(seen)})"
        reasons.append(
            f"{family}{what}: {count} of {pages} story pages fetched ({share:.0%}) failed so, "
            f"usual {before:.0%} (limit +{t.max_failure_jump:.0%})"
        )
    return reasons


def _coverage_drops(summary: Summary, usual: list[Summary], t: HistoryThresholds) -> list[str]:
    now = summary.get("coverage") or {}
    stories = int(now.get(coverage.STORIES, 0) or 0)
    if stories < t.min_stories:
        return []
    judged = [
        run.get("coverage") or {}
        for run in usual
        if int((run.get("coverage") or {}).get(coverage.STORIES, 0) or 0) >= t.min_stories
    ]
    if len(judged) < t.min_runs:
        return []
    reasons = []
    for field, words in coverage.FIELDS.items():
        share = _share(int(now.get(field, 0) or 0), stories)
        before = statistics.median(
            _share(int(run.get(field, 0) or 0), int(run[coverage.STORIES])) for run in judged
        )
        if before - share < t.max_coverage_drop:
            continue
        reasons.append(
            f"coverage of {words} fell: {now.get(field, 0)} of {stories} stories "
            f"({share:.0%}), usual {before:.0%} (limit -{t.max_coverage_drop:.0%})"
        )
    return reasons


def _stories(summary: Summary) -> int:
    return int(summary.get("stories_new", 0) or 0) + int(summary.get("stories_revised", 0) or 0)
