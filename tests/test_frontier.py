"""The frontier: every story URL met ends once, at its smallest hop, and nothing met is lost."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newscrawl.frontier import BEYOND, ENDED, KNOWN, PENDING, Frontier, Row, StoryRules, Visit
from newscrawl.scope import Scope
from newscrawl.sites import PageKind, get_profile
from newscrawl.state.sketch import story_fingerprint
from newscrawl.state.store import StateStore

PROFILE = get_profile("peopledaily_fr")
PORTAL = "http://french.peopledaily.com.cn"
LISTING = f"{PORTAL}/Chine/index.html"


def story(n: int, day: str = "1227") -> str:
    return f"{PORTAL}/Chine/n3/2021/{day}/c31357-{9_900_000 + n}.html"


def rules(
    max_depth: int = 2, since: date | None = None, known: set[str] = frozenset()
) -> StoryRules:
    return StoryRules(
        canonical_url=PROFILE.canonical_url,
        refusal=Scope.of(PROFILE).refusal,
        is_story=lambda url: PROFILE.classify(url) is PageKind.STORY,
        story_date=PROFILE.story_date,
        max_depth=max_depth,
        since=since,
        since_url_margin_days=3,
        wanted_by_state=lambda url, listed_at: url not in known or bool(listed_at),
    )


class Memory:
    """A durable store that is a dict: what a killed run would leave behind."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.writes = 0

    def frontier_rows(self) -> list[Row]:
        return list(self.rows.values())

    def write_frontier(self, rows: list[Row]) -> None:
        self.writes += 1
        self.rows.update((row.url, row) for row in rows)


def test_a_url_met_twice_under_two_spellings_is_requested_once() -> None:
    frontier = Frontier(rules())
    assert frontier.meet(story(1) + "?from=rel", 0).visits == [Visit(story(1), 0)]
    assert frontier.meet("//french.peopledaily.com.cn" + story(1)[len(PORTAL) :], 0).visits == []
    assert frontier.meet(story(1) + "#top", 1).visits == []
    assert len(frontier) == 1


@pytest.mark.parametrize(
    ("url", "reason", "details"),
    [
        ("http://en.people.cn/n3/2021/1227/c90000-1.html", "off_portal", {"why": "other_host"}),
        ("http://127.0.0.1:8080/", "off_portal", {"why": "ip_address"}),
        (f"{PORTAL}/Chine/", "not_a_story_url", {}),
        (story(1, day="1101"), "before_since", {"date": "2021-11-01"}),
    ],
)
def test_what_is_never_requested_ends_at_once_with_its_reason(
    url: str, reason: str, details: dict
) -> None:
    frontier = Frontier(rules(since=date(2021, 12, 1)))
    met = frontier.meet(url, 1)
    assert met.visits == []
    assert [(o.reason, o.details) for o in met.outcomes] == [(reason, details)]
    assert frontier.meet(url, 0).outcomes == []  # it ends once, however often it is met


def test_since_keeps_a_url_a_few_days_older_for_its_date_line_to_decide() -> None:
    frontier = Frontier(rules(since=date(2021, 12, 1)))
    assert frontier.meet(story(1, day="1129"), 0).visits  # within the 3-day margin
    listed_before = frontier.meet(story(2, day="1230"), 0, listed_at="2021-11-30T09:00:00+08:00")
    assert [o.reason for o in listed_before.outcomes] == ["before_since"]


def test_a_url_beyond_the_depth_is_fetched_once_met_within_it() -> None:
    frontier = Frontier(rules(max_depth=2))
    assert frontier.meet(story(1), 3).visits == []
    assert dict(frontier.unended())[story(1)].pending == BEYOND
    assert frontier.meet(story(1), 2).visits == [Visit(story(1), 2)]


def test_a_story_met_nearer_after_its_page_was_read_has_its_headlines_met_nearer_too() -> None:
    frontier = Frontier(rules(max_depth=2))
    frontier.meet(story(1), 2)  # first reached by a long path ...
    assert frontier.meet(story(2), 3, via=story(1)).visits == []  # its headline: too deep
    frontier.expanded(story(1), [story(2)])
    met = frontier.meet(story(1), 1)  # ... then by a shorter one
    assert met.visits == [Visit(story(2), 2)]
    assert frontier.hop(story(1)) == 1 and frontier.hop(story(2)) == 2


