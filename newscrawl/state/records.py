"""What a scheduled crawl's state keeps, and the rules it is read by, whoever keeps it.

Two keep it: the SQLite :class:`~newscrawl.state.store.StateStore` of a run of one process
(``NEWSCRAWL_STATE``), held by :class:`~newscrawl.extensions.state.RunState`, and the Redis
state of a crawl its workers share (``NEWSCRAWL_REDIS_URL``,
:class:`~newscrawl.shared.state.SharedState`). Both answer :class:`StoryState`, which the state
pipeline and the frontier's rules ask (:func:`newscrawl.distributed.state_for` picks the one);
both judge by the pure functions here, so a story is known, unchanged or a revision by the
same rule in either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

Classification = Literal["new", "unchanged", "revised"]


@dataclass(frozen=True)
class StoredStory:
    """A story an earlier run emitted (its last revision)."""

    url: str
    story_id: str
    fingerprint: str
    published_at: str | None  # the latest time it showed: its last update, else publication
    revision: int
    first_seen: str
    last_seen: str
    emitted_at: str
    minhash: bytes | None = None


@dataclass(frozen=True)
class SettledUrl:
    """A URL that ended as a copy of a story (``duplicate``, ``near_duplicate``) or as an old
    URL redirecting to one (``redirect``): not requested again while it is old."""

    url: str
    reason: str
    story_url: str | None
    published_at: str | None
    first_seen: str
    last_seen: str


def parse_time(text: str | None) -> datetime | None:
    """An ISO time (a naive one taken as UTC), or None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def worth_fetching(
    stored: StoredStory | SettledUrl | None,
    now: datetime,
    refresh_hours: float,
    listed_at: str | None = None,
) -> bool:
    """Is this story page worth requesting again? (Story pages only; listings always are.)

    Not stored: yes. Stored (a story, or a URL settled as a copy of or a redirect to one):
    while it is younger than ``refresh_hours`` (by ``published_at``, or by when it was first
    seen if the date is missing), since young stories are the ones the portal still edits; and,
    whatever its age, when a listing shows it with a time (``listed_at``) later than the stored
    one: the portal moves a story's date line when it edits it.
    """
    if stored is None:
        return True
    shown, published = parse_time(listed_at), parse_time(stored.published_at)
    if shown is not None and published is not None and shown > published:
        return True
    born = published or parse_time(stored.first_seen)
    if born is None:
        return True
    return now - born < timedelta(hours=refresh_hours)


def classification(stored: StoredStory | None, fingerprint: str) -> Classification:
    """What a story about to be emitted is, against what earlier runs emitted of its URL."""
    if stored is None:
        return "new"
    return "unchanged" if stored.fingerprint == fingerprint else "revised"


@dataclass(frozen=True)
class EmittedStory:
    """What a state records of a story once its feed line is written: the same whether it is
    read back from a feed (a killed run's, a dead worker's) or taken from the story emitted."""

    url: str
    story_id: str
    fingerprint: str
    published_at: str | None
    revision: int
    minhash: bytes | None


def emitted_story(
    story: Mapping[str, Any],
    fingerprint: Callable[[Mapping[str, Any]], str],
    minhash: Callable[[Mapping[str, Any]], bytes | None] | None,
) -> EmittedStory:
    """``story``: a feed line (a dict with the story's fields)."""
    return EmittedStory(
        url=str(story["url"]),
        story_id=str(story.get("story_id") or ""),
        fingerprint=fingerprint(story),
        published_at=story.get("modified_at") or story.get("published_at"),
        revision=int(story.get("revision") or 1),
        minhash=minhash(story) if minhash else None,
    )


class StoryState(Protocol):
    """What a scheduled crawl asks of its state (README, "Scheduled crawls").

    The calls that may wait on the store are coroutines (Redis is across the network); a
    SQLite state answers them at once. ``errors``: what its calls raise when the store cannot
    be read or written, which :meth:`failed` turns into a failure of the run's own machinery
    (:mod:`newscrawl.machinery`, exit status 74, the reason on the run's last line).
    """

    errors: tuple[type[BaseException], ...]

    def now(self) -> datetime: ...

    def failed(self, error: BaseException) -> None:
        """The state could not be read or written: the run stops, saying why."""
        ...

    def should_fetch(self, url: str, listed_at: str | None = None) -> bool:
        """For the frontier's rules: a story page to request (:func:`worth_fetching`)."""
        ...

    async def lookup(self, url: str) -> StoredStory | None: ...

    async def first_url_with(self, fingerprint: str, other_than: str) -> str | None:
        """An emitted story's URL whose text has this fingerprint (an exact copy's original)."""
        ...

    async def touch(self, url: str, published_at: str | None) -> None:
        """A stored story seen again with the same text (its date line may have moved)."""
        ...

    def settle(
        self, url: str, reason: str, story_url: str | None, published_at: str | None
    ) -> None:
        """``url`` ended as a copy of (or a redirect to) ``story_url``: losing this record
        costs one request later, never a story."""
        ...

    def recent_fingerprints(self, since: datetime) -> AsyncIterator[tuple[str, str, bytes | None]]:
        """(url, fingerprint, MinHash blob) of stories published, emitted or seen since then."""
        ...
