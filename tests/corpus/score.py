"""Scores of extractions against the corpus's ground truth (see README.md beside this file).

- ``title``: the share of pages whose title is exactly the truth's (white space squashed, NFC);
- ``date``: the share whose publication time is the truth's, to the minute, as an instant, with
  an offset (a naive time is wrong); a truth known only to the day (``2012-01-05``) is met by a
  time on that day in the time's own offset;
- ``authors``: the mean F1 of the author names (case-folded), 1.0 where both are empty;
- ``body``: the mean word F1 of the body (bags of lower-cased words), 0 for a page with no story;
- ``related_precision``, ``related_recall``: over all pages' related-headline URLs (fragment and
  trailing slash dropped, scheme and host lower-cased, non-ASCII percent-encoded as Scrapy does).

Used by the corpus gate (``tests/test_corpus.py``) and the side-by-side benchmark
(``benchmarks/corpus.py``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string

CORPUS = Path(__file__).resolve().parent
PAGES = CORPUS / "pages"
TRUTH = CORPUS / "truth"
BASELINE = CORPUS / "baseline.json"
WORD = re.compile(r"\w+", re.UNICODE)
FIELDS = ("title", "date", "authors", "body", "related_precision", "related_recall")


@dataclass(frozen=True)
class Case:
    id: str
    url: str
    split: str
    truth: dict[str, Any]

    @property
    def html(self) -> bytes:
        return (PAGES / f"{self.id}.html").read_bytes()


@dataclass
class Extracted:
    """What an extractor gave for one page (None: no story)."""

    title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    body: str = ""
    related: list[str] | None = None  # None: the extractor reads no related headlines


def cases(split: str | None = None) -> list[Case]:
    found = []
    for path in sorted(TRUTH.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if split is None or truth["split"] == split:
            found.append(Case(truth["id"], truth["url"], truth["split"], truth))
    return found


def newscrawl_reads(case: Case) -> Extracted:
    """What a crawl would emit for the saved page (decoder, profile by host, cleaning,
    validation: ``extract_saved``), as the fields scored; a rejection or a failure: no story."""
    from newscrawl.extraction.offline import extract_saved

    story = extract_saved(case.html, case.url)
    if "title" not in story:
        return Extracted(related=[])
    return Extracted(
        title=story["title"],
        published_at=story["published_at"],
        authors=story["authors"],
        body=story["body"],
        related=[link["url"] for link in story["related"]],
    )


def score(results: dict[str, Extracted], chosen: Iterable[Case]) -> dict[str, float | None]:
    chosen = list(chosen)
    titles = dates = 0
    author_f1: list[float] = []
    body_f1: list[float] = []
    tp = fp = fn = 0
    related_read = False
    for case in chosen:
        got = results[case.id]
        titles += _text(got.title) == _text(case.truth["title"])
        dates += date_matches(got.published_at, case.truth["published_at"])
        author_f1.append(_f1(_names(got.authors), _names(case.truth["authors"]), empty=1.0))
        body_f1.append(_f1(_words(got.body), _words(case.truth["body"]), empty=0.0))
        if got.related is not None:
            related_read = True
            mine, theirs = {_url(u) for u in got.related}, {_url(u) for u in case.truth["related"]}
            tp += len(mine & theirs)
            fp += len(mine - theirs)
            fn += len(theirs - mine)
    n = len(chosen) or 1
    return {
        "title": round(titles / n, 3),
        "date": round(dates / n, 3),
        "authors": round(sum(author_f1) / n, 3),
        "body": round(sum(body_f1) / n, 3),
        "related_precision": round(tp / (tp + fp), 3) if related_read and tp + fp else None,
        "related_recall": round(tp / (tp + fn), 3) if related_read and tp + fn else None,
    }


def date_matches(extracted: str | None, truth: str) -> bool:
    if not extracted:
        return False
    try:
        moment = datetime.fromisoformat(extracted)
    except ValueError:
        return False
    if moment.tzinfo is None:
        return False
    if len(truth) == 10:  # known to the day only
        return moment.date().isoformat() == truth
    expected = datetime.fromisoformat(truth)
    return moment.replace(second=0, microsecond=0) == expected.replace(second=0, microsecond=0)


def run(extract: Callable[[Case], Extracted], chosen: Iterable[Case]) -> dict[str, Extracted]:
    return {case.id: extract(case) for case in chosen}


def baseline() -> dict[str, Any]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return unicodedata.normalize(
        "NFC", re.sub(r"\s+", " ", (value or "").replace("\xa0", " "))
    ).strip()


def _names(values: Iterable[str]) -> Counter[str]:
    return Counter(_text(v).casefold() for v in values if _text(v))


def _words(text: str) -> Counter[str]:
    return Counter(WORD.findall(unicodedata.normalize("NFC", text or "").lower()))


def _f1(mine: Counter[str], truth: Counter[str], empty: float) -> float:
    if not mine and not truth:
        return empty
    common = sum((mine & truth).values())
    if not common:
        return 0.0
    precision = common / sum(mine.values())
    recall = common / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def _url(url: str) -> str:
    # One spelling of the same URL: the truth is written as the page spells it, a crawl as
    # Scrapy requests it (non-ASCII percent-encoded).
    parts = urlsplit(safe_url_string(url.strip()))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