def test_nearer_hops_reach_headlines_of_headlines() -> None:
    frontier = Frontier(rules(max_depth=2))
    frontier.meet(story(1), 2)
    frontier.meet(story(2), 2)  # read at the limit, its headline story(3) is cut
    frontier.meet(story(3), 3)
    frontier.expanded(story(2), [story(3)])
    frontier.meet(story(2), 3, via=story(1))
    frontier.expanded(story(1), [story(2)])
    met = frontier.meet(story(1), 0)  # story(2) moves to hop 1, so story(3) to hop 2
    assert met.visits == [Visit(story(3), 2)]


def test_pages_already_ended_still_bring_their_headlines_nearer_and_say_so_to_the_store() -> None:
    store = Memory()
    frontier = Frontier(rules(max_depth=2), store)
    frontier.meet(story(1), 2)
    frontier.meet(story(2), 2)
    frontier.meet(story(3), 3)  # beyond the depth: left pending
    frontier.expanded(story(2), [story(3)])
    frontier.end(story(2), durable=False)  # read and emitted (a story)
    frontier.meet(story(2), 3, via=story(1))
    frontier.expanded(story(1), [story(2)])
    frontier.end(story(1))  # read, then ended durably (a rejection, say)
    frontier.flush()
    met = frontier.meet(story(1), 0, via=LISTING)  # both ended pages move nearer
    assert met.visits == [Visit(story(3), 2)]
    assert [frontier.hop(story(n)) for n in (1, 2, 3)] == [0, 1, 2]
    assert not frontier.end(story(1)) and not frontier.claim(story(2), 0, None)
    frontier.flush()
    rows = store.rows
    assert (rows[story(1)].hop, rows[story(1)].ended, rows[story(1)].via) == (0, True, LISTING)
    assert (rows[story(2)].hop, rows[story(2)].ended, rows[story(2)].via) == (1, False, story(1))
    assert rows[story(1)].children == (story(2),) and rows[story(2)].children == (story(3),)
    assert sorted(frontier) == [story(1), story(2), story(3)] and len(frontier) == 3


def test_a_page_read_after_its_url_ended_keeps_its_headlines() -> None:
    frontier = Frontier(rules(max_depth=1))
    frontier.meet(story(1), 1)
    frontier.end(story(1), durable=False)
    frontier.meet(story(2), 2, via=story(1))
    frontier.expanded(story(1), [story(2)])  # its related headlines known after its end
    assert frontier.meet(story(1), 0).visits == [Visit(story(2), 1)]


def test_a_known_story_is_left_unless_a_listing_shows_it_changed() -> None:
    frontier = Frontier(rules(known={story(1)}))
    assert frontier.meet(story(1), 0).visits == []
    assert dict(frontier.unended())[story(1)].pending == KNOWN
    assert frontier.meet(story(1), 0, listed_at="2021-12-28T08:00:00+08:00").visits == [
        Visit(story(1), 0)
    ]


def test_a_url_ends_once_and_only_durable_ends_are_written() -> None:
    store = Memory()
    frontier = Frontier(rules(), store)
    for n in (1, 2):
        frontier.meet(story(n), 0)
    frontier.flush()
    assert {row.url: row.ended for row in store.rows.values()} == {story(1): False, story(2): False}
    assert frontier.end(story(1))  # a rejection: the next run must not redo it
    assert not frontier.end(story(1))  # a second end is refused
    assert frontier.end(story(2), durable=False)  # a story: its feed line is its record
    frontier.flush()
    assert {row.url: row.ended for row in store.rows.values()} == {story(1): True, story(2): False}
    assert frontier.entry(story(2)).state == ENDED


def test_the_next_run_takes_up_what_the_last_left_unended() -> None:
    store = Memory()
    killed = Frontier(rules(), store)
    killed.meet(story(1), 0)
    killed.meet(story(2), 1, via=story(1))
    killed.meet(story(3), 3, via=story(2))  # pending beyond the depth
    killed.expanded(story(1), [story(2)])
    killed.end(story(1))
    killed.flush()  # ... and the process is killed here
    rerun = Frontier(rules(), store)
    met = rerun.take_up()
    assert met.visits == [Visit(story(2), 1)]
    assert rerun.entry(story(1)).state == ENDED
    assert rerun.entry(story(3)).state == PENDING
    # the ended story's headlines are still known: met nearer, they come nearer
    assert rerun.entry(story(1)).children == (story(2),)


def test_a_page_already_fetched_is_claimed_only_if_its_url_is_new() -> None:
    frontier = Frontier(rules())
    frontier.meet(story(1), 0)
    assert not frontier.claim(story(1), 0, via=story(9))
    assert frontier.claim(story(2) + "?x=1", 0, via=story(9))
    assert not frontier.claim(story(2), 0, via=story(9))


