"""``scrapy seed``: start pages put into a shared crawl's frontier, for its workers to crawl.

The seeds are what a worker would start from (:meth:`RelatedSpider.start_pages`: a story link
for a story page, a listing or a feed to read), met by the same script a worker's start pages
go through (:meth:`SharedFrontier.seed`), with the same rules and the key's state: a listing
already taken into the crawl is not taken again, a story known to the key's state waits as
``known`` (it ends so at the crawl's end, unless a listing shows it changed). The crawl is the
one under way on the key, or a new one, created with the seed's spider arguments: the workers
must be started with the same ``-a`` arguments (as two workers of one crawl), else they are
refused (exit 75), as a seed is on a key another crawl holds with other arguments. A crawl
``scrapy seed`` seeded is marked so: its workers seed none of their own start pages.

Every seed is checked first: a URL out of the crawl's scope, no story, listing or feed page, or
a story the crawl's rules reject (``-a since``, ``-a sections``) is refused with one line and
nothing is seeded (exit 2): a seed that ended at once would end in no worker's files.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newscrawl.config import NewscrawlConfig
from newscrawl.extensions.ledger import story_rules
from newscrawl.frontier.book import StoryRules
from newscrawl.health import EXIT_MACHINERY
from newscrawl.shared.connection import RedisUnavailable, SharedRedis
from newscrawl.shared.frontier import SharedFrontier
from newscrawl.shared.state import SharedState
from newscrawl.shared.worker import POLL, crawl_arguments, refusal
from newscrawl.sites import PageKind
from newscrawl.spiders.related import LINK
from newscrawl.state.lock import EXIT_LOCKED
from newscrawl.urls import resolve

EXIT_BAD_SEED = 2
SEEDER = "seed"  # the frontier's worker name for the seeds' meeting (it holds nothing)


class SeedRefused(Exception):
    """Nothing was seeded: one line for the user, and the exit status."""

    def __init__(self, line: str, status: int) -> None:
        super().__init__(line)
        self.status = status


@dataclass(frozen=True)
class SeedReport:
    crawl_id: str
    new_crawl: bool
    workers: int  # live workers on the crawl when it was seeded
    stories: int  # story seeds given, and how many went to the ready queue
    stories_taken: int
    listings: int  # listings and feeds given, and how many were new to the crawl
    listings_taken: int

    def line(self, config: NewscrawlConfig) -> str:
        already = (self.stories - self.stories_taken) + (self.listings - self.listings_taken)
        crawl = (
            f"a new crawl {self.crawl_id}"
            if self.new_crawl
            else f"crawl {self.crawl_id} ({self.workers} workers on it)"
        )
        return (
            f"newscrawl seed: {self.listings_taken} listings and {self.stories_taken} story "
            f"pages put into {crawl} at {shown(config.shared.url or '')}, key "
            f"{config.shared.key}; {already} already in it or known to the key's state"
        )


def rules_of(config: NewscrawlConfig, spider: Any, state: SharedState | None) -> StoryRules:
    """The crawl's rules, as a worker with the seed's arguments has them."""
    return story_rules(spider, state, _settings_holder(config))


def checked_seeds(spider: Any, config: NewscrawlConfig, given: list[str]) -> tuple[str, ...]:
    """The seeds to put in: the URLs given (each checked, in canonical form, once), or the
    spider's own start pages."""
    if not given:
        return tuple(spider.args.starts())
    rules = rules_of(config, spider, None)
    urls: list[str] = []
    for raw in given:
        url = resolve(raw.strip(), "")
        if url is None:
            raise SeedRefused(f"{raw!r} is not an absolute http(s) URL", EXIT_BAD_SEED)
        why = spider.scope.refusal(url)
        if why is not None:
            hosts = ", ".join(sorted(h for h in spider.scope.hosts if not h.startswith("www.")))
            raise SeedRefused(
                f"{url} is not a page of the crawl's sites ({hosts}): {why}", EXIT_BAD_SEED
            )
        kind = spider.profile.classify(url)
        if kind is PageKind.OTHER:
            raise SeedRefused(f"{url} is neither a story, a listing nor a feed page", EXIT_BAD_SEED)
        url = spider.profile.canonical_url(url)
        section = spider.profile.section_of(url)
        sections = spider.args.sections
        if kind is PageKind.LISTING and sections is not None and section not in (None, *sections):
            raise SeedRefused(
                f"{url} is a listing of section {section}, outside the crawl's -a sections",
                EXIT_BAD_SEED,
            )
        if kind is PageKind.STORY:
            rejection = rules.rejection(url, None)
            if rejection is not None:
                reason, details = rejection
                said = ", ".join(f"{k} {v}" for k, v in details.items())
                raise SeedRefused(
                    f"{url}: the crawl's rules reject it ({reason}{': ' + said if said else ''})",
                    EXIT_BAD_SEED,
                )
        urls.append(url)
    return tuple(dict.fromkeys(urls))


async def seed(config: NewscrawlConfig, spider: Any, urls: tuple[str, ...]) -> SeedReport:
    """Put ``urls`` into the crawl under way on the key (or a new one). Raises SeedRefused."""
    redis = SharedRedis(config.shared)
    try:
        return await _seed(redis, config, spider, urls)
    except RedisUnavailable as error:
        raise SeedRefused(f"{error}; nothing was seeded", EXIT_MACHINERY) from error
    finally:
        await redis.close()


async def _seed(
    redis: SharedRedis, config: NewscrawlConfig, spider: Any, urls: tuple[str, ...]
) -> SeedReport:
    arguments = crawl_arguments(spider.name, spider.args)
    deadline = time.monotonic() + max(config.shared.retry_seconds, POLL)
    while True:
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        answer = await redis.script(
            "seed",
            [redis.key("crawl"), redis.key("workers")],
            [uuid.uuid4().hex, arguments, started_at],
        )
        status = _text(answer[0])
        if status == "other":
            line = refusal(status, answer, config.shared).replace(
                "this worker stops before crawling", "nothing was seeded"
            )
            raise SeedRefused(line, EXIT_LOCKED)
        if status == "ok":
            crawl_id = _text(answer[1])
            state = SharedState(_settings_holder(config), redis)  # type: ignore[arg-type]
            frontier = SharedFrontier(
                redis, SEEDER, crawl_id, rules_of(config, spider, state), state
            )
            outputs = list(spider.start_pages(urls))
            seeded = await frontier.seed(outputs)
            if not seeded.over:
                stories = sum(1 for o in outputs if o.meta.get(LINK) is not None)
                return SeedReport(
                    crawl_id=crawl_id,
                    new_crawl=bool(int(answer[3])),
                    workers=int(answer[2]),
                    stories=stories,
                    stories_taken=seeded.stories,
                    listings=len(outputs) - stories,
                    listings_taken=seeded.listings,
                )
        # The crawl on the key is ending (its keys are about to go): seed the next one.
        if time.monotonic() >= deadline:
            raise SeedRefused(
                f"the crawl under {config.shared.key} is still ending after "
                f"{config.shared.retry_seconds:g} s; nothing was seeded, try again",
                EXIT_LOCKED,
            )
        await asyncio.sleep(POLL)


def shown(url: str) -> str:
    """A Redis URL as it may be printed: without its password."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def _settings_holder(config: NewscrawlConfig) -> Any:
    """What :func:`newscrawl.config.config_of` reads the crawl's config from, without a crawl."""
    from newscrawl.config import CACHE

    holder = SimpleNamespace(settings=None)
    setattr(holder, CACHE, config)
    return holder


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
