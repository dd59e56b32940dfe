"""The state store: what earlier runs emitted, so a scheduled run emits only what is new.

SQLite in WAL mode, every write in one ``BEGIN IMMEDIATE`` transaction, so a run killed at
any moment (SIGKILL included) leaves the database as it was after its last commit.

What was emitted is learnt from the feeds (:meth:`StateStore.reconcile_with_feeds`, called by
:class:`~newscrawl.extensions.state.RunState` when a run ends and, for a killed run, when the
next one starts): a story is recorded only once its line is in a feed, and the feed is fsynced
before the state records anything from it.

``synchronous=NORMAL``: in WAL mode a commit is in the WAL (in the OS page cache) before it
returns, so a killed *process* never loses a committed transaction; only a power cut or an OS
crash can lose the last few commits, and never corrupts the file. That loss is repaired on the
next start: the feed's ``reconciled_size`` rolls back with the rest, so the feed is read again.

The frontier of a run (:mod:`newscrawl.frontier`) lives here too, in ``frontier``: every story
URL the run met, with its hop, where it was met, its related headlines once read, and whether
it ended. It is written before a page's requests and story leave the crawl; a run that finishes
clears it in the transaction that reads its feed back, and a run that does not (killed,
interrupted, failed) leaves it for the next run to take up. A story's end is its line in the
feed, so when a feed is read back, the stories in it end in the frontier in the same transaction.

Every error of SQLite (a damaged file, a full disk) is raised as :class:`StateStoreError`,
naming the file, so the crawl can stop on it and say why.

Near-duplicates across runs: the store keeps each story's MinHash signature as an opaque blob
(:mod:`newscrawl.state.sketch`: 32-bit hash values, 512 bytes at 128 permutations). Reloading
it is one ``numpy.frombuffer`` per story, much cheaper than keeping the bodies and re-shingling.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newscrawl.frontier import Row
from newscrawl.state.records import (
    Classification,
    SettledUrl,
    StoredStory,
    classification,
    emitted_story,
    parse_time,
    worth_fetching,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stories (
    url TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    published_at TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    emitted_at TEXT NOT NULL,
    minhash BLOB
);
-- The feeds runs wrote (registered before their first story), and the size each had when it
-- was last reconciled: an unchanged feed is not read again.
CREATE TABLE IF NOT EXISTS feeds (
    path TEXT PRIMARY KEY,
    registered_at TEXT NOT NULL,
    reconciled_size INTEGER
);
-- Exact duplicates are looked up by fingerprint, whatever their age.
CREATE INDEX IF NOT EXISTS stories_by_fingerprint ON stories (fingerprint);
-- URLs that ended without a story of their own and need not be requested again: copies of a
-- story (duplicate, near_duplicate) and old URLs that redirect to one (redirect). Added to
-- schema 1 without a version change: older code never reads it.
CREATE TABLE IF NOT EXISTS settled (
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    story_url TEXT,
    published_at TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
-- The frontier of the run under way, or of the last one that did not finish: each story URL
-- met, at its smallest hop, where it was met (via), its related story URLs once its page was
-- read (children, one per line), and whether it ended. Added to schema 1 like ``settled``.
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY,
    hop INTEGER NOT NULL,
    via TEXT,
    listed_at TEXT,
    ended INTEGER NOT NULL DEFAULT 0,
    children TEXT
);
-- Every run that ended on this state (killed runs aside): when, and its manifest's summary as
-- JSON (figures, ending, exit status, arguments), the history later runs are judged against
-- (newscrawl.history) and the report draws. Added to schema 1 like ``settled``.
CREATE TABLE IF NOT EXISTS runs (
    run TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
"""

__all__ = ["Classification", "SettledUrl", "StateStore", "StateStoreError", "StoredStory"]
FingerprintOf = Callable[[Mapping[str, Any]], str]
MinhashOf = Callable[[Mapping[str, Any]], bytes | None]


class StateStoreError(RuntimeError):
    """The state cannot be read or written (SQLite's error, with the file named)."""


