"""Retries wait longer each time, and the wait happens once per retry."""

from __future__ import annotations

import asyncio
import random

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.downloadermiddlewares.backoff import BackoffConfig, RetryBackoffMiddleware


def test_delay_doubles_up_to_the_maximum_with_jitter() -> None:
    config = BackoffConfig(base=1.0, maximum=5.0)
    rng = random.Random(1)
    for retry, nominal in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)):
        delay = config.delay(retry, rng)
        assert nominal * 0.75 <= delay <= nominal * 1.25


def test_bad_settings_are_refused() -> None:
    crawler = get_crawler(
        settings_dict={"NEWSCRAWL_RETRY_BACKOFF_BASE": 10, "NEWSCRAWL_RETRY_BACKOFF_MAX": 1}
    )
    with pytest.raises(ValueError, match="NEWSCRAWL_RETRY_BACKOFF_MAX=1: must be at least 10"):
        RetryBackoffMiddleware.from_crawler(crawler)


def test_off_when_retries_are_off() -> None:
    with pytest.raises(NotConfigured):
        RetryBackoffMiddleware.from_crawler(get_crawler(settings_dict={"RETRY_ENABLED": False}))


def test_only_retried_requests_wait_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    middleware = RetryBackoffMiddleware(BackoffConfig(base=2.0, maximum=60.0))
    asyncio.run(middleware.process_request(Request("http://example.test/")))
    assert slept == []
    retried = Request("http://example.test/", meta={"retry_times": 3})
    asyncio.run(middleware.process_request(retried))
    asyncio.run(middleware.process_request(retried))  # the same retry passing again
    assert len(slept) == 1
    assert 8.0 * 0.75 <= slept[0] <= 8.0 * 1.25
