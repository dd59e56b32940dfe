"""A saved page, read as a crawl reads it: the story it yields, or why it yields none.

``scrapy extract`` and the real-pages corpus use this one function, so what they say is what a
crawl would emit for that page: the same decoder (:func:`newscrawl.extraction.decode.
decode_page`), the same profile (the URL's host picks it, or ``site`` forces one, as
``-a site`` does), the same cleaning and validation (:mod:`newscrawl.pipelines.clean`,
:mod:`newscrawl.pipelines.validate`) and the same ``story_id``. What a single saved page
cannot show: deduplication against other stories and a state's revisions (``revision`` is 1),
and a long story's later pages (the page is read as the whole story, and ``extraction`` ends
with ``+first_page_of_N`` when the page links later ones).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from newscrawl.extraction.decode import decode_page
from newscrawl.extraction.story import assemble_story
from newscrawl.extraction.tree import page_selector
from newscrawl.outcomes import StoryRejected, failed, rejected
from newscrawl.pipelines.clean import CleanConfig, Mojibake, clean_story
from newscrawl.pipelines.dedup import STORY_ID_HEX_DIGITS
from newscrawl.pipelines.validate import ValidateConfig, check_story
from newscrawl.sites import NotAStory, crawl_sites
from newscrawl.text import body_fingerprint


@dataclasses.dataclass(frozen=True)
class OfflineConfig:
    clean: CleanConfig = dataclasses.field(default_factory=CleanConfig)
    validate: ValidateConfig = dataclasses.field(default_factory=ValidateConfig)


def extract_saved(
    body: bytes,
    url: str,
    site: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
    config: OfflineConfig | None = None,
) -> dict[str, Any]:
    """The story (a dict, as one JSONL line of a crawl's feed) or the rejection (as one line
    of its rejects file: ``url``, ``outcome``, ``reason``, ``details``)."""
    config = config or OfflineConfig()
    sites = crawl_sites((url,), site)
    canonical = sites.canonical_url(url)
    page = decode_page(body, content_type or "text/html")
    if page.kind == "empty":
        return failed(canonical, "empty_body").to_dict()
    if page.kind != "html":
        return rejected(canonical, "not_html", content_type=content_type or "").to_dict()
    selector = page_selector(page.text or "<html></html>")
    extracted = sites.extract_story(selector, url, now)
    if isinstance(extracted, NotAStory):
        return rejected(canonical, extracted.reason, **extracted.details).to_dict()
    profile = sites.profile_for(url) or sites
    story = assemble_story([extracted], profile.name, profile.language)
    try:
        story = clean_story(story, config.clean)
    except Mojibake as garbled:
        return rejected(story.url, "mojibake", field=garbled.field, sample=garbled.sample).to_dict()
    try:
        check_story(story, config.validate)
    except StoryRejected as rejection:
        return rejection.outcome.to_dict()
    later = sites.later_pages(selector, url)
    story = dataclasses.replace(story, story_id=body_fingerprint(story.body)[:STORY_ID_HEX_DIGITS])
    result = dataclasses.asdict(story)
    if later:  # a crawl would read them too; a saved page is only itself
        result["extraction"] += f"+first_page_of_{len(later) + 1}"
    return result