class StateSchemaError(StateStoreError):
    """The state file was written by a newer (or unknown) version of newscrawl."""


class NotAState(StateStoreError):
    """The file is no SQLite database at all (or not one newscrawl wrote)."""


class StateDamaged(StateStoreError):
    """The file is a state, but SQLite finds it damaged."""


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """SQLite's errors (and the OS's) as :class:`StateStoreError` naming the state file."""

    @functools.wraps(method)
    def guarded(self: StateStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StateStoreError:
            raise
        except (sqlite3.Error, OSError) as error:
            raise StateStoreError(f"state {self.path}: {error}") from error

    return guarded


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("state times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class StateStore:
    """One SQLite file. Open with :meth:`open`; use as a context manager or call :meth:`close`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    # --- lifecycle -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, check: bool = True) -> StateStore:
        """Open (or create) the state; ``check`` runs SQLite's ``quick_check`` first, so a
        damaged file stops the run before its first request rather than in mid-crawl."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE), never implicit.
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (sqlite3.Error, OSError) as error:
            raise StateStoreError(f"state {path}: cannot open it: {error}") from error
        try:
            store = cls(connection, path)
            store._prepare(check)
        except BaseException:
            connection.close()
            raise
        return store

    @classmethod
    def open_read_only(cls, path: str | Path) -> StateStore:
        """For a reader beside the runs (``scrapy report``): no lock, no schema change, no
        write, so it can read a state a run is writing (WAL lets it)."""
        path = Path(path)
        if not path.is_file():
            raise StateStoreError(f"state {path}: no such file")
        try:
            connection = sqlite3.connect(
                f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30
            )
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise NotAState(f"state {path}: not a newscrawl state ({error})") from error
        return cls(connection, path)

    @_guarded
    def story_counts(self) -> dict[str, int]:
        """Stories the state holds, and how many of them were revised at least once."""
        stories, revised = self._db.execute(
            "SELECT count(*), coalesce(sum(revision > 1), 0) FROM stories"
        ).fetchone()
        return {"stories": int(stories), "revised": int(revised)}

    def _prepare(self, check: bool) -> None:
        try:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise NotAState(f"state {self.path}: not a newscrawl state ({error})") from error
        if mode.lower() != "wal":
            raise StateStoreError(f"state {self.path}: cannot use WAL mode (got {mode})")
        self._db.execute("PRAGMA synchronous=NORMAL")
        if check:
            self._quick_check()
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StateDamaged(f"state {self.path}: damaged ({error})") from error

    def _quick_check(self) -> None:
        try:
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as error:
            raise StateDamaged(f"state {self.path}: damaged ({error})") from error
        if problems != ["ok"]:
            raise StateDamaged(f"state {self.path}: damaged ({'; '.join(problems)[:300]})")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE: take the write lock at BEGIN, so a transaction never fails half-way
        # because another connection wrote first.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            elif int(row[0]) != SCHEMA_VERSION:
                raise StateSchemaError(
                    f"{self.path}: state schema version {row[0]}, this newscrawl knows "
                    f"{SCHEMA_VERSION}"
                )

    @property
    @_guarded
    def schema_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    # --- questions -----------------------------------------------------------------------

    @_guarded
    def lookup(self, url: str) -> StoredStory | None:
        row = self._db.execute(
            "SELECT url, story_id, fingerprint, published_at, revision, first_seen,"
            " last_seen, emitted_at, minhash FROM stories WHERE url = ?",
            (url,),
        ).fetchone()
        return StoredStory(*row) if row else None

    @_guarded
    def should_fetch(
        self, url: str, now: datetime, refresh_hours: float, listed_at: str | None = None
    ) -> bool:
        """Is this story page worth requesting? Ask it for story pages only, never listings.

        A story not stored yet: yes. A stored story: while it is younger than
        ``refresh_hours`` (by ``published_at``, or by when it was first seen if the date is
        missing), since young stories are the ones the portal still edits; and, whatever its
        age, when a listing shows it with a time (``listed_at``) later than the stored
        ``published_at``: the portal moves a story's date line when it edits it. A URL that
        ended as a copy of a story or a redirect to one (:meth:`record_settled`) is judged the
        same way, by its own publication time or, without one, by when it was first seen.
        """
        stored = self.lookup(url) or self.lookup_settled(url)
        return worth_fetching(stored, now, refresh_hours, listed_at)

    @_guarded
    def lookup_settled(self, url: str) -> SettledUrl | None:
        row = self._db.execute(
            "SELECT url, reason, story_url, published_at, first_seen, last_seen FROM settled"
            " WHERE url = ?",
            (url,),
        ).fetchone()
        return SettledUrl(*row) if row else None

    @_guarded
    def first_url_with(self, fingerprint: str, other_than: str) -> str | None:
        """An emitted story's URL whose body has this fingerprint (an exact copy's original)."""
        row = self._db.execute(
            "SELECT url FROM stories WHERE fingerprint = ? AND url != ? ORDER BY first_seen, url"
            " LIMIT 1",
            (fingerprint, other_than),
        ).fetchone()
        return row[0] if row else None

    @_guarded
    def classify(self, url: str, fingerprint: str) -> tuple[Classification, StoredStory | None]:
        """What a story about to be emitted is, compared with what earlier runs emitted."""
        stored = self.lookup(url)
        return classification(stored, fingerprint), stored

    def known_fingerprints(self) -> Iterator[tuple[str, str, bytes | None]]:
        """(url, fingerprint, minhash blob or None) of every story earlier runs emitted."""
        with self._reading():
            yield from self._db.execute(
                "SELECT url, fingerprint, minhash FROM stories ORDER BY url"
            )

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """For generators, which :func:`_guarded` cannot wrap: SQLite's errors named."""
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            raise StateStoreError(f"state {self.path}: {error}") from error

    def recent_fingerprints(self, since: datetime) -> Iterator[tuple[str, str, bytes | None]]:
        """Like :meth:`known_fingerprints`, for stories published, emitted or seen since then.

        Keyed on the latest of the three: an old story a run emitted yesterday (a first crawl
        of an archive) is recent for its copies, which a portal republishes within days of
        each other whatever their date line says. ISO times with offsets do not sort as text
        across offsets, so the comparison is made here, in Python, on parsed times.
        """
        with self._reading():
            rows = self._db.execute(
                "SELECT url, fingerprint, minhash, published_at, emitted_at, last_seen"
                " FROM stories ORDER BY url"
            )
            for url, fingerprint, minhash, *times in rows:
                parsed = [t for t in map(parse_time, times) if t is not None]
                if not parsed or max(parsed) >= since:
                    yield url, fingerprint, minhash

    @_guarded
    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM stories").fetchone()[0])

    # --- changes -------------------------------------------------------------------------

    @_guarded
    def record_emitted(
        self,
        url: str,
        story_id: str,
        fingerprint: str,
        published_at: str | None,
        revision: int,
        now: datetime,
        minhash: bytes | None = None,
    ) -> None:
        """The story is durably in the feed: remember it. Call only after the feed's fsync."""
        with self._transaction() as db:
            _upsert(db, url, story_id, fingerprint, published_at, revision, _iso(now), minhash)

    @_guarded
    def touch(self, url: str, now: datetime, published_at: str | None = None) -> None:
        """A stored story was seen again with the same text: move its ``last_seen``, and its
        ``published_at`` to the date line now shown, so that a listing showing that time does
        not have the story fetched again on every run (its title or date line changed, not
        its text)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE stories SET last_seen = ?, published_at = coalesce(?, published_at)"
                " WHERE url = ?",
                (_iso(now), published_at, url),
            )

    @_guarded
    def record_settled(
        self,
        url: str,
        reason: str,
        story_url: str | None,
        published_at: str | None,
        now: datetime,
    ) -> None:
        """``url`` ended as a copy of (or a redirect to) ``story_url``: do not request it again
        while it is old (:meth:`should_fetch`). Losing this record costs one request, never a
        story, so it needs no feed behind it."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO settled (url, reason, story_url, published_at, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET"
                " reason = excluded.reason, story_url = excluded.story_url,"
                " published_at = excluded.published_at, last_seen = excluded.last_seen",
                (url, reason, story_url, published_at, _iso(now), _iso(now)),
            )

    @_guarded
    def register_feed(self, path: str | Path, now: datetime) -> None:
        """This run will write stories to ``path``: the next run reconciles with it."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO feeds (path, registered_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (str(Path(path).resolve()), _iso(now)),
            )

    @_guarded
    def registered_feeds(self) -> list[Path]:
        """Every feed registered by a run, oldest first (the ones still on disk or not)."""
        rows = self._db.execute("SELECT path FROM feeds ORDER BY registered_at, path")
        return [Path(path) for (path,) in rows]

    @_guarded
    def reconcile_with_feeds(
        self,
        paths: Iterable[str | Path],
        now: datetime,
        fingerprint: FingerprintOf,
        minhash: MinhashOf | None = None,
    ) -> int:
        """Record as emitted every story in earlier runs' feeds the state does not know.

        A run killed after its feed's fsync but before the state's commit left stories in the
        feed the state does not know; without this they would be emitted again. A story whose
        feed line carries a higher ``revision`` than the state also wins. Lines that are not
        JSON (the half line a SIGKILL leaves at the end) are skipped. ``fingerprint`` must be
        the dedup pipeline's fingerprint of a story dict. Returns how many stories were recorded.
        """
        recorded = 0
        for path in map(Path, paths):
            with self._transaction() as db:
                recorded += self._reconcile_feed(db, path, now, fingerprint, minhash)
        return recorded

    @_guarded
    def finish_run(
        self,
        paths: Iterable[str | Path],
        now: datetime,
        fingerprint: FingerprintOf,
        minhash: MinhashOf | None = None,
    ) -> int:
        """A run that finished: its feeds read back and its frontier cleared, in one
        transaction, so a kill in the middle leaves both for the next run."""
        recorded = 0
        with self._transaction() as db:
            for path in map(Path, paths):
                recorded += self._reconcile_feed(db, path, now, fingerprint, minhash)
            db.execute("DELETE FROM frontier")
        return recorded

    # --- the runs (newscrawl.history) ---------------------------------------------------

    @_guarded
    def record_run(self, run: str, summary: Mapping[str, Any]) -> None:
        """The run ``run`` (its folder's name) ended with this summary (its manifest's)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (run, started_at, finished_at, summary) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(run) DO UPDATE SET finished_at = excluded.finished_at,"
                " summary = excluded.summary",
                (
                    run,
                    str(summary.get("started_at") or ""),
                    str(summary.get("finished_at") or ""),
                    json.dumps(dict(summary), ensure_ascii=False, default=str),
                ),
            )

    @_guarded
    def recent_runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The summaries of the last ``limit`` runs (all without one), oldest first."""
        rows = self._db.execute(
            "SELECT summary FROM runs ORDER BY started_at DESC, run DESC LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        runs = []
        for (summary,) in reversed(rows):
            try:
                run = json.loads(summary)
            except ValueError:
                continue  # a row no newscrawl wrote: no history, never a failed run
            if isinstance(run, dict):
                runs.append(run)
        return runs

    # --- the frontier (newscrawl.frontier) ----------------------------------------------

    @_guarded
    def frontier_rows(self) -> list[Row]:
        rows = self._db.execute(
            "SELECT url, hop, via, listed_at, ended, children FROM frontier ORDER BY hop, url"
        )
        return [
            Row(url, hop, via, listed_at, bool(ended), _children(children))
            for url, hop, via, listed_at, ended, children in rows
        ]

    @_guarded
    def write_frontier(self, rows: list[Row]) -> None:
        """Every row in one transaction: a page's links are all known, or none is."""
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO frontier (url, hop, via, listed_at, ended, children)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET hop = excluded.hop,"
                # A row written again without its via (an entry the frontier kept as its hop
                # alone) keeps the one it had.
                " via = COALESCE(excluded.via, frontier.via), listed_at = excluded.listed_at,"
                " ended = excluded.ended,"
                " children = excluded.children",
                [
                    (r.url, r.hop, r.via, r.listed_at, int(r.ended), _joined(r.children))
                    for r in rows
                ],
            )

    def _reconcile_feed(
        self,
        db: sqlite3.Connection,
        path: Path,
        now: datetime,
        fingerprint: FingerprintOf,
        minhash: MinhashOf | None,
    ) -> int:
        """Inside the caller's transaction: the feed's stories recorded, and ended in the
        frontier (a story's feed line is its end)."""
        if not path.is_file():
            return 0
        size = path.stat().st_size
        seen = db.execute(
            "SELECT reconciled_size FROM feeds WHERE path = ?", (str(path.resolve()),)
        ).fetchone()
        if seen is not None and seen[0] == size:
            return 0
        _fsync_file(path)  # on disk before the state says so, even if the OS crashes next
        recorded = 0
        for story in read_feed(path):
            db.execute("UPDATE frontier SET ended = 1 WHERE url = ?", (story["url"],))
            if _feed_story_is_news(db, story):
                record = emitted_story(story, fingerprint, minhash)
                _upsert(
                    db,
                    record.url,
                    record.story_id,
                    record.fingerprint,
                    record.published_at,
                    record.revision,
                    _iso(now),
                    record.minhash,
                )
                recorded += 1
        db.execute(
            "INSERT INTO feeds (path, registered_at, reconciled_size) VALUES (?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET reconciled_size = excluded.reconciled_size",
            (str(path.resolve()), _iso(now), size),
        )
        if recorded:
            logger.info("newscrawl: state reconciled %d stories from %s", recorded, path)
        return recorded


