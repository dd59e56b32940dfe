"""End to end through real Chromium: what each ``-a render`` mode fetches and emits.

The replica's script pages (``scripted=True``) write their related list, or their whole body,
with a script. Browser tests never skip: CI installs Debian's chromium, and a machine without
it fails them with one line saying so.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from tests.crawl import CrawlRun, run_crawl

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
WHOLE_PORTAL = ("max_depth=20", "max_listing_pages=20")
TRUTH_FIELDS = ("url", "title", "published_at", "body", "related", "word_count")
# What Chromium itself asks for through the proxy (updates, sign-in), whatever the page:
# never a page of the portal and never a link of it.
BROWSER_OWN_HOSTS = {"update.googleapis.com", "accounts.google.com"}


def require_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")


def crawl(mode: str, tmp: Path, **settings: str) -> tuple[ReplicaServer, CrawlRun]:
    with ReplicaServer(Portal(ReplicaOptions(stories=60, scripted=True))) as server:
        run = run_crawl(server.proxy_url, tmp, *WHOLE_PORTAL, f"render={mode}", settings=settings)
        server.records = server.requests  # type: ignore[attr-defined]  # snapshot before stop
    assert run.returncode == 0, run.log[-3000:]
    return server, run


def script_pages(server: ReplicaServer) -> set[str]:
    return set(server.portal.variants["script_related"] + server.portal.variants["script_body"])


def story_fetches(server: ReplicaServer) -> Counter[str]:
    return Counter(r.url for r in server.records if "/n3/" in r.url)  # type: ignore[attr-defined]


def settled_by_retry_or_redirect(server: ReplicaServer) -> set[str]:
    """Pages fetched twice for reasons of their own: a 500 retried, a redirect's target."""
    variants = server.portal.variants
    return set(variants["fails_once"] + variants["redirect_target"])


def stat(run: CrawlRun, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", run.log)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def never(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplicaServer, CrawlRun]:
    return crawl("never", tmp_path_factory.mktemp("never"))


@pytest.fixture(scope="module")
def auto(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplicaServer, CrawlRun]:
    require_chromium()
    return crawl("auto", tmp_path_factory.mktemp("auto"))


def test_never_misses_what_the_scripts_write(never) -> None:
    server, run = never
    outcomes, stories = run.outcomes(), run.by_url()
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    for url in server.portal.variants["script_body"]:
        assert outcomes[url] == "rejected:no_body"
    for url in server.portal.variants["script_related"]:
        assert stories[url]["related"] == [] != truth[url]["related"]
        assert stories[url]["extraction"] == "profile"
    assert not any("+rendered" in s["extraction"] for s in run.stories)
    assert "playwright" not in run.log  # no browser, not even Playwright's driver
    assert not server.out_of_scope


def test_never_says_how_many_pages_render_auto_would_likely_get(never) -> None:
    server, run = never
    bodies = len(server.portal.variants["script_body"])
    related = len(server.portal.variants["script_related"])
    assert bodies and related
    hint = (
        f"-a render=auto would likely get more: {bodies} story pages rejected no_body carry "
        f"scripts and {related} stories have an empty related block where the template has "
        "one, on a page with scripts"
    )
    summary = next(ln for ln in run.log.splitlines() if "newscrawl summary:" in ln)
    assert summary.endswith(f"; hint: {hint}")
    assert run.manifest["hints"] == [hint]


@pytest.mark.browser
def test_auto_gets_what_the_scripts_write(auto) -> None:
    server, run = auto
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    outcomes, stories = run.outcomes(), run.by_url()
    for url in script_pages(server):
        assert outcomes[url] == "story", url
        for name in TRUTH_FIELDS:
            assert stories[url][name] == truth[url][name], (url, name)
    ended = [s["url"] for s in run.stories] + [r["url"] for r in run.rejects]
    assert len(ended) == len(set(ended))
    assert run.manifest["hints"] == []  # nothing more to get


@pytest.mark.browser
def test_auto_renders_only_the_pages_that_need_it(auto) -> None:
    server, run = auto
    scripted = script_pages(server)
    rendered = {s["url"] for s in run.stories if s["extraction"].endswith("+rendered")}
    assert rendered == scripted
    fetches = story_fetches(server)
    for url in scripted:
        # once, statically: the browser renders the text of that response, never fetches it
        assert fetches[url] == 1, url
    twice = {url for url, count in fetches.items() if count > 1}
    assert twice <= settled_by_retry_or_redirect(server)
    assert stat(run, "newscrawl/render/pages") == len(scripted)
    assert stat(run, "newscrawl/render/pages_closed") == len(scripted)
    assert {r.host for r in server.out_of_scope} <= BROWSER_OWN_HOSTS
    assert not [r for r in server.records if r.url.endswith(".jpg")]  # pictures never loaded


@pytest.mark.browser
def test_always_renders_every_story_page(tmp_path: Path) -> None:
    require_chromium()
    server, run = crawl("always", tmp_path, NEWSCRAWL_RENDER_PAGES_PER_CONTEXT="10")
    truth = {s["url"]: s for s in server.portal.expected_stories()}
    assert {s["url"] for s in run.stories} >= script_pages(server)
    for story in run.stories:
        assert story["extraction"].endswith("+rendered"), story["url"]
        for name in TRUTH_FIELDS:
            assert story[name] == truth[story["url"]][name], (story["url"], name)
    fetches = story_fetches(server)
    assert {u for u, count in fetches.items() if count > 1} <= settled_by_retry_or_redirect(server)
    # every page closed; contexts recycled every 10 pages, all but the last closed on the way
    pages = stat(run, "playwright/page_count")
    assert pages >= len(run.stories)
    assert stat(run, "newscrawl/render/pages_closed") == pages
    assert stat(run, "newscrawl/render/contexts_closed") >= pages // 10 - 1


@pytest.mark.browser
def test_a_render_that_times_out_is_a_failure_and_the_crawl_goes_on(tmp_path: Path) -> None:
    require_chromium()
    server, run = crawl("auto", tmp_path, NEWSCRAWL_RENDER_TIMEOUT_MS="1")
    outcomes = run.outcomes()
    for url in script_pages(server):
        assert outcomes[url] == "failed:render_timeout", url
    # the crawl went on: every other story ended as a story, or as the rejected copy of a pair
    copies = {url for pair in server.portal.duplicates for url in pair[:2]}
    for url in set(server.portal.story_urls()) - script_pages(server):
        assert outcomes.get(url) == "story" or url in copies, (url, outcomes.get(url))


def test_without_a_browser_auto_and_always_stop_before_any_request(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-chromium")
    with ReplicaServer(Portal(ReplicaOptions(stories=20, scripted=True))) as server:
        for mode in ("auto", "always"):
            run = run_crawl(
                server.proxy_url,
                tmp_path / mode,
                f"render={mode}",
                settings={"NEWSCRAWL_CHROMIUM_PATH": missing},
            )
            assert run.returncode == 69
            lines = [line for line in run.log.splitlines() if "NEWSCRAWL_CHROMIUM_PATH" in line]
            assert len(lines) == 1 and missing in lines[0] and f"render={mode}" in lines[0]
            assert "Traceback" not in run.log
        assert server.requests == []
        run = run_crawl(
            server.proxy_url,
            tmp_path / "never",
            "render=never",
            "max_depth=0",
            settings={"NEWSCRAWL_CHROMIUM_PATH": missing},
        )
    assert run.returncode == 0 and run.stories
