"""DeduplicatePipeline: each story once, by URL, by text, by nearly the same text."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import string
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from newscrawl.compact import KeyTable
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.dedup import (
    DedupConfig,
    DedupIndex,
    DeduplicatePipeline,
    lsh_bands,
    lsh_recall,
    shingles,
)
from newscrawl.text import comparable_words

REFERENCE = Path(__file__).parent / "fixtures" / "peopledaily_fr" / "story.expected.json"
FIRST = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"
SECOND = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937500.html"
THIRD = "http://french.peopledaily.com.cn/Afrique/n3/2021/1228/c31358-9937600.html"
EDITED_SENTENCE = (
    "Le 5 janvier 2020, le parlement irakien a adopté une résolution exigeant",
    "Le 5 janvier 2020, les députés irakiens avaient voté une résolution demandant",
)
OTHER_BODY = (
    "Le réseau 5G couvrira 430 millions de Chinois d'ici 2025, selon un plan publié lundi par "
    "le ministère de l'Industrie et des Technologies de l'information.\n\n"
    "Le plan prévoit la construction de nouvelles stations de base dans les zones rurales, où la "
    "couverture reste inégale, ainsi qu'un soutien aux entreprises qui développent des "
    "applications industrielles de la cinquième génération de télécommunications mobiles."
)


def reference_body() -> str:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["body"]


def near_copy(body: str) -> str:
    """The portal's republication: one sentence edited and a signature added."""
    assert EDITED_SENTENCE[0] in body
    return body.replace(*EDITED_SENTENCE) + " (Xinhua)"


def story(url: str, body: str) -> Story:
    return Story(url, "Titre", "2021-12-27T09:08:00+08:00", body=body)


class EmittingPipeline(DeduplicatePipeline):
    """The pipeline as the last one of a crawl: a story it gives back is emitted (the engine
    sends ``item_scraped``), so it is no longer on its way through later pipelines."""

    def process_item(self, item: Any) -> Any:
        result = super().process_item(item)
        self.crawler.signals.send_catch_log(signal=signals.item_scraped, item=result)
        return result


def pipeline(settings: dict | None = None) -> DeduplicatePipeline:
    return EmittingPipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def in_the_middle(settings: dict | None = None) -> DeduplicatePipeline:
    """The pipeline with pipelines after it: a story it gives back has not ended yet."""
    return DeduplicatePipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def rejection(dedup: DeduplicatePipeline, item: Story) -> StoryRejected:
    with pytest.raises(StoryRejected) as raised:
        dedup.process_item(item)
    return raised.value


SYMBOLS = ("★ ☆ ✦ ✧ → ← ↑ ↓ ◆ ◇ " * 30).strip()
OTHER_SYMBOLS = ("※ ✓ ✗ ⇒ ⇐ ⇔ ∞ ≈ ≠ ≤ " * 30).strip()


def test_bodies_of_symbols_only_are_not_one_empty_text():
    dedup = pipeline()
    first = dedup.process_item(story(FIRST, SYMBOLS))
    second = dedup.process_item(story(SECOND, OTHER_SYMBOLS))  # before: duplicate of FIRST
    assert first.story_id != second.story_id
    assert comparable_words(SYMBOLS) and comparable_words(OTHER_SYMBOLS)
    # the same symbols under another URL are the same text, as any body is
    outcome = rejection(dedup, story(THIRD, SYMBOLS)).outcome
    assert (outcome.reason, outcome.details) == ("duplicate", {"duplicate_of": FIRST})


def test_a_body_with_words_is_compared_by_its_words_only():
    # the fallback to symbols is for bodies without a single word: punctuation still differs
    # freely between copies of one text
    assert comparable_words("« Un ». Deux ! ★") == comparable_words("Un, deux.")


def test_same_url_twice_is_emitted_once():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    outcome = rejection(dedup, story(FIRST, OTHER_BODY)).outcome
    assert (outcome.reason, outcome.details) == ("duplicate_url", {"duplicate_of": FIRST})


