"""The state store: what earlier runs emitted survives, and survives being killed."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl.state.store import SCHEMA_VERSION, StateSchemaError, StateStore, StoredStory

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
URL = "http://french.peopledaily.com.cn/International/n3/2026/1127/c31356-1.html"


@pytest.fixture
def store(tmp_path: Path):
    with StateStore.open(tmp_path / "state" / "state.sqlite") as opened:
        yield opened


def emit(store: StateStore, url: str = URL, fingerprint: str = "fp1", **fields) -> None:
    values = {
        "story_id": "s-1",
        "published_at": "2026-11-27T09:08:00+08:00",
        "revision": 1,
        "now": NOW,
    }
    values.update(fields)
    store.record_emitted(url, fingerprint=fingerprint, **values)


def test_open_creates_the_file_and_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.sqlite"
    StateStore.open(path).close()
    assert path.is_file()


def test_an_emitted_story_is_there_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with StateStore.open(path) as store:
        emit(store, minhash=b"\x01\x02")
    with StateStore.open(path) as store:
        assert store.lookup(URL) == StoredStory(
            url=URL,
            story_id="s-1",
            fingerprint="fp1",
            published_at="2026-11-27T09:08:00+08:00",
            revision=1,
            first_seen="2026-11-28T12:00:00+00:00",
            last_seen="2026-11-28T12:00:00+00:00",
            emitted_at="2026-11-28T12:00:00+00:00",
            minhash=b"\x01\x02",
        )
        assert store.lookup(URL + "x") is None


def test_the_database_is_in_wal_mode_with_a_schema_version(store: StateStore) -> None:
    other = sqlite3.connect(store.path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = other.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    finally:
        other.close()
    assert int(version[0]) == SCHEMA_VERSION == store.schema_version


def test_a_state_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    StateStore.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateSchemaError, match="99"):
        StateStore.open(path)


@pytest.mark.parametrize(
    ("published_at", "hours_later", "expected"),
    [
        ("2026-11-28T10:00:00+00:00", 1, True),  # young: the portal may still edit it
        ("2026-11-28T10:00:00+00:00", 47, True),
        ("2026-11-28T10:00:00+00:00", 49, False),  # older than the refresh window
        ("2026-11-28T18:00:00+08:00", 47, True),  # the portal's offset counts
        ("2026-11-28T18:00:00+08:00", 49, False),
        (None, 47, True),  # no date: first_seen (NOW) decides
        (None, 49, False),
    ],
)
def test_should_fetch_a_stored_story_only_while_it_is_young(
    store: StateStore, published_at: str | None, hours_later: int, expected: bool
) -> None:
    emit(store, published_at=published_at, now=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    moment = datetime(2026, 11, 28, 10, 0, tzinfo=UTC) + timedelta(hours=hours_later)
    assert store.should_fetch(URL, moment, refresh_hours=48) is expected


def test_should_fetch_a_story_never_emitted(store: StateStore) -> None:
    assert store.should_fetch(URL, NOW, refresh_hours=48)


@pytest.mark.parametrize(
    ("listed_at", "expected"),
    [
        ("2026-11-27T09:45:00+08:00", True),  # the listing shows a later time: edited
        ("2026-11-27T01:45:00+00:00", True),  # the same later time in another offset
        ("2026-11-27T09:08:00+08:00", False),  # the time stored
        ("2026-11-27T01:08:00+00:00", False),  # the time stored, in UTC
        ("2026-11-27T08:00:00+08:00", False),  # earlier: not an edit
        (None, False),  # the listing shows no time
        ("hier", False),  # nor a time one can read
    ],
)
def test_a_later_time_in_a_listing_fetches_an_old_stored_story_again(
    store: StateStore, listed_at: str | None, expected: bool
) -> None:
    emit(store)  # published 2026-11-27T09:08+08:00
    a_month_later = NOW + timedelta(days=30)
    assert store.should_fetch(URL, a_month_later, 48, listed_at=listed_at) is expected


def test_a_settled_copy_is_fetched_again_only_while_young_or_listed_later(
    store: StateStore,
) -> None:
    copy = URL.replace("-1.html", "-2.html")
    store.record_settled(copy, "near_duplicate", URL, "2026-11-27T09:08:00+08:00", NOW)
    assert store.lookup(copy) is None  # settled is not emitted
    assert store.should_fetch(copy, NOW, 48)
    later = NOW + timedelta(days=3)
    assert not store.should_fetch(copy, later, 48)
    assert store.should_fetch(copy, later, 48, listed_at="2026-11-30T10:00:00+08:00")


def test_a_settled_redirect_without_a_date_ages_from_when_it_was_first_seen(
    store: StateStore,
) -> None:
    old = URL.replace("-1.html", "-3.html")
    store.record_settled(old, "redirect", URL, None, NOW)
    assert store.should_fetch(old, NOW + timedelta(hours=47), 48)
    assert not store.should_fetch(old, NOW + timedelta(hours=49), 48)


def test_the_first_url_with_a_fingerprint_is_another_one(store: StateStore) -> None:
    emit(store, URL, "same")
    assert store.first_url_with("same", other_than=URL + "?copy") == URL
    assert store.first_url_with("same", other_than=URL) is None
    assert store.first_url_with("other", other_than=URL + "?copy") is None


def test_recent_fingerprints_are_those_published_emitted_or_seen_since_a_moment(
    store: StateStore,
) -> None:
    long_ago = NOW - timedelta(days=90)
    emit(
        store,
        URL + "?old",
        "old",
        published_at="2026-08-01T08:00:00+08:00",
        minhash=b"o",
        now=long_ago,
    )
    # published long ago, but emitted by a recent run: recent for its copies
    emit(store, URL + "?archive", "archive", published_at="2021-12-27T09:08:00+08:00", minhash=b"a")
    emit(
        store,
        URL + "?new",
        "new",
        published_at="2026-11-27T08:00:00+08:00",
        minhash=b"n",
        now=long_ago,
    )
    emit(store, URL + "?undated", "undated", published_at=None)  # first seen NOW
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert sorted(store.recent_fingerprints(since)) == [
        (URL + "?archive", "archive", b"a"),
        (URL + "?new", "new", b"n"),
        (URL + "?undated", "undated", None),
    ]


def test_classify_new_unchanged_revised(store: StateStore) -> None:
    assert store.classify(URL, "fp1") == ("new", None)
    emit(store)
    kind, stored = store.classify(URL, "fp1")
    assert (kind, stored.fingerprint) == ("unchanged", "fp1")
    kind, stored = store.classify(URL, "fp2")
    assert (kind, stored.revision, stored.fingerprint) == ("revised", 1, "fp1")


def test_a_revision_keeps_first_seen_and_moves_the_rest(store: StateStore) -> None:
    emit(store)
    later = NOW + timedelta(hours=3)
    emit(store, fingerprint="fp2", revision=2, now=later)
    stored = store.lookup(URL)
    assert (stored.fingerprint, stored.revision) == ("fp2", 2)
    assert stored.first_seen == "2026-11-28T12:00:00+00:00"
    assert stored.emitted_at == stored.last_seen == "2026-11-28T15:00:00+00:00"


def test_touch_moves_last_seen_only(store: StateStore) -> None:
    emit(store)
    store.touch(URL, NOW + timedelta(days=1))
    stored = store.lookup(URL)
    assert stored.last_seen == "2026-11-29T12:00:00+00:00"
    assert stored.emitted_at == "2026-11-28T12:00:00+00:00"
    assert stored.published_at == "2026-11-27T09:08:00+08:00"


def test_touch_with_a_newer_date_line_stops_a_listing_asking_again(store: StateStore) -> None:
    emit(store)  # published 2026-11-27 09:08 (+08:00), long past the refresh window
    later = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    listed_at = "2026-11-29T10:00:00+08:00"  # a listing shows a later time: fetch again
    assert store.should_fetch(URL, later, 1, listed_at=listed_at)
    store.touch(URL, later, published_at=listed_at)  # same text, date line moved
    next_run = later + timedelta(hours=2)  # past the 1-hour refresh window
    assert not store.should_fetch(URL, next_run, 1, listed_at=listed_at)


def test_known_fingerprints_lists_every_story_with_its_minhash(store: StateStore) -> None:
    emit(store, url=URL, fingerprint="a", minhash=b"\x00" * 8)
    emit(store, url=URL + "?2", fingerprint="b")
    assert list(store.known_fingerprints()) == [(URL, "a", b"\x00" * 8), (URL + "?2", "b", None)]


def test_naive_times_are_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="timezone"):
        emit(store, now=datetime(2026, 11, 28, 12, 0))
    assert store.lookup(URL) is None


# --- reconciliation with earlier feeds ----------------------------------------------------


def feed_line(url: str, body: str, revision: int = 1) -> str:
    story = {"url": url, "story_id": f"id-{url[-1]}", "body": body, "revision": revision}
    story["published_at"] = "2026-11-27T09:08:00+08:00"
    return json.dumps(story, ensure_ascii=False) + "\n"


def body_fingerprint(story) -> str:
    return "fp:" + story["body"]


def test_reconcile_records_feed_stories_and_skips_a_truncated_last_line(
    store: StateStore, tmp_path: Path
) -> None:
    feed = tmp_path / "run1.jsonl"
    whole = feed_line(URL + "1", "un") + feed_line(URL + "2", "deux")
    feed.write_text(whole + feed_line(URL + "3", "trois")[:25], encoding="utf-8")
    assert store.reconcile_with_feeds([feed], NOW, fingerprint=body_fingerprint) == 2
    assert store.lookup(URL + "1").fingerprint == "fp:un"
    assert store.lookup(URL + "2").story_id == "id-2"
    assert store.lookup(URL + "3") is None  # the half line is not a story


def test_reconcile_leaves_known_stories_alone_but_takes_a_higher_revision(
    store: StateStore, tmp_path: Path
) -> None:
    emit(store, url=URL + "1", fingerprint="kept")
    emit(store, url=URL + "2", fingerprint="old")
    feed = tmp_path / "run2.jsonl"
    feed.write_text(feed_line(URL + "1", "un") + feed_line(URL + "2", "deux", revision=2))
    assert (
        store.reconcile_with_feeds([feed, tmp_path / "missing.jsonl"], NOW, body_fingerprint) == 1
    )
    assert store.lookup(URL + "1").fingerprint == "kept"
    assert (store.lookup(URL + "2").fingerprint, store.lookup(URL + "2").revision) == (
        "fp:deux",
        2,
    )


def test_reconcile_reads_a_feed_again_once_it_has_grown(store: StateStore, tmp_path: Path) -> None:
    feed = tmp_path / "run.jsonl"
    feed.write_text(feed_line(URL + "1", "un"))
    assert store.reconcile_with_feeds([feed], NOW, body_fingerprint) == 1
    with feed.open("a") as handle:
        handle.write(feed_line(URL + "2", "deux"))
    assert store.reconcile_with_feeds([feed], NOW, body_fingerprint) == 1
    assert len(store) == 2


# --- killed mid-way -----------------------------------------------------------------------

WRITER = """
import sys
from datetime import UTC, datetime
from newscrawl.state.store import StateStore
store = StateStore.open(sys.argv[1])
for n in range(1_000_000):
    store.record_emitted(f"http://x/{n}", f"id{n}", f"fp{n}", None, 1, datetime.now(UTC),
                         minhash=bytes(1024))
    if n == int(sys.argv[2]):
        print("written", flush=True)
