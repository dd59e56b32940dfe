"""``-a since=YYYY-MM-DD``, where a story's date is known: the latest it shows (``modified_at``,
else ``published_at``).

The frontier already leaves unrequested the story URLs whose day (or listed time) is clearly
older; a story fetched anyway (its URL's day is within ``NEWSCRAWL_SINCE_URL_MARGIN_DAYS``, its
date line may be later) is judged here by the date line, before deduplication, so that an old
story neither is emitted nor enters the dedup index: rejected ``before_since``. A story
published before ``since`` and updated since is emitted (its URL's day is its publication, its
date line its update: the portal's story of 31/12 updated on 02/01).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected


class SincePipeline:
    def __init__(self, since: date) -> None:
        self.since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SincePipeline:
        since = getattr(getattr(crawler.spider, "args", None), "since", None)
        if since is None:
            raise NotConfigured  # no -a since (no warning: the usual case)
        return cls(since)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Story) and date.fromisoformat(item.last_dated()[:10]) < self.since:
            raise StoryRejected(
                item.url,
                "before_since",
                published_at=item.published_at,
                modified_at=item.modified_at,
            )
        return item
