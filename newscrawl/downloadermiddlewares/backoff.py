"""Exponential backoff between retries.

Scrapy's RetryMiddleware re-sends a failed request at once; a portal answering 503 because
it is overloaded needs the opposite. A retried request (``retry_times`` = n in its meta)
waits ``min(base * 2**(n-1), max)`` seconds, with ±25% jitter so that many retries do not
come back together, before it is sent again.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from newscrawl import setting
from newscrawl.config import config_of

WAITED = "newscrawl_backoff_waited"  # the retry count this request has already waited for


@dataclass(frozen=True)
class BackoffConfig:
    base: float
    maximum: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> BackoffConfig:
        base = setting.number(settings, "NEWSCRAWL_RETRY_BACKOFF_BASE", minimum=0)
        maximum = setting.number(settings, "NEWSCRAWL_RETRY_BACKOFF_MAX", minimum=base)
        return cls(base, maximum)

    def delay(self, retry_times: int, rng: random.Random) -> float:
        return min(self.base * 2 ** (retry_times - 1), self.maximum) * rng.uniform(0.75, 1.25)


class RetryBackoffMiddleware:
    def __init__(self, config: BackoffConfig) -> None:
        self.config = config
        self.rng = random.Random()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured  # retries are off: nothing to wait for
        return cls(config_of(crawler).backoff)

    async def process_request(self, request: Request) -> None:
        retry_times = request.meta.get("retry_times", 0)
        if retry_times and request.meta.get(WAITED) != retry_times:
            request.meta[WAITED] = retry_times
            await asyncio.sleep(self.config.delay(retry_times, self.rng))
