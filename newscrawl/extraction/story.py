"""From the pages of one story to the Story item. Pure: no Scrapy engine involved."""

from __future__ import annotations

from datetime import UTC, datetime

from parsel import Selector
from w3lib.encoding import html_to_unicode

from newscrawl.items import Story
from newscrawl.sites.base import NotAStory, SiteProfile, StoryPage


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page the way a browser would: HTTP header, then BOM, then ``<meta>`` charset.

    Old portal pages are ISO-8859-1 and say so only in a ``<meta>`` tag.
    """
    _, text = html_to_unicode(content_type, body)
    return text


def extract_page(profile: SiteProfile, html: str, url: str) -> StoryPage | NotAStory:
    return profile.extract_story(Selector(text=html), url)


def assemble_story(
    pages: list[StoryPage], language: str, crawled_at: str | None = None, rendered: bool = False
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
        section=first.section,
        source=first.source,
        editors=first.editors,
        keywords=first.keywords,
        summary=first.summary,
        body=body,
        images=images,
        related=first.related,
        language=language,
        word_count=len(body.split()),
        extraction=extraction,
        crawled_at=crawled_at or utc_now_iso(),
    )


def utc_now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
