"""The outcome ledger: the one place where every story URL a crawl meets ends, once.

It keeps the crawl's :class:`~newscrawl.frontier.Frontier` (what was met and is not finished),
built when the spider opens, with the state's durable store when there is one. A URL ends
here, and only here:

- as a story: Scrapy's ``item_scraped`` (the feed has it);
- as a rejection or a failure: the spider's and the middlewares' :func:`~newscrawl.outcomes.report`
  (``url_outcome``), a pipeline's :class:`~newscrawl.outcomes.StoryRejected`, a redirect
  (:meth:`OutcomeLedger.redirected`: the old URL ends ``redirected``, its story is filed under
  the final URL), or the close: a URL still unended then gets the reason it was left with
  (``not_fetched``, ``beyond_max_depth``, ``known``).

The first end wins; a second one for the same URL is ignored. Rejections and failures go to
the run folder's ``rejects.jsonl`` (line-buffered), counts to Scrapy's stats under
``newscrawl/``, and the run closes with one summary line. Scrapy's ``request_dropped`` is no
end by itself: a story request the duplicate filter drops was asked for under the same URL
before (by an earlier part of a JOBDIR crawl), and that request ends it.

Ends a later run must not redo (rejections, failures) are written to the durable frontier;
ends it must redo (``not_fetched``: the run stopped first) are not, so the next run takes them
up; a story's end is its feed line, which the state reads back.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from newscrawl import coverage, machinery
from newscrawl.config import config_of
from newscrawl.distributed import frontier_for, state_for
from newscrawl.exporters import json_line
from newscrawl.extensions.feeds import OUTPUT_FOLDER, local_feed_paths, open_run
from newscrawl.extensions.state import RunState
from newscrawl.frontier import NOT_FETCHED, Frontier, Met, StoryRules
from newscrawl.hints import hints_of
from newscrawl.items import Story
from newscrawl.outcomes import Outcome, StoryRejected, failed, rejected, url_alias, url_outcome
from newscrawl.sites import PageKind
from newscrawl.state.records import StoryState

logger = logging.getLogger(__name__)
# Rejections that do not end a URL for the next run: the run stopped before it was done.
CARRIED_OVER = frozenset({NOT_FETCHED, "not_emitted", "max_stories_reached"})
HOPS_STAT = "newscrawl/hops/"  # stories emitted per hop: newscrawl/hops/0, …/1 …


class OutcomeLedger:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.feeds = dict(crawler.settings.getdict("FEEDS"))
        self.frontier = Frontier(_NoRules())  # replaced when the spider opens
        self.counts: Counter[tuple[str, str]] = Counter()
        self.path: Path | None = None
        self._file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutcomeLedger:
        ledger = cls(crawler)
        for handler, signal in (
            (ledger.spider_opened, signals.spider_opened),
            (ledger.spider_closed, signals.spider_closed),
            (ledger.item_scraped, signals.item_scraped),
            (ledger.item_dropped, signals.item_dropped),
            (ledger.item_error, signals.item_error),
            (ledger.response_received, signals.response_received),
            (ledger.request_dropped, signals.request_dropped),
            (ledger.record, url_outcome),
        ):
            crawler.signals.connect(handler, signal=signal)
        return ledger

    # --- open -----------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        if hasattr(spider, "profile"):  # a helper spider of the tests meets no story links
            rules = story_rules(spider, state_for(self.crawler), self.crawler)
            run_state = self.crawler.get_extension(RunState)  # SQLite: the frontier's store too
            store = run_state.store if run_state else None
            self.frontier = frontier_for(self.crawler, rules, store)
        run = open_run(self.crawler)
        paths = local_feed_paths(self.feeds, run.uri_params(spider.name))
        self.path = run.rejects
        try:
            for folder in {p.parent for p in paths}:
                _writable_folder(folder)  # an -o/-O feed elsewhere: can it be written?
            # Line-buffered: a killed run keeps every rejection it had written.
            self._file = self.path.open("w", encoding="utf-8", buffering=1)
        except OSError as error:
            machinery.fail(self.crawler, OUTPUT_FOLDER, error)
            raise CloseSpider(machinery.CLOSE_REASON) from error
        self.stats.set_value("newscrawl/run_folder", str(run.path))  # type: ignore[union-attr]
        self.stats.set_value("newscrawl/rejects_file", str(self.path))  # type: ignore[union-attr]

    def take_up(self) -> Met:
        """What the last run on the state left unended (see Frontier.take_up)."""
        met = self.frontier.take_up()
        if met.visits:
            logger.info("newscrawl: taking up %d story URLs the last run left", len(met.visits))
        self.stats.set_value("newscrawl/frontier/taken_up", len(met.visits))  # type: ignore[union-attr]
        return met

    # --- ends -----------------------------------------------------------------------------

    def record(self, outcome: Outcome) -> None:
        try:
            first = self.frontier.end(outcome.url, durable=outcome.reason not in CARRIED_OVER)
        except OSError as error:  # the frontier's spill file: TMPDIR full or gone
            machinery.fail(self.crawler, machinery.temporary_files(), error)
            first = True  # written to the rejects file all the same: the run stops, it is kept
        if not first:
            return  # first end wins: a URL ends once
        self.counts[(outcome.outcome, outcome.reason)] += 1
        assert self.stats is not None
        self.stats.inc_value(f"newscrawl/{outcome.outcome}/{outcome.reason}")
        self.stats.inc_value(f"newscrawl/{outcome.outcome}")
        if self._file is None:
            return
        try:
            self._file.write(json_line(outcome.to_dict()))
        except (OSError, ValueError) as error:
            self._file = None
            machinery.fail(self.crawler, f"the rejects file {self.path}", error)

    def redirected(self, url: str, target: str, fetched: bool = False) -> bool:
        """``url`` (a story request) redirects to ``target`` (canonical): ``url`` ends as
        ``redirected``, its story is ``target``'s. True when the redirect is to be followed:
        ``target`` was not met before and is to be fetched; False when it was met already
        (its own request ends it) or ends at once (off the portal, known …). ``fetched``: the
        page at ``target`` is already here (the end of a chain), so only "met before" counts."""
        hop = self.frontier.hop(url) or 0
        if fetched:
            follow = self.frontier.claim(target, hop, via=url)
        else:
            met = self.frontier.meet(target, hop, via=url)
            for outcome in met.outcomes:
                self.record(outcome)
            follow = any(visit.url == target for visit in met.visits)
        self.record(rejected(url, "redirected", final_url=target))
        self.crawler.signals.send_catch_log(signal=url_alias, url=url, final_url=target)
        return follow

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, Story):
            return
        if machinery.failed(self.crawler):  # nothing is written once the run has failed
            self.record(rejected(item.url, "not_emitted", because=machinery.CLOSE_REASON))
            return
        try:
            if not self.frontier.emitted(item.url, item):  # the feed line is the record
                return
        except OSError as error:  # the feed line is written: the story counts, the run stops
            machinery.fail(self.crawler, machinery.temporary_files(), error)
        self.counts[("story", "")] += 1
        self.stats.inc_value("newscrawl/stories")  # type: ignore[union-attr]
        # What the story carries, and the hop it was found at (the report's figures).
        coverage.count(self.stats, item)
        self.stats.inc_value(f"{HOPS_STAT}{self.frontier.hop(item.url) or 0}")  # type: ignore[union-attr]

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, StoryRejected):
            self.record(exception.outcome)
        else:
            url = getattr(item, "url", None) or "?"
            self.record(rejected(url, "dropped", message=str(exception)[:300]))

    def item_error(self, item: Any, response: Any, failure: Any) -> None:
        """A pipeline raised what no pipeline means to (a bug): the story ends as a failure
        with the error, as a page whose extraction raised does, instead of staying unended
        (a shared crawl would wait for it for ever; a run of one would close calling it
        not fetched)."""
        url = getattr(item, "url", None) or getattr(response, "url", None) or "?"
        exception = failure.value
        error = f"{type(exception).__name__}: {exception}"[:300]
        self.record(failed(url, "pipeline_error", error=error))

    def request_dropped(self, request: Any) -> None:
        """Not an end (see the module's docstring); a start page dropped yields nothing."""
        assert self.stats is not None
        if request.meta.get("start_page"):
            self.stats.inc_value("newscrawl/start_pages/failed")
        self.stats.inc_value("newscrawl/requests_dropped")

    def response_received(self, response: Any) -> None:
        assert self.stats is not None
        self.stats.inc_value("newscrawl/responses/total")
        if response.status >= 400:
            self.stats.inc_value("newscrawl/responses/error")

    # --- close ----------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for url, entry in list(self.frontier.unended()):
            # Only a URL the crawl meant to fetch was cut short by the close.
            details = {"close_reason": reason} if entry.pending == NOT_FETCHED else {}
            self.record(rejected(url, entry.pending, **details))
        try:
            self.frontier.flush()
        except Exception as error:
            machinery.fail(self.crawler, "the state's frontier", error)
        self._close_file()
        line = self.summary()
        assert self.stats is not None
        self.stats.set_value("newscrawl/summary", line)
        logger.warning(line)

    def _close_file(self) -> None:
        if self._file is None:
            return
        try:
            self._file.close()
        except OSError as error:
            machinery.fail(self.crawler, f"the rejects file {self.path}", error)
        self._file = None

    def summary(self) -> str:
        assert self.stats is not None
        stories = f"{self.counts[('story', '')]} stories"
        new = self.stats.get_value("newscrawl/stories/new")
        revised = self.stats.get_value("newscrawl/stories/revised")
        if new is not None or revised is not None:  # an incremental run: which are revisions
            stories += f" ({new or 0} new, {revised or 0} revised)"
        requests = self.stats.get_value("downloader/request_count", 0)
        hints = "".join(f"; hint: {hint}" for hint in hints_of(self.stats.get_stats()))
        return (
            f"newscrawl summary: {stories}; {_by_reason(self.counts, 'rejected')}; "
            f"{_by_reason(self.counts, 'failed')}; {requests} requests{hints}"
        )


def story_rules(spider: Any, state: StoryState | None, crawler: Crawler) -> StoryRules:
    """The frontier's rules for this crawl: the spider's scope, profile and arguments."""
    profile, args = spider.profile, spider.args
    return StoryRules(
        canonical_url=profile.canonical_url,
        refusal=spider.scope.refusal,
        is_story=lambda url: profile.classify(url) is PageKind.STORY,
        story_date=profile.story_date,
        max_depth=args.max_depth,
        since=args.since,
        since_url_margin_days=config_of(crawler).limits.since_url_margin_days,
        wanted_by_state=state.should_fetch if state is not None else None,
        sections=args.sections,
        section_of=profile.section_of,
    )


class _NoRules:
    """Before the spider opens, nothing is met."""

    max_depth = 0

    def canonical(self, url: str) -> str:
        return url

    def rejection(self, url: str, listed_at: str | None) -> tuple[str, dict[str, Any]] | None:
        return None

    def wanted(self, url: str, listed_at: str | None) -> bool:
        return False


def _writable_folder(folder: Path) -> None:
    """Made if need be, and a file written in it: what the OS says if not (read-only …)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder):
        pass


def _by_reason(counts: Counter[tuple[str, str]], kind: str) -> str:
    reasons = {reason: n for (k, reason), n in counts.items() if k == kind}
    total = sum(reasons.values())
    if not total:
        return f"{kind} 0"
    parts = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    return f"{kind} {total} ({parts})"