def test_exact_copy_under_another_url_is_a_duplicate_of_the_first():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    outcome = rejection(dedup, story(SECOND, reference_body())).outcome
    assert (outcome.url, outcome.reason, outcome.details) == (
        SECOND,
        "duplicate",
        {"duplicate_of": FIRST},
    )


def test_copy_differing_in_case_spaces_and_punctuation_is_an_exact_duplicate():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    respelled = reference_body().upper().replace("'", "\u2019").replace("\n\n", " ")
    assert rejection(dedup, story(SECOND, respelled)).outcome.reason == "duplicate"


def test_near_copy_is_rejected_with_its_similarity():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    outcome = rejection(dedup, story(SECOND, near_copy(reference_body()))).outcome
    assert outcome.reason == "near_duplicate"
    assert outcome.details["duplicate_of"] == FIRST
    similarity = outcome.details["similarity"]
    assert 0.8 <= similarity < 1.0
    assert similarity == round(similarity, 3)


def synthetic_pair(prefix: str, shingles: int, shared: int) -> tuple[str, str]:
    """Two texts of ``shingles`` 5-word shingles each, sharing exactly the first ``shared``.

    Every word is distinct, so the exact Jaccard similarity is shared / (2 * shingles - shared).
    """

    def word(i: int) -> str:
        return prefix + "".join(string.ascii_lowercase[i // 26**k % 26] for k in range(3))

    words = [word(i) for i in range(shingles + 4)]
    copy = words[: shared + 4] + ["x" + word(i) for i in range(shingles - shared)]
    return " ".join(words), " ".join(copy)


def minhash_estimate(first: str, second: str) -> float:
    index = DedupIndex(DedupConfig())
    return index.sketch(first).minhash.jaccard(index.sketch(second).minhash)


def test_pair_just_over_the_threshold_is_rejected_even_when_the_estimate_says_under():
    original, copy = synthetic_pair("mcaa", shingles=91, shared=82)  # exactly 82 / 100
    assert minhash_estimate(original, copy) < 0.8  # the MinHash estimate alone would keep it
    dedup = pipeline()
    dedup.process_item(story(FIRST, original))
    outcome = rejection(dedup, story(SECOND, copy)).outcome
    assert outcome.reason == "near_duplicate"
    assert outcome.details == {"duplicate_of": FIRST, "similarity": 0.82}


def test_pair_just_under_the_threshold_is_kept_even_when_the_estimate_says_over():
    original, copy = synthetic_pair("maaa", shingles=89, shared=78)  # exactly 78 / 100
    assert minhash_estimate(original, copy) >= 0.8  # the MinHash estimate alone would reject it
    dedup = pipeline()
    dedup.process_item(story(FIRST, original))
    assert dedup.process_item(story(SECOND, copy)).url == SECOND


def test_similarity_is_the_exact_jaccard_similarity_of_the_shingles():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    outcome = rejection(dedup, story(SECOND, near_copy(reference_body()))).outcome
    first = shingles(comparable_words(reference_body()), 5)
    second = shingles(comparable_words(near_copy(reference_body())), 5)
    exact = len(first & second) / len(first | second)
    assert outcome.details["similarity"] == round(exact, 3)


def test_lsh_bands_offer_nearly_all_pairs_a_little_under_the_threshold():
    for num_perm in (64, 128, 256):
        bands, rows = lsh_bands(0.8, num_perm)
        assert bands * rows <= num_perm
        assert lsh_recall(0.75, bands, rows) >= 0.98
        assert lsh_recall(0.8, bands, rows) >= 0.99


def test_different_stories_are_all_kept():
    dedup = pipeline()
    first = dedup.process_item(story(FIRST, reference_body()))
    second = dedup.process_item(story(SECOND, OTHER_BODY))
    assert first.story_id and second.story_id and first.story_id != second.story_id


def test_threshold_setting_changes_the_outcome():
    strict = pipeline({"NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD": 0.99})
    strict.process_item(story(FIRST, reference_body()))
    kept = strict.process_item(story(SECOND, near_copy(reference_body())))
    assert kept.url == SECOND


def test_story_id_is_stable_across_runs():
    first_run = pipeline().process_item(story(FIRST, reference_body()))
    second_run = pipeline().process_item(story(FIRST, reference_body()))
    assert first_run.story_id == second_run.story_id
    assert len(first_run.story_id) == 16


def test_story_id_is_the_same_for_the_same_text_under_two_urls():
    # Two runs, because within one run the second URL would be rejected as a duplicate.
    under_first = pipeline().process_item(story(FIRST, reference_body()))
    under_second = pipeline().process_item(story(SECOND, reference_body()))
    assert under_first.story_id == under_second.story_id


def test_rejected_copies_are_not_indexed_so_duplicate_of_names_an_emitted_story():
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))
    rejection(dedup, story(SECOND, near_copy(reference_body())))
    outcome = rejection(dedup, story(THIRD, near_copy(reference_body()))).outcome
    assert outcome.details["duplicate_of"] == FIRST


