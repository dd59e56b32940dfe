"""Extraction, cleaning and text sketches in processes beside the engine's (``NEWSCRAWL_WORKERS``).

Scrapy runs a crawl on one thread, and the GIL keeps Python threads to one core; so with
``-s NEWSCRAWL_WORKERS=N`` (N >= 1) the pure work a story costs goes to N worker processes.
A story page costs **one** round trip: :meth:`Workers.extract` sends its text and gets back the
page as its profile reads it, its later pages' URLs and, for a story of one page, the story
already assembled, cleaned (:func:`newscrawl.pipelines.clean.clean_story`) and sketched
(shingles, fingerprint, MinHash). The spider yields that story; the cleaning and deduplication
pipelines find their work done (:meth:`Workers.cleaned`, :meth:`Workers.sketched`, matched by
the very object, so a story changed on its way is cleaned again) and only decide. A story of
several pages is assembled in the engine, and cleaned and sketched by one round trip each.

Every decision that needs the crawl's state (the frontier, the ledger, the dedup index, the
state) stays in the engine's process, so a run with workers emits what a run without them does.

The pool is our own, not ``concurrent.futures``: a ``ProcessPoolExecutor`` moves every call
through two threads of the engine's process (its queue feeder and its result manager), and
their share of the GIL cost the engine about what the work it moved saved (BENCHMARKS.md,
*Speed*). Here each worker is a pipe read by the event loop itself (``add_reader``): no thread.
Workers are started with ``forkserver`` (a clean process, never a fork of a running reactor)
when the crawl first needs one and stopped when the engine stops; they ignore SIGINT (the crawl
itself decides what Ctrl-C does). A worker that dies is logged once; its calls, and every later
one, run in the engine's process: the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from newscrawl.config import config_of

logger = logging.getLogger(__name__)
ATTRIBUTE = "_newscrawl_workers"
IN_FLIGHT = 2  # calls sent to one worker at once: one computed, one waiting in its pipe
# Stories a worker prepared, until their pipelines take them: a story rejected on its way
# (``before_since``) leaves its entries behind, so only the latest are kept; a story whose
# entry went is cleaned, checked or sketched by its pipeline itself.
KEPT = 4096


class _Latest(OrderedDict[str, Any]):
    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        if len(self) > KEPT:
            self.popitem(last=False)


@dataclass(frozen=True)
class Prepared:
    """What a worker made of a story of one page: the story cleaned (None: still garbled,
    ``field`` and ``sample`` say where) and its body's sketch."""

    story: Any
    field: str = ""
    sample: str = ""
    sketch: tuple[str, Any, Any] | None = None
    valid: bool = False  # passed the validation pipeline's checks (the schema, the body's length)


