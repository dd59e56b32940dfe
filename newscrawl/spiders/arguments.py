"""The spider's ``-a`` arguments, validated before any request is made."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from newscrawl.scope import Scope
from newscrawl.sites import DEFAULT_SITE, PROFILES, PageKind, SiteProfile, get_profile
from newscrawl.urls import resolve

DEFAULT_MAX_DEPTH = 2
RENDER_MODES = ("never", "auto", "always")


class ArgumentError(ValueError):
    """A spider argument with a wrong value; its message is one line for the user."""


# Arguments a scheduler adds to every run it starts, which the crawl does not use: Scrapyd's job
# id (``-a _job=…``).
PASSED_BY_SCHEDULERS = frozenset({"_job"})


@dataclass(frozen=True)
class CrawlArguments:
    start_urls: tuple[str, ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    since: date | None = None
    max_stories: int | None = None
    max_listing_pages: int = 1
    site: str = DEFAULT_SITE
    render: str = "never"

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> CrawlArguments:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known - PASSED_BY_SCHEDULERS)
        if unknown:
            raise ArgumentError(
                f"unknown spider argument {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        site = str(raw.get("site", DEFAULT_SITE))
        if site not in PROFILES:
            raise ArgumentError(f"-a site={site}: unknown site (known: {', '.join(PROFILES)})")
        return cls(
            start_urls=_start_urls(raw, get_profile(site)),
            max_depth=_count(raw, "max_depth", DEFAULT_MAX_DEPTH),
            since=_date(raw.get("since")),
            max_stories=_count(raw, "max_stories", None, minimum=1),
            max_listing_pages=_count(raw, "max_listing_pages", 1, minimum=1),
            site=site,
            render=_choice(raw, "render", "never", RENDER_MODES),
        )

    def starts(self) -> tuple[str, ...]:
        return self.start_urls or get_profile(self.site).start_urls


def _start_urls(raw: dict[str, Any], profile: SiteProfile) -> tuple[str, ...]:
    """Start URLs must be story or listing pages of the portal: anything else is a typo."""
    if "start_urls" not in raw:
        return ()
    urls = _urls(raw["start_urls"])
    if not urls:
        raise ArgumentError("-a start_urls is empty (leave it out to start from the front page)")
    scope = Scope.of(profile)
    for url in urls:
        if not scope.allows(url):
            hosts = ", ".join(sorted(profile.hosts))
            raise ArgumentError(f"-a start_urls: {url} is not a page of the portal ({hosts})")
        if profile.classify(url) is PageKind.OTHER:
            raise ArgumentError(f"-a start_urls: {url} is neither a story nor a listing page")
    # One spelling of each: a page given twice is one start page.
    return tuple(dict.fromkeys(profile.canonical_url(url) for url in urls))


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
