"""The engine's process collects its young garbage every NEWSCRAWL_GC_THRESHOLD allocations
while its crawl runs, and gets Python's own thresholds back when the engine stops."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from newscrawl.config import SettingError, config_of
from newscrawl.extensions import garbage
from newscrawl.extensions.garbage import GarbageCollection


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    garbage._running.clear()  # a test that failed half way leaves no crawl "running"
    gc.set_threshold(*before)


def project_crawler(**settings: object):  # type: ignore[no-untyped-def]
    return get_crawler(settings_dict=settings)


def test_the_project_settings_collect_every_20000_allocations() -> None:
    from scrapy.utils.misc import load_object

    from newscrawl import settings

    enabled = [
        load_object(path) for path, order in settings.EXTENSIONS.items() if order is not None
    ]
    assert GarbageCollection in enabled
    collection = GarbageCollection.from_crawler(project_crawler())
    assert gc.get_threshold() == (20000, 10, 10)  # the older generations keep Python's
    collection.stop()


def test_the_engine_stopping_gives_python_its_own_thresholds_back() -> None:
    crawler = project_crawler(NEWSCRAWL_GC_THRESHOLD=5000)
    GarbageCollection.from_crawler(crawler)
    assert gc.get_threshold() == (5000, 10, 10)
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_spider_that_closes_without_the_engine_starting_gives_them_back_too() -> None:
    """Scrapy's engine.close() of a spider that failed to open sends spider_closed only."""
    crawler = project_crawler()
    GarbageCollection.from_crawler(crawler)
    assert gc.get_threshold() == (20000, 10, 10)
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="shutdown")
    assert gc.get_threshold() == (700, 10, 10)
    crawler.signals.send_catch_log(signals.engine_stopped)  # later, changes nothing
    assert gc.get_threshold() == (700, 10, 10)


def test_crawls_sharing_a_process_give_python_its_thresholds_back_when_the_last_stops() -> None:
    first = GarbageCollection.from_crawler(project_crawler())
    second = GarbageCollection.from_crawler(project_crawler(NEWSCRAWL_GC_THRESHOLD=9000))
    assert gc.get_threshold() == (9000, 10, 10)
    first.stop()
    assert gc.get_threshold() == (9000, 10, 10)  # the second still runs
    first.stop()  # a second engine_stopped of the same crawl changes nothing
    second.stop()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_threshold_of_0_would_turn_collection_off_and_is_refused() -> None:
    with pytest.raises(SettingError, match="NEWSCRAWL_GC_THRESHOLD=0: must be at least 1"):
        config_of(project_crawler(NEWSCRAWL_GC_THRESHOLD=0))


def test_a_threshold_past_ten_million_is_refused_in_plain_digits() -> None:
    with pytest.raises(SettingError, match=r"=20000000: must be at most 10000000$"):
        config_of(project_crawler(NEWSCRAWL_GC_THRESHOLD=20_000_000))
