"""From the pages of one story to the Story item. Pure: no Scrapy engine involved.

A story split over several pages is read page by page: :class:`StoryAssembly` holds the pages
read so far and the URLs still to read, and gives the :class:`~newscrawl.items.Story` once the
last one is in. The spider only requests :attr:`StoryAssembly.next_url`; offline extraction
(``scrapy extract``) uses the same pieces on saved pages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from newscrawl.extraction.tree import page_selector
from newscrawl.items import Story
from newscrawl.sites.base import NotAStory, SiteProfile, StoryPage


def extract_page(
    profile: SiteProfile, html: str, url: str, now: datetime | None = None
) -> StoryPage | NotAStory:
    """One page's story part, from its decoded text (see :mod:`newscrawl.extraction.decode`)."""
    return profile.extract_story(page_selector(html), url, now)


@dataclass(frozen=True)
class StoryAssembly:
    """A story being read: its pages so far, in order, and the later pages still to read.

    Picklable (plain data), so a JOBDIR crawl keeps a half-read story on disk.
    """

    pages: tuple[StoryPage, ...]
    remaining: tuple[str, ...] = ()
    rendered: bool = False  # the first page went through the browser; so do the others
    skipped_pages: int = 0  # later pages past the page limit, never requested

    @classmethod
    def begin(
        cls, first: StoryPage, later: list[str], max_pages: int, rendered: bool = False
    ) -> StoryAssembly:
        """The first page read, ``later`` the URLs of the others (at most ``max_pages`` in all)."""
        keep = max(max_pages - 1, 0)
        return cls(
            (first,),
            tuple(later[:keep]),
            rendered=rendered,
            skipped_pages=max(len(later) - keep, 0),
        )

    @property
    def url(self) -> str:
        return self.pages[0].url

    @property
    def next_url(self) -> str | None:
        return self.remaining[0] if self.remaining else None

    def add(self, page: StoryPage) -> StoryAssembly:
        """The next page read."""
        return replace(self, pages=(*self.pages, page), remaining=self.remaining[1:])

    def story(self, site: str, language: str, crawled_at: str | None = None) -> Story:
        assert not self.remaining, "the story still has pages to read"
        return assemble_story(
            list(self.pages), site, language, crawled_at=crawled_at, rendered=self.rendered
        )


def assemble_story(
    pages: list[StoryPage],
    site: str,
    language: str,
    crawled_at: str | None = None,
    rendered: bool = False,
) -> Story:
    """One story from its first page and any later pages, in order.

    Title, date, metadata and related headlines come from the first page; the
    body and the pictures are all pages' together.
    """
    first = pages[0]
    paragraphs = [p for page in pages for p in page.paragraphs]
    images = [image for page in pages for image in page.images]
    body = "\n\n".join(paragraphs)
    extraction = first.extraction
    fallback_pages = [p for p in pages[1:] if p.fallbacks]
    if fallback_pages and not first.fallbacks:
        extraction = fallback_pages[0].extraction
    if rendered:
        extraction += "+rendered"
    return Story(
        url=first.url,
        title=first.title,
        published_at=first.published_at,
        modified_at=first.modified_at,
        section=first.section,
        section_name=first.section_name,
        source=first.source,
        authors=first.authors,
        editors=first.editors,
        keywords=first.keywords,
        summary=first.summary,
        body=body,
        images=images,
        related=first.related,
        language=first.language or language,
        site=site,
        word_count=len(body.split()),
        extraction=extraction,
        crawled_at=crawled_at or utc_now_iso(),
    )


def utc_now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
