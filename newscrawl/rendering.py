"""Rendering story pages in the system's Chromium, through scrapy-playwright, only when asked.

``-a render=never`` (the default) never loads any of this into the crawl. ``always`` renders
every story page; ``auto`` renders a page again only when the site profile says its static HTML
is incomplete and the page carries scripts (:func:`needs_browser`). The browser is Debian's
Chromium at ``NEWSCRAWL_CHROMIUM_PATH``: no browser is ever downloaded.

Chromium never fetches a story document itself. Every render starts from the static response,
which went through Scrapy's guarded stack (scope guard, redirect guard, size limit, charset
repair); its decoded text travels in the render request's meta and :func:`guard_page` serves
it to the browser. The same route aborts every other document (a script's or a meta refresh's
navigation, an iframe) and every URL the scope guard refuses, so a page's scripts cannot reach
another host, a loopback or private address either.
"""

from __future__ import annotations

import importlib.util
import os
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

from newscrawl import setting
from newscrawl.scope import Scope
from newscrawl.sites.base import NotAStory, StoryPage

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Request meta: this request went through the browser (so ``auto`` never renders it again).
RENDERED = "newscrawl_rendered"
# Request meta of a render: the static page's decoded text, and the crawl's scope, which
# bounds what the page may load.
STATIC_HTML = "newscrawl_static_html"
SCOPE = "newscrawl_scope"
PAGE_INIT = "newscrawl.rendering.guard_page"
# What a story page's text never depends on; aborted so a render costs less.
ABORTED_RESOURCES = frozenset({"image", "font", "media", "stylesheet"})
# Chromium switches for a crawler on a server: no sandbox (root in containers), no GPU, and none
# of the browser's own background traffic (updates, sync), which would go through the proxy too.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # One --disable-features (Chromium reads only the last). HttpsUpgrades: Chromium tries an
    # http:// navigation as https:// first, and its fallback to http:// was measured to reach
    # the network without passing the page's routes, so the story was fetched by the browser.
    # AutofillServerCommunication: requests to content-autofill.googleapis.com.
    "--disable-features="
    + ",".join(
        ("HttpsUpgrades", "HttpsFirstBalancedModeAutoEnable", "AutofillServerCommunication")
    ),
)


@dataclass(frozen=True)
class RenderConfig:
    chromium_path: str
    timeout_ms: int
    pages_per_context: int
    max_pages: int

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RenderConfig:
        return cls(
            chromium_path=setting.text(settings, "NEWSCRAWL_CHROMIUM_PATH", allow_empty=False),
            timeout_ms=setting.integer(settings, "NEWSCRAWL_RENDER_TIMEOUT_MS", minimum=1),
            pages_per_context=setting.integer(
                settings, "NEWSCRAWL_RENDER_PAGES_PER_CONTEXT", minimum=1
            ),
            max_pages=setting.integer(settings, "NEWSCRAWL_RENDER_MAX_PAGES", minimum=1),
        )


def browser_problem(render: str, settings: BaseSettings) -> str | None:
    """One line saying why ``-a render=…`` cannot run on this machine, or None if it can."""
    if render == "never":
        return None
    try:
        config = RenderConfig.from_settings(settings)
    except ValueError as error:
        return str(error)
    path = config.chromium_path
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return (
            f"-a render={render} needs Chromium, but NEWSCRAWL_CHROMIUM_PATH={path} is not an "
            "executable file (apt-get install chromium, or -s NEWSCRAWL_CHROMIUM_PATH=…, "
            "or -a render=never)"
        )
    if importlib.util.find_spec("scrapy_playwright") is None:
        return f"-a render={render} needs the scrapy-playwright package (pip install -e .)"
    return None


