"""The crawl's scope: the one rule for which URLs the crawler, and its browser, may fetch.

Built once per crawl by the spider from its site profile (:meth:`Scope.of`), and used by the
frontier (a related headline out of scope is never requested), by the scope guard (the last
check before any request leaves, redirects included) and by the browser's routes (what a
rendered page may load). Only ``http``/``https`` URLs of the profiles' hosts, on their
scheme's own port, without credentials, and not pictures or other files (robots.txt, sitemaps
and feeds are read: they list story URLs). A crawl of several sites has one scope: the union
of their hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newscrawl.urls import WEB_SCHEMES, is_asset, is_feed_url, is_ip_literal

if TYPE_CHECKING:
    from newscrawl.sites.base import SiteProfile

DEFAULT_PORTS = {"http": 80, "https": 443}  # the portal serves on no other port


@dataclass(frozen=True)
class Scope:
    hosts: frozenset[str]

    @classmethod
    def of(cls, profile: SiteProfile) -> Scope:
        return cls(frozenset(profile.hosts))

    def refusal(self, url: str) -> str | None:
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
        if host not in self.hosts:
            return "other_host"
        if port not in (None, DEFAULT_PORTS[scheme]):
            return "other_port"
        if parts.username is not None or parts.password is not None:
            return "credentials"
        if is_asset(url) and not is_feed_url(url):
            return "not_a_page"
        return None

    def allows(self, url: str) -> bool:
        """May the crawler request this URL as a page?"""
        return self.refusal(url) is None

    def allows_subresource(self, url: str) -> bool:
        """May a rendered page load this URL? The same rule, but the portal's own scripts and
        data (``.js``, ``.json``: ``not_a_page`` for the crawler) are what a render is for."""
        return self.refusal(url) in (None, "not_a_page")