# --- in the state store ---------------------------------------------------------------------

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_state_keeps_the_frontier_and_a_feed_read_back_ends_its_stories(tmp_path: Path) -> None:
    feed = tmp_path / "run.jsonl"
    with StateStore.open(tmp_path / "state.sqlite") as store:
        frontier = Frontier(rules(), store)
        frontier.meet(story(1), 0)
        frontier.meet(story(2), 0)
        frontier.expanded(story(1), [story(2), story(3)])
        frontier.flush()
        store.register_feed(feed, NOW)
        feed.write_text(f'{{"url": "{story(1)}", "body": "texte"}}\n')  # then the kill
    with StateStore.open(tmp_path / "state.sqlite") as store:
        store.reconcile_with_feeds(store.registered_feeds(), NOW, story_fingerprint)
        rows = {row.url: row for row in store.frontier_rows()}
        assert rows[story(1)].ended and not rows[story(2)].ended
        assert rows[story(1)].children == (story(2), story(3))
        store.finish_run([feed], NOW, story_fingerprint)  # a run that finished clears it
        assert store.frontier_rows() == []


def test_sections_keep_the_crawl_within_them_whichever_way_a_story_is_met() -> None:
    within = StoryRules(
        canonical_url=PROFILE.canonical_url,
        refusal=Scope.of(PROFILE).refusal,
        is_story=lambda url: PROFILE.classify(url) is PageKind.STORY,
        story_date=PROFILE.story_date,
        max_depth=2,
        sections=frozenset({"Chine"}),
        section_of=PROFILE.section_of,
    )
    frontier = Frontier(within)
    elsewhere = f"{PORTAL}/International/n3/2021/1227/c31356-9900001.html"
    assert frontier.meet(story(1), 0).visits == [Visit(story(1), 0)]
    # A related headline into another section, or the same story listed: not requested.
    for hop, via in ((1, story(1)), (0, f"{PORTAL}/")):
        met = frontier.meet(elsewhere, hop, via)
        assert met.visits == []
    (outcome,) = Frontier(within).meet(elsewhere, 1, story(1)).outcomes
    assert (outcome.reason, outcome.details) == ("outside_sections", {"section": "International"})


def test_the_backlog_releases_the_nearest_hop_first_in_the_order_met() -> None:
    from newscrawl.spidermiddlewares.frontier import Backlog

    backlog = Backlog()
    for hop, url in [(2, "c"), (0, "a"), (1, "b"), (0, "a2"), (2, "c2"), (1, "b2")]:
        backlog.push(hop, url)
    assert len(backlog) == 6
    assert [backlog.pop() for _ in range(3)] == ["a", "a2", "b"]
    backlog.push(0, "a3")  # met at hop 0 while hop 1 was being released
    assert [backlog.pop() for _ in range(4)] == ["a3", "b2", "c", "c2"]
    assert not backlog


def test_urls_waiting_to_be_fetched_answer_every_question_once_their_meeting_is_written() -> None:
    store = Memory()
    frontier = Frontier(rules(max_depth=2), store)
    for n in (1, 2, 3):
        frontier.meet(story(n), 2, via=LISTING)
    frontier.flush()  # from here on each is kept as its hop alone
    assert frontier.to_fetch() == {2: 3}
    assert [frontier.scheduled_hop(story(n)) for n in (1, 2, 3, 4)] == [2, 2, 2, None]
    assert frontier.meet(story(1), 2).visits == [] and frontier.meet(story(1), 3).visits == []
    frontier.meet(story(1), 1, via=story(9))  # met nearer: it moves, and the store learns it
    frontier.expanded(story(2), [story(3)])  # read: its related headlines are kept
    assert frontier.end(story(3)) and not frontier.end(story(3))
    frontier.flush()
    assert (store.rows[story(1)].hop, store.rows[story(1)].via) == (1, story(9))
    assert store.rows[story(2)].children == (story(3),) and store.rows[story(3)].ended
    assert frontier.to_fetch() == {1: 1, 2: 1}
    left = dict(frontier.unended())
    assert {url: (e.hop, e.pending) for url, e in left.items()} == {
        story(1): (1, "not_fetched"),
        story(2): (2, "not_fetched"),
    }
    assert not frontier.claim(story(1), 0, None) and frontier.hop(story(2)) == 2


