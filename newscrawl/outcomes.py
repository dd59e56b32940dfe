"""Every URL a crawl meets ends as a story, a rejection or a failure.

The spider reports what it rejects or fails to fetch with :func:`report`;
a pipeline rejects a story by raising :class:`StoryRejected`. The
:class:`~newscrawl.extensions.ledger.OutcomeLedger` extension collects both
and writes them beside the feed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from scrapy.exceptions import DropItem, IgnoreRequest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

Kind = Literal["rejected", "failed"]

# Signals sent by the spider to the ledger.
url_met = object()  # kwargs: url, pending_reason (the rejection it gets if never resolved)
url_outcome = object()  # kwargs: outcome (an Outcome)
url_alias = object()  # kwargs: url, final_url (a redirect: the URL ends as final_url ends)


@dataclass(frozen=True)
class Outcome:
    """Why a URL did not become a story."""

    url: str
    outcome: Kind
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def rejected(url: str, reason: str, **details: Any) -> Outcome:
    return Outcome(url, "rejected", reason, details)


def failed(url: str, reason: str, **details: Any) -> Outcome:
    return Outcome(url, "failed", reason, details)


def report(crawler: Crawler, outcome: Outcome) -> None:
    """Hand an outcome to the ledger (a no-op if no ledger is enabled)."""
    crawler.signals.send_catch_log(signal=url_outcome, outcome=outcome)


def meet(crawler: Crawler, url: str, pending_reason: str = "not_fetched") -> None:
    """Tell the ledger a story URL was met; it must end as a story, a rejection or a failure."""
    crawler.signals.send_catch_log(signal=url_met, url=url, pending_reason=pending_reason)


def alias(crawler: Crawler, url: str, final_url: str) -> None:
    crawler.signals.send_catch_log(signal=url_alias, url=url, final_url=final_url)


class StoryRejected(DropItem):
    """Raised by a pipeline: the story is not emitted, and this says why.

    ``reason`` is a short machine-readable word (``duplicate``,
    ``near_duplicate``, ``invalid``, ``no_body`` …); ``details`` go to the
    rejects file as they are (``duplicate_of``, ``similarity``, ``check`` …).
    """

    def __init__(self, url: str, reason: str, **details: Any) -> None:
        super().__init__(f"{reason}: {url} {details or ''}".rstrip(), log_level="INFO")
        self.outcome = rejected(url, reason, **details)


class Refused(IgnoreRequest):
    """A request or response the crawl refuses (a downloader middleware raises it), with the
    reason word the rejects file shows."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(f"{reason} {details or ''}".rstrip())
        self.reason = reason
        self.details = details
