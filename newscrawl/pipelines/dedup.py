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

import asyncio
import dataclasses
import hashlib
import inspect
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, NoReturn

import numpy as np
from scrapy import signals
from scrapy.crawler import Crawler

from newscrawl import machinery, setting
from newscrawl.compact import Column, KeyTable, SpillFile, URLNumbers
from newscrawl.config import config_of
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.setting import DEFAULTS
from newscrawl.text import comparable_words, fingerprint_of_words
from newscrawl.workers import Workers

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
    minhash: Any  # a MinHash (its ``hashvalues``): this module's, or datasketch's
    shingle_hashes: np.ndarray | None = None

    @property
    def story_id(self) -> str:
        return self.fingerprint[:STORY_ID_HEX_DIGITS]


class Admission(NamedTuple):
    """A story :meth:`DedupIndex.add` recorded: its number, and the number of the earlier
    run's text of its URL that it retired (None: none)."""

    number: int
    older: int | None


@dataclass(frozen=True)
class Match:
    reason: Literal["duplicate", "near_duplicate"]
    duplicate_of: str
    similarity: float

    def rejection(self, url: str) -> StoryRejected:
        """The story at ``url`` rejected as this copy (the similarity only for a near one)."""
        if self.reason == "duplicate":
            return StoryRejected(url, "duplicate", duplicate_of=self.duplicate_of)
        return StoryRejected(
            url, "near_duplicate", duplicate_of=self.duplicate_of, similarity=self.similarity
        )


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
    # Each window of ``size`` words as a tuple (zip of the list and its shifts), joined and
    # encoded by map: a third less time than slicing and joining in a set comprehension.
    windows = zip(*(words[i:] for i in range(size)), strict=False)  # the shifts end early
    return set(map(str.encode, map(" ".join, windows)))


def shingle_hashes(shingle_set: set[bytes]) -> np.ndarray:
    """Sorted unique 64-bit hashes of the shingles: the first 8 bytes of each one's sha1.

    The low 32 bits of each are datasketch's ``sha1_hash32`` of the shingle, so the MinHash
    built from them equals the one ``MinHash.update_batch(shingles)`` builds: signatures
    stored by earlier runs still compare.
    """
    sha1 = hashlib.sha1
    digests = b"".join([sha1(shingle).digest()[:8] for shingle in shingle_set])
    return np.unique(np.frombuffer(digests, dtype="<u8").astype(np.uint64))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def fingerprint_key(fingerprint: str) -> int:
    """A body fingerprint as the index keeps it: its first 64 bits, signed (a sha1 in hex, as
    :func:`newscrawl.text.body_fingerprint` writes it; anything else, those of its sha1). Two
    texts share a key by chance with probability 2**-64 a pair: about 3e-10 for a crawl of a
    hundred thousand stories."""
    try:
        value = int(fingerprint[:16], 16) if len(fingerprint) == 40 else None
    except ValueError:
        value = None
    if value is None:
        value = int.from_bytes(hashlib.sha1(fingerprint.encode()).digest()[:8], "big")
    return value - (1 << 64) if value >= 1 << 63 else value


# datasketch 2's "affine32" MinHash, computed here so that a crawl does not import datasketch
# (whose package imports scipy and its LSH back ends: ~60 MB of memory and 0.35 s before the
# first request). The same permutations from the same seed, the same MurmurHash3 finalizer and
# affine maps modulo 2**32: the same signatures, so those stored by earlier runs (and by
# datasketch) still compare; a test holds the two equal.
_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)
_MAX_HASH32 = np.uint32(0xFFFFFFFF)