def enable_rendering(
    settings: BaseSettings, config: RenderConfig, schemes: Iterable[str] = ("http", "https")
) -> None:
    """Install scrapy-playwright for this crawl only, for the schemes of the portal's pages.

    Installed, its handler starts Playwright's driver (a Node.js process, ~120 MB) when the
    engine starts, even if no request is ever rendered, and one handler per scheme means one
    driver per scheme; so ``never`` installs none and the others only for the schemes the
    site profile's canonical story URLs use. Spider priority: ``-s PLAYWRIGHT_…`` still wins.
    """
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(dict.fromkeys(schemes, HANDLER))
    launch: dict[str, Any] = {"executable_path": config.chromium_path, "args": list(CHROMIUM_ARGS)}
    proxy = browser_proxy(schemes)
    if proxy:
        launch["proxy"] = proxy
    values: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": handlers,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": config.timeout_ms,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": config.max_pages,
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.rendering.abort_request",
    }
    for name, value in values.items():
        settings.set(name, value, priority="spider")


def browser_proxy(schemes: Iterable[str]) -> dict[str, str] | None:
    """The proxy Scrapy uses (``http_proxy`` …), given to Chromium as Playwright's option.

    Chromium reads ``http_proxy`` from the environment itself, but then sends loopback
    addresses straight past it (measured: ``--proxy-bypass-list=<-loopback>`` changes nothing
    for an environment proxy). Given as Playwright's ``proxy``, loopback goes through it too.
    ``no_proxy`` is not passed on: the portal's pages never need it, and a usual
    ``no_proxy=localhost,127.0.0.1`` would open the loopback again.
    """
    proxies = urllib.request.getproxies()
    server = next((proxies[s] for s in sorted(schemes) if proxies.get(s)), None)
    return {"server": server} if server else None


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: pictures, fonts, media and style sheets are never loaded.

    Nor is any document: :func:`guard_page` serves the story itself, so a navigation that
    reaches scrapy-playwright's own route means that guard is missing; it fails closed.
    """
    return bool(request.resource_type in ABORTED_RESOURCES or request.is_navigation_request())


async def guard_page(page: Any, request: Any) -> None:
    """playwright_page_init_callback: the page loads the static text, and nothing off-portal.

    Registered after scrapy-playwright's own route, so Playwright asks it first; what it lets
    through goes on (``fallback``) to that route, which sends it.
    """
    html: str = request.meta[STATIC_HTML]
    scope: Scope = request.meta[SCOPE]
    story_url = request.url
    served = False

    async def route_request(route: Any, browser_request: Any) -> None:
        nonlocal served
        url = browser_request.url
        if browser_request.is_navigation_request():
            in_main_frame = browser_request.frame == page.main_frame
            if not served and in_main_frame and _same_document(url, story_url):
                served = True
                await route.fulfill(status=200, headers=STATIC_HEADERS, body=html.encode("utf-8"))
            elif in_main_frame:  # a script's or a meta refresh's navigation away
                # "aborted" (net::ERR_ABORTED), as a cancelled navigation: the page keeps its
                # document. A failed one would put Chromium's error page in place of the story.
                await route.abort("aborted")
            else:  # an iframe: a blank one (an aborted frame can hold the page's load event)
                await route.fulfill(status=200, headers=STATIC_HEADERS, body=b"")
        elif (
            not scope.allows_subresource(url) or browser_request.resource_type in ABORTED_RESOURCES
        ):
            await route.abort()
        else:
            await route.fallback()

    await page.route("**", route_request)


# The header's charset wins over any <meta charset> in the page: the text is served as UTF-8.
STATIC_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def _same_document(url: str, story_url: str) -> bool:
    return url.split("#", 1)[0].rstrip("/") == story_url.split("#", 1)[0].rstrip("/")


def needs_browser(page: StoryPage | NotAStory) -> bool:
    """Does the static page look incomplete in a way a script could fill?

    No body, or an empty related block where the template has one, on a page with scripts.
    """
    if isinstance(page, NotAStory):
        return page.reason == "no_body" and bool(page.details.get("has_scripts"))
    return page.related_expected and page.has_scripts


def render_meta(meta: dict[str, Any], static_html: str, scope: Scope) -> dict[str, Any]:
    """A story page's meta, rendered in the browser from the static page's text."""
    return {
        **meta,
        "playwright": True,
        "playwright_page_init_callback": PAGE_INIT,  # a path: meta stays picklable (JOBDIR)
        RENDERED: True,
        STATIC_HTML: static_html,
        SCOPE: scope,
    }
