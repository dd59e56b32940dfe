"""Deduplication: each story once, by URL, by text, and by nearly the same text.

The portal republishes wire stories: the same text under two URLs in two sections, or
the same story again with a sentence edited and a ``(Xinhua)`` signature added. In
order, a story is rejected when

- its canonical URL was already emitted in this run: ``duplicate_url``;
- its body fingerprint (sha1 of the body's case-folded words, punctuation dropped, see
  :func:`newscrawl.text.body_fingerprint`) equals an earlier story's: ``duplicate``;
- the estimated Jaccard similarity of its word shingles with an earlier story's is at
  least ``NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD``: ``near_duplicate``, with ``similarity``.

Near-duplicates are found with MinHash signatures in a MinHash LSH index (datasketch):
checking one story costs a few hash-table lookups whatever the number of stories seen,
and each LSH candidate's estimated similarity is checked against the threshold, so an
LSH false positive is never rejected. ``duplicate_of`` always names a story that was
emitted (or one of an earlier run, preloaded by the state store).

Every emitted story gets ``story_id``: the first 16 hex digits of its body fingerprint,
the same across runs and across URLs carrying the same text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from datasketch import MinHash, MinHashLSH
from scrapy.crawler import Crawler

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.text import comparable_words, fingerprint_of_words

# Signal sent when the pipeline opens, kwarg ``index`` (a DedupIndex): the state store
# connects to it to preload the stories of earlier runs with DedupIndex.add_known.
dedup_index_opened = object()

DEFAULT_THRESHOLD = 0.8
DEFAULT_SHINGLE_SIZE = 5
# 128 permutations: the similarity estimate's standard error at J = 0.8 is 0.035 (0.05
# with 64), and time per story barely differs; see BENCHMARKS.md, "Deduplication".
DEFAULT_NUM_PERM = 128
MINHASH_SEED = 1  # fixed: signatures stored by one run must compare with the next run's
MINHASH_SCHEME = "affine32"  # datasketch 2's default; 32-bit hash values
STORY_ID_HEX_DIGITS = 16
# Share of stories at exactly the threshold that LSH must offer as candidates. datasketch's
# own band choice balances misses and false candidates, which at 0.8 finds only 40% of the
# pairs at 0.8 and 69% at 0.85; here every candidate's similarity is checked anyway, so
# the bands are chosen for recall and a false candidate costs one signature comparison.
LSH_RECALL_AT_THRESHOLD = 0.95


@dataclass(frozen=True)
class DedupConfig:
    threshold: float = DEFAULT_THRESHOLD
    shingle_size: int = DEFAULT_SHINGLE_SIZE
    num_perm: int = DEFAULT_NUM_PERM

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(
                f"NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD must be in (0, 1], got {self.threshold}"
            )
        if self.shingle_size < 1:
            raise ValueError(f"NEWSCRAWL_SHINGLE_SIZE must be >= 1, got {self.shingle_size}")
        if not 16 <= self.num_perm <= 1024:
            raise ValueError(
                f"NEWSCRAWL_MINHASH_PERMUTATIONS must be in 16..1024, got {self.num_perm}"
            )

    @classmethod
    def from_settings(cls, settings: Any) -> DedupConfig:
        return cls(
            threshold=settings.getfloat("NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
            shingle_size=settings.getint("NEWSCRAWL_SHINGLE_SIZE", DEFAULT_SHINGLE_SIZE),
            num_perm=settings.getint("NEWSCRAWL_MINHASH_PERMUTATIONS", DEFAULT_NUM_PERM),
        )


@dataclass(frozen=True)
class Sketch:
    """What the index keeps of a story's text: its fingerprint and MinHash signature."""

    fingerprint: str
    minhash: MinHash

    @property
    def story_id(self) -> str:
        return self.fingerprint[:STORY_ID_HEX_DIGITS]


