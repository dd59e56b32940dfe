"""What the state keeps of a story's text: the dedup pipeline's fingerprint and MinHash.

Both are computed the way :mod:`newscrawl.pipelines.dedup` computes them, so a story read back
from a feed compares with a story crawled now: :func:`story_fingerprint` for the state's
``fingerprint`` column (unchanged or revised?), :class:`StoryMinhash` for its ``minhash`` blob
(near-duplicates across runs: the blob is the signature's 32-bit hash values, 512 bytes at 128
permutations, reloaded by :meth:`DedupIndex.add_known` without re-shingling the body).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from newscrawl.pipelines.dedup import DedupConfig, DedupIndex
from newscrawl.text import body_fingerprint

SIGNATURE_DTYPE = np.uint32  # the dedup index keeps signatures as uint32 (datasketch affine32)


def story_fingerprint(story: Mapping[str, Any]) -> str:
    """sha1 of the body's comparable words; ``story_id`` is its first 16 hex digits."""
    return body_fingerprint(str(story.get("body") or ""))


def signature_bytes(hashvalues: Any) -> bytes:
    return np.asarray(hashvalues).astype(SIGNATURE_DTYPE).tobytes()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=SIGNATURE_DTYPE)


class StoryMinhash:
    """A story dict -> its MinHash signature as bytes, with the dedup pipeline's settings."""

    def __init__(self, config: DedupConfig) -> None:
        self._index = DedupIndex(config)

    def __call__(self, story: Mapping[str, Any]) -> bytes:
        sketch = self._index.sketch(str(story.get("body") or ""))
        return signature_bytes(sketch.minhash.hashvalues)
