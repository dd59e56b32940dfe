"""URL helpers every site profile shares: resolving links and keeping the crawl in scope."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Links to these are never pages: a crawler that fetched them would waste the portal's bandwidth.
ASSET_EXTENSIONS = frozenset(
    [
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".bmp",
        ".svg",
        ".ico",
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".zip",
        ".rar",
        ".gz",
        ".mp3",
        ".mp4",
        ".avi",
        ".mov",
        ".wmv",
        ".flv",
        ".swf",
        ".css",
        ".js",
        ".xml",
        ".txt",
    ]
)
WEB_SCHEMES = frozenset({"http", "https"})


def resolve(href: str | None, base_url: str) -> str | None:
    """An absolute URL for a link, or None for links that lead to no page.

    ``javascript:``, ``mailto:``, ``tel:``, ``data:`` and bare fragments are not pages.
    """
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base_url, href)
        parts = urlsplit(absolute)
    except ValueError:  # e.g. an unbalanced IPv6 bracket in a hostile link
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    # Spelt as Scrapy requests it (non-ASCII percent-encoded, the host in IDNA), so that a
    # related headline's URL in a story is the URL its outcome is filed under; raw, a U+2028 in
    # an href also reached the feed as a line break. A port that is no port stays as written
    # (the scope guard refuses it: ``bad_url``).
    try:
        return safe_url_string(absolute)
    except ValueError:
        return absolute


# A URL whose host urlsplit would give back as it is written: http(s) in lower case, then a
# lower-case ASCII name with no user, port or bracket, ended by the path, query, fragment or
# the URL's end. Anything else (a tab, a space, upper case, an IPv6 literal) goes through
# urlsplit. tests/test_urls.py holds the shortcut to urlsplit's answer on random URLs.
_PLAIN_HOST = re.compile(r"https?://([a-z0-9.-]+)(?=[/?#]|\Z)")


def host_of(url: str) -> str:
    """The URL's host, lower case, without a trailing dot; empty if it has none or does not
    parse. Asked several times of every link and request (a dozen links a story page): the
    common URL is read with one regex, not a full urlsplit (~1.5 µs)."""
    plain = _PLAIN_HOST.match(url)
    if plain is not None:
        return plain.group(1).rstrip(".")
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def path_of(url: str) -> str:
    """The URL's path; empty for a URL that does not parse (``http://[``)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def is_asset(url: str) -> bool:
    path = path_of(url).lower()
    dot = path.rfind(".")
    return dot != -1 and path[dot:] in ASSET_EXTENSIONS


FEED_PATH = re.compile(
    r"(?:/robots\.txt|\.xml|\.xml\.gz|\.rss|\.atom|/feed|/feeds?/[\w-]+|/rss|/atom)/?$"
    r"|sitemap[^/]*$",
    re.IGNORECASE,
)


def is_feed_url(url: str) -> bool:
    """robots.txt, a sitemap, an RSS or Atom feed: a page read for story URLs, not a story."""
    return bool(FEED_PATH.search(path_of(url)))


# A URL that w3lib's safe_url_string (what Scrapy makes of every request's URL) gives back as
# it is: http(s), a lower-case ASCII host, no port, a path and a query of RFC 3986's unreserved
# and sub-delimiter characters and percent escapes (no quote in the query, no empty query), no
# fragment. The frontier's canonical story URLs are such URLs. tests/test_story_request.py
# checks the claim against safe_url_string on random URLs.
_ALREADY_SAFE = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
    r"(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*)?"
    r"(?:\?(?:[A-Za-z0-9\-._~!$&()*+,;=:@/?]|%[0-9A-Fa-f]{2})+)?"
)


def is_already_safe(url: str) -> bool:
    """Would safe_url_string give ``url`` back unchanged? (True only where that is sure.)"""
    return _ALREADY_SAFE.fullmatch(url) is not None


def is_ip_literal(host: str) -> bool:
    bare = host.strip("[]")
    if ":" not in bare and not bare.replace(".", "").isdigit():
        # No IPv6 literal lacks a colon, no IPv4 one has more than digits and dots: a name.
        # Asked of every request's host; ipaddress's parse of a name raising costs 4 µs.
        return False
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return False
    return True


def without_fragment(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # unparseable: keep it as written, minus anything after "#"
        return url.split("#", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
