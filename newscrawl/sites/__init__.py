"""The registry of site profiles: the one place a portal is added."""

from __future__ import annotations

from newscrawl.sites.base import NotAStory, PageKind, SiteProfile, StoryPage
from newscrawl.sites.peopledaily_fr import PeopleDailyFrench

__all__ = ["PROFILES", "NotAStory", "PageKind", "SiteProfile", "StoryPage", "get_profile"]


def _register(*profiles: SiteProfile) -> dict[str, SiteProfile]:
    registry: dict[str, SiteProfile] = {}
    for profile in profiles:
        if profile.name in registry:
            raise ValueError(f"site profile {profile.name!r} registered twice")
        registry[profile.name] = profile
    return registry


PROFILES: dict[str, SiteProfile] = _register(PeopleDailyFrench())
DEFAULT_SITE = "peopledaily_fr"


def get_profile(name: str) -> SiteProfile:
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown site {name!r} (known: {known})") from None
