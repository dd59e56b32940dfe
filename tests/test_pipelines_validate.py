"""ValidateStoryPipeline: a story is emitted only if it matches the schema and has a body."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.validate import ValidateStoryPipeline

REFERENCE = Path(__file__).parent / "fixtures" / "peopledaily_fr" / "story.expected.json"


def pipeline(settings: dict | None = None) -> ValidateStoryPipeline:
    return ValidateStoryPipeline.from_crawler(get_crawler(settings_dict=settings or {}))


def reference(**changes) -> Story:
    story = Story(**json.loads(REFERENCE.read_text(encoding="utf-8")))
    story = dataclasses.replace(story, extraction="profile", crawled_at="2026-11-28T20:30:00+00:00")
    return dataclasses.replace(story, **changes)


def rejection(item: Story, settings: dict | None = None) -> StoryRejected:
    with pytest.raises(StoryRejected) as raised:
        pipeline(settings).process_item(item)
    return raised.value


def test_reference_story_passes_unchanged():
    item = reference()
    assert pipeline().process_item(item) is item


def test_missing_title_is_invalid():
    outcome = rejection(reference(title="")).outcome
    assert (outcome.reason, outcome.details["check"]) == ("invalid", "$.title: pattern")


def test_published_at_without_offset_is_invalid():
    outcome = rejection(reference(published_at="2021-12-27T09:08:00")).outcome
    assert outcome.reason == "invalid"
    # "pattern" always; "format" too where jsonschema's optional date-time checker is installed
    assert outcome.details["check"] in ("$.published_at: pattern", "$.published_at: format")
    assert "2021-12-27T09:08:00" in outcome.details["message"]


def test_published_at_with_utc_designator_passes():
    item = reference(published_at="2021-12-27T01:08:00Z")
    assert pipeline().process_item(item) is item


def test_missing_url_is_invalid():
    outcome = rejection(reference(url="/International/n3/2021/1227/c31356-9937465.html")).outcome
    assert (outcome.reason, outcome.details["check"]) == ("invalid", "$.url: pattern")


def test_wrong_type_is_invalid():
    outcome = rejection(reference(keywords="Irak, OTAN")).outcome
    assert (outcome.reason, outcome.details["check"]) == ("invalid", "$.keywords: type")


def test_rejection_names_the_story_url():
    item = reference(published_at="hier")
    assert rejection(item).outcome.url == item.url


@pytest.mark.parametrize("body", ["", "   ", "Trop court."])
def test_empty_or_short_body_is_no_body(body):
    outcome = rejection(reference(body=body)).outcome
    assert outcome.reason == "no_body"
    assert outcome.details["min_body_chars"] == 200


def test_min_body_chars_setting_changes_the_outcome():
    short = reference(body="Une dépêche de quelques mots seulement.")
    assert rejection(short).outcome.reason == "no_body"
    assert pipeline({"NEWSCRAWL_MIN_BODY_CHARS": 20}).process_item(short) is short
    assert rejection(reference(), {"NEWSCRAWL_MIN_BODY_CHARS": 5000}).outcome.reason == "no_body"


def test_negative_min_body_chars_is_refused_at_start():
    with pytest.raises(ValueError, match="NEWSCRAWL_MIN_BODY_CHARS"):
        pipeline({"NEWSCRAWL_MIN_BODY_CHARS": -1})


def test_items_other_than_stories_pass_unchanged():
    other = {"title": ""}
    assert pipeline().process_item(other) is other