def test_the_emitted_story_is_otherwise_unchanged():
    item = story(FIRST, reference_body())
    emitted = pipeline().process_item(item)
    assert dataclasses.replace(emitted, story_id="") == item


def test_items_other_than_stories_pass_unchanged():
    other = {"url": FIRST}
    dedup = pipeline()
    assert dedup.process_item(other) is other
    assert dedup.process_item(other) is other


@pytest.mark.parametrize(
    "settings",
    [
        {"NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD": 0},
        {"NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD": 1.5},
        {"NEWSCRAWL_SHINGLE_SIZE": 0},
        {"NEWSCRAWL_MINHASH_PERMUTATIONS": 4},
    ],
)
def test_bad_settings_are_refused_at_start(settings):
    with pytest.raises(ValueError, match=next(iter(settings))):
        pipeline(settings)


# The index the state store preloads with earlier runs' stories.


def test_known_story_from_an_earlier_run_catches_a_copy_by_body():
    index = DedupIndex(DedupConfig())
    index.add_known(FIRST, body=reference_body())
    sketch = index.sketch(near_copy(reference_body()))
    match = index.match(SECOND, sketch)
    assert match is not None
    assert (match.reason, match.duplicate_of) == ("near_duplicate", FIRST)


def test_known_story_can_be_preloaded_from_its_stored_signature():
    earlier = DedupIndex(DedupConfig())
    stored = earlier.sketch(reference_body())
    index = DedupIndex(DedupConfig())
    index.add_known(
        FIRST, fingerprint=stored.fingerprint, signature=list(stored.minhash.hashvalues)
    )
    match = index.match(SECOND, index.sketch(reference_body()))
    assert match is not None and (match.reason, match.duplicate_of) == ("duplicate", FIRST)
    near = index.match(SECOND, index.sketch(near_copy(reference_body())))
    assert near is not None and near.reason == "near_duplicate"


def test_story_of_an_earlier_run_crawled_again_is_not_a_duplicate_of_itself():
    index = DedupIndex(DedupConfig())
    index.add_known(FIRST, body=reference_body())
    assert not index.seen(FIRST)
    assert index.match(FIRST, index.sketch(reference_body())) is None
    assert index.match(FIRST, index.sketch(near_copy(reference_body()))) is None


def test_add_known_needs_a_body_or_a_signature():
    with pytest.raises(ValueError, match="add_known"):
        DedupIndex(DedupConfig()).add_known(FIRST, fingerprint="abc")


