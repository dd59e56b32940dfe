"""The health verdict: which runs are broken, and why."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from newscrawl.health import EXIT_UNHEALTHY, HealthThresholds, HealthVerdict, assess

DEFAULT = HealthThresholds()


def pages(
    profile: int = 0, fallback: int = 0, no_body: int = 0, generic: int = 0, generic_missed: int = 0
) -> dict[str, int]:
    """Story pages as the spider counts them: each page once, and the misses of its profile."""
    return {
        "newscrawl/extraction/profile": profile,
        "newscrawl/extraction/fallback": fallback,
        "newscrawl/extraction/generic": generic,
        "newscrawl/rejected/no_body": no_body + generic_missed,
        "newscrawl/layout/pages": profile + fallback + no_body + generic + generic_missed,
        "newscrawl/layout/missed": fallback + no_body + generic_missed,
    }


def responses(total: int, errors: int) -> dict[str, int]:
    return {"newscrawl/responses/total": total, "newscrawl/responses/error": errors}


@pytest.mark.parametrize(
    ("stats", "reason"),
    [
        ({"newscrawl/start_pages/failed": 3}, "all 3 start pages failed"),
        ({**pages(profile=2, fallback=3)}, "3 of 5 story pages (60%) missed the site profile"),
        ({**pages(profile=2, no_body=3)}, "3 of 5 story pages (60%) missed the site profile"),
        ({**pages(profile=4, fallback=3, no_body=3)}, "6 of 10 story pages"),
        # the generic profile's miss: pages that yield no title, date or body
        ({**pages(generic=4, generic_missed=6)}, "6 of 10 story pages (60%) missed the site"),
        (responses(total=10, errors=6), "errors dominate: 6 of 10 downloads (60%"),
        # timeouts and resets leave no response: they count as errors all the same
        (
            {**responses(total=10, errors=0), "downloader/exception_count": 30},
            "errors dominate: 30 of 40 downloads (75%",
        ),
        (
            {"newscrawl/start_pages/empty": 9},
            "no start page listed a story: 9 of 9 listings",
        ),
        (  # a start page dropped or refreshed away counts as failed: it gave nothing either
            {"newscrawl/start_pages/failed": 2, "newscrawl/start_pages/empty": 1},
            "no start page yielded a story link: 2 failed, 1 listed none",
        ),
        # a bug in a pipeline: even one story is one too many
        ({"newscrawl/failed/pipeline_error": 1}, "1 story failed in an item pipeline"),
        ({"newscrawl/failed/pipeline_error": 7}, "7 stories failed in an item pipeline"),
    ],
)
def test_a_broken_run_is_unhealthy_and_says_why(stats: dict, reason: str) -> None:
    verdict = assess({"newscrawl/start_pages/ok": 0, **stats}, DEFAULT)  # stats may override
    assert not verdict.ok
    assert len(verdict.reasons) == 1
    assert reason in verdict.reasons[0]
    assert verdict.exit_status == EXIT_UNHEALTHY
    assert verdict.log_line() == "newscrawl: run unhealthy: " + verdict.reasons[0]


@pytest.mark.parametrize(
    "stats",
    [
        {},  # nothing counted at all
        {"newscrawl/start_pages/ok": 1, "newscrawl/stories": 0},  # healthy, nothing new
        {"newscrawl/start_pages/ok": 1, "newscrawl/start_pages/failed": 5},  # one start page did
        pages(profile=0, fallback=4),  # too few story pages to judge the layout
        pages(profile=5, fallback=5),  # exactly at the limit is still healthy
        pages(generic=40),  # a site with no profile, read by the generic one: no layout miss
        pages(generic=6, generic_missed=4),  # a few pages without a date or body
        responses(total=10, errors=5),
        {**responses(total=10, errors=2), "downloader/exception_count": 3},
        {"newscrawl/start_pages/ok": 9, "newscrawl/start_pages/empty": 8},  # one listed stories
        {**responses(total=0, errors=0)},
    ],
)
def test_a_working_run_is_healthy(stats: dict) -> None:
    verdict = assess(stats, DEFAULT)
    assert verdict == HealthVerdict(ok=True, reasons=[])
    assert verdict.exit_status == 0
    assert verdict.log_line() == "newscrawl: run healthy"


def test_every_failure_is_named() -> None:
    stats = {
        "newscrawl/start_pages/failed": 1,
        **pages(profile=0, fallback=5),
        **responses(total=4, errors=4),
    }
    assert len(assess(stats, DEFAULT).reasons) == 3


def test_thresholds_are_settings() -> None:
    settings = Settings(
        {
            "NEWSCRAWL_HEALTH_MAX_LAYOUT_MISS": "0.2",
            "NEWSCRAWL_HEALTH_MIN_PAGES": "2",
            "NEWSCRAWL_HEALTH_MAX_ERROR_RATE": "0.9",
        }
    )
    thresholds = HealthThresholds.from_settings(settings)
    assert thresholds == HealthThresholds(max_layout_miss=0.2, min_pages=2, max_error_rate=0.9)
    assert not assess(pages(profile=2, fallback=1), thresholds).ok
    assert assess(responses(total=10, errors=8), thresholds).ok


def test_the_defaults_are_documented_values() -> None:
    assert HealthThresholds.from_settings(Settings()) == HealthThresholds(0.5, 5, 0.5)


@pytest.mark.parametrize(
    "bad", [{"max_layout_miss": 1.5}, {"max_error_rate": -0.1}, {"min_pages": 0}]
)
def test_nonsense_thresholds_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        HealthThresholds(**bad)
