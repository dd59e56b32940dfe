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

The rest of the browser is closed around those routes (:func:`launch_options`,
:func:`guard_context`), each measured against a TCP and UDP canary on 127.0.0.1 (README, *What
the browser may fetch*): Chromium's popup blocker stays on and the context aborts every request
of a page that is not a render's own (a popup) and closes it; WebSockets are refused in every
page and frame, ``WebSocketStream`` and ``SharedWorker`` are switched off and WebRTC's UDP is
disabled (and ``RTCPeerConnection`` removed); service workers are blocked; and Chromium resolves
no name but the portal's (and its proxy's), so whatever slips past a route cannot connect
anywhere else without a proxy, and goes to the proxy with one.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import urllib.request
import weakref
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from newscrawl import setting
from newscrawl.scope import Scope
from newscrawl.sites.base import NotAStory, StoryPage
from newscrawl.urls import WEB_SCHEMES

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
# Features Playwright 1.65 disables by default (its chromiumSwitches.ts). Chromium reads only
# the last --disable-features, so ours must repeat them: without them, for one, Chromium asked
# clients2.google.com for the time on every start (NetworkTimeServiceQuerying; measured).
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
)
# Ours. HttpsUpgrades (also Playwright's): Chromium tries an http:// navigation as https://
# first, and its fallback to http:// was measured to reach the network without passing the
# page's routes, so the story was fetched by the browser. AutofillServerCommunication:
# requests to content-autofill.googleapis.com.
DISABLED_FEATURES = (*PLAYWRIGHT_DISABLED_FEATURES, "AutofillServerCommunication")
# Web platform features a rendered story never needs and whose traffic passes no route:
# a WebSocketStream is no WebSocket (Playwright's WebSocket routes do not see it), and a shared
# worker's fetch() and WebSockets left the browser past every route (measured).
DISABLED_BLINK_FEATURES = ("WebSocketStream", "SharedWorker")
# Chromium switches for a crawler on a server: no sandbox (root in containers), no GPU, and none
# of the browser's own background traffic (updates, sync), which would go through the proxy too.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-features=" + ",".join(DISABLED_FEATURES),
    "--disable-blink-features=" + ",".join(DISABLED_BLINK_FEATURES),
    # WebRTC sends no UDP but through a proxy, which an HTTP proxy cannot carry: none at all.
    # Measured: a page's STUN binding requests (4 from one peer connection) reached a UDP
    # canary without it, none with it; the --force-webrtc-ip-handling-policy spelling does
    # nothing in Chromium 156.
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)
# Playwright's own switches this crawl must not have: --disable-popup-blocking let window.open,
# a form posted to target=_blank and a clicked target=_blank link open windows (measured). With
# Chromium's popup blocker on, a page's script opens none: nobody clicks in a render.
IGNORED_DEFAULT_ARGS = ("--disable-popup-blocking",)
# Browser context options of every render: no service worker may take a page's requests
# past its routes (a portal on https could register one).
CONTEXT_OPTIONS = {"service_workers": "block"}
# Run in every document of a rendered page before its own scripts, frames included: what a
# story never needs and would let a page reach the network past the routes (WebRTC's TCP to
# a TURN server goes to the proxy, or to any address without one).
PAGE_INIT_SCRIPT = """(() => {
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection"]) {
    try {
      delete globalThis[name];
      Object.defineProperty(globalThis, name, {value: undefined, configurable: false});
    } catch (error) {}
  }
})();"""


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
    settings: BaseSettings,
    config: RenderConfig,
    schemes: Iterable[str] = ("http", "https"),
    hosts: Iterable[str] = (),
) -> None:
    """Install scrapy-playwright for this crawl only, for the schemes of the portal's pages.

    Installed, its handler starts Playwright's driver (a Node.js process, ~120 MB) when the
    engine starts, even if no request is ever rendered, and one handler per scheme means one
    driver per scheme; so ``never`` installs none and the others only for the schemes the
    site profile's canonical story URLs use. ``hosts`` are the only names Chromium may
    resolve (the crawl's scope). Spider priority: ``-s PLAYWRIGHT_…`` still wins.
    """
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update(dict.fromkeys(schemes, HANDLER))
    values: dict[str, Any] = {
        "DOWNLOAD_HANDLERS": handlers,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(
            config.chromium_path, hosts, browser_proxy(schemes)
        ),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": config.timeout_ms,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": config.max_pages,
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.rendering.abort_request",
    }
    for name, value in values.items():
        settings.set(name, value, priority="spider")


def launch_options(
    chromium_path: str, hosts: Iterable[str], proxy: dict[str, str] | None
) -> dict[str, Any]:
    """Playwright's ``launch()`` options: the switches above, the names Chromium may resolve,
    Chromium's popup blocker kept, and the proxy (if any)."""
    launch: dict[str, Any] = {
        "executable_path": chromium_path,
        "args": [*CHROMIUM_ARGS, resolver_rules(hosts, proxy)],
        "ignore_default_args": list(IGNORED_DEFAULT_ARGS),
    }
    if proxy:
        launch["proxy"] = proxy
    return launch


