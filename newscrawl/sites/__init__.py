"""The registry of site profiles: the one place a portal is added, found by its hosts.

A URL's host picks its profile (:func:`profile_for_host`: a registered profile claims its hosts
and their ``www.``/bare twins); a host no profile claims gets the generic profile
(:mod:`newscrawl.sites.generic`). ``-a site=NAME`` forces one for every start URL. A crawl's
profiles, one per site it starts from, are a :class:`CrawlSites`.
"""

from __future__ import annotations

from newscrawl.sites.base import FeedEntry, NotAStory, PageKind, SiteProfile, StoryPage
from newscrawl.sites.crawl import CrawlSites
from newscrawl.sites.generic import GenericSite, twins
from newscrawl.sites.peopledaily_fr import PeopleDailyFrench

__all__ = [
    "DEFAULT_SITE",
    "GENERIC",
    "PROFILES",
    "CrawlSites",
    "FeedEntry",
    "GenericSite",
    "NotAStory",
    "PageKind",
    "SiteProfile",
    "StoryPage",
    "crawl_sites",
    "get_profile",
    "profile_for_host",
]

GENERIC = "generic"
DEFAULT_SITE = "peopledaily_fr"  # the site a crawl without start URLs crawls


def _register(*profiles: SiteProfile) -> tuple[dict[str, SiteProfile], dict[str, SiteProfile]]:
    by_name: dict[str, SiteProfile] = {}
    by_host: dict[str, SiteProfile] = {}
    for profile in profiles:
        if profile.name in by_name:
            raise ValueError(f"site profile {profile.name!r} registered twice")
        by_name[profile.name] = profile
        for claimed in {h for host in profile.hosts for h in twins(host)}:
            if claimed in by_host:
                other = by_host[claimed].name
                raise ValueError(f"host {claimed} claimed by {other} and {profile.name}")
            by_host[claimed] = profile
    return by_name, by_host


PROFILES, _BY_HOST = _register(PeopleDailyFrench(), GenericSite())


def get_profile(name: str) -> SiteProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown site {name!r} (known: {known})") from None


def profile_for_host(host: str) -> SiteProfile | None:
    """The registered profile that claims ``host`` (or its www./bare twin); None if none."""
    return _BY_HOST.get(host.lower().rstrip("."))


def crawl_sites(start_urls: tuple[str, ...], site: str | None = None) -> CrawlSites:
    """The profiles of a crawl of ``start_urls``: each URL's by its host, the generic one for
    the hosts no profile claims; all of them ``site``'s when it is given."""
    from newscrawl.urls import host_of

    if not start_urls:
        return CrawlSites((get_profile(site or DEFAULT_SITE),))
    if site == GENERIC:
        return CrawlSites((GenericSite.for_hosts({host_of(u) for u in start_urls}),))
    if site is not None:
        return CrawlSites((get_profile(site),))
    profiles: list[SiteProfile] = []
    unclaimed: set[str] = set()
    for url in start_urls:
        profile = profile_for_host(host_of(url))
        if profile is None:
            unclaimed.add(host_of(url))
        elif profile not in profiles:
            profiles.append(profile)
    if unclaimed:
        profiles.append(GenericSite.for_hosts(unclaimed))
    return CrawlSites(tuple(profiles))
