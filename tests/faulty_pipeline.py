"""A pipeline with a bug, for the tests: it raises on every third story it is given."""

from __future__ import annotations

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
