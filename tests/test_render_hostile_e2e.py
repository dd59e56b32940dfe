"""End to end through real Chromium: a rendered crawl keeps every guarantee of the static one.

The fault replica is crawled with ``render=always``: every story page is rendered, from the
static response that went through the scope and redirect guards, the size limit and the charset
repair. A canary listens on the loopback port the replica's loopback redirect, meta refresh and
hostile script point at; it must hear nothing, and the replica (the crawl's only proxy, which
Chromium is told to use for loopback too) must see no request off the portal but Chromium's own
update pings.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.replica.faults import FAULTS, PROBE_PATH
from tests.crawl import CrawlRun, run_crawl
from tests.test_hostile_e2e import BOUNDS, HOST, STORY_FIELDS, fault_url
from tests.test_render_e2e import BROWSER_OWN_HOSTS, require_chromium, stat

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


class Canary(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that records every request it ever gets."""

    daemon_threads = True

    def __init__(self) -> None:
        self.heard: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.heard.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                """Silence: ``heard`` is the record."""

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    server = Canary()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def rendered_fault_crawl(
    canary: Canary, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Portal, list, CrawlRun]:
    require_chromium()
    port = canary.server_address[1]
    portal = Portal(ReplicaOptions(stories=60, faults=True, loopback_port=port))
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


def test_the_hostile_script_ran_and_reached_nothing(rendered_fault_crawl, canary) -> None:
    _, records, _ = rendered_fault_crawl
    paths = [urlsplit(r.url).path for r in records]
    assert any(p.startswith(PROBE_PATH) for p in paths)  # it ran, up to its last line
    assert canary.heard == []


def test_no_story_page_is_fetched_by_the_browser(rendered_fault_crawl) -> None:
    _, records, run = rendered_fault_crawl
    fetches = Counter(r.url for r in records)
    # once, by Scrapy: the browser rendered that response's text and fetched nothing of it
    assert {story["url"]: fetches[story["url"]] for story in run.stories} == {
        story["url"]: 1 for story in run.stories
    }


def test_nothing_off_the_portal_reaches_the_network(rendered_fault_crawl, canary) -> None:
    _, records, _ = rendered_fault_crawl
    assert {r.host for r in records if r.host != HOST} <= BROWSER_OWN_HOSTS
    assert canary.heard == []
