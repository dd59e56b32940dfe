"""A run's figures in Prometheus's text format, for node_exporter's textfile collector.

Every run writes ``metrics.prom`` in its own folder (:mod:`newscrawl.runs`); with
``NEWSCRAWL_METRICS_FILE`` (a path ending in ``.prom`` in the collector's directory, one per
crawl) it also replaces that file, atomically (a temporary file in the same folder, fsync,
rename: the collector never reads half of one). The file is built with prometheus-client and
holds gauges labelled with the ``spider`` and the ``state`` (the state's path; empty for a
one-off crawl), so several crawls can share the collector's directory:

- ``newscrawl_last_run_timestamp``, ``newscrawl_run_duration_seconds``,
  ``newscrawl_run_exit_status``, ``newscrawl_run_healthy``, ``newscrawl_run_ending{ending}``;
- ``newscrawl_run_stories{kind="new"|"revised"}``, ``newscrawl_run_stories_found``,
  ``newscrawl_run_rejected{reason}``, ``newscrawl_run_failed{reason}``,
  ``newscrawl_run_requests``, ``newscrawl_run_coverage_ratio{field}``;
- ``newscrawl_last_success_timestamp``: when the last *successful* run (healthy, finished or
  stopped by ``max_stories``, exit status 0) finished. A failed run does not move it: it
  comes from this run if it succeeded, else from the state's run history, else from the file
  it replaces; 0 when no run ever succeeded. So ``time() - newscrawl_last_success_timestamp >
  6 * 3600`` fires after a night of failed runs, whatever they wrote;
- ``newscrawl_last_story_timestamp``: the same for the last run that emitted a story, for an
  alert on a night of empty runs.

A run that never opened (exit status 2, or 75: another run holds the state) writes nothing,
and neither does one killed outright: the timestamps then grow old, which is what the alerts
watch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl import coverage
from newscrawl.history import found

SUCCESS_ENDINGS = frozenset({"finished", "max_stories"})
LAST_SUCCESS = "newscrawl_last_success_timestamp"
LAST_STORY = "newscrawl_last_story_timestamp"
LABELS = ("spider", "state")


def epoch(text: str | None) -> float:
    """``2026-12-01T08:39:33Z`` as seconds since the epoch (0 for nothing)."""
    if not text:
        return 0.0
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def succeeded(summary: Mapping[str, Any]) -> bool:
    return bool(
        summary.get("healthy")
        and summary.get("ending") in SUCCESS_ENDINGS
        and not summary.get("exit_status")
    )


def emitted(summary: Mapping[str, Any]) -> bool:
    return bool(summary.get("stories_new") or summary.get("stories_revised"))


def last_time(
    summary: Mapping[str, Any],
    past: Sequence[Mapping[str, Any]],
    previous: float,
    test: Any,
) -> float:
    """This run's finish if ``test`` holds for it, else the last past run's it holds for, else
    ``previous`` (what the replaced file said)."""
    for run in (summary, *reversed(past)):
        if test(run):
            return epoch(run.get("finished_at"))
    return previous


def metrics_text(
    summary: Mapping[str, Any],
    spider: str,
    past: Sequence[Mapping[str, Any]] = (),
    previous: Mapping[str, float] | None = None,
) -> bytes:
    """The text-format file for a run's ``summary`` (its manifest's), ``past`` its state's
    earlier runs (oldest first), ``previous`` the timestamps of the file it replaces."""
    from prometheus_client import CollectorRegistry, Gauge, generate_latest

    registry = CollectorRegistry(auto_describe=True)
    base = {"spider": spider, "state": str(summary.get("state") or "")}

    def gauge(name: str, doc: str, value: float, **labels: str) -> None:
        metric = Gauge(name, doc, [*LABELS, *labels], registry=registry)
        metric.labels(**base, **labels).set(value)

    def gauges(name: str, doc: str, label: str, values: Iterable[tuple[str, float]]) -> None:
        metric = Gauge(name, doc, [*LABELS, label], registry=registry)
        for key, value in values:
            metric.labels(**base, **{label: key}).set(value)

    previous = previous or {}
    started, finished = epoch(summary.get("started_at")), epoch(summary.get("finished_at"))
    gauge("newscrawl_last_run_timestamp", "When the last run finished (Unix time).", finished)
    gauge("newscrawl_run_duration_seconds", "How long the last run took.", finished - started)
    gauge(
        "newscrawl_run_exit_status",
        "The last run's exit status (0 healthy, 3 unhealthy, 74 its own machinery failed).",
        int(summary.get("exit_status") or 0),
    )
    gauge(
        "newscrawl_run_healthy", "1 if the last run was healthy.", int(bool(summary.get("healthy")))
    )
    gauge(
        "newscrawl_run_ending",
        "How the last run ended (finished, max_stories, interrupted, paused, failed): 1.",
        1,
        ending=str(summary.get("ending") or ""),
    )
    gauges(
        "newscrawl_run_stories",
        "Stories the last run emitted: new ones, and revisions of stories a state held.",
        "kind",
        [
            ("new", summary.get("stories_new") or 0),
            ("revised", summary.get("stories_revised") or 0),
        ],
    )
    gauge(
        "newscrawl_run_stories_found",
        "Stories the last run found: emitted, or already held by its state (known, unchanged).",
        found(summary),
    )
    for kind in ("rejected", "failed"):
        gauges(
            f"newscrawl_run_{kind}",
            f"URLs the last run ended {kind}, by reason.",
            "reason",
            sorted((summary.get(kind) or {}).items()),
        )
    gauge("newscrawl_run_requests", "Requests the last run made.", summary.get("requests") or 0)
    counts = summary.get("coverage") or {}
    stories = int(counts.get(coverage.STORIES, 0) or 0)
    gauges(
        "newscrawl_run_coverage_ratio",
        "Share of the last run's emitted stories that carry the field (absent: no story).",
        "field",
        [(name, int(counts.get(name, 0) or 0) / stories) for name in coverage.FIELDS]
        if stories
        else [],
    )
    gauge(
        LAST_SUCCESS,
        "When the last successful run (healthy, exit status 0) finished (Unix time; 0: never).",
        last_time(summary, past, previous.get(LAST_SUCCESS, 0.0), succeeded),
    )
    gauge(
        LAST_STORY,
        "When the last run that emitted a story finished (Unix time; 0: never).",
        last_time(summary, past, previous.get(LAST_STORY, 0.0), emitted),
    )
    return generate_latest(registry)


def previous_timestamps(path: Path, spider: str, state: str) -> dict[str, float]:
    """The last-success and last-story timestamps a metrics file holds for this crawl ({}
    when it holds none, or cannot be read: it is only a fallback)."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = path.read_text(encoding="utf-8")
        families = list(text_string_to_metric_families(text))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    found_at: dict[str, float] = {}
    for family in families:
        for sample in family.samples:
            if sample.name in (LAST_SUCCESS, LAST_STORY) and sample.labels == {
                "spider": spider,
                "state": state,
            }:
                found_at[sample.name] = float(sample.value)
    return found_at
