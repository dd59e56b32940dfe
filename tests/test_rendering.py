"""Rendering without a browser: when a page needs one, settings, context recycling, the replica."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawl.addons import Rendering
from newscrawl.downloadermiddlewares.browser_contexts import BrowserContexts
from newscrawl.extraction.decode import decode_page
from newscrawl.rendering import (
    CONTEXT_OPTIONS,
    HANDLER,
    abort_request,
    browser_problem,
    browser_proxy,
    document_headers,
    launch_options,
    needs_browser,
    render_meta,
    resolver_rules,
)
from newscrawl.replica import Portal, ReplicaOptions
from newscrawl.scope import Scope
from newscrawl.sites import NotAStory, StoryPage, get_profile
from newscrawl.spiders.related import RelatedSpider

PROFILE = get_profile("peopledaily_fr")


@pytest.fixture(scope="module")
def scripted() -> Portal:
    return Portal(ReplicaOptions(stories=60, scripted=True))


def extract(portal: Portal, url: str):
    page = portal.respond("GET", url)
    html = decode_page(page.body, page.headers["Content-Type"]).text
    return PROFILE.extract_story(Selector(text=html), url)


def unbuilt_crawler(**settings: str) -> Crawler:
    """A crawler whose settings are still open, as when Scrapy builds the spider."""
    return Crawler(RelatedSpider, Settings({"TELNETCONSOLE_ENABLED": False, **settings}))


# --- the replica's script-written pages, read without a browser ---------------------------------


def test_script_pages_are_few_and_off_by_default(scripted: Portal) -> None:
    plain = Portal(ReplicaOptions(stories=60))
    assert not plain.variants["script_related"] and not plain.variants["script_body"]
    written = scripted.variants["script_related"] + scripted.variants["script_body"]
    assert 2 <= len(scripted.variants["script_related"]) <= 3
    assert 2 <= len(scripted.variants["script_body"]) <= 3
    # every other page is byte for byte the page of the portal without scripts
    changed = [
        url
        for url in plain.story_urls()
        if plain.respond("GET", url).body != scripted.respond("GET", url).body
    ]
    assert sorted(changed) == sorted(written)


def test_script_related_page_has_an_empty_related_block(scripted: Portal) -> None:
    truth = {s["url"]: s for s in scripted.expected_stories()}
    for url in scripted.variants["script_related"]:
        page = extract(scripted, url)
        assert not isinstance(page, NotAStory)
        assert page.related == [] and truth[url]["related"]
        assert page.related_expected and page.has_scripts
        assert needs_browser(page)


def test_script_body_page_is_a_shell_without_body(scripted: Portal) -> None:
    for url in scripted.variants["script_body"]:
        html = scripted.respond("GET", url).body.decode()
        assert "JavaScript est désactivé" in html
        page = extract(scripted, url)
        assert isinstance(page, NotAStory) and page.reason == "no_body"
        assert needs_browser(page)


def test_complete_or_script_free_pages_need_no_browser(scripted: Portal) -> None:
    for kind in ("photo", "multipage", "older_layout", "latin1"):
        for url in scripted.variants[kind]:
            assert not needs_browser(extract(scripted, url)), url
    redesigned = Portal(ReplicaOptions(stories=20, layout="changed"))
    page = extract(redesigned, redesigned.story_urls()[0])
    # The generic machinery reads the redesigned page (and says so); no script wrote it.
    assert isinstance(page, StoryPage) and page.extraction.startswith("fallback(body=trafilatura")
    assert not needs_browser(page)


# --- settings ----------------------------------------------------------------------------------


def test_no_browser_at_the_configured_path_is_one_line_naming_the_setting(tmp_path) -> None:
    settings = Settings({"NEWSCRAWL_CHROMIUM_PATH": str(tmp_path / "chromium")})
    assert browser_problem("never", settings) is None
    for mode in ("auto", "always"):
        problem = browser_problem(mode, settings)
        assert problem and "NEWSCRAWL_CHROMIUM_PATH" in problem and "\n" not in problem
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    assert browser_problem("auto", settings) is not None


def test_bad_render_settings_are_refused() -> None:
    settings = Settings({"NEWSCRAWL_RENDER_PAGES_PER_CONTEXT": "0"})
    assert "NEWSCRAWL_RENDER_PAGES_PER_CONTEXT" in (browser_problem("auto", settings) or "")


def with_rendering_addon(render: str, **settings: str) -> Crawler:
    """The crawler once its spider is built and the Rendering add-on has run."""
    crawler = unbuilt_crawler(**settings)
    crawler.spider = RelatedSpider.from_crawler(crawler, render=render)
    Rendering.from_crawler(crawler).update_settings(crawler.settings)
    return crawler


def test_never_installs_no_browser_handler_and_auto_does(tmp_path) -> None:
    never = with_rendering_addon("never", NEWSCRAWL_CHROMIUM_PATH=str(tmp_path / "none"))
    assert HANDLER not in never.settings.getdict("DOWNLOAD_HANDLERS").values()
    assert not never.settings.get("PLAYWRIGHT_LAUNCH_OPTIONS")
    auto = with_rendering_addon("auto", NEWSCRAWL_CHROMIUM_PATH="/bin/sh")
    handlers = auto.settings.getdict("DOWNLOAD_HANDLERS")
    # the portal's pages are canonically http: one handler, so one Playwright driver
    assert handlers["http"] == HANDLER and handlers.get("https") != HANDLER
    launch = auto.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == "/bin/sh"
    # the spider's scope is what Chromium may resolve
    assert "EXCLUDE french.peopledaily.com.cn" in " ".join(launch["args"])
    with pytest.raises(RuntimeError, match="NEWSCRAWL_CHROMIUM_PATH"):
        with_rendering_addon("always", NEWSCRAWL_CHROMIUM_PATH=str(tmp_path / "none"))


def browser_request(resource: str, navigation: bool = False) -> SimpleNamespace:
    return SimpleNamespace(resource_type=resource, is_navigation_request=lambda: navigation)


@pytest.mark.parametrize(
    ("resource", "aborted"),
    [
        ("image", True),
        ("font", True),
        ("media", True),
        ("stylesheet", True),
        ("script", False),
        ("xhr", False),
    ],
)
def test_pictures_fonts_media_and_styles_are_not_loaded(resource: str, aborted: bool) -> None:
    assert abort_request(browser_request(resource)) is aborted


def test_a_document_reaching_the_handler_route_is_aborted() -> None:
    # guard_page serves the story itself: a navigation seen here means the guard is missing
    assert abort_request(browser_request("document", navigation=True)) is True


def test_chromium_resolves_no_name_but_the_portal_s_and_its_proxy_s() -> None:
    hosts = {"french.peopledaily.com.cn"}
    assert resolver_rules(hosts, None) == (
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE french.peopledaily.com.cn"
    )
    for server, host in [
        ("http://127.0.0.1:3128", "127.0.0.1"),
        ("proxy.example:8080", "proxy.example"),  # http_proxy without a scheme
        ("http://user:secret@proxy.example:8080", "proxy.example"),
    ]:
        rules = resolver_rules(hosts, {"server": server})
        assert rules.endswith(f"EXCLUDE {host}") or f"EXCLUDE {host}," in rules, server
        assert "secret" not in rules


def test_the_launch_keeps_the_popup_blocker_and_shuts_what_passes_no_route() -> None:
    launch = launch_options("/usr/bin/chromium", {"french.peopledaily.com.cn"}, None)
    assert launch["ignore_default_args"] == ["--disable-popup-blocking"]
    args = launch["args"]
    assert "--webrtc-ip-handling-policy=disable_non_proxied_udp" in args
    assert "--disable-blink-features=WebSocketStream,SharedWorker" in args
    assert any(a.startswith("--host-resolver-rules=MAP * ~NOTFOUND") for a in args)
    # one --disable-features (Chromium reads the last), with Playwright's own in it
    (features,) = [a for a in args if a.startswith("--disable-features=")]
    assert {"HttpsUpgrades", "NetworkTimeServiceQuerying"} <= set(features.split("=")[1].split(","))
    assert "proxy" not in launch


def test_rendered_documents_may_connect_to_the_portal_only() -> None:
    headers = document_headers(Scope.of(PROFILE))
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Security-Policy"] == (
        "connect-src http://french.peopledaily.com.cn https://french.peopledaily.com.cn;"
        " form-action 'none'"
    )


def test_a_render_s_context_blocks_service_workers() -> None:
    meta = render_meta({}, "<html></html>", Scope.of(PROFILE))
    assert meta["playwright_context_kwargs"] == CONTEXT_OPTIONS == {"service_workers": "block"}


def test_the_browser_is_given_scrapys_proxy_and_never_no_proxy(monkeypatch) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:3128")
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.1")
    assert browser_proxy({"http"}) == {"server": "http://127.0.0.1:3128"}
    monkeypatch.delenv("http_proxy")
    assert browser_proxy({"http"}) is None


# --- browser contexts: pages closed, contexts recycled -------------------------------------------


class FakeContext:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


class FakePage:
    def __init__(self, context: FakeContext) -> None:
        self.context = context
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def test_contexts_are_recycled_and_every_page_closed() -> None:
    from scrapy import Request

    stats = get_crawler().stats
    contexts = BrowserContexts(pages_per_context=2, stats=stats)
    browser: dict[str, FakeContext] = {}
    requests = [Request(f"http://x/{n}", meta={"playwright": True}) for n in range(5)]
    for request in requests:
        contexts.process_request(request)
    names = [r.meta["playwright_context"] for r in requests]
    assert len(set(names)) == 3 and names[0] == names[1] != names[2] == names[3] != names[4]
    pages = []
    for request in requests:
        context = browser.setdefault(request.meta["playwright_context"], FakeContext())
        pages.append(FakePage(context))
        request.meta["playwright_page"] = pages[-1]

    async def finish() -> None:
        await contexts.process_response(requests[0], None)  # type: ignore[arg-type]
        assert not browser[names[0]].closed  # its second page is still rendering
        await contexts.process_exception(requests[1], TimeoutError())
        await contexts.process_exception(requests[1], TimeoutError())  # counted once
        assert browser[names[0]].closed
        for request in requests[2:]:
            await contexts.process_response(request, None)  # type: ignore[arg-type]

    asyncio.run(finish())
    assert all(page.closed for page in pages)
    assert browser[names[2]].closed
    assert not browser[names[4]].closed  # current context: closed by the handler at the end
    plain = Request("http://x/plain")
    contexts.process_request(plain)
    assert "playwright_context" not in plain.meta