def resolver_rules(hosts: Iterable[str], proxy: dict[str, str] | None) -> str:
    """``--host-resolver-rules``: every name and address but the portal's hosts (and the
    proxy's) is unresolvable in Chromium.

    The rule applies to IP literals too (measured: ``ws://127.0.0.1:…``, a popup, a TURN server
    and a speculation-rules prefetch of a loopback address connected to nothing with it, each
    reached the canary without it), so whatever a page's script gets past the routes without a
    proxy cannot leave for anywhere but the portal, and Chromium's own update and account
    requests resolve nothing. Behind a proxy Chromium resolves nothing itself but the proxy:
    everything goes to the proxy, which can refuse it.
    """
    allowed = set(hosts)
    if proxy:
        server = proxy["server"]
        proxy_host = urlsplit(server if "://" in server else f"http://{server}").hostname
        if proxy_host:
            allowed.add(proxy_host)
    return "--host-resolver-rules=MAP * ~NOTFOUND" + "".join(
        f", EXCLUDE {host}" for host in sorted(allowed)
    )


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
    through goes on (``fallback``) to that route, which sends it. The page's context is
    guarded first (:func:`guard_context`, once per context), before the page loads anything.
    """
    await guard_context(page.context)
    html: str = request.meta[STATIC_HTML]
    scope: Scope = request.meta[SCOPE]
    story_url = request.url
    served = False
    headers = document_headers(scope)

    async def route_request(route: Any, browser_request: Any) -> None:
        nonlocal served
        url = browser_request.url
        if browser_request.is_navigation_request():
            in_main_frame = browser_request.frame == page.main_frame
            if not served and in_main_frame and _same_document(url, story_url):
                served = True
                await route.fulfill(status=200, headers=headers, body=html.encode("utf-8"))
            elif in_main_frame:  # a script's or a meta refresh's navigation away
                # "aborted" (net::ERR_ABORTED), as a cancelled navigation: the page keeps its
                # document. A failed one would put Chromium's error page in place of the story.
                await route.abort("aborted")
            else:  # an iframe: a blank one (an aborted frame can hold the page's load event)
                await route.fulfill(status=200, headers=headers, body=b"")
        elif (
            not scope.allows_subresource(url) or browser_request.resource_type in ABORTED_RESOURCES
        ):
            await route.abort()
        else:
            await route.fallback()

    await page.route("**", route_request)


# Each browser context's guard, installed once (the first render of a context installs it; the
# others of the same context wait for it).
_GUARDED: weakref.WeakKeyDictionary[Any, asyncio.Future[None]] = weakref.WeakKeyDictionary()


async def guard_context(context: Any) -> None:
    """What every page of a browser context is held to, popups included.

    - A request that no page route answers is aborted: only a render's own page has routes
      (:func:`guard_page`), so a page the context opens otherwise (a popup that got past
      Chromium's popup blocker) loads nothing, not even its first document, and it is closed.
    - WebSockets are refused in every page and frame (closed before they connect).
    - :data:`PAGE_INIT_SCRIPT` runs in every document before the page's own scripts.
    """
    installed = _GUARDED.get(context)
    if installed is None:
        installed = _GUARDED[context] = asyncio.ensure_future(_install_guard(context))
    await installed


async def _install_guard(context: Any) -> None:
    context.on("page", _close_if_popup)
    await context.add_init_script(PAGE_INIT_SCRIPT)
    await context.route("**", _refuse)
    await context.route_web_socket("**", _refuse_websocket)


async def _refuse(route: Any, browser_request: Any) -> None:
    with suppress(Exception):  # the page may be gone already
        await route.abort("blockedbyclient")


async def _refuse_websocket(websocket: Any) -> None:
    with suppress(Exception):
        await websocket.close(code=1008, reason="refused by the crawler")


async def _close_if_popup(page: Any) -> None:
    """A page with an opener is a popup: no render asked for it."""
    with suppress(Exception):  # closed meanwhile, or the context is going
        if await page.opener() is not None:
            await page.close()


def document_headers(scope: Scope) -> dict[str, str]:
    """The headers a rendered page's documents are served with (the story, blank frames).

    The charset wins over any ``<meta charset>`` in the page: the text is served as UTF-8. The
    Content-Security-Policy lets the page connect (``fetch()``, XHR, WebSocket, EventSource,
    beacons) to the portal's hosts over http(s) only, and submit no form; Chromium enforces it
    in the page, in the frames it makes and in the workers it starts from ``blob:`` or
    ``data:`` URLs, which inherit it: a dedicated worker's WebSocket, which no route or init
    script sees, was measured to reach the proxy without it, and not with it. A page's own
    ``<meta>`` policy can only add to it.
    """
    origins = " ".join(
        f"{scheme}://{host}" for host in sorted(scope.hosts) for scheme in sorted(WEB_SCHEMES)
    )
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": f"connect-src {origins}; form-action 'none'",
    }


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
        "playwright_context_kwargs": CONTEXT_OPTIONS,  # when the render's context is created
        RENDERED: True,
        STATIC_HTML: static_html,
        SCOPE: scope,
    }
