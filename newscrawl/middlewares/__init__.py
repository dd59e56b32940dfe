"""Downloader middlewares: what may be requested (scope) and what a response really is (content)."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest


class Refused(IgnoreRequest):
    """A request or response the crawl refuses, with the reason word the rejects file shows."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(f"{reason} {details or ''}".rstrip())
        self.reason = reason
        self.details = details
