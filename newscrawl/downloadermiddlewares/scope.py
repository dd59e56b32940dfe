"""The scope guard: only ``http``/``https`` URLs of the portal's hosts are ever requested.

The spider already schedules only in-scope story URLs; this is the last check before a request
leaves, so nothing else (a redirect, a meta refresh, a future code path) can turn the crawler
against another host, a loopback or private address, or a local file. Two middlewares:

- :class:`ScopeGuard` (``process_request``, before robots.txt and the offsite check) refuses any
  request outside the portal: ``off_portal``, or ``redirect_off_portal`` for a redirected one.
- :class:`RedirectGuard` (``process_response``, before Scrapy's RedirectMiddleware) reads a
  3xx's ``Location`` and ends it as ``redirect_off_portal``, ``redirect_loop`` or
  ``too_many_redirects`` before the redirected request is even scheduled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

from newscrawl.outcomes import Refused
from newscrawl.sites.base import SiteProfile
from newscrawl.urls import WEB_SCHEMES, is_asset, is_ip_literal, without_fragment

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}  # the portal serves on no other port


def refusal(url: str, hosts: frozenset[str]) -> str | None:
    """None if the crawler may request ``url``; otherwise why not, in one word."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # an unbalanced IPv6 bracket, a port that is no number
        return "bad_url"
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        return "not_web"
    if not host:
        return "bad_url"
    if is_ip_literal(host):
        return "ip_address"
    if host not in hosts:
        return "other_host"
    if port not in (None, DEFAULT_PORTS[scheme]):
        return "other_port"
    if parts.username is not None or parts.password is not None:
        return "credentials"
    if is_asset(url) and parts.path != "/robots.txt":
        return "not_a_page"
    return None


def portal_hosts(crawler: Crawler) -> frozenset[str] | None:
    """The hosts of the spider's site profile; None for a spider that crawls no portal (a
    helper spider of the tests), which these guards then leave alone."""
    profile = getattr(crawler.spider, "profile", None)
    return profile.hosts if isinstance(profile, SiteProfile) else None


class ScopeGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._hosts: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeGuard:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self._hosts is None:  # the spider (and its site profile) exists once requests flow
            self._hosts = portal_hosts(self.crawler)
        why = None if self._hosts is None else refusal(request.url, self._hosts)
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

    @classmethod
    def from_settings(cls, settings: Any) -> RedirectLimits:
        return cls(max_redirects=settings.getint("REDIRECT_MAX_TIMES"))


class RedirectGuard:
    def __init__(self, crawler: Crawler, limits: RedirectLimits) -> None:
        self.crawler = crawler
        self.limits = limits
        self._hosts: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuard:
        return cls(crawler, RedirectLimits.from_settings(crawler.settings))

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if (
            response.status not in REDIRECT_STATUSES
            or not location
            or request.meta.get("dont_redirect")
        ):
            return response
        if self._hosts is None:
            self._hosts = portal_hosts(self.crawler)
            if self._hosts is None:
                return response
        target = redirect_target(request.url, location)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        why = refusal(target, self._hosts)
        if why is not None:
            raise Refused("redirect_off_portal", target=target, why=why, status=response.status)
        if without_fragment(target) in {without_fragment(url) for url in chain}:
            raise Refused("redirect_loop", target=target, chain=chain)
        if request.meta.get("redirect_times", 0) + 1 > self.limits.max_redirects:
            raise Refused("too_many_redirects", target=target, redirects=len(chain))
        return response


def redirect_target(url: str, location: bytes) -> str:
    """Where a ``Location`` header leads, resolved as Scrapy's RedirectMiddleware does."""
    text = safe_url_string(location.decode("latin-1"))
    if text.startswith("//"):
        text = urlsplit(url).scheme + ":" + text
    return urljoin(url, text)