def test_pipeline_announces_its_index_when_it_opens():
    from newscrawl.pipelines.dedup import dedup_index_opened

    crawler = get_crawler(settings_dict={})
    announced: list[DedupIndex] = []

    def preload(index: DedupIndex) -> None:  # a named handler: signals hold weak references
        announced.append(index)

    crawler.signals.connect(preload, signal=dedup_index_opened)
    dedup = DeduplicatePipeline.from_crawler(crawler)
    dedup.open_spider()
    assert announced == [dedup.index]


# --- the compact index: band keys merged, text spilled to disk, stories forgotten -------------


def filler(n: int) -> str:
    """A text of its own: no shingle in common with another filler or the reference."""
    return " ".join(f"mot{n}x{k}" for k in range(60))


def test_near_copies_are_caught_before_and_after_the_band_keys_are_merged(monkeypatch) -> None:
    monkeypatch.setattr(KeyTable, "MERGE_EVERY", 64)  # merged every few stories
    monkeypatch.setattr(KeyTable, "RUN", 300)  # and in several runs
    index = DedupIndex(DedupConfig())
    index.add(FIRST, index.sketch(reference_body()))
    for n in range(40):
        index.add(
            f"http://french.peopledaily.com.cn/Chine/n3/2021/1227/c1-{n}.html",
            index.sketch(filler(n)),
        )
    assert index._bands.table.runs > 1  # merged more than once, into more than one run

    index.add(SECOND, index.sketch(OTHER_BODY + " " + filler(99)))  # not merged yet
    early = index.match(THIRD, index.sketch(near_copy(reference_body())))
    late = index.match(THIRD, index.sketch(OTHER_BODY + " " + filler(99) + " (Xinhua)"))
    assert early is not None and early.duplicate_of == FIRST and early.similarity >= 0.8
    assert late is not None and late.duplicate_of == SECOND
    assert index.match(THIRD, index.sketch(filler(1000))) is None


def test_the_exact_similarity_is_read_back_from_the_spill_file() -> None:
    index = DedupIndex(DedupConfig())
    first = index.sketch(reference_body())
    index.add(FIRST, first)
    copy = index.sketch(near_copy(reference_body()))
    from newscrawl.pipelines.dedup import jaccard

    assert index.similarity(FIRST, copy) == jaccard(first.shingle_hashes, copy.shingle_hashes)
    assert index.memory()["spill files (disk)"] >= first.shingle_hashes.nbytes + 512


def test_a_forgotten_story_is_no_longer_seen_nor_matched() -> None:
    index = DedupIndex(DedupConfig())
    index.add(FIRST, index.sketch(reference_body()))
    index.forget(FIRST)
    assert not index.seen(FIRST)
    assert index.match(SECOND, index.sketch(reference_body())) is None
    assert index.match(SECOND, index.sketch(near_copy(reference_body()))) is None
    index.add(FIRST, index.sketch(reference_body()))  # accepted again: a story again
    assert index.seen(FIRST)
    assert index.match(SECOND, index.sketch(reference_body())).duplicate_of == FIRST


def test_a_story_stored_again_is_compared_by_its_new_text_only() -> None:
    index = DedupIndex(DedupConfig())
    index.add_known(FIRST, body=reference_body())
    index.add_known(FIRST, body=OTHER_BODY)  # an earlier run's story, changed since
    assert index.match(SECOND, index.sketch(near_copy(reference_body()))) is None
    assert index.match(SECOND, index.sketch(OTHER_BODY + " (Xinhua)")).duplicate_of == FIRST


def test_signatures_are_datasketchs_so_stored_ones_still_compare() -> None:
    import numpy as np
    from datasketch import MinHash as DatasketchMinHash

    from newscrawl.pipelines.dedup import MinHash, minhash_permutations

    index = DedupIndex(DedupConfig())
    for body in (reference_body(), OTHER_BODY, "", "un mot"):
        sketch = index.sketch(body)
        theirs = DatasketchMinHash(128, seed=1, hashfunc=lambda value: value, scheme="affine32")
        theirs.update_batch((sketch.shingle_hashes & np.uint64(0xFFFFFFFF)).tolist())
        assert (sketch.minhash.hashvalues == theirs.hashvalues).all()
    permutations = DatasketchMinHash(64, seed=1, scheme="affine32").permutations
    assert (minhash_permutations(64) == permutations).all()
    assert MinHash.of(np.empty(0, dtype=np.uint32), minhash_permutations(16)).hashvalues.min() == (
        2**32 - 1
    )


