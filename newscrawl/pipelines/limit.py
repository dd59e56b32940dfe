"""``-a max_stories=N``: exactly N stories, then the crawl closes.

Scrapy's CLOSESPIDER_ITEMCOUNT lets the stories already in flight through, so
the count would overshoot; this pipeline is last and rejects them instead.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected


class StoryLimitPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit: int | None = None
        self.emitted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoryLimitPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        args = getattr(self.crawler.spider, "args", None)
        self.limit = getattr(args, "max_stories", None)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story) or self.limit is None:
            return item
        if self.emitted >= self.limit:
            raise StoryRejected(item.url, "max_stories_reached", limit=self.limit)
        self.emitted += 1
        if self.emitted == self.limit:
            engine = self.crawler.engine
            assert engine is not None
            # Kept so the close is not garbage-collected before it runs.
            self._closing = deferred_from_coro(engine.close_spider_async(reason="max_stories"))
        return item
