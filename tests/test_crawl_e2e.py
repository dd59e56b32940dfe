"""End to end: a real ``scrapy crawl related`` against the replica, through http_proxy only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.exporters import CUT_COLUMN, neutralise_formula
from newscrawl.items import LIST_FIELDS
from newscrawl.replica import ReplicaServer
from tests.crawl import CrawlRun, plain_story_urls, run_crawl

pytestmark = pytest.mark.e2e

WHOLE_PORTAL = ("max_depth=20", "max_listing_pages=20")


@pytest.fixture(scope="module")
def whole_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplicaServer, CrawlRun]:
    """The whole 60-story replica, crawled once for the tests of this module that only read."""
    from newscrawl.replica import Portal, ReplicaOptions

    with ReplicaServer(Portal(ReplicaOptions(stories=60))) as server:
        run = run_crawl(server.proxy_url, tmp_path_factory.mktemp("whole"), *WHOLE_PORTAL)
        server.records = server.requests  # type: ignore[attr-defined]  # snapshot before stop
    return server, run


def test_whole_replica_ends_every_story_url_once(whole_crawl) -> None:
    server, run = whole_crawl
    assert run.returncode == 0, run.log[-3000:]
    portal = server.portal
    outcomes = run.outcomes()
    in_pairs = {url for first, copy, _ in portal.duplicates for url in (first, copy)}
    for expected in portal.expected_stories():
        url = expected["url"]
        assert url in outcomes, url
        if url not in in_pairs:
            assert outcomes[url] == "story", (url, outcomes[url])
    # no URL ends twice
    ended = [s["url"] for s in run.stories] + [r["url"] for r in run.rejects]
    assert len(ended) == len(set(ended))


def test_each_duplicate_pair_yields_one_story_and_one_rejection_naming_it(whole_crawl) -> None:
    server, run = whole_crawl
    assert_one_story_and_one_rejection_per_pair(server, run)


def test_every_pair_of_a_200_story_replica_yields_one_story_and_one_rejection(
    replica_of, tmp_path: Path
) -> None:
    # More pairs than the 60-story replica has, and among them the near copies that were
    # once decided by the MinHash estimate's noise (the exact similarity decides now).
    server = replica_of(stories=200)
    run = run_crawl(server.proxy_url, tmp_path, *WHOLE_PORTAL)
    assert run.returncode == 0, run.log[-3000:]
    assert len(server.portal.duplicates) >= 15
    assert_one_story_and_one_rejection_per_pair(server, run)


def assert_one_story_and_one_rejection_per_pair(server: ReplicaServer, run: CrawlRun) -> None:
    rejects = {r["url"]: r for r in run.rejects}
    assert server.portal.duplicates
    for first, copy, kind in server.portal.duplicates:
        kept = [url for url in (first, copy) if url in run.by_url()]
        assert len(kept) == 1, (first, copy)
        dropped = copy if kept == [first] else first
        assert rejects[dropped]["reason"] == kind
        assert rejects[dropped]["details"]["duplicate_of"] == kept[0]
        if kind == "near_duplicate":
            assert 0.8 <= rejects[dropped]["details"]["similarity"] < 1.0


def test_stories_match_the_replica_field_for_field(whole_crawl) -> None:
    server, run = whole_crawl
    truth = {story["url"]: story for story in server.portal.expected_stories()}
    assert run.stories
    for story in run.stories:
        expected = truth[story["url"]]
        for name, value in expected.items():  # every field the ground truth knows
            assert story[name] == value, (story["url"], name)


def test_variations_are_extracted(whole_crawl) -> None:
    server, run = whole_crawl
    stories = run.by_url()
    variants = server.portal.variants
    for url in variants["older_layout"]:
        assert stories[url]["extraction"].startswith("fallback("), url
    for url in variants["multipage"]:
        assert url in stories
    # a later page is part of its story: it never ends on its own, as a story or otherwise
    later_pages = [u for u in run.outcomes() if re.search(r"c\d+-\d+-\d+\.html$", u)]
    assert not later_pages
    for url in variants["photo"]:
        assert stories[url]["images"] and all(i["caption"] for i in stories[url]["images"])
    for url in variants["latin1"]:
        assert "Ã" not in stories[url]["body"]
    for url in variants["year_rollover"]:
        year = int(urlsplit(url).path.split("/")[3])
        assert stories[url]["published_at"][:4] == str(year)  # the URL's day
        assert stories[url]["modified_at"][:4] == str(year + 1)  # updated after New Year


def test_failures_and_off_portal_links_have_reasons(whole_crawl) -> None:
    server, run = whole_crawl
    outcomes = run.outcomes()
    for url in server.portal.variants["dead"]:
        assert outcomes[url] == "failed:http_404"
    for url in server.portal.variants["off_portal"]:
        assert outcomes[url] == "rejected:off_portal"
    for url in server.portal.variants["fails_once"]:
        assert outcomes[url] == "story"  # retried after the first 500


def test_redirected_story_has_its_final_url(whole_crawl) -> None:
    server, run = whole_crawl
    outcomes = run.outcomes()
    for old, new in zip(
        server.portal.variants["redirect"], server.portal.variants["redirect_target"], strict=True
    ):
        assert old not in run.by_url()
        assert outcomes[new] == "story"
        # the old URL ends too, pointing at the story, whichever path reached it first
        assert outcomes[old] == "rejected:redirected"
        (record,) = [r for r in run.rejects if r["url"] == old]
        assert record["details"] == {"final_url": new}


def test_nothing_out_of_scope_is_requested(whole_crawl) -> None:
    server, _ = whole_crawl
    records = server.records
    assert not server.out_of_scope
    paths = [urlsplit(r.url) for r in records]
    assert all(p.hostname == "french.peopledaily.com.cn" for p in paths)
    assert all(p.scheme == "http" for p in paths)
    assert not [p for p in paths if p.path.lower().endswith((".jpg", ".png", ".pdf", ".gif"))]
    assert not [p for p in paths if p.query or p.fragment]
    assert "/robots.txt" in {p.path for p in paths}
    # each page once, except the page that fails once (fetched again after its 500)
    fetched = [r.url for r in records]
    twice = {u for u in fetched if fetched.count(u) > 1}
    assert twice <= set(server.portal.variants["fails_once"])


def test_csv_holds_the_same_stories_losslessly(whole_crawl) -> None:
    _, run = whole_crawl
    assert len(run.csv_rows) == len(run.stories)
    by_url = run.by_url()
    for row in run.csv_rows:
        story = by_url[row["url"]]
        # the same fields, in the same order, then the CSV's own: which cells were cut (none)
        assert list(row) == [*story, CUT_COLUMN]
        assert json.loads(row.pop(CUT_COLUMN)) == []
        for name, value in story.items():
            if name in LIST_FIELDS:
                assert json.loads(row[name]) == value
            elif value is None:
                assert row[name] == ""
            elif isinstance(value, int):
                assert int(row[name]) == value
            else:  # text: exact, but for the apostrophe that disarms a would-be formula
                assert row[name] == neutralise_formula(value), name


def test_csv_opens_cleanly_in_pandas(whole_crawl) -> None:
    import pandas

    _, run = whole_crawl
    csv_path = next(p for p in run.files if p.suffix == ".csv")
    frame = pandas.read_csv(csv_path, keep_default_na=False)
    assert list(frame["url"]) == [s["url"] for s in run.stories]
    assert list(frame["word_count"]) == [s["word_count"] for s in run.stories]
    assert [json.loads(cell) for cell in frame["related"]] == [s["related"] for s in run.stories]
    assert list(frame["body"]) == [s["body"] for s in run.stories]


def test_the_log_ends_with_a_summary_of_every_outcome(whole_crawl) -> None:
    server, run = whole_crawl
    line = next(ln for ln in run.log.splitlines() if "newscrawl summary:" in ln)
    match = re.search(
        r"summary: (\d+) stories; rejected (\d+).*; failed (\d+).*; (\d+) requests", line
    )
    assert match, line
    stories, rejected, failed, requests = map(int, match.groups())
    assert stories == len(run.stories)
    assert rejected == sum(r["outcome"] == "rejected" for r in run.rejects)
    assert failed == sum(r["outcome"] == "failed" for r in run.rejects)
    assert requests == len(server.records)  # every request the replica received


def test_the_run_writes_its_files_in_a_folder_of_its_own(whole_crawl) -> None:
    _, run = whole_crawl
    assert sorted(p.name for p in run.files) == [
        "manifest.json",
        "metrics.prom",
        "rejects.jsonl",
        "stories.csv",
        "stories.jsonl",
    ]
    assert {p.parent for p in run.files} == {run.folder}
    assert run.manifest["stories_new"] == len(run.stories)
    assert run.manifest["healthy"] is True


def test_a_dropped_story_is_one_line_never_the_story(whole_crawl) -> None:
    _, run = whole_crawl
    dropped = [line for line in run.log.splitlines() if "Dropped" in line]
    copies = [r for r in run.rejects if r["reason"] in ("duplicate", "near_duplicate")]
    assert copies and len(dropped) == len(copies)
    for record in copies:
        (line,) = [ln for ln in dropped if f"Dropped story {record['url']}:" in ln]
        assert f"{record['reason']} of {record['details']['duplicate_of']}" in line
    assert "Story(" not in run.log  # no item dump, body included, at any level shown
    assert not any(s["body"][:60] in run.log for s in run.stories)


def test_a_one_off_run_warns_of_nothing_but_says_its_summary_and_verdict(whole_crawl) -> None:
    _, run = whole_crawl
    warnings = [ln for ln in run.log.splitlines() if re.search(r"\] (WARNING|ERROR|CRITICAL):", ln)]
    assert len(warnings) == 2, warnings  # no "Disabled ..." for the state, since, render
    assert "newscrawl summary:" in warnings[0]
    assert warnings[1].endswith("newscrawl: run healthy")


def test_at_log_level_warning_the_summary_and_verdict_still_show(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=20)
    seed = plain_story_urls(server.portal)[0]
    run = run_crawl(
        server.proxy_url, tmp_path, f"start_urls={seed}", "max_depth=0", options=("-L", "WARNING")
    )
    assert run.returncode == 0, run.log[-3000:]
    lines = run.log.strip().splitlines()
    assert "newscrawl summary: 1 stories" in lines[-2]
    assert lines[-1].endswith("newscrawl: run healthy")
    assert len(lines) == 2, lines


# --- arguments on a crawl ----------------------------------------------------------------------


def test_max_depth_is_never_exceeded(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    seed = plain_story_urls(server.portal)[5]
    run = run_crawl(server.proxy_url, tmp_path, f"start_urls={seed}", "max_depth=1")
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    hop1 = {r["url"] for r in truth[seed]["related"]} & set(truth)
    requested = {r.url for r in server.requests}
    assert set(run.by_url()) <= {seed} | hop1
    assert seed in run.by_url()
    hop2 = {r["url"] for u in hop1 for r in truth[u]["related"]} - hop1 - {seed}
    assert hop2, "the replica's graph should reach beyond one hop"
    assert not (hop2 & requested)  # one hop beyond the limit is never requested
    beyond = {r["url"] for r in run.rejects if r["reason"] == "beyond_max_depth"}
    assert beyond == (hop2 & set(truth)) | (hop2 - set(truth)) - {
        u for u in hop2 if not u.startswith("http://french.peopledaily.com.cn/")
    }


def test_max_depth_zero_fetches_only_the_seeds(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    seeds = plain_story_urls(server.portal)[:2]
    run = run_crawl(server.proxy_url, tmp_path, "start_urls=" + ",".join(seeds), "max_depth=0")
    assert sorted(run.by_url()) == sorted(seeds)
    story_requests = [r for r in server.requests if r.url.endswith(".html")]
    assert sorted(r.url for r in story_requests) == sorted(seeds)


def test_since_neither_requests_nor_emits_older_stories(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    run = run_crawl(server.proxy_url, tmp_path, "since=2022-06-01", *WHOLE_PORTAL)
    assert run.stories
    assert all(s["published_at"] >= "2022-06-01" for s in run.stories)
    for record in server.requests:  # the URL's day, with its 3 days' margin
        parts = urlsplit(record.url).path.split("/")
        if len(parts) > 4 and parts[2] == "n3":
            assert parts[3] + parts[4] >= "20220529", record.url
    assert any(r["reason"] == "before_since" for r in run.rejects)


def test_since_keeps_a_story_updated_after_the_day_its_url_carries(
    replica_of, tmp_path: Path
) -> None:
    server = replica_of(stories=60)
    (rollover,) = server.portal.variants["year_rollover"]  # URL of 31/12, date line of 02/01
    run = run_crawl(
        server.proxy_url, tmp_path, f"start_urls={rollover}", "since=2022-01-02", "max_depth=0"
    )
    assert list(run.by_url()) == [rollover]
    assert run.stories[0]["published_at"].startswith("2021-12-31")  # its URL's day
    assert run.stories[0]["modified_at"].startswith("2022-01-02")  # the date line: after since


def test_max_stories_stops_after_exactly_n(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=60)
    run = run_crawl(server.proxy_url, tmp_path, "max_stories=5", *WHOLE_PORTAL)
    assert run.returncode == 0
    assert len(run.stories) == 5
    # It stopped: at most the requests already in flight (CONCURRENT_REQUESTS=16) went on.
    story_requests = [r for r in server.requests if "/n3/" in r.url]
    assert len(story_requests) <= 5 + 2 * 16


def test_listing_pagination_is_bounded(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=400)
    start = "http://french.peopledaily.com.cn/International/"
    run_crawl(server.proxy_url, tmp_path / "one", f"start_urls={start}", "max_depth=0")
    one = {r.url for r in server.requests if "/International/index" in r.url}
    assert not one
    run_crawl(
        server.proxy_url,
        tmp_path / "two",
        f"start_urls={start}",
        "max_depth=0",
        "max_listing_pages=2",
    )
    two = {r.url for r in server.requests if "/International/index" in r.url}
    assert two == {"http://french.peopledaily.com.cn/International/index2.html"}


def test_sections_start_keeps_a_section_seed_within_its_section(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=120)
    start = "http://french.peopledaily.com.cn/International/"
    run = run_crawl(
        server.proxy_url, tmp_path, f"start_urls={start}", "sections=start", *WHOLE_PORTAL
    )
    assert run.returncode == 0, run.log[-3000:]
    listed = {u for u in server.portal.story_urls() if "/International/" in u}
    assert run.stories and {s["url"] for s in run.stories} <= listed
    story_requests = {r.url for r in server.requests if "/n3/" in r.url}
    assert all("/International/" in url for url in story_requests), story_requests
    # Related headlines into other sections are listed in the story, and end rejected.
    outside = [r for r in run.rejects if r["reason"] == "outside_sections"]
    assert outside and all(r["details"]["section"] != "International" for r in outside)
    related = {h["url"] for s in run.stories for h in s["related"]}
    assert {r["url"] for r in outside} <= related | set(server.portal.story_urls())


def test_production_settings_crawl_the_replica(replica_of, tmp_path: Path) -> None:
    """No setting changed at all: robots.txt, AutoThrottle and delays as in production."""
    server = replica_of(stories=30)
    seed = plain_story_urls(server.portal)[0]
    run = run_crawl(server.proxy_url, tmp_path, f"start_urls={seed}", "max_depth=0", fast=False)
    assert run.returncode == 0
    assert list(run.by_url()) == [seed]
    assert server.requests[0].url == "http://french.peopledaily.com.cn/robots.txt"


def test_start_urls_are_canonicalised(replica_of, tmp_path: Path) -> None:
    server = replica_of(stories=20)
    seed = plain_story_urls(server.portal)[3]
    spellings = [seed + "?from=home#top", seed.replace("http://", "https://"), seed]
    run = run_crawl(server.proxy_url, tmp_path, "start_urls=" + ",".join(spellings), "max_depth=0")
    assert list(run.by_url()) == [seed]
    assert [r.url for r in server.requests if "/n3/" in r.url] == [seed]
    assert not server.out_of_scope


@pytest.mark.parametrize("name", ["stories.jsonl", "stories.csv"])
def test_dash_o_writes_the_stories_there_and_the_runs_records_in_its_folder(
    replica_of, tmp_path: Path, name: str
) -> None:
    server = replica_of(stories=60)
    run = run_crawl(server.proxy_url, tmp_path, *WHOLE_PORTAL, options=("-O", name))
    assert run.returncode == 0
    assert [p.name for p in run.files if p.parent == tmp_path] == [name]
    assert sorted(p.name for p in run.folder.iterdir()) == [
        "manifest.json",
        "metrics.prom",
        "rejects.jsonl",
    ]
    assert run.manifest["feeds"] == [str(tmp_path / name)]
    stories = run.stories or run.csv_rows
    assert len(stories) > 40
    assert {s["url"] for s in stories}.isdisjoint({r["url"] for r in run.rejects})
