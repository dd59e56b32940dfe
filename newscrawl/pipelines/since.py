"""``-a since=YYYY-MM-DD``, where a story's date is known: its ``published_at``.

The frontier already leaves unrequested the story URLs whose day (or listed time) is clearly
older; a story fetched anyway (its URL's day is within ``NEWSCRAWL_SINCE_URL_MARGIN_DAYS``, its
date line may be later) is judged here by the date line, before deduplication, so that an old
story neither is emitted nor enters the dedup index: rejected ``before_since``.
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
        if isinstance(item, Story) and date.fromisoformat(item.published_at[:10]) < self.since:
            raise StoryRejected(item.url, "before_since", published_at=item.published_at)
        return item
