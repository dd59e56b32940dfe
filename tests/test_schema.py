"""The story's JSON Schema and the Story dataclass describe the same fields, in the same order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


MALFORMED = [
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
]


@pytest.mark.parametrize(("field", "value"), MALFORMED)
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


# --- the fast acceptor (fastjsonschema) never accepts what the validator rejects ------------

_DRAFT_7_KEYWORDS = {
    "$id", "$schema", "additionalProperties", "description", "format", "items", "minLength",
    "minimum", "pattern", "properties", "required", "title", "type",
}  # fmt: skip


def _keywords(schema: dict) -> set[str]:
    found = set(schema)
    for name, value in schema.items():
        if name == "properties":
            found |= {k for spec in value.values() for k in _keywords(spec)}
        elif isinstance(value, dict) and name != "properties":
            found |= _keywords(value)
    return found


def test_the_schema_uses_only_keywords_draft_7_reads_alike():
    """story_acceptor compiles the schema as draft 7: a 2020-12 keyword it does not know
    (prefixItems, $defs, dependentRequired…) would be ignored, and it would accept too much."""
    assert _keywords(story_schema()) <= _DRAFT_7_KEYWORDS


def _accepted(document: dict) -> bool:
    import fastjsonschema

    from newscrawl.schema import story_acceptor

    try:
        story_acceptor()(document)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    field=st.sampled_from([f.name for f in dataclasses.fields(Story)]),
    value=JSON_VALUES | st.sampled_from(["", " ", "2021-12-27T09:08:00+08:00", "http://x.cn/a"]),
    drop=st.booleans(),
)
def test_the_acceptor_accepts_only_what_the_validator_accepts(field, value, drop):
    document = reference_document()
    if drop:
        del document[field]
    else:
        document[field] = value
    if _accepted(document):
        assert list(story_validator().iter_errors(document)) == [], (field, value)


@pytest.mark.parametrize(("field", "value"), MALFORMED)
def test_the_acceptor_refuses_every_malformed_field(field, value):
    document = reference_document()
    document[field] = value
    assert not _accepted(document)
    assert _accepted(reference_document())
