"""The scope and redirect guards: nothing outside the crawl's scope is ever requested, and a
redirect is settled before it is followed.

The frontier already requests only in-scope story URLs; these are the last checks before a
request leaves and before a redirect is followed, so nothing else (a redirect, a meta refresh,
a future code path) can turn the crawler against another host, a loopback or private address,
or a local file. The rule is the crawl's one :class:`~newscrawl.scope.Scope` (the spider's).

- :class:`ScopeGuard` (``process_request``, before robots.txt and the offsite check) refuses any
  request out of scope: ``off_portal``, or ``redirect_off_portal`` for a redirected one.
- :class:`RedirectGuard` (``process_response``, before Scrapy's RedirectMiddleware) reads a
  3xx's ``Location``; :class:`RefreshGuard` (after the content sniffer, before Scrapy's
  MetaRefreshMiddleware) a ``<meta http-equiv=refresh>``. Either ends a redirect out of scope as
  ``redirect_off_portal``, one back into its own chain as ``redirect_loop``, one past
  ``REDIRECT_MAX_TIMES`` as ``too_many_redirects``, before the redirected request is even made.
  A refresh to the page's own URL is no redirect: the page is read. A story URL that redirects
  to another story URL is an alias of it: the old URL ends ``redirected`` and the redirect is
  followed only if the final URL was not met before (``OutcomeLedger.redirected``), so a story
  reached both through a redirect and under its own URL is fetched, and emitted, once. A hop to
  a URL that is no story (a redirector) is followed, and :class:`Arrival` files the page the
  chain ends on under its final URL in the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

from newscrawl.extensions.ledger import OutcomeLedger
from newscrawl.outcomes import Refused
from newscrawl.scope import Scope
from newscrawl.sites import PageKind
from newscrawl.spiders.related import PAGE, STORY_URL
from newscrawl.urls import without_fragment

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class Settled(IgnoreRequest):
    """A redirect not followed because its URL has already ended (``redirected``)."""

    reason = "redirected"


def scope_of(crawler: Crawler) -> Scope | None:
    """The spider's scope; None for a spider that crawls no portal (a helper spider of the
    tests), which these guards then leave alone."""
    scope = getattr(crawler.spider, "scope", None)
    return scope if isinstance(scope, Scope) else None


class ScopeGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        scope = scope_of(self.crawler)
        why = None if scope is None else scope.refusal(request.url)
        if why is None:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/scope/refused/{why}")
        redirected = bool(request.meta.get("redirect_urls"))
        reason = "redirect_off_portal" if redirected else "off_portal"
        raise Refused(reason, target=request.url, why=why)


@dataclass(frozen=True)
class RedirectLimits:
    max_redirects: int
    refresh_max_delay: float
    refresh_ignore_tags: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Any) -> RedirectLimits:
        return cls(
            max_redirects=settings.getint("REDIRECT_MAX_TIMES"),
            refresh_max_delay=settings.getfloat("METAREFRESH_MAXDELAY"),
            refresh_ignore_tags=tuple(settings.getlist("METAREFRESH_IGNORE_TAGS")),
        )


class RedirectGuard:
    def __init__(self, crawler: Crawler, limits: RedirectLimits) -> None:
        self.crawler = crawler
        self.limits = limits

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuard:
        return cls(crawler, RedirectLimits.from_settings(crawler.settings))

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status in REDIRECT_STATUSES and location and not _no_redirect(request):
            self.settle(request, redirect_target(request.url, location), status=response.status)
        return response

    def settle(self, request: Request, target: str, **details: Any) -> None:
        """Raise unless the redirect from ``request`` to ``target`` may be followed."""
        scope = scope_of(self.crawler)
        if scope is None:
            return
        chain = [*request.meta.get("redirect_urls", []), request.url]
        why = scope.refusal(target)
        if why is not None:
            raise Refused("redirect_off_portal", target=target, why=why, **details)
        if without_fragment(target) in {without_fragment(url) for url in chain}:
            raise Refused("redirect_loop", target=target, chain=chain)
        if request.meta.get("redirect_times", 0) + 1 > self.limits.max_redirects:
            raise Refused("too_many_redirects", target=target, redirects=len(chain))
        if request.meta.get(PAGE) == "story":
            self._alias(request, target)

    def _alias(self, request: Request, target: str) -> None:
        """A story URL redirecting to another story URL: one story, filed under the final URL."""
        ledger = self.crawler.get_extension(OutcomeLedger)
        profile = getattr(self.crawler.spider, "profile", None)
        if ledger is None or profile is None:
            return
        story, final = request.meta[STORY_URL], profile.canonical_url(target)
        if final == story or profile.classify(final) is not PageKind.STORY:
            return  # the same story under another spelling, or a hop on the way to it
        if not ledger.redirected(story, final):
            raise Settled(f"{story} redirects to {final}, which the crawl already met")
        request.meta[STORY_URL] = final  # the redirected request copies the meta


class RefreshGuard(RedirectGuard):
    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or _no_redirect(request):
            return response
        interval, url = get_meta_refresh(response, ignore_tags=self.limits.refresh_ignore_tags)
        if not url or interval is None or interval >= self.limits.refresh_max_delay:
            return response  # Scrapy's MetaRefreshMiddleware does not follow it either
        if self._same_page(request, url):
            request.meta["dont_redirect"] = True  # a page that refreshes itself is read
            return response
        self.settle(request, url, refresh=True)
        return response

    def _same_page(self, request: Request, url: str) -> bool:
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is None:
            return without_fragment(url) == without_fragment(request.url)
        return bool(profile.canonical_url(url) == profile.canonical_url(request.url))


class Arrival:
    """After every redirect (in response order): a story page that arrived at another URL
    than its request's is filed under its final URL, as a redirect to it would be."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Arrival:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        profile = getattr(self.crawler.spider, "profile", None)
        if profile is None or request.meta.get(PAGE) != "story" or response.status >= 300:
            return response
        story, final = request.meta[STORY_URL], profile.canonical_url(response.url)
        if final == story:
            return response
        ledger = self.crawler.get_extension(OutcomeLedger)
        if ledger is not None and not ledger.redirected(story, final, fetched=True):
            raise Settled(f"{story} arrived at {final}, which the crawl already met")
        request.meta[STORY_URL] = final
        return response


def _no_redirect(request: Request) -> bool:
    return bool(request.meta.get("dont_redirect")) or request.method == "HEAD"


def redirect_target(url: str, location: bytes) -> str:
    """Where a ``Location`` header leads, resolved as Scrapy's RedirectMiddleware does."""
    text = safe_url_string(location.decode("latin-1"))
    if text.startswith("//"):
        text = urlsplit(url).scheme + ":" + text
    return urljoin(url, text)
