"""The progress line: what it says, and a time left only when one can honestly be told."""

from __future__ import annotations

from collections import Counter

import pytest

from newscrawl.extensions.progress import Snapshot, duration, ended_counts, progress_line, time_left


def snap(at: float, frontier: dict[int, int], done: int = 0, **more: object) -> Snapshot:
    base: dict[str, object] = {"listings_read": 12, "listings_left": 0, "max_depth": 2}
    base.update(more)
    return Snapshot(at=at, to_fetch=Counter(frontier), done=done, **base)  # type: ignore[arg-type]


def test_the_line_says_where_the_crawl_is() -> None:
    before = snap(30, {1: 50, 2: 200}, done=100, responses=200, stories=90)
    now = snap(
        60,
        {1: 10, 2: 220},
        done=160,
        responses=290,
        stories=150,
        rejected=7,
        failed=3,
        in_flight=16,
        queued=198,
        hops_in_flight=(1, 2, 2),
    )
    line = progress_line(now, before)
    assert line.startswith("newscrawl progress: 150 stories, 7 rejected, 3 failed; 180 pages/min")
    assert "frontier 230 to fetch (hop 1: 10, hop 2: 220), 16 in flight, 198 queued" in line
    assert "crawling hops 1-2 of 2" in line
    assert "1m00s elapsed" in line
    assert line.endswith("about 5m45s left")  # 250 -> 230 in 30 s: 230 more at that pace


@pytest.mark.parametrize(
    ("before", "now", "left", "why"),
    [
        (None, snap(30, {0: 40}), None, "not known yet"),
        # listings seed the crawl: while one is left, the frontier can grow any time
        (snap(30, {0: 40}), snap(60, {0: 10}, done=30, listings_left=3), None, "listings"),
        (snap(30, {0: 40}), snap(60, {0: 10}, listings_read=0), None, "listings"),
        # growing faster than it ends: no honest figure
        (snap(30, {1: 40}, done=0), snap(60, {1: 80}, done=30), None, "frontier grows"),
        # only the last hop is left: nothing new can be met; what ends, ends for good
        (snap(30, {2: 100}, done=0), snap(60, {2: 90}, done=30), 90.0, ""),
        (snap(30, {1: 100}, done=0), snap(60, {1: 90}, done=30), 270.0, ""),  # shrinking by 10
        (snap(30, {2: 5}), snap(60, {}), 0.0, ""),
    ],
)
def test_time_left(before: Snapshot | None, now: Snapshot, left: float | None, why: str) -> None:
    got, reason = time_left(now, before)
    assert got == left
    assert why in reason


def test_durations_and_counts() -> None:
    assert [duration(s) for s in (0, 45, 150, 3600 + 300)] == ["0s", "45s", "2m30s", "1h05m"]
    stats = {
        "newscrawl/stories": 10,
        "newscrawl/rejected": 30,
        "newscrawl/rejected/known": 20,
        "newscrawl/rejected/duplicate": 10,
        "newscrawl/failed": 2,
    }
    assert ended_counts(stats) == (10, 30, 2, 10 + 10 + 2)