def minhash_permutations(num_perm: int, seed: int = MINHASH_SEED) -> np.ndarray:
    """datasketch's affine32 permutation parameters: (a, b), each ``num_perm`` uint32, a odd."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return np.array([a, b])


@dataclass(frozen=True)
class MinHash:
    """A MinHash signature: ``hashvalues`` (uint32, one per permutation), as datasketch's."""

    hashvalues: np.ndarray

    @classmethod
    def of(cls, hashes32: np.ndarray, permutations: np.ndarray) -> MinHash:
        """The signature of a set given its 32-bit hashes (datasketch's ``update_batch``)."""
        if not hashes32.size:
            return cls(np.full(permutations.shape[1], _MAX_HASH32, dtype=np.uint32))
        s1, m1, s2, m2, s3 = _FMIX32
        values = hashes32.astype(np.uint32).reshape(-1, 1)
        values = values ^ (values >> s1)
        values = values * m1
        values = values ^ (values >> s2)
        values = values * m2
        values = values ^ (values >> s3)
        a, b = permutations
        return cls((values * a + b).min(axis=0))

    def jaccard(self, other: Any) -> float:
        """The signatures' estimate of the sets' Jaccard similarity."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


class BandIndex:
    """The LSH index: each story's band keys, in a :class:`KeyTable` (no Python object per story).

    A band of a signature is ``rows`` consecutive hash values (datasketch's bands: the first
    ``bands * rows`` values in order); its key is the low 32 bits of a hash of the band's
    index and values. Two stories are candidates when one of their bands has the same key. A
    chance collision of two different bands only adds a candidate, which the exact similarity
    then judges: at 100,000 stories (21 bands of the default settings, 2.1 million entries) a
    story's 21 keys meet 21 * 2.1e6 / 2**32 = 0.01 chance entries, one more read of the spill
    file for one story in a hundred. 32-bit keys cost 8 bytes an entry, 64-bit ones 12.
    """

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        self._index_column = np.arange(bands, dtype=np.uint32).reshape(bands, 1)
        self.table = KeyTable(key_bits=32)

    def __len__(self) -> int:
        return len(self.table)

    def keys_of(self, signature: np.ndarray) -> list[int]:
        values = np.asarray(signature, dtype=np.uint32)[: self.bands * self.rows]
        table = np.hstack((self._index_column, values.reshape(self.bands, self.rows)))
        raw = table.tobytes()
        width = (self.rows + 1) * 4
        return [hash(raw[start : start + width]) for start in range(0, len(raw), width)]

    def add(self, keys: list[int], story: int) -> None:
        self.table.add(keys, story)

    def query(self, keys: list[int]) -> list[int]:
        """The stories with one of these keys (retired ones too: the index decides)."""
        return self.table.query(keys)


class DedupIndex:
    """Stories seen so far: by URL, by body fingerprint, and by shingles (LSH finds candidates).

    Kept compact, as a long crawl needs (BENCHMARKS.md, *Memory*): in memory, a story is a
    number, found again from its URL by the URL's hash (:class:`URLNumbers`: the URL's text is
    on disk and confirms every hit), its fingerprint, its LSH band keys in numpy arrays
    (:class:`BandIndex`) and a few numbers; its shingle hashes (the exact similarity's) and
    its signature (the estimate's, for stories preloaded without shingles) are written to a
    temporary file (:class:`SpillFile`) and read back for LSH candidates only. A URL's text is
    read back to confirm it, and to name the story a duplicate is a copy of.
    """

    def __init__(self, config: DedupConfig, spill_folder: str | None = None) -> None:
        self.config = config
        self._permutations = minhash_permutations(config.num_perm)
        self._bands = BandIndex(*lsh_bands(config.threshold, config.num_perm))
        # url <-> its story numbers (order stored); a story stored again gets a new number and
        # its older one is retired (its bands and fingerprint no longer count)
        self._urls = URLNumbers(spill_folder)
        self._current = Column(np.bool_)  # the number is its URL's current one
        self._kept = 0  # URLs with a current number
        self._fingerprints = KeyTable()  # fingerprint key -> the stories with that text
        self._this_run = Column(np.bool_)
        self._shingles_at = Column(np.int64, -1)  # offset in the spill file; -1: none
        self._shingle_count = Column(np.int32)
        self._spill = SpillFile(spill_folder)  # shingle hashes, appended
        self._signature_file = SpillFile(spill_folder)  # signatures, one slot per story

    def __len__(self) -> int:
        return self._kept

    def close(self) -> None:
        self._urls.close()
        self._spill.close()
        self._signature_file.close()

    def sketch(self, body: str) -> Sketch:
        words = comparable_words(body)
        hashes = shingle_hashes(shingles(words, self.config.shingle_size))
        minhash = MinHash.of((hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32), self._permutations)
        return Sketch(fingerprint_of_words(words), minhash, hashes)

    def sketch_of(self, fingerprint: str, hashvalues: Any, hashes: Any) -> Sketch:
        """The sketch of a body whose parts were computed elsewhere (a worker process)."""
        return Sketch(fingerprint, MinHash(np.asarray(hashvalues, dtype=np.uint32)), hashes)

    def seen(self, url: str) -> bool:
        """Was a story with this URL emitted in this run?"""
        number = self._number(url)
        return number is not None and bool(self._this_run.values[number])

    def _number(self, url: str) -> int | None:
        """The current number of the story at ``url`` (None: not stored, or forgotten): its
        latest, or an older one a withdrawn story had retired (:meth:`withdraw`)."""
        current = self._current.values
        return next((number for number in self._urls.numbers(url) if current[number]), None)

    def match(self, url: str, sketch: Sketch) -> Match | None:
        """The earlier story this one duplicates, if any (never the same URL's earlier text)."""
        current, own = self._current.values, self._number(url)
        first = min(
            (
                s
                for s in self._fingerprints.query([fingerprint_key(sketch.fingerprint)])
                if current[s]
            ),
            default=None,
        )
        if first is not None and first != own:  # own: the same URL's earlier text
            return Match("duplicate", self._urls.url(first), 1.0)
        # Most similar first; among equals the earliest stored, so the outcome is deterministic.
        candidates = {
            story
            for story in self._bands.query(self._bands.keys_of(sketch.minhash.hashvalues))
            if story != own and current[story]
        }
        scored = [(self._similarity(story, sketch), -story) for story in candidates]
        similarity, best = max(scored, default=(0.0, 0))
        if similarity < self.config.threshold:
            return None
        return Match("near_duplicate", self._urls.url(-best), round(similarity, 3))

    def similarity(self, url: str, sketch: Sketch) -> float:
        """Jaccard similarity of a stored story's shingles and the sketch's.

        Exact when both have their shingle hashes; the MinHash estimate for a story
        preloaded from its stored signature (or a sketch without shingle hashes).
        """
        number = self._number(url)
        if number is None:
            raise KeyError(url)
        return self._similarity(number, sketch)

    def _similarity(self, story: int, sketch: Sketch) -> float:
        at = int(self._shingles_at.values[story])
        if at >= 0 and sketch.shingle_hashes is not None:
            count = int(self._shingle_count.values[story])
            return jaccard(self._spill.read(at, count, np.uint64), sketch.shingle_hashes)
        agreeing = np.count_nonzero(self._signature(story) == sketch.minhash.hashvalues)
        return float(agreeing) / self.config.num_perm

    def _signature(self, story: int) -> np.ndarray:
        slot = story * self.config.num_perm * 4
        return self._signature_file.read(slot, self.config.num_perm, np.uint32)

    def add(self, url: str, sketch: Sketch) -> Admission:
        """Record a story emitted in this run; what :meth:`withdraw` takes to undo it."""
        older = self._number(url)
        number = self._store(url, sketch)
        self._this_run.values[number] = True
        return Admission(number, older)

    def withdraw(self, admission: Admission) -> None:
        """Undo :meth:`add`: a story that was not emitted after all (a pipeline after this one
        failed it) is no copy's original; the earlier run's text its URL had is current again,
        as it was before."""
        number, older = admission
        self._this_run.values[number] = False
        self._current.values[number] = False
        if older is not None:
            self._current.values[older] = True
        else:
            self._kept -= 1

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
            sketch = Sketch(fingerprint, MinHash(np.asarray(signature, dtype=np.uint32)))
        else:
            raise ValueError("add_known needs the body, or the fingerprint and the signature")
        self._store(url, sketch)

    def forget(self, url: str) -> None:
        """A story withdrawn from the crawl (a shared crawl's worker died before writing it):
        as if it had never been stored. Its number is not reused; stored again, it is new."""
        number = self._number(url)
        if number is None:
            return
        self._this_run.values[number] = False
        self._current.values[number] = False  # its bands and its fingerprint no longer count
        self._kept -= 1

    def _store(self, url: str, sketch: Sketch) -> int:
        older = self._number(url)
        if older is not None:  # a story of an earlier run, emitted again: its older text retires
            self._current.values[older] = False
        else:
            self._kept += 1
        number = self._urls.add(url)
        for column in self._columns():
            column.ensure(number + 1)
        self._current.values[number] = True
        self._signature_file.write_at(
            number * self.config.num_perm * 4, sketch.minhash.hashvalues.astype(np.uint32)
        )
        self._fingerprints.add([fingerprint_key(sketch.fingerprint)], number)
        self._bands.add(self._bands.keys_of(sketch.minhash.hashvalues), number)
        if sketch.shingle_hashes is not None:  # else: compared by its signature's estimate
            hashes = np.asarray(sketch.shingle_hashes, dtype=np.uint64)
            self._shingles_at.values[number] = self._spill.append(hashes)
            self._shingle_count.values[number] = hashes.size
        return number

    def _columns(self) -> tuple[Column, ...]:
        return (self._this_run, self._current, self._shingles_at, self._shingle_count)

    def memory(self) -> dict[str, int]:
        """Bytes each structure takes in memory (for the memory benchmark), and on disk."""
        return {
            "URL -> number, by hash (numpy; the URLs' text on disk)": self._urls.nbytes(),
            "fingerprints (numpy)": self._fingerprints.nbytes(),
            "LSH band keys (numpy)": self._bands.table.nbytes(),
            "per-story columns (numpy)": sum(c.values.nbytes for c in self._columns()),
            "spill files (disk)": self._urls.spilled + self._spill.size + self._signature_file.size,
        }


class DeduplicatePipeline:
    def __init__(self, crawler: Crawler, config: DedupConfig) -> None:
        self.crawler = crawler
        self.index = DedupIndex(config)
        # Stories accepted here whose end is not known yet (a pipeline after this one may still
        # fail them): at most the items Scrapy processes at once. A copy of one of them waits
        # for its end (``_ends``) to be judged.
        self._in_flight: dict[str, Admission] = {}
        self._ends: dict[str, asyncio.Future[None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        pipeline = cls(crawler, config_of(crawler).dedup)
        crawler.signals.connect(pipeline._ended, signal=signals.item_scraped)
        crawler.signals.connect(pipeline._dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline._failed, signal=signals.item_error)
        return pipeline

    def _ended(self, item: Any) -> None:
        url = getattr(item, "url", "")
        if self._in_flight.pop(url, None) is not None:
            self._end(url)

    def _dropped(self, item: Any, exception: BaseException) -> None:
        """A story a later pipeline rejected was not emitted either: withdrawn like a failed
        one, but for ``unchanged`` (its URL's text, the same, is what an earlier run emitted)."""
        outcome = getattr(exception, "outcome", None)
        if outcome is not None and outcome.reason == "unchanged":
            self._ended(item)
        else:
            self._failed(item)

    def _failed(self, item: Any) -> None:
        """A story a later pipeline failed (``pipeline_error``) was not emitted: withdrawn, so a
        copy of it is emitted, not rejected as the copy of a story nobody has."""
        url = getattr(item, "url", "")
        admission = self._in_flight.pop(url, None)
        if admission is not None:
            self.index.withdraw(admission)
            self._end(url)

    def _end(self, url: str) -> None:
        waiting = self._ends.pop(url, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)

    def open_spider(self) -> None:
        self.crawler.signals.send_catch_log(signal=dedup_index_opened, index=self.index)

    def close_spider(self) -> None:
        self.index.close()

    def process_item(self, item: Any) -> Any:
        """The story with its ``story_id``; with workers, a coroutine Scrapy awaits."""
        if not isinstance(item, Story):
            return item
        self._not_seen(item)  # before the sketch: a URL emitted already costs no shingling
        workers = Workers.of(self.crawler)
        if workers is not None:
            made = workers.sketched(item.url, item.body)
            if made is not None:  # by the worker that read its page: nothing to await
                return self._decide(item, self.index.sketch_of(*made))
            return self._decide_after(workers, item)
        return self._decide(item, self.index.sketch(item.body))

    async def _decide_after(self, workers: Workers, item: Story) -> Story:
        """Shingled and hashed in a worker process; decided here, against the one index (no
        await between the question and the answer)."""
        sketch = self.index.sketch_of(*await workers.sketch(item.body))
        self._not_seen(item)  # another copy of the URL was decided meanwhile
        decided = self._decide(item, sketch)
        return await decided if inspect.isawaitable(decided) else decided

    def _not_seen(self, item: Story) -> None:
        try:
            seen = self.index.seen(item.url)  # a hash hit is confirmed from a spill file
        except OSError as error:
            self._spill_failed(item, error)
        if seen:
            raise StoryRejected(item.url, "duplicate_url", duplicate_of=item.url)

    def _decide(self, item: Story, sketch: Sketch) -> Any:
        """The story with its ``story_id``, or its rejection raised; a coroutine deciding again
        once the story it copies has ended, while that one is still in the later pipelines (if
        they fail it, this one is no copy)."""
        try:
            match = self.index.match(item.url, sketch)
            if match is None:
                self._in_flight[item.url] = self.index.add(item.url, sketch)
        except OSError as error:
            self._spill_failed(item, error)
        if match is None:
            return dataclasses.replace(item, story_id=sketch.story_id)
        if match.duplicate_of in self._in_flight:
            return self._after_the_end_of(match.duplicate_of, item, sketch)
        raise match.rejection(item.url)

    async def _after_the_end_of(self, original: str, item: Story, sketch: Sketch) -> Story:
        # Asked again: the original may have ended between the decision and this coroutine's
        # start, and an end already past is never announced again.
        if original in self._in_flight:
            ends = self._ends.get(original)
            if ends is None:
                ends = self._ends[original] = asyncio.get_running_loop().create_future()
            await ends
        self._not_seen(item)
        decided = self._decide(item, sketch)
        return await decided if inspect.isawaitable(decided) else decided

    def _spill_failed(self, item: Story, error: OSError) -> NoReturn:
        """The index's spill files failed (TMPDIR full or gone): the run's own machinery."""
        machinery.fail(self.crawler, machinery.temporary_files(), error)
        raise StoryRejected(item.url, "not_emitted", because=machinery.CLOSE_REASON) from error
