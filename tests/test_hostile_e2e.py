"""End to end on the replica's fault mode: every fault ends with its reason, nothing escapes.

One crawl of a 60-story fault replica from its fault hub (whose related headlines link to every
fault story and to hostile hrefs), with small bounds so the slow page times out and the bomb and
the 50 MB page pass the size limit quickly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl.exporters import CELL_LIMIT, CUT_COLUMN
from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.replica.faults import (
    FAULT_STORIES,
    FAULTS,
    FORMULA_TITLE,
    HOSTILE_HREFS,
    LINE_SEPARATORS,
    LONG_BODY_CHARS,
    MANY_RELATED,
    NOT_WEB,
)
from tests.crawl import CrawlRun, run_crawl

pytestmark = pytest.mark.e2e

HOST = "french.peopledaily.com.cn"
BOUNDS = {
    "DOWNLOAD_TIMEOUT": "1",
    "DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "DOWNLOAD_WARNSIZE": "0",
}
STORY_FIELDS = ("url", "title", "published_at", "section", "source", "editors", "body", "images")
RUN_NAME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{6}$")


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Portal, list, CrawlRun]:
    portal = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True))
    hub = portal.variants["fault_hub"][0]
    with ReplicaServer(portal) as server:
        run = run_crawl(
            server.proxy_url,
            tmp_path_factory.mktemp("faults"),
            f"start_urls={hub}",
            "max_depth=1",
            settings=BOUNDS,
        )
        records = server.requests
    return portal, records, run


def fault_url(portal: Portal, name: str) -> str:
    return portal.variants[f"fault:{name}"][0]


def test_the_crawl_survives_every_fault(fault_crawl) -> None:
    _, _, run = fault_crawl
    # The hub links to faults only; since the odd-input and browser faults (most of which
    # end as stories) joined the transport faults, errors no longer dominate: exit 0.
    assert run.returncode == 0, run.log[-3000:]
    assert "'finish_reason': 'finished'" in run.log
    assert "newscrawl: run healthy" in run.log.rstrip().splitlines()[-1]
    assert "Traceback" not in run.log, run.log[-5000:]
    assert "newscrawl summary:" in run.log
    ended = [s["url"] for s in run.stories] + [r["url"] for r in run.rejects]
    assert len(ended) == len(set(ended))  # each URL ends once


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_ends_with_its_outcome_and_reason(fault_crawl, name: str) -> None:
    portal, _, run = fault_crawl
    url = fault_url(portal, name)
    assert run.outcomes().get(url) == FAULTS[name][0], [r for r in run.rejects if r["url"] == url]


@pytest.mark.parametrize(
    "name",
    [
        "html_as_octet_stream",
        "wrong_charset",
        "missing_charset",
        "malformed_html",
        # a header charset that names no text encoding falls back (meta, UTF-8, windows-1252)
        "charset_zlib",
        "charset_hex",
        "charset_rot13",
        "charset_utf16",  # read as UTF-16, it was CJK: rejected no_title
        "nul_byte",  # one NUL in the first kilobyte: still HTML
    ],
)
def test_broken_but_readable_pages_give_the_true_story(fault_crawl, name: str) -> None:
    portal, _, run = fault_crawl
    url = fault_url(portal, name)
    truth = next(s for s in portal.expected_stories() if s["url"] == url)
    story = run.by_url()[url]
    for field in STORY_FIELDS:
        assert story[field] == truth[field], field
    assert "\ufffd" not in story["body"] and "Ã" not in story["body"]


def test_formula_headline_is_neutralised_in_csv_only(fault_crawl) -> None:
    portal, _, run = fault_crawl
    url = fault_url(portal, "formula_title")
    assert run.by_url()[url]["title"] == FORMULA_TITLE  # JSONL: the text exactly
    row = next(row for row in run.csv_rows if row["url"] == url)
    assert row["title"] == "'" + FORMULA_TITLE


def test_every_json_lines_file_reads_whole_line_by_line(fault_crawl) -> None:
    portal, _, run = fault_crawl
    files = [path for path in run.files if path.name.endswith(".jsonl")]
    assert len(files) == 2  # the feed and the rejects
    for path in files:
        text = path.read_text(encoding="utf-8")
        # str.splitlines() ends a line at U+2028, U+2029 and U+0085 too: each must be escaped
        records = [json.loads(line) for line in text.splitlines()]
        assert len(records) == text.count("\n") > 0, path.name
    story = run.by_url()[fault_url(portal, "line_separators")]
    odd = [h["url"] for h in story["related"] if "c90000-" in h["url"]]
    # listed as Scrapy spells them (percent-encoded), the URL their outcome is filed under
    assert [url.split("c90000-")[1][:9] for url in odd] == ["%E2%80%A8", "%E2%80%A9", "%C2%85950"]
    outcomes = run.outcomes()
    assert [outcomes[url] for url in odd] == ["rejected:off_portal"] * len(LINE_SEPARATORS)
    (quoted,) = [r for r in run.rejects if r["url"] == fault_url(portal, "line_separator_header")]
    assert quoted["details"]["content_type"] == "image/jpeg; name=photo\x85.jpg"  # exact text


def test_cells_past_a_spreadsheet_cell_are_cut_in_the_csv_only(fault_crawl) -> None:
    portal, _, run = fault_crawl
    rows = {row["url"]: row for row in run.csv_rows}
    long_body = fault_url(portal, "long_body")
    story = run.by_url()[long_body]
    assert len(story["body"]) >= LONG_BODY_CHARS - 1 and "\n" not in story["body"]  # JSONL
    assert json.loads(rows[long_body][CUT_COLUMN]) == ["body"]
    assert len(rows[long_body]["body"]) <= CELL_LIMIT
    assert rows[long_body]["body"].endswith("more characters in the JSONL]")
    many = fault_url(portal, "many_related")
    assert len(run.by_url()[many]["related"]) == MANY_RELATED
    assert json.loads(rows[many][CUT_COLUMN]) == ["related"]
    assert len(rows[many]["related"]) <= CELL_LIMIT
    uncut = [row for url, row in rows.items() if url not in (long_body, many)]
    assert uncut and all(json.loads(row[CUT_COLUMN]) == [] for row in uncut)
    assert len(run.csv_rows) == len(run.stories)  # no row broken in two


def test_nothing_outside_the_portal_is_requested(fault_crawl) -> None:
    _, records, _ = fault_crawl
    assert [r for r in records if r.host != HOST] == []
    assert all(urlsplit(r.url).scheme == "http" for r in records)
    assert "/robots.txt" in {urlsplit(r.url).path for r in records}


def test_bad_redirects_are_stopped_before_they_are_followed(fault_crawl) -> None:
    portal, records, run = fault_crawl
    paths = [urlsplit(r.url).path for r in records]
    chain = [p for p in paths if p.startswith("/fault/chain/")]
    assert len(chain) == 5  # REDIRECT_MAX_TIMES: the sixth hop is never requested
    loop = [p for p in paths if p.startswith("/fault/loop/")]
    assert len(loop) == 1
    assert paths.count(urlsplit(fault_url(portal, "redirect_loop")).path) == 1
    targets = {r["details"].get("target") for r in run.rejects}
    assert {"http://127.0.0.1:8080/", "http://[::1]/", "file:///etc/passwd"} <= targets


def test_server_errors_are_retried_and_huge_pages_are_not(fault_crawl) -> None:
    portal, records, _ = fault_crawl
    fetched = [r.url for r in records]
    for name in ("server_error", "slow", "truncated", "connection_reset"):
        assert fetched.count(fault_url(portal, name)) == 4, name  # RETRY_TIMES = 3
    for name in ("huge_page", "huge_page_chunked", "gzip_bomb", "empty", "image_as_html"):
        # never retried; Twisted may resend once on a kept-alive connection the server closed
        assert fetched.count(fault_url(portal, name)) <= 2, name


def test_hostile_related_links_are_never_requested(fault_crawl) -> None:
    portal, _, run = fault_crawl
    hub = run.by_url()[portal.variants["fault_hub"][0]]
    related = {headline["url"] for headline in hub["related"]}
    outcomes = run.outcomes()
    for href in HOSTILE_HREFS:
        if href.startswith(NOT_WEB):  # not a page: not a related headline, never met
            assert href not in related and href not in outcomes
        else:  # a web address off the portal: listed, rejected, not fetched
            assert href in related
            assert outcomes[href] == "rejected:off_portal"


def test_feed_files_are_named_by_run_time_only(fault_crawl) -> None:
    _, _, run = fault_crawl
    assert RUN_NAME.match(run.folder.name), run.folder
    assert sorted(p.relative_to(run.folder).as_posix() for p in run.files) == [
        "manifest.json",
        "metrics.prom",
        "rejects.jsonl",
        "stories.csv",
        "stories.jsonl",
    ]


# --- resource bounds are settings ---------------------------------------------------------------


def test_redirect_limit_is_the_setting(replica_of, tmp_path: Path) -> None:
    server: ReplicaServer = replica_of(stories=FAULT_STORIES, faults=True)
    url = fault_url(server.portal, "redirect_chain")
    settings = {"REDIRECT_MAX_TIMES": "10"}
    run = run_crawl(
        server.proxy_url, tmp_path, f"start_urls={url}", "max_depth=0", settings=settings
    )
    chain = [r for r in server.requests if "/fault/chain/" in r.url]
    assert len(chain) == 8  # the whole chain, to the page at its end
    assert run.outcomes().get(url) != "failed:too_many_redirects"
    assert len(run.stories) == 1


def test_related_headlines_followed_per_story_are_capped(replica_of, tmp_path: Path) -> None:
    server: ReplicaServer = replica_of(stories=60)
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    seed = next(url for url, s in truth.items() if len(s["related"]) >= 5)
    settings = {"NEWSCRAWL_MAX_RELATED_PER_STORY": "2"}
    run_crawl(server.proxy_url, tmp_path, f"start_urls={seed}", "max_depth=1", settings=settings)
    stories = {r.url for r in server.requests if "/n3/" in r.url} - {seed}
    first_two = {headline["url"] for headline in truth[seed]["related"][:2]}
    assert stories and stories <= first_two


def test_pages_per_story_are_capped(replica_of, tmp_path: Path) -> None:
    server: ReplicaServer = replica_of(stories=60)
    portal = server.portal
    three = next(
        e.url
        for e in portal.entries
        if e.kind == "multipage" and len(portal.content(e.index).pages) == 3
    )
    settings = {"NEWSCRAWL_MAX_STORY_PAGES": "2"}
    run = run_crawl(
        server.proxy_url, tmp_path, f"start_urls={three}", "max_depth=0", settings=settings
    )
    fetched = {r.url for r in server.requests}
    assert three.replace(".html", "-2.html") in fetched
    assert three.replace(".html", "-3.html") not in fetched
    assert list(run.by_url()) == [three]
    assert "reading the first 2 (NEWSCRAWL_MAX_STORY_PAGES)" in run.log
