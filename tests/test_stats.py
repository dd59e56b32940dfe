"""The crawl's stats collector answers as Scrapy's own, without its per-call wrapper."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from newscrawl.stats import CrawlStats


def test_the_crawl_settings_name_the_crawl_stats_collector() -> None:
    from scrapy.utils.misc import load_object

    from newscrawl import settings

    assert load_object(settings.STATS_CLASS) is CrawlStats


def test_every_method_answers_as_scrapys_collector_does() -> None:
    ours, scrapys = (cls(get_crawler()) for cls in (CrawlStats, MemoryStatsCollector))
    for stats in (ours, scrapys):
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.inc_value("b", start=10)
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.min_value("n", 3)
        stats.min_value("n", 1)
        stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {
        "a": 3, "b": 11, "m": 3, "n": 1, "s": "x"
    }  # fmt: skip
    assert ours.get_value("missing", 7) == scrapys.get_value("missing", 7) == 7


def test_a_call_is_the_method_itself_not_a_wrapper() -> None:
    stats = CrawlStats(get_crawler())
    assert stats.inc_value.__func__ is MemoryStatsCollector.inc_value  # type: ignore[attr-defined]
    assert not hasattr(stats, "_cached_inc_value")  # Scrapy's wrapper is never made