def test_a_crawl_of_one_process_does_not_import_datasketch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, newscrawl.settings, newscrawl.spiders.related, newscrawl.pipelines.dedup,"
        " newscrawl.pipelines.state, newscrawl.state.sketch;"
        " print('datasketch' in sys.modules, 'scipy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_a_story_emitted_again_with_a_new_text_is_compared_by_its_new_text_only() -> None:
    index = DedupIndex(DedupConfig())
    index.add_known(FIRST, body=reference_body())  # an earlier run's story ...
    index.add(FIRST, index.sketch(OTHER_BODY))  # ... emitted again, its text rewritten
    assert index.match(SECOND, index.sketch(reference_body())) is None
    assert index.match(SECOND, index.sketch(near_copy(reference_body()))) is None
    copy = index.match(SECOND, index.sketch(OTHER_BODY))
    assert copy is not None and copy.reason == "duplicate" and copy.duplicate_of == FIRST
    assert index.match(FIRST, index.sketch(OTHER_BODY)) is None  # never a copy of itself
    assert len(index) == 1 and index.seen(FIRST)


def test_stories_whose_urls_share_a_hash_are_told_apart_by_their_urls(monkeypatch) -> None:
    """The index finds a URL by its hash and confirms it by its text, read back from disk."""
    from newscrawl.compact import URLNumbers
    from newscrawl.pipelines import dedup

    monkeypatch.setattr(dedup, "URLNumbers", lambda folder: URLNumbers(folder, lambda url: 3))
    index = DedupIndex(DedupConfig())
    index.add(FIRST, index.sketch(reference_body()))
    index.add_known(SECOND, body=OTHER_BODY)
    assert index.seen(FIRST) and not index.seen(SECOND) and not index.seen(THIRD)
    copy = index.match(THIRD, index.sketch(reference_body()))
    near = index.match(THIRD, index.sketch(near_copy(reference_body())))
    assert copy.duplicate_of == FIRST and near.duplicate_of == FIRST
    assert index.match(SECOND, index.sketch(OTHER_BODY)) is None  # its own earlier text
    assert index.match(THIRD, index.sketch(OTHER_BODY)).duplicate_of == SECOND
    index.forget(FIRST)
    assert not index.seen(FIRST) and index.match(THIRD, index.sketch(reference_body())) is None
    assert index.match(THIRD, index.sketch(OTHER_BODY)).duplicate_of == SECOND
    assert len(index) == 1


def test_a_withdrawn_story_is_no_copys_original_and_its_earlier_text_counts_again() -> None:
    index = DedupIndex(DedupConfig())
    index.add_known(FIRST, body=OTHER_BODY)  # an earlier run's text of FIRST
    admitted = index.add(FIRST, index.sketch(reference_body()))  # its new text, this run
    assert len(index) == 1 and index.seen(FIRST)
    index.withdraw(admitted)  # a later pipeline failed it
    assert not index.seen(FIRST) and len(index) == 1
    assert index.match(SECOND, index.sketch(near_copy(reference_body()))) is None
    assert index.match(SECOND, index.sketch(OTHER_BODY)).duplicate_of == FIRST  # known again
    assert index.match(FIRST, index.sketch(OTHER_BODY)) is None  # and not a copy of itself
    fresh = index.add(SECOND, index.sketch(reference_body()))
    index.withdraw(fresh)
    assert len(index) == 1 and index.match(THIRD, index.sketch(reference_body())) is None


def failed(dedup: DeduplicatePipeline, item: Story) -> None:
    dedup.crawler.signals.send_catch_log(
        signal=signals.item_error, item=item, response=None, failure=None
    )


