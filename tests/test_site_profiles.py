"""Contract: every registered site profile yields the expected story from each of its saved pages.

Fixtures live in ``tests/fixtures/<profile name>/``: ``X.html`` (the page's bytes) beside
``X.expected.json`` (the story it must yield; ``content_type`` is the HTTP header it was
served with). The reference page was given with the portal; the ``replica-*`` pages were
recorded with ``scripts/record_fixture.py``; the generic profile's pages are of our own making
(real pages, with their sources, are the corpus under ``tests/corpus/``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from newscrawl.extraction.decode import decode_page
from newscrawl.extraction.story import assemble_story, extract_page
from newscrawl.pipelines.clean import CleanConfig, clean_story
from newscrawl.sites import PROFILES, StoryPage, crawl_sites

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [
    (name, path)
    for name in sorted(PROFILES)
    for path in sorted((FIXTURES / name).glob("*.expected.json"))
]


def test_every_registered_profile_has_saved_pages() -> None:
    for name in PROFILES:
        assert [case for case in CASES if case[0] == name], f"no fixtures for site profile {name}"


@pytest.mark.parametrize(("name", "expected_path"), CASES, ids=lambda v: getattr(v, "stem", v))
def test_profile_yields_expected_story(name: str, expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    content_type = expected.pop("content_type", "text/html")
    html_path = expected_path.with_name(expected_path.name.replace(".expected.json", ".html"))
    html = decode_page(html_path.read_bytes(), content_type).text
    sites = crawl_sites((expected["url"],), name)  # as a crawl of that URL with -a site=NAME
    page = extract_page(sites, html, expected["url"])
    assert isinstance(page, StoryPage), page
    profile = PROFILES[name]
    story = clean_story(assemble_story([page], profile.name, profile.language), CleanConfig())
    produced = asdict(story)
    for field, value in expected.items():
        assert produced[field] == value, field
