"""What a site profile is: everything the crawler knows about one portal.

The spider only navigates; it asks the profile what a URL is, what a page
links to and what story a page holds. Every method is a pure function of the
HTML and the URL, so a profile is tested against saved pages without Scrapy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import Enum
from typing import Any

from parsel import Selector

from newscrawl.extraction.feeds import FeedEntry


class PageKind(Enum):
    FRONT = "front"
    LISTING = "listing"
    STORY = "story"
    FEED = "feed"  # robots.txt, a sitemap, an RSS or Atom feed: read for story URLs
    OTHER = "other"


@dataclass
class StoryPage:
    """What one story page yields before it is merged with its later pages."""

    url: str
    title: str
    published_at: str
    section: str | None
    source: str | None
    editors: list[str]
    keywords: list[str]
    summary: str | None
    paragraphs: list[str]
    images: list[dict[str, Any]]
    related: list[dict[str, str]]
    # Which parts the profile's own selectors missed, and how they were found instead: a
    # layout miss (the health check counts them).
    fallbacks: dict[str, str] = field(default_factory=dict)
    # How other parts were found, when that is worth saying and is no miss (the generic
    # profile says it for every field; the portal's says ``published_at=url_day``).
    notes: dict[str, str] = field(default_factory=dict)
    # "profile": a site profile's selectors read the page; "generic": the generic machinery.
    kind: str = "profile"
    modified_at: str | None = None
    section_name: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None  # the page's own, where the profile reads it
    # The template has a related block but this page's is empty (maybe script-written).
    related_expected: bool = False
    has_scripts: bool = False

    @property
    def extraction(self) -> str:
        """``profile``; ``profile(published_at=url_day)``; ``fallback(body=…,title=h1)``;
        ``generic(body=trafilatura,published_at=json_ld,…)``."""
        parts = {**self.notes, **self.fallbacks}
        kind = "fallback" if self.fallbacks and self.kind == "profile" else self.kind
        if not parts:
            return kind
        listed = ",".join(f"{part}={how}" for part, how in sorted(parts.items()))
        return f"{kind}({listed})"

    @property
    def missed(self) -> bool:
        """Did the page miss its profile's layout? (see :meth:`SiteProfile.missed`)"""
        return bool(self.fallbacks)


@dataclass(frozen=True)
class NotAStory:
    """A page that yields no story, and why (``no_title``, ``no_body``, ``no_date`` …)."""

    reason: str
    details: dict[str, Any] = field(default_factory=dict)


class SiteProfile(ABC):
    """The interface a portal implements. One module per portal, registered in ``sites``."""

    name: str
    hosts: frozenset[str]
    start_urls: tuple[str, ...]
    language: str
    # Regular expressions of what this portal adds around its stories (see pipelines.clean):
    # whole body paragraphs that are not text, and sentences it glues into text.
    boilerplate_paragraphs: tuple[str, ...] = ()
    boilerplate_inline: tuple[str, ...] = ()
    # The sections its URLs name (``-a sections`` is checked against them); empty: any name.
    sections: tuple[str, ...] = ()

    @abstractmethod
    def classify(self, url: str) -> PageKind: ...

    @abstractmethod
    def canonical_url(self, url: str) -> str:
        """The one spelling of a URL that the crawl schedules and compares."""

    @abstractmethod
    def story_date(self, url: str) -> date | None:
        """The date a story URL carries, if any."""

    @abstractmethod
    def extract_story(
        self, page: Selector, url: str, now: datetime | None = None
    ) -> StoryPage | NotAStory:
        """The story part of one page; ``now``: when it was fetched (for ``il y a 3 heures``,
        and dates in its future, which are not dates); the current time by default."""

    def time_zone(self, url: str) -> tzinfo:
        """The zone of the times a page of ``url`` prints without an offset."""
        raise NotImplementedError

    def missed(self, page: StoryPage | NotAStory) -> bool:
        """Did this story page miss the profile (a sign its layout changed)? By default: a
        page whose fields came from fallbacks, or that yielded no body."""
        if isinstance(page, NotAStory):
            return page.reason == "no_body"
        return page.missed

    @abstractmethod
    def later_pages(self, page: Selector, url: str) -> list[str]:
        """URLs of a long story's later pages, in order (empty for a one-page story)."""

    @abstractmethod
    def listing_story_links(self, page: Selector, url: str) -> list[str]: ...

    @abstractmethod
    def listing_next_page(self, page: Selector, url: str) -> str | None: ...

    def section_of(self, url: str) -> str | None:
        """The section a story or listing URL lies in, as its URL names it (``-a sections``);
        None for a page in no section (the front page), or a portal whose URLs name none."""
        return None

    def feed_entries(self, body: bytes, url: str) -> list[FeedEntry]:
        """What a feed page (``PageKind.FEED``) lists: story URLs with their dates, and other
        feeds (a sitemap index's sitemaps, robots.txt's ``Sitemap:`` lines). None by default."""
        return []

    def listing_story_times(self, page: Selector, url: str) -> dict[str, str]:
        """When the listing shows each story as last updated: canonical URL -> ISO time.

        Scheduled crawls re-fetch a stored story whose listed time is later than the one
        stored. A portal whose listings show no times returns nothing (the default).
        """
        return {}
