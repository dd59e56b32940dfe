"""StateStoryPipeline: each story against what earlier runs emitted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.extensions.state import RunState
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.pipelines.dedup import DedupConfig, DedupIndex
from newscrawl.pipelines.state import StateStoryPipeline
from newscrawl.state.sketch import StoryMinhash, story_fingerprint
from tests.test_pipelines_dedup import FIRST, SECOND, near_copy, reference_body

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def state(tmp_path: Path):
    crawler = get_crawler(settings_dict={"NEWSCRAWL_STATE": str(tmp_path / "state.sqlite")})
    run_state = RunState(crawler, tmp_path / "state.sqlite", refresh_hours=48, now=lambda: NOW)
    yield run_state
    run_state.engine_stopped()


def pipeline_of(state: RunState, window_days: float = 30) -> StateStoryPipeline:
    return StateStoryPipeline(state.crawler, state, window_days)


def judged(pipeline: StateStoryPipeline, item: Story) -> Story:
    result: Story = asyncio.run(pipeline.process_item(item))
    return result


def story(url: str, body: str, story_id: str = "") -> Story:
    return Story(
        url=url,
        title="t",
        published_at="2026-11-27T09:08:00+08:00",
        body=body,
        story_id=story_id or story_fingerprint({"body": body})[:16],
    )


def remember(state: RunState, item: Story, emitted: datetime = NOW) -> None:
    state.store.record_emitted(
        item.url,
        item.story_id,
        story_fingerprint({"body": item.body}),
        item.published_at,
        1,
        emitted,
        minhash=state.minhash({"body": item.body}),
    )


def test_a_story_no_run_emitted_is_new(state: RunState) -> None:
    item = story(FIRST, reference_body())
    assert judged(pipeline_of(state), item) == item


def test_a_story_emitted_before_with_the_same_text_is_rejected_unchanged(state) -> None:
    earlier = story(FIRST, reference_body())
    remember(state, earlier)
    with pytest.raises(StoryRejected) as rejection:
        judged(pipeline_of(state), story(FIRST, reference_body() + "  "))
    assert rejection.value.outcome.reason == "unchanged"
    assert rejection.value.outcome.details["story_id"] == earlier.story_id


def test_an_edited_story_is_the_next_revision_under_its_first_story_id(state) -> None:
    earlier = story(FIRST, reference_body())
    remember(state, earlier)
    edited = judged(pipeline_of(state), story(FIRST, near_copy(reference_body())))
    assert edited.revision == 2
    assert edited.previous_fingerprint == story_fingerprint({"body": earlier.body})
    assert edited.story_id == earlier.story_id  # not the edited text's own id
    assert edited.body == near_copy(reference_body())


def test_recent_stories_of_earlier_runs_are_preloaded_into_near_duplicate_detection(
    state: RunState,
) -> None:
    remember(state, story(FIRST, reference_body()))
    index = DedupIndex(DedupConfig())
    asyncio.run(pipeline_of(state).preload(index))
    match = index.match(SECOND, index.sketch(near_copy(reference_body())))
    assert match is not None
    assert (match.reason, match.duplicate_of) == ("near_duplicate", FIRST)
    assert index.match(FIRST, index.sketch(reference_body())) is None  # not a copy of itself


def test_stories_older_than_the_window_are_not_preloaded(state: RunState) -> None:
    # published 2026-11-27 and emitted two days before NOW: outside a half-day window
    remember(state, story(FIRST, reference_body()), emitted=NOW - timedelta(days=2))
    index = DedupIndex(DedupConfig())
    asyncio.run(pipeline_of(state, window_days=0.5).preload(index))
    assert len(index) == 0


def test_an_old_story_emitted_recently_is_preloaded(state: RunState) -> None:
    item = story(FIRST, reference_body())
    item.published_at = "2021-12-27T09:08:00+08:00"  # an archive story, emitted at NOW
    remember(state, item)
    index = DedupIndex(DedupConfig())
    asyncio.run(pipeline_of(state, window_days=30).preload(index))
    assert len(index) == 1


def test_a_signature_from_other_minhash_settings_is_not_preloaded(state: RunState) -> None:
    item = story(FIRST, reference_body())
    smaller = StoryMinhash(DedupConfig(num_perm=64))({"body": item.body})
    state.store.record_emitted(item.url, item.story_id, "fp", item.published_at, 1, NOW, smaller)
    index = DedupIndex(DedupConfig())
    asyncio.run(pipeline_of(state).preload(index))
    assert len(index) == 0


def test_an_exact_copy_of_an_old_stored_story_is_a_duplicate_outside_the_window(state) -> None:
    remember(state, story(FIRST, reference_body()))
    with pytest.raises(StoryRejected) as rejection:
        judged(pipeline_of(state, window_days=0), story(SECOND, reference_body()))
    assert rejection.value.outcome.reason == "duplicate"
    assert rejection.value.outcome.details["duplicate_of"] == FIRST
