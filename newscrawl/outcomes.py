"""Every URL a crawl meets ends as a story, a rejection or a failure.

The spider and the middlewares report what they reject or fail to fetch with
:func:`report`; a pipeline rejects a story by raising :class:`StoryRejected`. The
:class:`~newscrawl.extensions.ledger.OutcomeLedger` extension, the one place where a URL
ends, collects both and writes them beside the feed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from scrapy.exceptions import DropItem, IgnoreRequest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

Kind = Literal["rejected", "failed"]

# Signals. url_outcome: to the ledger, kwargs outcome (an Outcome). url_alias: from the
# ledger, kwargs url, final_url (a story URL that redirects: it ends as ``redirected``).
url_outcome = object()
url_alias = object()


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