def test_the_state_keeps_where_a_url_was_met_when_the_frontier_kept_only_its_hop(
    tmp_path: Path,
) -> None:
    with StateStore.open(tmp_path / "state.sqlite") as store:
        frontier = Frontier(rules(), store)
        frontier.meet(story(1), 0, via=LISTING)
        frontier.flush()  # kept as its hop alone
        frontier.expanded(story(1), [story(2)])  # written again, without its via
        frontier.flush()
        (row,) = store.frontier_rows()
        assert (row.url, row.via, row.children) == (story(1), LISTING, (story(2),))


def test_a_url_whose_hash_an_ended_url_shares_is_still_requested_and_ended(monkeypatch) -> None:
    """The ended URLs are found by hash: one sharing an ended URL's hash is no ended URL."""
    from newscrawl.frontier import book
    from newscrawl.frontier.kept import KeptURLs

    monkeypatch.setattr(book, "KeptURLs", lambda: KeptURLs(hash_of=lambda url: 42))
    frontier = Frontier(rules(max_depth=3))
    assert frontier.meet(story(1), 0).visits == [Visit(story(1), 0)]
    frontier.expanded(story(1), [story(2), story(3)])
    for n in (2, 3):
        frontier.meet(story(n), 1, via=story(1))
    frontier.end(story(1))
    assert frontier.meet(story(4), 2, via=story(2)).visits == [Visit(story(4), 2)]
    assert frontier.end(story(2)) and frontier.end(story(4)) and not frontier.end(story(2))
    assert frontier.hop(story(3)) == 1 and frontier.hop(story(4)) == 2
    frontier.expanded(story(4), [story(5)])
    assert frontier.meet(story(5), 3, via=story(4)).visits == [Visit(story(5), 3)]
    frontier.end(story(5))
    frontier.meet(story(4), 1, via=story(3))  # ended, met nearer: its related URL comes nearer
    assert frontier.hop(story(4)) == 1 and frontier.hop(story(5)) == 2
    assert frontier.hop(story(1)) == 0 and frontier.hop(story(2)) == 1
    assert sorted(frontier) == sorted(story(n) for n in range(1, 6))
    assert [url for url, _ in frontier.unended()] == [story(3)]


def test_a_listed_url_waiting_to_be_fetched_keeps_its_listing_time() -> None:
    store = Memory()
    frontier = Frontier(rules(), store)
    listed = "2021-12-27T09:08:00+08:00"
    assert frontier.meet(story(1), 0, via=LISTING, listed_at=listed).visits == [Visit(story(1), 0)]
    frontier.flush()  # written: it now waits as its hop and its listing time
    assert frontier.scheduled_hop(story(1)) == 0 and frontier.to_fetch() == {0: 1}
    assert frontier.entry(story(1)).listed_at == listed
    assert [(url, e.listed_at) for url, e in frontier.unended()] == [(story(1), listed)]
    frontier.meet(story(1), 0, via=LISTING)  # met again as near: nothing changes
    frontier.flush()
    assert frontier.entry(story(1)).listed_at == listed and store.rows[story(1)].listed_at == listed
    assert frontier.end(story(1)) and not frontier.end(story(1))
    assert frontier.scheduled_hop(story(1)) is None and list(frontier.unended()) == []


def test_a_backlog_whose_spill_file_fails_stops_the_run_as_its_machinery(monkeypatch) -> None:
    """The backlog keeps the URLs' text in a spill file (TMPDIR): one that cannot be written or
    read stops the run with the folder named, instead of raising into the page's handling."""
    from types import SimpleNamespace

    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from newscrawl import machinery
    from newscrawl.compact import SpillFile
    from newscrawl.frontier import Met
    from newscrawl.spidermiddlewares.frontier import FrontierMiddleware

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    for failing in ("write_at", "read_bytes"):
        crawler = get_crawler()
        crawler.stats = MemoryStatsCollector(crawler)
        middleware = FrontierMiddleware(crawler, SimpleNamespace(frontier=None))  # type: ignore[arg-type]
        if failing == "read_bytes":
            middleware.backlog.push(0, story(1))
        with monkeypatch.context() as patch:
            patch.setattr(SpillFile, failing, full)
            middleware._requests(Met(visits=[Visit(story(2), 0)]))
            assert middleware._released(10) == []
        (line,) = crawler.stats.get_value(machinery.FAILED_STAT)
        assert line.startswith(f"{machinery.temporary_files()}: OSError: [Errno 28]"), failing
