"""Pipelines with a bug, for the tests: on every third story, or on the stories named."""

from __future__ import annotations

import json
from typing import Any

from newscrawl.items import Story


class FaultyPipeline:
    def __init__(self) -> None:
        self.seen = 0

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Story):
            self.seen += 1
            if self.seen % 3 == 0:
                raise KeyError(f"a bug met at {item.url}")
        return item


class FailingPipeline:
    """Raises on the stories whose URLs the ``TEST_FAIL_URLS`` setting lists (a JSON list)."""

    def __init__(self, urls: set[str]) -> None:
        self.urls = urls

    @classmethod
    def from_crawler(cls, crawler: Any) -> FailingPipeline:
        return cls(set(json.loads(crawler.settings.get("TEST_FAIL_URLS", "[]"))))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Story) and item.url in self.urls:
            raise KeyError(f"a bug met at {item.url}")
        return item
