"""The spider's ``-a`` arguments, validated before any request is made.

Each argument's default and meaning are said once, in its field's ``help``: ``scrapy crawl
related -h`` lists them (:func:`describe_arguments`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from newscrawl.scope import Scope
from newscrawl.sites import GENERIC, PROFILES, CrawlSites, PageKind, SiteProfile, crawl_sites
from newscrawl.urls import host_of, resolve

DEFAULT_MAX_DEPTH = 2
RENDER_MODES = ("never", "auto", "always")
HELP_WIDTH = 88
START_SECTIONS = "start"  # -a sections=start: the sections of the start pages


class ArgumentError(ValueError):
    """A spider argument with a wrong value; its message is one line for the user."""


# Arguments a scheduler adds to every run it starts, which the crawl does not use: Scrapyd's job
# id (``-a _job=…``).
PASSED_BY_SCHEDULERS = frozenset({"_job"})


def _help(value: str, shown: str, meaning: str) -> dict[str, str]:
    """What ``-h`` says of an argument: the value's form, its default, its meaning."""
    return {"value": value, "default": shown, "help": meaning}


@dataclass(frozen=True)
class CrawlArguments:
    start_urls: tuple[str, ...] = field(
        default=(),
        metadata=_help(
            "URL,...",
            "the front page and every section listing",
            "story or listing pages of the portal to start from",
        ),
    )
    max_depth: int = field(
        default=DEFAULT_MAX_DEPTH,
        metadata=_help(
            "N",
            str(DEFAULT_MAX_DEPTH),
            "related-headline hops followed from the stories given or listed (hop 0)",
        ),
    )
    since: date | None = field(
        default=None,
        metadata=_help(
            "YYYY-MM-DD", "none", "a story dated before this day is neither fetched nor emitted"
        ),
    )
    max_stories: int | None = field(
        default=None, metadata=_help("N", "none", "stop after exactly N stories")
    )
    max_listing_pages: int = field(
        default=1,
        metadata=_help("N", "1", "listing pages read per start listing (index2.html, ...)"),
    )
    site: str | None = field(
        default=None,
        metadata=_help(
            "NAME",
            "each start URL's host picks its profile",
            f"the site profile for every start URL ({', '.join(PROFILES)})",
        ),
    )
    render: str = field(
        default="never",
        metadata=_help("|".join(RENDER_MODES), "never", "which story pages go through Chromium"),
    )
    sections: frozenset[str] | None = field(
        default=None,
        metadata=_help(
            f"{START_SECTIONS}|NAME,...",
            "the whole portal",
            "stay within these sections (start: those of the start pages); a story or related "
            "headline elsewhere is not fetched: rejected outside_sections",
        ),
    )

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> CrawlArguments:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known - PASSED_BY_SCHEDULERS)
        if unknown:
            raise ArgumentError(
                f"unknown spider argument {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        site = str(raw["site"]).strip() if raw.get("site") not in (None, "") else None
        if site is not None and site not in PROFILES:
            raise ArgumentError(f"-a site={site}: unknown site (known: {', '.join(PROFILES)})")
        start_urls = _start_urls(raw, site)
        return cls(
            start_urls=start_urls,
            max_depth=_count(raw, "max_depth", DEFAULT_MAX_DEPTH),
            since=_date(raw.get("since")),
            max_stories=_count(raw, "max_stories", None, minimum=1),
            max_listing_pages=_count(raw, "max_listing_pages", 1, minimum=1),
            site=site,
            render=_choice(raw, "render", "never", RENDER_MODES),
            sections=_sections(raw.get("sections"), crawl_sites(start_urls, site), start_urls),
        )

    def starts(self) -> tuple[str, ...]:
        """The start pages: those given, or the profile's (with ``sections``, those of the
        front page and the listings of those sections)."""
        if self.start_urls:
            return self.start_urls
        profile = self.sites()
        if self.sections is None:
            return profile.start_urls
        return tuple(
            url
            for url in profile.start_urls
            if profile.section_of(url) is None or profile.section_of(url) in self.sections
        )

    def sites(self) -> CrawlSites:
        """The crawl's profiles: each start URL's host's, or ``site``'s for all."""
        return crawl_sites(self.start_urls, self.site)


def describe_arguments() -> list[str]:
    """What ``scrapy crawl related -h`` says of each ``-a`` argument, one entry per line."""
    lines = []
    for item in fields(CrawlArguments):
        lines.append(
            f"  -a {item.name}={item.metadata['value']}  (default: {item.metadata['default']})"
        )
        lines += textwrap.wrap(
            item.metadata["help"],
            width=HELP_WIDTH,
            initial_indent=" " * 6,
            subsequent_indent=" " * 6,
        )
    return lines


def _sections(
    value: Any, profile: SiteProfile, start_urls: tuple[str, ...]
) -> frozenset[str] | None:
    """``start``: the sections of the start pages; or named sections (checked against the
    ones the profile knows, and the start pages must lie in them)."""
    if value is None or str(value).strip() == "":
        return None
    names = [item.strip() for item in str(value).split(",") if item.strip()]
    if names == [START_SECTIONS]:
        starts = start_urls or profile.start_urls
        found = frozenset(s for s in map(profile.section_of, starts) if s is not None)
        if not found:
            raise ArgumentError(
                "-a sections=start: no start page lies in a section (the front page is in none)"
            )
        return found
    known = {name.lower(): name for name in profile.sections}
    chosen = []
    for name in names:
        if known and name.lower() not in known:
            raise ArgumentError(
                f"-a sections={value}: unknown section {name!r} "
                f"(known: {', '.join(profile.sections)}, or start)"
            )
        chosen.append(known.get(name.lower(), name))
    sections = frozenset(chosen)
    for url in start_urls:
        section = profile.section_of(url)
        if section is not None and section not in sections:
            raise ArgumentError(
                f"-a start_urls: {url} is in section {section}, outside -a sections={value}"
            )
    return sections


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
