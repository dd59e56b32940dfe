"""A spider middleware: a page whose handling raised still ends with a reason.

Extraction is fuzzed and should never raise; if a page still finds a way, the story URL ends as
a failure ``extraction_error`` (with the exception in the details) instead of staying
unresolved, and the crawl goes on. HTTP errors are left to their own handling.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawl.outcomes import failed, report


class PageErrors:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageErrors:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: Exception
    ) -> Iterable[Any] | None:
        if isinstance(exception, HttpError):
            return None
        url = response.meta.get("story_url") or response.url
        error = f"{type(exception).__name__}: {exception}"[:300]
        report(self.crawler, failed(url, "extraction_error", page=response.url, error=error))
        return []
