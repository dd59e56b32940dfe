"""The worker pool (newscrawl.workers) without the engine: what a worker gives is what the
engine's own process computes, and a worker that dies loses no call."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newscrawl.extraction.story import StoryAssembly
from newscrawl.pipelines.clean import CleanConfig, clean_story
from newscrawl.pipelines.dedup import DedupConfig, DedupIndex
from newscrawl.pipelines.validate import ValidateConfig
from newscrawl.sites import StoryPage, crawl_sites
from newscrawl.workers import Workers

FIXTURES = Path(__file__).parent / "fixtures" / "peopledaily_fr"
STORY_URL = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"
NOW = datetime(2021, 12, 28, tzinfo=UTC)


def workers(count: int = 1) -> Workers:
    sites = crawl_sites(())
    return Workers(count, (sites, DedupConfig(), CleanConfig(), ValidateConfig()))


def in_this_process(html: str):
    sites = crawl_sites(())
    from newscrawl.extraction.story import extract_page

    page = extract_page(sites, html, STORY_URL, NOW)
    assert isinstance(page, StoryPage)
    story = StoryAssembly.begin(page, [], 20).story(sites.name, sites.language)
    return page, clean_story(story, CleanConfig())


def _without_time(story) -> dict:
    return {k: v for k, v in dataclasses.asdict(story).items() if k != "crawled_at"}


def test_a_worker_gives_the_page_and_its_story_cleaned_checked_and_sketched_as_here():
    html = (FIXTURES / "story.html").read_text(encoding="utf-8")
    expected_page, expected_story = in_this_process(html)
    pool = workers()

    async def ask():
        try:
            return await pool.extract(STORY_URL, html, NOW, (20, False))
        finally:
            pool.stop()

    page, later, prepared = asyncio.run(ask())
    assert page == expected_page and later == []
    assert prepared is not None and prepared.valid
    assert _without_time(prepared.story) == _without_time(expected_story)
    fingerprint, minhash, shingles = prepared.sketch
    here = DedupIndex(DedupConfig()).sketch(expected_story.body)
    assert fingerprint == here.fingerprint
    assert list(minhash) == list(here.minhash.hashvalues)
    assert list(shingles) == list(here.shingle_hashes)
    # The pipelines find the work done for that very story, and only for it.
    assert pool.validated(prepared.story) and pool.cleaned(prepared.story)
    assert pool.sketched(STORY_URL, prepared.story.body + " ") is None
    other = dataclasses.replace(prepared.story, title="Autre")
    assert not pool.cleaned(other)


@pytest.mark.parametrize(
    ("fixture", "url", "counts"),
    [
        (
            "section.html",
            "http://french.peopledaily.com.cn/International/",
            (6, 6, "http://french.peopledaily.com.cn/International/index2.html"),
        ),
        ("home.html", "http://french.peopledaily.com.cn/", (6, 0, None)),  # no times shown
        ("story.html", STORY_URL, (12, 0, None)),  # a story page read as a listing: its links
    ],
)
def test_a_worker_reads_a_listing_as_the_spider_reads_it_here(fixture: str, url: str, counts):
    from newscrawl.spiders.related import page_of_html
    from newscrawl.workers import read_listing

    html = (FIXTURES / fixture).read_text(encoding="utf-8")
    sites = crawl_sites(())
    here = read_listing(sites, page_of_html(html), url)
    pool = workers()

    async def ask():
        try:
            return await pool.listing(url, html)
        finally:
            pool.stop()

    links, times, next_page = asyncio.run(ask())
    assert (links, times, next_page) == here
    assert (len(links), len(times), next_page) == counts


def test_a_worker_that_dies_loses_no_call_and_the_rest_run_here(caplog):
    html = (FIXTURES / "story.html").read_text(encoding="utf-8")
    expected_page, _ = in_this_process(html)
    pool = workers(count=2)

    async def ask():
        try:
            await pool.sketch("premier texte")  # the workers are started
            for worker in pool._processes or []:
                worker.process.kill()
            answers = await asyncio.gather(
                *(pool.extract(STORY_URL, html, NOW, None) for _ in range(5))
            )
            return answers, await pool.sketch("un texte de quelques mots")
        finally:
            pool.stop()

    with caplog.at_level(logging.ERROR, logger="newscrawl.workers"):
        answers, sketch = asyncio.run(ask())
    assert [page for page, _, _ in answers] == [expected_page] * 5
    assert sketch[0] == DedupIndex(DedupConfig()).sketch("un texte de quelques mots").fingerprint
    assert pool.broken
    died = [r for r in caplog.records if "worker process died" in r.getMessage()]
    assert len(died) == 1


def test_an_error_in_a_worker_reaches_the_caller():
    pool = workers()

    async def ask():
        try:
            return await pool.clean(None)  # not a story: clean_story fails
        finally:
            pool.stop()

    with pytest.raises(AttributeError):
        asyncio.run(ask())
    assert not pool.broken


def test_workers_started_with_the_crawl_are_up_before_the_first_story_page():
    """start() (the spider's, as the crawl starts) spawns the processes at once: the first
    story page finds them running, and a call goes to them, not to the engine's process."""
    html = (FIXTURES / "story.html").read_text(encoding="utf-8")
    pool = workers()

    async def ask():
        pool.start()
        try:
            processes = [worker.process for worker in pool._processes or []]
            assert len(processes) == 1 and processes[0].is_alive()
            answered = await pool.extract(STORY_URL, html, NOW, (20, False))
            assert [worker.process for worker in pool._processes or []] == processes
            return answered
        finally:
            pool.stop()

    page, _, prepared = asyncio.run(ask())
    assert isinstance(page, StoryPage) and prepared is not None and not pool.broken
    pool.start()  # stopped: starts nothing again
    assert all(not worker.process.is_alive() for worker in pool._processes or [])


def test_a_worker_that_cannot_start_leaves_the_crawl_to_the_engines_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No process to be had (a process limit, a broken install): one error line, and every
    call is answered here, as when a worker dies."""
    import multiprocessing.context

    def refuse(self: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.ForkServerProcess, "start", refuse)
    html = (FIXTURES / "story.html").read_text(encoding="utf-8")
    expected_page, expected_story = in_this_process(html)
    pool = workers(2)

    async def ask():
        pool.start()
        return await pool.extract(STORY_URL, html, NOW, (20, False))

    with caplog.at_level(logging.ERROR, logger="newscrawl.workers"):
        page, _, prepared = asyncio.run(ask())
    assert pool.broken and page == expected_page
    assert prepared is not None
    assert _without_time(prepared.story) == _without_time(expected_story)
    assert [r.getMessage() for r in caplog.records if "could not start" in r.getMessage()]