class Workers:
    def __init__(self, count: int, setup: tuple[Any, ...]) -> None:
        self.count = count
        self._setup = setup
        self._processes: list[_Worker] | None = None
        self._queue: deque[_Call] = deque()
        self._cleaned, self._sketched, self._valid = _Latest(), _Latest(), _Latest()
        self.broken = False
        self.stopped = False

    @classmethod
    def of(cls, crawler: Any, sites: Any = None) -> Workers | None:
        """The crawl's workers (made the first time, with the spider's site profiles), or None
        when ``NEWSCRAWL_WORKERS`` is 0 or a worker died."""
        workers: Workers | None = getattr(crawler, ATTRIBUTE, None)
        if workers is None:
            config = config_of(crawler)
            if not config.workers:
                return None
            spider = getattr(crawler, "spider", None)
            sites = sites if sites is not None else getattr(spider, "profile", None)
            workers = cls(config.workers, (sites, config.dedup, config.clean, config.validate))
            setattr(crawler, ATTRIBUTE, workers)
            crawler.signals.connect(workers.stop, signal=_engine_stopped())
        return None if workers.broken else workers

    # --- the calls ---------------------------------------------------------------------------

    async def extract(
        self, url: str, text: str, now: datetime, story_of: tuple[int, bool] | None = None
    ) -> tuple[Any, list[str], Prepared | None]:
        """(the page's StoryPage or NotAStory, its later pages' URLs, and with ``story_of`` =
        (max story pages, rendered) the story of a one-page story, cleaned and sketched)."""
        result: tuple[Any, list[str], Prepared | None] = await self._run(
            "extract", url, text, now, story_of
        )
        prepared = result[2]
        if prepared is not None and prepared.story is not None:
            self._cleaned[prepared.story.url] = prepared.story
            if prepared.valid:
                self._valid[prepared.story.url] = prepared.story
            if prepared.sketch is not None:
                self._sketched[prepared.story.url] = (prepared.story.body, prepared.sketch)
        return result

    async def listing(self, url: str, text: str) -> tuple[list[str], dict[str, str], str | None]:
        """(a listing page's story links, the times it shows beside them, its next page)."""
        result: tuple[list[str], dict[str, str], str | None] = await self._run("listing", url, text)
        return result

    async def clean(self, story: Any) -> tuple[Any, str, str]:
        """(the cleaned story, "", "") or (None, field, sample) for a story still garbled."""
        result: tuple[Any, str, str] = await self._run("clean", story)
        return result

    async def sketch(self, body: str) -> tuple[str, Any, Any]:
        """(fingerprint, MinHash hash values, shingle hashes) of a body."""
        result: tuple[str, Any, Any] = await self._run("sketch", body)
        return result

    def cleaned(self, story: Any) -> bool:
        """True if ``story`` is the very story a worker cleaned (the cleaning pipeline passes
        it on as it is)."""
        return self._cleaned.pop(story.url, None) is story

    def validated(self, story: Any) -> bool:
        """True if ``story`` is the very story a worker cleaned and found valid."""
        return self._valid.pop(story.url, None) is story

    def sketched(self, url: str, body: str) -> tuple[str, Any, Any] | None:
        """The sketch a worker made of this body of this story, if it made one."""
        found = self._sketched.pop(url, None)
        return found[1] if found is not None and found[0] == body else None

    async def _run(self, name: str, *args: Any) -> Any:
        if self.broken or self.stopped:
            return _local(self._setup, name, args)
        call = _Call(name, args, asyncio.get_running_loop().create_future())
        self._queue.append(call)
        self._dispatch()
        return await call.future

    # --- the pool ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker processes now (in the event loop), not at the first call: the
        spider starts them with the crawl, so their ~0.4 s of start and imports pass while the
        first listings download instead of holding up the first story pages."""
        if self._processes is not None or self.stopped:
            return
        self._processes = []
        try:
            for _ in range(self.count):
                self._processes.append(_Worker(self, self._setup))
        except Exception as error:  # no process to be had (a limit, a broken install)
            logger.error(
                "newscrawl: a worker process could not start (%s); the crawl goes on in one "
                "process",
                error,
            )
            self.broken = True
            self.stop()

    def _dispatch(self) -> None:
        """Send queued calls to the workers with room, the least busy first."""
        self.start()
        while self._processes and self._queue and not (self.broken or self.stopped):
            worker = min(self._processes, key=lambda w: len(w.waiting))
            if len(worker.waiting) >= IN_FLIGHT:
                return
            worker.send(self._queue.popleft())

    def _died(self, worker: _Worker) -> None:
        """A worker died: log it once, and answer every call waiting, here."""
        if not self.broken:
            self.broken = True
            logger.error("newscrawl: a worker process died; the crawl goes on in one process")
        calls = [c for w in self._processes or [] for c in w.waiting] + list(self._queue)
        self._queue.clear()
        self.stop()
        for call in calls:
            if call.future.done():
                continue
            try:
                call.future.set_result(_local(self._setup, call.name, call.args))
            except Exception as error:  # the function's own error, as a worker would give it
                call.future.set_exception(error)

    def stop(self) -> None:
        """Stop the workers (when the engine stops); a later call is answered here."""
        self.stopped = True
        for worker in self._processes or []:
            worker.close()


@dataclass
class _Call:
    name: str
    args: tuple[Any, ...]
    future: asyncio.Future[Any]


class _Worker:
    """One worker process and the pipe the event loop reads its answers from."""

    def __init__(self, pool: Workers, setup: tuple[Any, ...]) -> None:
        context = multiprocessing.get_context("forkserver")
        self.pool = pool
        self.connection, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(theirs, setup), daemon=True)
        self.process.start()
        theirs.close()
        self.waiting: deque[_Call] = deque()
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(self.connection.fileno(), self._readable)
        self.closed = False

    def send(self, call: _Call) -> None:
        self.waiting.append(call)
        try:
            self.connection.send((call.name, call.args))
        except OSError:
            self.pool._died(self)

    def _readable(self) -> None:
        try:
            ok, value = self.connection.recv()
        except (EOFError, OSError):
            self.pool._died(self)
            return
        call = self.waiting.popleft()
        if not call.future.done():
            call.future.set_result(value) if ok else call.future.set_exception(value)
        self.pool._dispatch()  # room for the next call

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.loop.remove_reader(self.connection.fileno())
        self.connection.close()  # the worker reads EOF and ends
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()


def _engine_stopped() -> Any:
    from scrapy import signals

    return signals.engine_stopped


# --- in a worker process ------------------------------------------------------------------

_SETUP: Any = None
_INDEX: Any = None


def _serve(connection: Connection, setup: tuple[Any, ...]) -> None:
    global _SETUP
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SETUP = setup
    while True:
        try:
            name, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = (True, FUNCTIONS[name](*args))
        except Exception as error:
            answer = (False, error)
        try:
            connection.send(answer)
        except (BrokenPipeError, EOFError):
            return  # the engine stopped
        except Exception as error:  # an answer that does not pickle
            connection.send((False, RuntimeError(f"{name}: {error!r}")))


def _local(setup: tuple[Any, ...], name: str, args: tuple[Any, ...]) -> Any:
    """A call answered in the engine's own process (no worker, or the worker died)."""
    global _SETUP
    _SETUP = setup
    return FUNCTIONS[name](*args)