def ended(dedup: DeduplicatePipeline, item: Story, signal: object) -> None:
    dedup.crawler.signals.send_catch_log(signal=signal, item=item, response=None)


def test_a_copy_of_a_story_a_later_pipeline_failed_is_emitted() -> None:
    dedup = in_the_middle()
    original = dedup.process_item(story(FIRST, reference_body()))
    failed(dedup, original)
    emitted = dedup.process_item(story(SECOND, near_copy(reference_body())))
    assert emitted.url == SECOND
    ended(dedup, emitted, signals.item_scraped)
    copy = rejection(dedup, story(THIRD, reference_body())).outcome  # FIRST's text again
    assert copy.reason == "near_duplicate" and copy.details["duplicate_of"] == SECOND


@pytest.mark.parametrize("end", ["emitted", "unchanged", "dropped", "failed"])
def test_a_copy_met_while_its_original_is_in_the_later_pipelines_waits_for_its_end(end) -> None:
    """Its original emitted, or rejected ``unchanged`` (its text is what an earlier run
    emitted): the copy names it. Rejected otherwise (the state's exact copy of an old story, the
    story limit) or failed: the copy is emitted in its place, as no copy of a story nobody has."""

    async def crawl() -> object:
        dedup = in_the_middle()
        original = dedup.process_item(story(FIRST, reference_body()))
        deciding = dedup.process_item(story(SECOND, reference_body()))  # an exact copy
        assert inspect.isawaitable(deciding)  # undecided while FIRST may still fail
        waiting = asyncio.ensure_future(deciding)
        await asyncio.sleep(0)
        assert not waiting.done()
        if end == "failed":
            failed(dedup, original)
        elif end == "emitted":
            ended(dedup, original, signals.item_scraped)
        else:
            reason = "unchanged" if end == "unchanged" else "duplicate"
            dedup.crawler.signals.send_catch_log(
                signal=signals.item_dropped,
                item=original,
                response=None,
                exception=StoryRejected(FIRST, reason),
            )
        try:
            return await asyncio.wait_for(waiting, 5)
        except StoryRejected as rejected:
            return rejected.outcome

    outcome = asyncio.run(crawl())
    if end in ("failed", "dropped"):
        assert isinstance(outcome, Story) and outcome.url == SECOND  # emitted in its place
    else:
        assert outcome.reason == "duplicate" and outcome.details["duplicate_of"] == FIRST


def test_a_story_failed_before_deduplication_withdraws_nothing() -> None:
    dedup = pipeline()
    dedup.process_item(story(FIRST, reference_body()))  # emitted
    failed(dedup, story(FIRST, reference_body()))  # the same URL met again, failed upstream
    assert rejection(dedup, story(SECOND, reference_body())).outcome.details == {
        "duplicate_of": FIRST
    }


def test_a_copy_whose_original_ends_before_its_decision_resumes_does_not_wait() -> None:
    async def crawl() -> object:
        dedup = in_the_middle()
        original = dedup.process_item(story(FIRST, reference_body()))
        deciding = dedup.process_item(story(SECOND, reference_body()))
        ended(dedup, original, signals.item_scraped)  # before the copy's coroutine starts
        try:
            return await asyncio.wait_for(deciding, 5)  # not for ever
        except StoryRejected as rejected:
            return rejected.outcome

    outcome = asyncio.run(crawl())
    assert outcome.reason == "duplicate" and outcome.details["duplicate_of"] == FIRST


@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 7, 40])
def test_the_shingles_are_every_window_of_five_words(count: int) -> None:
    words = [f"mot{n % 9}" for n in range(count)]  # repeated windows too
    expected = (
        {" ".join(words[i : i + 5]).encode() for i in range(count - 4)}
        if count > 5
        else {" ".join(words).encode()}
    )
    assert shingles(words, 5) == expected
