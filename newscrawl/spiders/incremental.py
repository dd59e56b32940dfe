"""The spider's one question to the state of a scheduled crawl: request this story page?

With ``NEWSCRAWL_STATE``, a story page an earlier run emitted is not requested again unless it
is younger than ``NEWSCRAWL_REFRESH_HOURS`` or a listing shows it with a later time than the one
stored (see :meth:`newscrawl.state.store.StateStore.should_fetch`). Listing pages are always
requested. A story skipped this way is only *met* for the ledger, with the pending reason
``known``: if nothing in this run requests it after all (a listing met later may show a newer
time), it ends in the rejects file as ``rejected: known``.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from newscrawl.extensions.state import RunState
from newscrawl.outcomes import meet

KNOWN = "known"  # emitted by an earlier run and not requested again in this one


def skip_known_story(crawler: Crawler, url: str, listed_at: str | None = None) -> bool:
    """True when the state says this canonical story URL need not be requested now."""
    state = crawler.get_extension(RunState)
    if state is None or state.should_fetch(url, listed_at):
        return False
    meet(crawler, url, pending_reason=KNOWN)
    return True
