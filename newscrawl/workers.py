"""Extraction, cleaning and text sketches in processes beside the engine's (``NEWSCRAWL_WORKERS``).

Scrapy runs a crawl on one thread, and the GIL keeps Python threads to one core; so with
``-s NEWSCRAWL_WORKERS=N`` (N >= 1) the pure work a story costs goes to N worker processes:

- a story page's extraction (the parse, the site profile, its later pages' URLs):
  :meth:`Workers.extract`, awaited by the spider;
- a story's cleaning (:func:`newscrawl.pipelines.clean.clean_story`): :meth:`Workers.clean`,
  awaited by the cleaning pipeline;
- a body's shingles, fingerprint and MinHash: :meth:`Workers.sketch`, awaited by the
  deduplication pipeline, which still decides against its one index in the engine's process.

What crosses between processes is the page's text and the story (pickled: a few kilobytes);
every decision that needs the crawl's state (the frontier, the ledger, the dedup index, the
state) stays in the engine's process, so a run with workers emits what a run without them does.
Workers are started with ``forkserver`` (a clean process, never a fork of a running reactor)
when the crawl first needs one and stopped when the engine stops; they ignore SIGINT (the crawl
itself decides what Ctrl-C does). A worker that dies breaks the pool: the crawl logs it once and
goes on in its own process. Default 0: everything in the engine's process, as before.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from newscrawl.config import config_of

logger = logging.getLogger(__name__)
ATTRIBUTE = "_newscrawl_workers"

# In a worker process: the crawl's site profiles and dedup settings, given when it starts.
_SITES: Any = None
_DEDUP: Any = None


class Workers:
    def __init__(self, count: int, sites: Any, dedup: Any) -> None:
        self.count = count
        self._sites, self._dedup = sites, dedup
        self._pool: ProcessPoolExecutor | None = None
        self.broken = False

    @classmethod
    def of(cls, crawler: Any, sites: Any = None) -> Workers | None:
        """The crawl's workers (made the first time, with the spider's site profiles), or None
        when ``NEWSCRAWL_WORKERS`` is 0 or the pool broke."""
        workers: Workers | None = getattr(crawler, ATTRIBUTE, None)
        if workers is None:
            count = config_of(crawler).workers
            if not count:
                return None
            spider = getattr(crawler, "spider", None)
            sites = sites if sites is not None else getattr(spider, "profile", None)
            workers = cls(count, sites, config_of(crawler).dedup)
            setattr(crawler, ATTRIBUTE, workers)
            crawler.signals.connect(workers.stop, signal=_engine_stopped())
        return None if workers.broken else workers

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_worker,
                initargs=(self._sites, self._dedup),
            )
        return self._pool

    async def _run(self, function: Any, *args: Any) -> Any:
        """``function(*args)`` in a worker; in this process once the pool is broken."""
        if not self.broken:
            try:
                future = self._executor().submit(function, *args)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self.broken = True
                logger.error("newscrawl: a worker process died; the crawl goes on in one process")
        _start_worker(self._sites, self._dedup, quiet=False)
        return function(*args)

    async def extract(self, url: str, text: str, now: datetime) -> tuple[Any, list[str]]:
        """(the page's StoryPage or NotAStory, its later pages' URLs)."""
        result: tuple[Any, list[str]] = await self._run(_extract, url, text, now)
        return result

    async def clean(self, story: Any, config: Any) -> tuple[Any, str, str]:
        """(the cleaned story, "", "") or (None, field, sample) for a story still garbled."""
        result: tuple[Any, str, str] = await self._run(_clean, story, config)
        return result

    async def sketch(self, body: str) -> tuple[str, Any, Any]:
        """(fingerprint, MinHash hash values, shingle hashes) of a body."""
        result: tuple[str, Any, Any] = await self._run(_sketch, body)
        return result

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _engine_stopped() -> Any:
    from scrapy import signals

    return signals.engine_stopped


# --- in a worker process ------------------------------------------------------------------


def _start_worker(sites: Any, dedup: Any, quiet: bool = True) -> None:
    global _SITES, _DEDUP
    if quiet:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SITES, _DEDUP = sites, dedup


def _extract(url: str, text: str, now: datetime) -> tuple[Any, list[str]]:
    from parsel import Selector

    from newscrawl.sites import StoryPage

    selector = Selector(text=text or "<html></html>")
    page = _SITES.extract_story(selector, url, now)
    later = _SITES.later_pages(selector, url) if isinstance(page, StoryPage) else []
    return page, later


def _clean(story: Any, config: Any) -> tuple[Any, str, str]:
    from newscrawl.pipelines.clean import Mojibake, clean_story

    try:
        return clean_story(story, config), "", ""
    except Mojibake as garbled:
        return None, garbled.field, garbled.sample


_INDEX: Any = None


def _sketch(body: str) -> tuple[str, Any, Any]:
    global _INDEX
    from newscrawl.pipelines.dedup import DedupIndex

    if _INDEX is None:
        _INDEX = DedupIndex(_DEDUP)  # for its sketches only: nothing is stored in it
    sketch = _INDEX.sketch(body)
    return sketch.fingerprint, sketch.minhash.hashvalues, sketch.shingle_hashes
