"""Is a finished run healthy? A pure verdict over the ledger's ``newscrawl/`` counters.

A scheduled run must fail loudly when the crawl is broken, not exit 0 with an empty feed:

- no start page yielded a story link: each failed (``newscrawl/start_pages/failed``: an error,
  or dropped) or listed none (``…/empty``), and none is ``…/ok``;
- the layout changed: among story pages (``newscrawl/layout/pages``), the share that missed
  their site profile (``newscrawl/layout/missed``: each profile says what its miss is, see
  :meth:`newscrawl.sites.SiteProfile.missed`; for the portal, fallback extractions and
  ``no_body`` rejections; for the generic profile, no title, date or body) is above
  ``NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS``, once there are at least
  ``NEWSCRAWL_HEALTH_MIN_PAGES`` story pages;
- error responses dominate: ``newscrawl/responses/error`` / ``…/total`` above
  ``NEWSCRAWL_HEALTH_MAX_ERROR_RATE``;
- an item pipeline raised on a story what no pipeline means to (``newscrawl/failed/
  pipeline_error``): a bug of the crawler's, so even one makes the run unhealthy.

- with a state, the run is far from the usual runs of that state (:mod:`newscrawl.history`):
  far fewer stories, a jump in one failure reason (blocked, server errors, timeouts …), a
  field's coverage falling;

- the run's own machinery failed (``newscrawl/machinery/failed``, see :mod:`newscrawl.machinery`):
  the state store, a feed, the rejects file or the manifest could not be read or written.

A healthy run that found nothing new is healthy. An unhealthy run exits with
``EXIT_UNHEALTHY = 3``, or ``EXIT_MACHINERY = 74`` when its own machinery failed (1 is Scrapy's
own failure, 2 a usage error, 75 a locked state). The verdict also says how the run ended
(:mod:`newscrawl.endings`): a healthy run interrupted by SIGINT or SIGTERM exits 130 or 143; an
unhealthy one that was interrupted still exits 3, and its line says both.

Why not Spidermon (1.27.0, inspected): it is a framework of unittest-style monitor suites whose
failures trigger *actions* (Slack, e-mail, Sentry, a closing reason); it has no way to set the
process's exit status, so we would still need our own ``crawl`` command reading a verdict, and
the verdict itself is three ratios over counters the ledger already keeps. Using it would add a
dependency (it needs ``python-slugify``, not in our environment, and ``jsonschema[format]``) and
a monitor-suite layer for ~40 lines of pure, table-tested code; its extension also still runs
periodic monitors on Twisted's ``LoopingCall`` and takes ``spider`` arguments in its handlers,
the style Scrapy 2.19 is moving away from, which puts our warnings-as-errors test run at the
mercy of its release cycle. Its notification actions can be added later on top of the stats
this module writes (``newscrawl/health/ok``, ``newscrawl/health/reasons``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newscrawl import setting
from newscrawl.endings import FINISHED, INTERRUPTED, PAUSED, Ending, ending_of
from newscrawl.history import HistoryThresholds, history_reasons
from newscrawl.setting import DEFAULTS
from newscrawl.state.manifest import summary_from_stats

EXIT_UNHEALTHY = 3
RAN_OUT = Ending(FINISHED)  # the ending of a run nothing stopped early
EXIT_MACHINERY = 74  # EX_IOERR: the state, a feed, the rejects file or the manifest failed
# One line per failed component of the run's own (newscrawl.machinery.fail writes it).
MACHINERY_STAT = "newscrawl/machinery/failed"
# The stat the crawl command exits with; components raise it, the worst status wins.
EXIT_STATUS_STAT = "newscrawl/exit_status"
# The run's spider arguments (newscrawl.extensions.history): runs compare with like runs.
ARGUMENTS_STAT = "newscrawl/arguments"

Stats = Mapping[str, Any]


@dataclass(frozen=True)
class HealthThresholds:
    max_layout_miss: float = DEFAULTS["NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS"]
    min_pages: int = DEFAULTS["NEWSCRAWL_HEALTH_MIN_PAGES"]
    max_error_rate: float = DEFAULTS["NEWSCRAWL_HEALTH_MAX_ERROR_RATE"]
    history: HistoryThresholds = field(default_factory=HistoryThresholds)

    def __post_init__(self) -> None:
        for name in ("max_layout_miss", "max_error_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be a share between 0 and 1")
        if self.min_pages < 1:
            raise ValueError("min_pages must be at least 1")

    @classmethod
    def from_settings(cls, settings: Any) -> HealthThresholds:
        """From ``NEWSCRAWL_HEALTH_*`` settings (a Scrapy ``Settings`` or anything with get*)."""
        return cls(
            max_layout_miss=setting.number(
                settings, "NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS", minimum=0, maximum=1
            ),
            min_pages=setting.integer(settings, "NEWSCRAWL_HEALTH_MIN_PAGES", minimum=1),
            max_error_rate=setting.number(
                settings, "NEWSCRAWL_HEALTH_MAX_ERROR_RATE", minimum=0, maximum=1
            ),
            history=HistoryThresholds.from_settings(settings),
        )


@dataclass(frozen=True)
class HealthVerdict:
    ok: bool
    reasons: list[str] = field(default_factory=list)
    machinery_failed: bool = False
    ending: Ending = RAN_OUT
    # The ending's own words (an interrupted or paused run), from the stats it was judged on.
    ending_line: str = ""

    @property
    def exit_status(self) -> int:
        if self.machinery_failed:
            return EXIT_MACHINERY
        return self.ending.exit_status if self.ok else EXIT_UNHEALTHY

    def log_line(self) -> str:
        if self.machinery_failed:
            return "newscrawl: run failed: " + "; ".join(self.reasons)
        if not self.ok:
            line = "newscrawl: run unhealthy: " + "; ".join(self.reasons)
            if self.ending.word in (INTERRUPTED, PAUSED):
                line += f"; and it was {self.ending.word} by {self.ending.signal}"
            return line
        if self.ending_line:
            return "newscrawl: " + self.ending_line
        return "newscrawl: run healthy"


def assess(
    stats: Stats,
    thresholds: HealthThresholds,
    jobdir: str | None = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> HealthVerdict:
    """The verdict on a run from its stats; ``jobdir``: the run's ``JOBDIR``, if any (an
    interrupted run with one is paused); ``history``: the summaries of the earlier runs of its
    state, oldest first (:meth:`newscrawl.state.store.StateStore.recent_runs`)."""
    machinery = _machinery(stats)
    ending = ending_of(stats, jobdir)
    if machinery:
        return HealthVerdict(ok=False, reasons=machinery, machinery_failed=True, ending=ending)
    reasons = [
        reason
        for reason in (
            _start_pages(stats),
            _layout_miss(stats, thresholds),
            _error_rate(stats, thresholds),
            _pipeline_errors(stats),
        )
        if reason
    ]
    if history:
        summary = {
            **summary_from_stats(stats),
            "arguments": stats.get(ARGUMENTS_STAT),
            "ending": ending.word,
        }
        reasons += history_reasons(summary, history, thresholds.history)
    line = ending.describe(stats) if ending.word in (INTERRUPTED, PAUSED) else ""
    return HealthVerdict(ok=not reasons, reasons=reasons, ending=ending, ending_line=line)


def _machinery(stats: Stats) -> list[str]:
    """The run's own failures, and feeds Scrapy could not store when it closed them."""
    failures = list(stats.get(MACHINERY_STAT) or [])
    stored = sum(int(v or 0) for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    if stored:
        failures.append(f"{stored} feed(s) could not be stored when closed")
    return ["its own machinery failed: " + "; ".join(failures)] if failures else []


def _count(stats: Stats, name: str) -> int:
    return int(stats.get(f"newscrawl/{name}", 0) or 0)


def _start_pages(stats: Stats) -> str | None:
    # A start page yields story links (ok), fails (an error, or dropped), or lists none
    # (empty): the last two are start pages that gave the crawl nothing.
    failed = _count(stats, "start_pages/failed")
    ok = _count(stats, "start_pages/ok")
    empty = _count(stats, "start_pages/empty")
    if ok or not (failed or empty):
        return None
    if not empty:
        return f"all {failed} start pages failed"
    if not failed:
        return (
            f"no start page listed a story: {empty} of {empty} listings had no story "
            "link the site profile recognises (the listing layout seems to have changed)"
        )
    return f"no start page yielded a story link: {failed} failed, {empty} listed none"


def _layout_miss(stats: Stats, thresholds: HealthThresholds) -> str | None:
    # Each story page is counted once, and each profile says what its miss is (the spider
    # counts both): the portal's, a fallback extraction or no body; the generic profile's, no
    # title, date or body (a generic extraction is no miss: it is that profile's way).
    pages = _count(stats, "layout/pages")
    missed = _count(stats, "layout/missed")
    if pages < thresholds.min_pages:
        return None
    share = missed / pages
    if share <= thresholds.max_layout_miss:
        return None
    fallback = min(_count(stats, "extraction/fallback"), missed)
    return (
        f"the layout seems to have changed: {missed} of {pages} story pages "
        f"({share:.0%}) missed the site profile (fallback {fallback}, no story "
        f"{missed - fallback}; limit {thresholds.max_layout_miss:.0%})"
    )


def _pipeline_errors(stats: Stats) -> str | None:
    # A pipeline that raised what no pipeline means to is a bug of the crawler's: even one
    # story failed that way says so (the log has its traceback).
    errors = _count(stats, "failed/pipeline_error")
    if not errors:
        return None
    stories = "1 story" if errors == 1 else f"{errors} stories"
    return (
        f"{stories} failed in an item pipeline (pipeline_error: a bug; the log has each traceback)"
    )


def _error_rate(stats: Stats, thresholds: HealthThresholds) -> str | None:
    # A download that raised (timeout, reset, DNS) is an error with no response at all.
    exceptions = int(stats.get("downloader/exception_count", 0) or 0)
    total = _count(stats, "responses/total") + exceptions
    errors = _count(stats, "responses/error") + exceptions
    if not total or errors / total <= thresholds.max_error_rate:
        return None
    return (
        f"errors dominate: {errors} of {total} downloads ({errors / total:.0%}; "
        f"limit {thresholds.max_error_rate:.0%}) were error responses or failed downloads"
    )