@dataclass(frozen=True)
class Match:
    reason: Literal["duplicate", "near_duplicate"]
    duplicate_of: str
    similarity: float


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the most rows per band that still meet the recall target at the threshold.

    A pair with Jaccard similarity J shares a band with probability 1 - (1 - J**r)**b.
    datasketch needs at least two bands.
    """
    for rows in range(num_perm // 2, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= LSH_RECALL_AT_THRESHOLD:
            return bands, rows
    return num_perm, 1


def shingles(words: list[str], size: int) -> set[bytes]:
    """Word n-grams of the text; a text shorter than one n-gram is one shingle."""
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


class DedupIndex:
    """Stories seen so far: by URL, by body fingerprint, and by MinHash in an LSH index."""

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._permutations = MinHash(config.num_perm, seed=MINHASH_SEED).permutations
        self._lsh = MinHashLSH(
            num_perm=config.num_perm, params=lsh_bands(config.threshold, config.num_perm)
        )
        self._urls_this_run: set[str] = set()
        self._first_url_of: dict[str, str] = {}  # fingerprint -> first URL with that text
        # url -> signature, kept to verify LSH candidates; url -> when it was stored
        self._signatures: dict[str, np.ndarray] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def sketch(self, body: str) -> Sketch:
        words = comparable_words(body)
        minhash = MinHash(
            self.config.num_perm,
            seed=MINHASH_SEED,
            permutations=self._permutations,
            scheme=MINHASH_SCHEME,
        )
        minhash.update_batch(shingles(words, self.config.shingle_size))
        return Sketch(fingerprint_of_words(words), minhash)

    def seen(self, url: str) -> bool:
        """Was a story with this URL emitted in this run?"""
        return url in self._urls_this_run

    def match(self, url: str, sketch: Sketch) -> Match | None:
        """The earlier story this one duplicates, if any (never the same URL's earlier text)."""
        first = self._first_url_of.get(sketch.fingerprint)
        if first is not None and first != url:
            return Match("duplicate", first, 1.0)
        # Most similar first; among equals the earliest stored, so the outcome is deterministic.
        scored = [
            (self.similarity(candidate, sketch), -self._order[candidate], candidate)
            for candidate in self._lsh.query(sketch.minhash)
            if candidate != url
        ]
        similarity, _, best = max(scored, default=(0.0, 0, ""))
        if similarity < self.config.threshold:
            return None
        return Match("near_duplicate", best, round(similarity, 3))

    def similarity(self, url: str, sketch: Sketch) -> float:
        """Estimated Jaccard similarity of a stored story's shingles and the sketch's."""
        stored = self._signatures[url]
        return float(np.count_nonzero(stored == sketch.minhash.hashvalues)) / self.config.num_perm

    def add(self, url: str, sketch: Sketch) -> None:
        """Record a story emitted in this run."""
        self._urls_this_run.add(url)
        self._store(url, sketch)

    def add_known(
        self,
        url: str,
        *,
        body: str | None = None,
        fingerprint: str | None = None,
        signature: Any = None,
    ) -> None:
        """Record a story emitted by an earlier run (the state store preloads these).

        Give its ``body``, or its ``fingerprint`` and MinHash ``signature`` (the hash values
        of :attr:`Sketch.minhash`, same ``num_perm``). Its URL may be emitted again in this
        run: a re-crawled story is not a duplicate of itself.
        """
        if body is not None:
            sketch = self.sketch(body)
        elif fingerprint is not None and signature is not None:
            minhash = MinHash(
                hashvalues=np.asarray(signature, dtype=np.uint32),
                seed=MINHASH_SEED,
                permutations=self._permutations,
                scheme=MINHASH_SCHEME,
            )
            sketch = Sketch(fingerprint, minhash)
        else:
            raise ValueError("add_known needs the body, or the fingerprint and the signature")
        self._store(url, sketch)

    def _store(self, url: str, sketch: Sketch) -> None:
        self._first_url_of.setdefault(sketch.fingerprint, url)
        if url in self._signatures:  # a story of an earlier run, emitted again
            self._lsh.remove(url)
        self._lsh.insert(url, sketch.minhash, check_duplication=False)
        self._signatures[url] = sketch.minhash.hashvalues.astype(np.uint32, copy=True)
        self._order.setdefault(url, len(self._order))


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler, config: DedupConfig) -> None:
        self.crawler = crawler
        self.index = DedupIndex(config)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        return cls(crawler, DedupConfig.from_settings(crawler.settings))

    def open_spider(self) -> None:
        self.crawler.signals.send_catch_log(signal=dedup_index_opened, index=self.index)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Story):
            return item
        if self.index.seen(item.url):
            raise StoryRejected(item.url, "duplicate_url", duplicate_of=item.url)
        sketch = self.index.sketch(item.body)
        match = self.index.match(item.url, sketch)
        if match is not None and match.reason == "duplicate":
            raise StoryRejected(item.url, "duplicate", duplicate_of=match.duplicate_of)
        if match is not None:
            raise StoryRejected(
                item.url,
                "near_duplicate",
                duplicate_of=match.duplicate_of,
                similarity=match.similarity,
            )
        self.index.add(item.url, sketch)
        return dataclasses.replace(item, story_id=sketch.story_id)
