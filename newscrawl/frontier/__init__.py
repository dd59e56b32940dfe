"""The crawl's frontier: what it met, and what it has not finished (see ``book``)."""

from newscrawl.frontier.book import (
    BEYOND,
    ENDED,
    KNOWN,
    NOT_FETCHED,
    PENDING,
    SCHEDULED,
    Entry,
    Frontier,
    Met,
    Row,
    StoryRules,
    Visit,
)

__all__ = [
    "BEYOND",
    "ENDED",
    "KNOWN",
    "NOT_FETCHED",
    "PENDING",
    "SCHEDULED",
    "Entry",
    "Frontier",
    "Met",
    "Row",
    "StoryRules",
    "Visit",
]
