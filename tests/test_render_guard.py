"""The page guard in real Chromium, without a crawl: what the browser is given, it shows; what a
page's scripts try, without a proxy (the production case), reaches nothing."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from newscrawl.extraction.decode import decode_page
from newscrawl.rendering import (
    CHROMIUM_ARGS,
    CONTEXT_OPTIONS,
    SCOPE,
    STATIC_HTML,
    guard_page,
    launch_options,
)
from newscrawl.replica import Portal, ReplicaOptions
from newscrawl.replica.faults import BROWSER_ESCAPES, FAULT_STORIES, PROBE_PATH
from newscrawl.scope import Scope
from newscrawl.sites import get_profile
from tests.canary import Canary
from tests.test_render_e2e import CHROMIUM, require_chromium

pytestmark = pytest.mark.browser

STORY = "http://french.peopledaily.com.cn/Chine/n3/2021/0104/c31357-9500001.html"
# A <meta> that contradicts the header: the static text is already decoded, and must stay so.
LYING_META = (
    '<html><head><meta charset="windows-1252"></head>'
    "<body><p>Été à Pékin : « économie » — 中国</p></body></html>"
)


async def rendered_text(html: str) -> tuple[str, str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS)
        )
        try:
            page = await browser.new_page()
            request = SimpleNamespace(
                url=STORY, meta={STATIC_HTML: html, SCOPE: Scope.of(get_profile("peopledaily_fr"))}
            )
            await guard_page(page, request)
            await page.goto(STORY)
            return page.url, await page.inner_text("p")
        finally:
            await browser.close()


def test_the_header_charset_wins_over_a_lying_meta() -> None:
    require_chromium()
    url, text = asyncio.run(rendered_text(LYING_META))
    assert url == STORY
    assert text == "Été à Pékin : « économie » — 中国"


# --- without a proxy: every way out of a page, against a TCP and UDP canary ----------------------

SETTLE_SECONDS = 2.0  # after the last probe: ICE gathering and WebSocket handshakes are async


async def render_escapes(portal: Portal, scope: Scope) -> tuple[set[str], list[Any], int]:
    """Every browser-escape fault page rendered at once in one context, launched as a crawl
    launches Chromium when no proxy is set. In-portal requests that pass the guard are served
    from the replica by a stand-in for scrapy-playwright's own route (no network is needed).
    Returns the probes fetched, the pages the context held at the end, and how many ran."""
    from playwright.async_api import async_playwright

    probes: set[str] = set()

    async def portal_route(route: Any, browser_request: Any) -> None:
        if PROBE_PATH in browser_request.url:
            probes.add(browser_request.url)
        reply = portal.respond(browser_request.method, browser_request.url)
        await route.fulfill(status=reply.status, headers=reply.headers, body=reply.body)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            **launch_options(CHROMIUM, scope.hosts, proxy=None)
        )
        try:
            context = await browser.new_context(**CONTEXT_OPTIONS)
            loads = []
            for name in BROWSER_ESCAPES:
                (url,) = portal.variants[f"fault:{name}"]
                reply = portal.respond("GET", url)
                html = decode_page(reply.body, reply.headers["Content-Type"]).text
                page = await context.new_page()
                await page.route("**", portal_route)
                await guard_page(
                    page, SimpleNamespace(url=url, meta={STATIC_HTML: html, SCOPE: scope})
                )
                loads.append(page.goto(url))
            await asyncio.gather(*loads)
            for _ in range(100):
                if len(probes) == len(BROWSER_ESCAPES):
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(SETTLE_SECONDS)
            return probes, list(context.pages), len(loads)
        finally:
            await browser.close()


def test_no_way_out_of_a_page_reaches_the_loopback_without_a_proxy() -> None:
    require_chromium()
    scope = Scope.of(get_profile("peopledaily_fr"))
    with Canary() as canary:
        portal = Portal(
            ReplicaOptions(stories=FAULT_STORIES, faults=True, loopback_port=canary.port)
        )
        probes, pages, rendered = asyncio.run(render_escapes(portal, scope))
        heard = canary.heard
    assert len(probes) == len(BROWSER_ESCAPES)  # every hostile script ran to its last line
    assert len(pages) == rendered  # no popup was left open
    # before: STUN datagrams over UDP and a TURN allocation over TCP, WebSocket connections,
    # and the popups' GET, POST and favicon requests, all straight to the canary
    assert heard == []