def _extract(
    url: str, text: str, now: datetime, story_of: tuple[int, bool] | None
) -> tuple[Any, list[str], Prepared | None]:
    from newscrawl.extraction.story import StoryAssembly
    from newscrawl.extraction.tree import page_selector
    from newscrawl.sites import StoryPage

    sites = _SETUP[0]
    selector = page_selector(text or "<html></html>")
    page = sites.extract_story(selector, url, now)
    if not isinstance(page, StoryPage):
        return page, [], None
    later = sites.later_pages(selector, url)
    if story_of is None or later:
        return page, later, None
    assembly = StoryAssembly.begin(page, later, *story_of)
    site = sites.profile_for(url) or sites
    cleaned, field, sample = _clean(assembly.story(site.name, site.language))
    if cleaned is None:
        return page, later, Prepared(None, field, sample)
    return page, later, Prepared(cleaned, sketch=_sketch(cleaned.body), valid=_valid(cleaned))


def read_listing(sites: Any, page: Any, url: str) -> tuple[list[str], dict[str, str], str | None]:
    """What the spider takes from a listing page, as its profile reads it (no time without a
    link, no next page asked of a page without links)."""
    links = sites.listing_story_links(page, url)
    if not links:
        return [], {}, None
    return links, sites.listing_story_times(page, url), sites.listing_next_page(page, url)


def _listing(url: str, text: str) -> tuple[list[str], dict[str, str], str | None]:
    from newscrawl.spiders.related import page_of_html

    return read_listing(_SETUP[0], page_of_html(text), url)


def _valid(story: Any) -> bool:
    from newscrawl.outcomes import StoryRejected
    from newscrawl.pipelines.validate import check_story

    try:
        check_story(story, _SETUP[3])
    except StoryRejected:
        return False  # the pipeline checks it again and says why
    return True


def _clean(story: Any) -> tuple[Any, str, str]:
    from newscrawl.pipelines.clean import Mojibake, clean_story

    try:
        return clean_story(story, _SETUP[2]), "", ""
    except Mojibake as garbled:
        return None, garbled.field, garbled.sample


def _sketch(body: str) -> tuple[str, Any, Any]:
    global _INDEX
    from newscrawl.pipelines.dedup import DedupIndex

    if _INDEX is None:
        _INDEX = DedupIndex(_SETUP[1])  # for its sketches only: nothing is stored in it
    sketch = _INDEX.sketch(body)
    return sketch.fingerprint, sketch.minhash.hashvalues, sketch.shingle_hashes


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "extract": _extract,
    "listing": _listing,
    "clean": _clean,
    "sketch": _sketch,
}
