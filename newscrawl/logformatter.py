"""Log lines a person reads: a dropped story is one line, never the whole story.

Scrapy's ``LogFormatter`` logs a dropped item as its exception followed by the item itself: for
a story, its whole body, at every duplicate (a 5,000-story crawl wrote a 2.5 MB log of them).
Here a dropped story is one line, at the level its exception asks for (INFO for a pipeline's
:class:`~newscrawl.outcomes.StoryRejected`): its URL, the reason, what it duplicates:

    Dropped story http://…/c31356-9500105.html: near_duplicate of http://…/c96852-9500108.html
    (similarity 0.983)

The rejects file keeps every detail. A story whose processing raised is named by its URL too.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

DETAIL_CHARS = 200  # a detail longer than this is cut in the log (the rejects file has it all)


class StoryLogFormatter(LogFormatter):
    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {
            "level": result["level"],
            "msg": "Dropped story %(url)s: %(why)s",
            "args": {"url": _url_of(item), "why": why_dropped(exception)},
        }

    def item_error(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        return {
            "level": result["level"],
            "msg": "Error processing story %(url)s",
            "args": {"url": _url_of(item)},
        }


def why_dropped(exception: BaseException) -> str:
    """``near_duplicate of URL (similarity 0.983)``, ``no_body``, ``invalid (check: …)``."""
    outcome = getattr(exception, "outcome", None)
    if outcome is None:
        return _cut(str(exception)) or type(exception).__name__
    details = dict(outcome.details)
    words = outcome.reason
    duplicate_of = details.pop("duplicate_of", None)
    if duplicate_of:
        words += f" of {duplicate_of}"
    if details:
        words += " (" + ", ".join(f"{k} {_cut(str(v))}" for k, v in details.items()) + ")"
    return words


def _url_of(item: Any) -> str:
    url = getattr(item, "url", None)
    if url is None and isinstance(item, dict):
        url = item.get("url")
    return str(url or "(no URL)")


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"
