"""The story's JSON Schema and the Story dataclass describe the same fields, in the same order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from newscrawl.items import Story
from newscrawl.schema import story_schema, story_validator

REFERENCE = Path(__file__).parent / "fixtures" / "peopledaily_fr" / "story.expected.json"


def reference_document() -> dict:
    """The reference story as the crawler emits it: the expected fields plus the stamps."""
    story = Story(**json.loads(REFERENCE.read_text(encoding="utf-8")))
    story.extraction = "profile"
    story.crawled_at = "2026-11-28T20:30:00+00:00"
    return dataclasses.asdict(story)


def test_schema_properties_are_the_story_fields_in_order():
    assert list(story_schema()["properties"]) == [f.name for f in dataclasses.fields(Story)]


def test_every_field_is_documented():
    undocumented = [
        name for name, spec in story_schema()["properties"].items() if not spec.get("description")
    ]
    assert undocumented == []


def test_schema_ships_in_the_package():
    import newscrawl

    assert (Path(newscrawl.__file__).parent / "story.schema.json").is_file()


def test_reference_story_validates():
    assert list(story_validator().iter_errors(reference_document())) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_at", "2021-12-27T09:08:00"),  # no offset
        ("published_at", "27/12/2021 09:08"),
        ("published_at", "2021-13-27T09:08:00+08:00"),
        ("url", "french.peopledaily.com.cn/International/"),
        ("url", "http://french.peopledaily.com.cn/a.html#top"),
        ("title", "   "),
        ("language", ""),
        ("word_count", -1),
        ("crawled_at", "2026-11-28T20:30:00+08:00"),  # not UTC
        ("story_id", "not-an-id"),
        ("related", [{"title": "Sans lien"}]),
    ],
)
def test_malformed_field_fails(field, value):
    document = reference_document()
    document[field] = value
    errors = list(story_validator().iter_errors(document))
    assert errors
    assert any(field in e.json_path for e in errors)


def test_missing_field_fails():
    document = reference_document()
    del document["title"]
    assert [e.validator for e in story_validator().iter_errors(document)] == ["required"]
