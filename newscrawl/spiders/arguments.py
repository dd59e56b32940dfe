"""The spider's ``-a`` arguments, validated before any request is made."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from newscrawl.scope import Scope
from newscrawl.sites import GENERIC, PROFILES, CrawlSites, PageKind, crawl_sites
from newscrawl.urls import host_of, resolve

DEFAULT_MAX_DEPTH = 2
RENDER_MODES = ("never", "auto", "always")


class ArgumentError(ValueError):
    """A spider argument with a wrong value; its message is one line for the user."""


@dataclass(frozen=True)
class CrawlArguments:
    start_urls: tuple[str, ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    since: date | None = None
    max_stories: int | None = None
    max_listing_pages: int = 1
    site: str | None = None  # None: each start URL's host picks its profile
    render: str = "never"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> CrawlArguments:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ArgumentError(
                f"unknown spider argument {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        site = str(raw["site"]).strip() if raw.get("site") not in (None, "") else None
        if site is not None and site not in PROFILES:
            raise ArgumentError(f"-a site={site}: unknown site (known: {', '.join(PROFILES)})")
        return cls(
            start_urls=_start_urls(raw, site),
            max_depth=_count(raw, "max_depth", DEFAULT_MAX_DEPTH),
            since=_date(raw.get("since")),
            max_stories=_count(raw, "max_stories", None, minimum=1),
            max_listing_pages=_count(raw, "max_listing_pages", 1, minimum=1),
            site=site,
            render=_choice(raw, "render", "never", RENDER_MODES),
        )

    def starts(self) -> tuple[str, ...]:
        return self.start_urls or self.sites().start_urls

    def sites(self) -> CrawlSites:
        """The crawl's profiles: each start URL's host's, or ``site``'s for all."""
        return crawl_sites(self.start_urls, self.site)


def _start_urls(raw: dict[str, Any], site: str | None) -> tuple[str, ...]:
    """Start URLs must be story, listing or feed pages of their site: anything else is a typo.

    Each URL's host picks its profile (the generic one for a host no profile claims); with
    ``-a site=NAME`` they must all be that site's."""
    if "start_urls" not in raw:
        if site == GENERIC:
            raise ArgumentError("-a site=generic needs -a start_urls (the sites to crawl)")
        return ()
    urls = _urls(raw["start_urls"])
    if not urls:
        raise ArgumentError("-a start_urls is empty (leave it out to start from the front page)")
    sites = crawl_sites(urls, site)
    scope = Scope.of(sites)
    for url in urls:
        why = scope.refusal(url)
        if why is not None:
            forced = site not in (None, GENERIC)
            if forced or why != "other_host":
                hosts = ", ".join(sorted(h for h in sites.hosts if not h.startswith("www.")))
                what = f"the portal ({hosts})" if forced else f"a news site ({why})"
                raise ArgumentError(f"-a start_urls: {url} is not a page of {what}")
        if sites.classify(url) is PageKind.OTHER:
            raise ArgumentError(
                f"-a start_urls: {url} is neither a story, a listing nor a feed page"
                f" of {host_of(url)}"
            )
    # One spelling of each: a page given twice is one start page.
    return tuple(dict.fromkeys(sites.canonical_url(url) for url in urls))


def _urls(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    urls = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        absolute = resolve(item, "")
        if absolute is None:
            raise ArgumentError(f"-a start_urls: {item!r} is not an absolute http(s) URL")
        urls.append(absolute)
    return tuple(urls)


def _count(raw: dict[str, Any], name: str, default: int | None, minimum: int = 0) -> Any:
    value = raw.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value}: not a whole number") from None
    if number < minimum:
        raise ArgumentError(f"-a {name}={value}: must be at least {minimum}")
    return number


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a since={value}: not a date of the form YYYY-MM-DD") from None


def _choice(raw: dict[str, Any], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = str(raw.get(name) or default).strip().lower()
    if value not in choices:
        raise ArgumentError(f"-a {name}={value}: must be one of {', '.join(choices)}")
    return value
