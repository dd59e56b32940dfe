"""The real-pages gate: extraction on pages no one here wrote must not get worse.

Each page of ``tests/corpus/`` goes through what a crawl does to it (decoder, profile by host,
cleaning, validation: ``extract_saved``) and is scored against its hand-written truth
(``tests/corpus/score.py``); a score below the committed baseline (``baseline.json``, written
by ``python benchmarks/corpus.py --write-baseline``) fails, as trafilatura's ``eval_gate`` does.
Trafilatura's own scores, and the time per page, are the benchmark's (BENCHMARKS.md).
"""

from __future__ import annotations

import pytest

from tests.corpus.score import FIELDS, Extracted, baseline, cases, newscrawl_reads, score

ALL = cases()


@pytest.fixture(scope="module")
def results() -> dict[str, Extracted]:
    return {case.id: newscrawl_reads(case) for case in ALL}


def test_the_corpus_is_whole_with_its_sources() -> None:
    assert len(ALL) >= 20
    for case in ALL:
        source = case.truth["source"]
        assert source["repository"] and len(source["commit"]) == 40 and source["licence"]
        assert case.truth["split"] in ("dev", "test")
        assert case.html.strip(), case.id


@pytest.mark.parametrize("split", ["dev", "test", "all"])
def test_no_score_drops_below_the_baseline(results: dict[str, Extracted], split: str) -> None:
    chosen = ALL if split == "all" else [c for c in ALL if c.split == split]
    figures = score(results, chosen)
    frozen = baseline()[split]
    dropped = {
        name: (figures[name], frozen[name])
        for name in FIELDS
        if frozen.get(name) is not None and (figures[name] or 0) < frozen[name] - 1e-9
    }
    assert not dropped, f"{split}: (now, baseline) {dropped}"


def test_the_baseline_beats_trafilatura_on_title_date_and_authors() -> None:
    """The issue's goal, held as long as the baseline holds it."""
    frozen = baseline()
    for split in ("dev", "test", "all"):
        ours_, theirs = frozen[split], frozen["trafilatura"][split]
        for name in ("title", "date", "authors"):
            assert ours_[name] > theirs[name], (split, name)
        assert ours_["body"] >= theirs["body"] - 0.02, split
