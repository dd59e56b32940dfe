"""Deduplication: each story once, by URL, by text, and by nearly the same text.

The portal republishes wire stories: the same text under two URLs in two sections, or
the same story again with a sentence edited and a ``(Xinhua)`` signature added. In
order, a story is rejected when

- its canonical URL was already emitted in this run: ``duplicate_url``;
- its body fingerprint (sha1 of the body's case-folded words, punctuation dropped, see
  :func:`newscrawl.text.body_fingerprint`) equals an earlier story's: ``duplicate``;
- the Jaccard similarity of its word shingles with an earlier story's is at least
  ``NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD``: ``near_duplicate``, with ``similarity``.

MinHash signatures in a MinHash LSH index (datasketch) only find the candidates: checking
one story costs a few hash-table lookups whatever the number of stories seen. The bands
are chosen for recall somewhat below the threshold, because the decision is not the
MinHash estimate (standard error 0.035 at J = 0.8 with 128 permutations, enough to turn
a 0.84 pair into 0.78): each candidate's EXACT Jaccard similarity is computed from the
64-bit hashes of both stories' shingles, which the index keeps per story (a sorted numpy
array, 8 bytes per shingle: ~2-5 KB for a story of 300-600 words). Stories of earlier runs
preloaded from the state store carry only their signature: for those, and only those, the
estimate decides. ``duplicate_of`` always names a story that was emitted (or one of an
earlier run, preloaded by the state store).

Every emitted story gets ``story_id``: the first 16 hex digits of its body fingerprint,
the same across runs and across URLs carrying the same text.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from datasketch import MinHash, MinHashLSH
from scrapy.crawler import Crawler

from newscrawl import setting
from newscrawl.config import config_of
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.setting import DEFAULTS
from newscrawl.text import comparable_words, fingerprint_of_words

# Signal sent when the pipeline opens, kwarg ``index`` (a DedupIndex): the state store
# connects to it to preload the stories of earlier runs with DedupIndex.add_known.
dedup_index_opened = object()

MINHASH_SEED = 1  # fixed: signatures stored by one run must compare with the next run's
MINHASH_SCHEME = "affine32"  # datasketch 2's default; 32-bit hash values
STORY_ID_HEX_DIGITS = 16
# Share of pairs at LSH_RECALL_MARGIN below the threshold that LSH must offer as candidates.
# datasketch's own band choice balances misses and false candidates, which at 0.8 finds only
# 40% of the pairs at 0.8 and 69% at 0.85; here every candidate's exact similarity is checked
# anyway, so the bands are chosen for recall (a false candidate costs one set intersection),
# and below the threshold so that pairs just over it are almost never missed: with 128
# permutations, 21 bands of 6 rows offer 98.4% of pairs at 0.75 and 99.8% at 0.8.
LSH_RECALL = 0.98
LSH_RECALL_MARGIN = 0.05


@dataclass(frozen=True)
class DedupConfig:
    threshold: float = DEFAULTS["NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD"]
    shingle_size: int = DEFAULTS["NEWSCRAWL_SHINGLE_SIZE"]
    num_perm: int = DEFAULTS["NEWSCRAWL_MINHASH_PERMUTATIONS"]

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
            threshold=setting.number(
                settings, "NEWSCRAWL_NEAR_DUPLICATE_THRESHOLD", above=0, maximum=1
            ),
            shingle_size=setting.integer(settings, "NEWSCRAWL_SHINGLE_SIZE", minimum=1),
            num_perm=setting.integer(
                settings, "NEWSCRAWL_MINHASH_PERMUTATIONS", minimum=16, maximum=1024
            ),
        )


@dataclass(frozen=True)
class Sketch:
    """What the index keeps of a story's text: fingerprint, MinHash, shingle hashes.

    ``shingle_hashes`` (sorted, unique uint64) decide near-duplicates exactly; a sketch
    rebuilt from a stored signature has none, and is then compared by its MinHash estimate.
    """

    fingerprint: str
    minhash: MinHash
    shingle_hashes: np.ndarray | None = None

    @property
    def story_id(self) -> str:
        return self.fingerprint[:STORY_ID_HEX_DIGITS]


@dataclass(frozen=True)
class Match:
    reason: Literal["duplicate", "near_duplicate"]
    duplicate_of: str
    similarity: float


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows): the most rows per band that still meet the recall target.

    The target is LSH_RECALL of the pairs at LSH_RECALL_MARGIN below the threshold. A pair
    with Jaccard similarity J shares a band with probability 1 - (1 - J**r)**b (see
    :func:`lsh_recall`). datasketch needs at least two bands.
    """
    target = max(threshold - LSH_RECALL_MARGIN, 0.0)
    for rows in range(num_perm // 2, 0, -1):
        bands = num_perm // rows
        if lsh_recall(target, bands, rows) >= LSH_RECALL:
            return bands, rows
    return num_perm, 1


def lsh_recall(similarity: float, bands: int, rows: int) -> float:
    """Probability that a pair with this Jaccard similarity becomes an LSH candidate."""
    return 1 - (1 - similarity**rows) ** bands


def shingles(words: list[str], size: int) -> set[bytes]:
    """Word n-grams of the text; a text shorter than one n-gram is one shingle."""
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def shingle_hashes(shingle_set: set[bytes]) -> np.ndarray:
    """Sorted unique 64-bit hashes of the shingles: the first 8 bytes of each one's sha1.

    The low 32 bits of each are datasketch's ``sha1_hash32`` of the shingle, so the MinHash
    built from them equals the one ``MinHash.update_batch(shingles)`` builds: signatures
    stored by earlier runs still compare.
    """
    digests = b"".join(hashlib.sha1(shingle).digest()[:8] for shingle in shingle_set)
    return np.unique(np.frombuffer(digests, dtype="<u8").astype(np.uint64))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def _hash_value(value: int) -> int:
    """MinHash's hash function for values that are already hashes."""
    return value


class DedupIndex:
    """Stories seen so far: by URL, by body fingerprint, and by shingles (LSH finds candidates)."""

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self._permutations = MinHash(config.num_perm, seed=MINHASH_SEED).permutations
        self._lsh = MinHashLSH(
            num_perm=config.num_perm, params=lsh_bands(config.threshold, config.num_perm)
        )
        self._urls_this_run: set[str] = set()
        self._first_url_of: dict[str, str] = {}  # fingerprint -> first URL with that text
        # What verifies an LSH candidate: url -> its shingle hashes (exact), and url -> its
        # signature (the estimate, for stories preloaded without their shingles; 0.5 KB at
        # 128 permutations, kept for every story so that any two compare); url -> when stored.
        self._shingle_hashes: dict[str, np.ndarray] = {}
        self._signatures: dict[str, np.ndarray] = {}
        self._order: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._order)

    def sketch(self, body: str) -> Sketch:
        words = comparable_words(body)
        hashes = shingle_hashes(shingles(words, self.config.shingle_size))
        minhash = MinHash(
            self.config.num_perm,
            seed=MINHASH_SEED,
            hashfunc=_hash_value,
            permutations=self._permutations,
            scheme=MINHASH_SCHEME,
        )
        minhash.update_batch((hashes & np.uint64(0xFFFFFFFF)).tolist())
        return Sketch(fingerprint_of_words(words), minhash, hashes)

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
        """Jaccard similarity of a stored story's shingles and the sketch's.

        Exact when both have their shingle hashes; the MinHash estimate for a story
        preloaded from its stored signature (or a sketch without shingle hashes).
        """
        stored = self._shingle_hashes.get(url)
        if stored is not None and sketch.shingle_hashes is not None:
            return jaccard(stored, sketch.shingle_hashes)
        agreeing = np.count_nonzero(self._signatures[url] == sketch.minhash.hashvalues)
        return float(agreeing) / self.config.num_perm

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
        if sketch.shingle_hashes is not None:
            self._shingle_hashes[url] = sketch.shingle_hashes
        else:  # preloaded again, from its signature only: forget the older text's shingles
            self._shingle_hashes.pop(url, None)
        self._order.setdefault(url, len(self._order))


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler, config: DedupConfig) -> None:
        self.crawler = crawler
        self.index = DedupIndex(config)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        return cls(crawler, config_of(crawler).dedup)

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
