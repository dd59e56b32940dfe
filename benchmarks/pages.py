"""Pages the benchmarks read: the replica's story pages and the real-pages corpus.

Not a benchmark itself; ``extraction.py``, ``cleaning.py`` and ``corpus.py`` import it (and
the one way they all call trafilatura). Each page is what a
crawl reads: the bytes the replica serves (or the saved page) through the crawl's decoder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.extraction.decode import decode_page  # noqa: E402
from newscrawl.replica import Portal, ReplicaOptions  # noqa: E402
from tests.corpus.score import cases  # noqa: E402


@dataclass(frozen=True)
class SavedPage:
    url: str
    text: str  # decoded, as the crawl's Selector gets it
    expected: dict[str, Any] | None = None  # the replica's ground truth, for its story pages


def replica_pages(stories: int, seed: int = 2021) -> Iterator[SavedPage]:
    """The first page of each story of a replica of ``stories`` stories that answers 200."""
    portal = Portal(ReplicaOptions(stories=stories, seed=seed))
    for entry, expected in zip(portal.entries, portal.expected_stories(), strict=True):
        page = portal.respond("GET", entry.url)
        if page.status != 200:
            continue
        decoded = decode_page(page.body, page.headers.get("Content-Type", "text/html"))
        if decoded.text:
            yield SavedPage(entry.url, decoded.text, expected)


def corpus_pages() -> Iterator[SavedPage]:
    """The 22 real pages of ``tests/corpus/``."""
    for case in cases():
        decoded = decode_page(case.html, "text/html")
        if decoded.text:
            yield SavedPage(case.url, decoded.text)


def trafilatura_document(text: str, url: str) -> Any:
    """trafilatura 2.3's ``bare_extraction`` given its best, as every benchmark here asks it:
    metadata on, htmldate asked for the original date with extensive search and a time in its
    output format, no fallback disabled. None when it finds nothing."""
    from trafilatura import bare_extraction

    return bare_extraction(
        text,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
