"""A crawl's site profiles: each URL is asked of the profile of its host.

The spider, the frontier's rules, the scope and redirect guards and the render middleware all
ask one object what a URL is and what a page holds; for a crawl of several sites that object is
a :class:`CrawlSites`, which answers with the profile of the URL's host (a URL of none of the
crawl's hosts is ``OTHER``, its canonical spelling itself without fragment).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from parsel import Selector

from newscrawl.sites.base import FeedEntry, NotAStory, PageKind, SiteProfile, StoryPage
from newscrawl.urls import host_of, without_fragment


class CrawlSites(SiteProfile):
    language = "fr"
    start_urls: tuple[str, ...] = ()

    def __init__(self, profiles: tuple[SiteProfile, ...]) -> None:
        if not profiles:
            raise ValueError("a crawl needs a site profile")
        self.profiles = profiles
        self.name = "+".join(p.name for p in profiles)
        self.hosts = frozenset(h for p in profiles for h in p.hosts)
        self.start_urls = tuple(u for p in profiles for u in p.start_urls)
        self._by_host = {h: p for p in profiles for h in p.hosts}
        self.sections = tuple(dict.fromkeys(s for p in profiles for s in p.sections))

    def profile_for(self, url: str) -> SiteProfile | None:
        return self._by_host.get(host_of(url))

    def names(self) -> list[str]:
        return [p.name for p in self.profiles]

    # --- each URL to its profile -------------------------------------------------------------

    def classify(self, url: str) -> PageKind:
        profile = self.profile_for(url)
        return profile.classify(url) if profile else PageKind.OTHER

    def canonical_url(self, url: str) -> str:
        profile = self.profile_for(url)
        return profile.canonical_url(url) if profile else without_fragment(url)

    def story_date(self, url: str) -> date | None:
        profile = self.profile_for(url)
        return profile.story_date(url) if profile else None

    def time_zone(self, url: str) -> tzinfo:
        return self._profile(url).time_zone(url)

    def extract_story(
        self, page: Selector, url: str, now: datetime | None = None
    ) -> StoryPage | NotAStory:
        return self._profile(url).extract_story(page, url, now)

    def later_pages(self, page: Selector, url: str) -> list[str]:
        return self._profile(url).later_pages(page, url)

    def listing_story_links(self, page: Selector, url: str) -> list[str]:
        return self._profile(url).listing_story_links(page, url)

    def listing_next_page(self, page: Selector, url: str) -> str | None:
        return self._profile(url).listing_next_page(page, url)

    def listing_story_times(self, page: Selector, url: str) -> dict[str, str]:
        return self._profile(url).listing_story_times(page, url)

    def feed_entries(self, body: bytes, url: str) -> list[FeedEntry]:
        return self._profile(url).feed_entries(body, url)

    def missed_at(self, url: str, page: StoryPage | NotAStory) -> bool:
        return self._profile(url).missed(page)

    def _profile(self, url: str) -> SiteProfile:
        profile = self.profile_for(url)
        if profile is not None:
            return profile
        from newscrawl.sites.generic import GenericSite  # a page of no crawl host: as any site

        return GenericSite.for_hosts({host_of(url)})

    # --- sections (-a sections) ---------------------------------------------------------------

    def section_of(self, url: str) -> str | None:
        profile = self.profile_for(url)
        return profile.section_of(url) if profile else None
