"""The workers' one connection to Redis: short timeouts, retries with backoff, then one clear error.

Every call goes through :meth:`SharedRedis.call` (asyncio, ``redis.asyncio``: the crawl's event
loop never waits on a socket) or, for the rare questions asked from synchronous Scrapy hooks
(a redirect: is its target met already?), :meth:`SharedRedis.call_sync`. A call that fails for
a reason of the connection (refused, reset, timed out, Redis loading its data after a restart)
is retried with doubling waits (0.1 s up to 2 s) for ``NEWSCRAWL_REDIS_RETRY_SECONDS``; then it
raises :class:`RedisUnavailable`, whose message is one line, and the worker stops as a failure
of its own machinery (exit 74). Once one call has given up, the others give up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis
from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError

from newscrawl.distributed import SharedConfig
from newscrawl.shared import scripts

logger = logging.getLogger(__name__)
T = TypeVar("T")
TRANSIENT = (ConnectionError, TimeoutError, BusyLoadingError, ConnectionResetError, OSError)
FIRST_WAIT, LONGEST_WAIT = 0.1, 2.0


class RedisUnavailable(RuntimeError):
    """Redis could not be reached for the whole retry time."""


class SharedRedis:
    def __init__(self, config: SharedConfig) -> None:
        assert config.url is not None
        self.config = config
        self.url = config.url
        options: dict[str, Any] = {
            "socket_timeout": config.timeout_seconds,
            "socket_connect_timeout": config.timeout_seconds,
            "health_check_interval": 0,
        }
        self.aio = aioredis.Redis.from_url(config.url, **options)
        self.sync = redis.Redis.from_url(config.url, **options)
        self.gave_up: str | None = None  # once set, every call fails at once
        # When a call last failed (at first: when this worker started): a worker reaps nobody
        # until it has had Redis for a while, as the others' heartbeats may have run out
        # while Redis was away.
        self.last_trouble = time.monotonic()
        self.troubles = 0  # calls that failed at least once: a retried call may have run
        self.aio_scripts = {name: self.aio.register_script(src) for name, src in scripts.ALL}
        self.sync_scripts = {name: self.sync.register_script(src) for name, src in scripts.ALL}

    def key(self, *parts: str) -> str:
        return ":".join((self.config.key, *parts))

    async def call(self, what: Callable[[], Awaitable[T]]) -> T:
        wait, deadline = FIRST_WAIT, time.monotonic() + self.config.retry_seconds
        while True:
            self._check()
            try:
                return await what()
            except TRANSIENT as error:
                self.last_trouble = time.monotonic()
                self.troubles += 1
                if time.monotonic() + wait > deadline:
                    raise self._give_up(error) from error
                logger.warning(
                    "newscrawl: Redis at %s: %s; retrying in %.1f s", self.url, error, wait
                )
                await asyncio.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)

    def call_sync(self, what: Callable[[], T]) -> T:
        """Only for questions a synchronous hook must have answered (rare): a short budget."""
        wait, deadline = FIRST_WAIT, time.monotonic() + min(self.config.retry_seconds, 5.0)
        while True:
            self._check()
            try:
                return what()
            except TRANSIENT as error:
                self.last_trouble = time.monotonic()
                self.troubles += 1
                if time.monotonic() + wait > deadline:
                    raise self._give_up(error) from error
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)

    async def script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        runner = self.aio_scripts[name]
        return await self.call(lambda: runner(keys=keys, args=args))

    def script_sync(self, name: str, keys: list[str], args: list[Any]) -> Any:
        runner = self.sync_scripts[name]
        return self.call_sync(lambda: runner(keys=keys, args=args))

    def _check(self) -> None:
        if self.gave_up is not None:
            raise RedisUnavailable(self.gave_up)

    def _give_up(self, error: BaseException) -> RedisUnavailable:
        if self.gave_up is None:
            self.gave_up = (
                f"Redis at {self.url} unreachable for {self.config.retry_seconds:g} s "
                f"({type(error).__name__}: {error})"
            )[:300]
        return RedisUnavailable(self.gave_up)

    async def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection to a Redis that is gone
            await self.aio.aclose()
        self.sync.close()
