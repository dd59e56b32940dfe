"""End to end through real Chromium: a rendered crawl keeps every guarantee of the static one.

The fault replica is crawled with ``render=always``: every story page is rendered, from the
static response that went through the scope and redirect guards, the size limit and the charset
repair. A canary listens, on TCP and UDP, on the loopback port that the replica's loopback
redirect, meta refresh and hostile scripts point at (fetch, XHR, frames, navigation, WebRTC,
WebSockets, popups); it must hear nothing, and the replica (the crawl's only proxy, which
Chromium is told to use for loopback too) must see no request off the portal but Chromium's own
update and account pings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.replica.faults import BROWSER_ESCAPES, FAULT_STORIES, FAULTS, PROBE_PATH
from tests.canary import Canary
from tests.crawl import CrawlRun, run_crawl
from tests.test_hostile_e2e import BOUNDS, HOST, STORY_FIELDS, fault_url
from tests.test_render_e2e import BROWSER_OWN_HOSTS, require_chromium, stat

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as listening:
        yield listening


@pytest.fixture(scope="module")
def rendered_fault_crawl(
    canary: Canary, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Portal, list, CrawlRun]:
    require_chromium()
    portal = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True, loopback_port=canary.port))
    hub = portal.variants["fault_hub"][0]
    with ReplicaServer(portal) as server:
        run = run_crawl(
            server.proxy_url,
            tmp_path_factory.mktemp("rendered-faults"),
            f"start_urls={hub}",
            "max_depth=1",
            "render=always",
            settings=BOUNDS,
        )
        records = server.requests
    assert run.returncode == 0, run.log[-3000:]
    assert "Traceback" not in run.log, run.log[-5000:]
    return portal, records, run


def test_every_fault_ends_as_in_the_static_crawl(rendered_fault_crawl) -> None:
    portal, _, run = rendered_fault_crawl
    outcomes = run.outcomes()
    for name, (expected, _) in FAULTS.items():
        assert outcomes.get(fault_url(portal, name)) == expected, name


def test_every_story_was_rendered_from_the_repaired_static_page(rendered_fault_crawl) -> None:
    portal, _, run = rendered_fault_crawl
    assert run.stories and all(s["extraction"].endswith("+rendered") for s in run.stories)
    assert stat(run, "newscrawl/render/pages") == len(run.stories)
    truth = {s["url"]: s for s in portal.expected_stories()}
    for name in ("wrong_charset", "missing_charset", "html_as_octet_stream", "hostile_script"):
        story = run.by_url()[fault_url(portal, name)]
        for field in STORY_FIELDS:
            assert story[field] == truth[story["url"]][field], (name, field)


def test_every_hostile_script_ran_to_its_end(rendered_fault_crawl) -> None:
    portal, records, _ = rendered_fault_crawl
    probes = {
        urlsplit(r.url).path for r in records if r.url.startswith(f"http://{HOST}{PROBE_PATH}")
    }
    for name in ("hostile_script", *BROWSER_ESCAPES):
        row = next(e.index for e in portal.entries if e.url == fault_url(portal, name))
        assert f"{PROBE_PATH}{row}.js" in probes, name  # its last line loaded the probe


def test_no_way_out_of_a_rendered_page_reaches_the_canary(rendered_fault_crawl, canary) -> None:
    # WebRTC (STUN over UDP, TURN over TCP), WebSockets from pages, frames and workers,
    # popups (window.open, a form to target=_blank, a clicked link), fetch, frames, navigation
    assert canary.heard == []


def test_no_story_page_is_fetched_by_the_browser(rendered_fault_crawl) -> None:
    _, records, run = rendered_fault_crawl
    fetches = Counter(r.url for r in records)
    # once, by Scrapy: the browser rendered that response's text and fetched nothing of it
    assert {story["url"]: fetches[story["url"]] for story in run.stories} == {
        story["url"]: 1 for story in run.stories
    }
    popups = [r.url for r in records if r.url.endswith("-popup.html")]
    assert popups == []  # window.open() of a portal story opened nothing


def test_nothing_off_the_portal_reaches_the_proxy(rendered_fault_crawl, canary) -> None:
    _, records, _ = rendered_fault_crawl
    # not even as a CONNECT the proxy refuses: no WebSocket, TURN server or popup asked for it
    assert [r for r in records if r.host not in {HOST, *BROWSER_OWN_HOSTS}] == []
    assert [r for r in records if r.method == "CONNECT" and r.host == HOST] == []
    assert canary.heard == []