def _joined(children: tuple[str, ...] | None) -> str | None:
    return None if children is None else "\n".join(children)


def _children(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(text.split("\n")) if text else ()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)  # Linux syncs a file's data through any descriptor
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _upsert(
    db: sqlite3.Connection,
    url: str,
    story_id: str,
    fingerprint: str,
    published_at: str | None,
    revision: int,
    now: str,
    minhash: bytes | None,
) -> None:
    # first_seen survives revisions: it is when the story was first emitted.
    db.execute(
        "INSERT INTO stories (url, story_id, fingerprint, published_at, revision, first_seen,"
        " last_seen, emitted_at, minhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(url) DO UPDATE SET story_id = excluded.story_id,"
        " fingerprint = excluded.fingerprint, published_at = excluded.published_at,"
        " revision = excluded.revision, last_seen = excluded.last_seen,"
        " emitted_at = excluded.emitted_at, minhash = excluded.minhash",
        (url, story_id, fingerprint, published_at, revision, now, now, now, minhash),
    )


def _feed_story_is_news(db: sqlite3.Connection, story: Mapping[str, Any]) -> bool:
    row = db.execute("SELECT revision FROM stories WHERE url = ?", (story["url"],)).fetchone()
    return row is None or int(story.get("revision") or 1) > row[0]


def read_feed(path: str | Path) -> Iterator[dict[str, Any]]:
    """The stories of a JSONL feed, skipping lines that are not a JSON object with a url.

    The last line of a feed whose run was SIGKILLed may be cut anywhere; it is not a story,
    even when the cut fell just before its newline and what is left parses: a writer ends
    every story with a newline, so a line without one was never finished.
    """
    with Path(path).open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            if not raw.endswith(b"\n"):
                logger.warning("newscrawl: %s line %d was cut; skipped", path, number)
                continue
            try:
                story = json.loads(raw)
            except ValueError:
                logger.warning("newscrawl: %s line %d is not a whole story; skipped", path, number)
                continue
            if isinstance(story, dict) and isinstance(story.get("url"), str):
                yield story
