"""Record a replica story page as a site-profile fixture: the page's bytes and its ground truth.

    python scripts/record_fixture.py older_layout photo latin1 year_rollover

writes tests/fixtures/peopledaily_fr/replica-<variant>.html and .expected.json, taking the
first story of each variant in the default 60-story replica.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from newscrawl.replica import Portal, ReplicaOptions

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "peopledaily_fr"


def record(portal: Portal, variant: str) -> Path:
    url = portal.variants[variant][0]
    page = portal.respond("GET", url)
    truth = next(s for s in portal.expected_stories() if s["url"] == url)
    stem = FIXTURES / f"replica-{variant.replace('_', '-')}"
    stem.with_suffix(".html").write_bytes(page.body)
    expected = dict(truth)
    expected["content_type"] = page.headers.get("Content-Type", "text/html")
    stem.with_suffix(".expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return stem


def main(variants: list[str]) -> None:
    portal = Portal(ReplicaOptions(stories=60))
    for variant in variants:
        print(record(portal, variant))


if __name__ == "__main__":
    main(sys.argv[1:])