"""


@pytest.mark.parametrize("writes_before_kill", [0, 25, 400])
def test_a_writer_killed_by_sigkill_leaves_a_sound_database(
    tmp_path: Path, writes_before_kill: int
) -> None:
    path = tmp_path / "state.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(writes_before_kill)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as writer:
        assert writer.stdout.readline() == "written\n"
        writer.send_signal(signal.SIGKILL)  # while it is still writing
    assert writer.returncode == -signal.SIGKILL
    with StateStore.open(path) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = len(store)
        assert count > writes_before_kill
        # Every committed story is whole: the last one has all its fields.
        last = store.lookup(f"http://x/{count - 1}")
        assert last is not None and last.fingerprint == f"fp{count - 1}"
        assert last.minhash == bytes(1024)


def test_registered_feeds_are_what_the_next_run_reconciles(
    store: StateStore, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    store.register_feed(first, NOW)
    store.register_feed(second, NOW + timedelta(hours=1))
    store.register_feed(first, NOW + timedelta(hours=2))  # once is enough
    assert store.registered_feeds() == [first.resolve(), second.resolve()]
    first.write_text(feed_line(URL + "1", "un"))
    second.write_text(feed_line(URL + "2", "deux")[:10])  # killed before one whole line
    assert store.reconcile_with_feeds(store.registered_feeds(), NOW, body_fingerprint) == 1
