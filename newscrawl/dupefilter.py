"""Scrapy's duplicate filter with its fingerprints kept compact.

Scrapy's ``RFPDupeFilter`` keeps every request's 20-byte fingerprint as a bytes object in a set
for the whole run: ~85 bytes a request, the largest thing left growing with a crawl once the
frontier and the dedup index were made compact (BENCHMARKS.md, *Memory*). Here each is its first
64 bits in a :class:`~newscrawl.compact.KeyTable`, 12 bytes. Two requests share a key by chance
with probability 2**-64 a pair (~5e-10 for a crawl of 130,000 requests); the frontier decides
on story URLs before this filter sees them anyway. The JOBDIR file is Scrapy's own, in Scrapy's
format: a JOBDIR crawl resumes with either filter.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter

from newscrawl.compact import KeyTable

LENGTH_BYTES = 2  # requests.seen: each fingerprint after its big-endian 2-byte length


def _key(fingerprint: bytes) -> int:
    return int.from_bytes(fingerprint[:8], "little", signed=True)


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = KeyTable()  # each key with 0: the table is used as a set
        for fingerprint in self._fingerprints:  # read from a JOBDIR's requests.seen
            self._seen.add([_key(fingerprint)], 0)
        self._fingerprints = set()

    def __len__(self) -> int:
        return len(self._seen)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self._fingerprint(request)
        key = _key(fingerprint)
        if self._seen.query([key]):
            return True
        self._seen.add([key], 0)
        if self.file:
            self.file.write(len(fingerprint).to_bytes(LENGTH_BYTES, "big") + fingerprint)
        return False
