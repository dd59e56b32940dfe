"""Validation: a story is emitted only if it matches the package's JSON Schema.

The schema (``newscrawl/story.schema.json``) is the single description of a story's
fields; this pipeline only adds the minimum body length, which is a setting. A story
whose body is empty or shorter than ``NEWSCRAWL_MIN_BODY_CHARS`` is rejected with reason
``no_body``; any other mismatch with reason ``invalid`` and the failed check.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from fastjsonschema import JsonSchemaException
from jsonschema.exceptions import ValidationError, best_match
from scrapy.crawler import Crawler

from newscrawl import setting
from newscrawl.config import config_of
from newscrawl.items import Story
from newscrawl.outcomes import StoryRejected
from newscrawl.schema import story_acceptor, story_validator
from newscrawl.setting import DEFAULTS
from newscrawl.workers import Workers

_MAX_MESSAGE_CHARS = 200  # a failed check quotes the value; keep the rejects file readable


@dataclass(frozen=True)
class ValidateConfig:
    min_body_chars: int = DEFAULTS["NEWSCRAWL_MIN_BODY_CHARS"]

    @classmethod
    def from_settings(cls, settings: Any) -> ValidateConfig:
        return cls(setting.integer(settings, "NEWSCRAWL_MIN_BODY_CHARS", minimum=0))


def describe(error: ValidationError) -> dict[str, str]:
    """Where and which check failed: ``$.published_at: pattern`` and the message."""
    return {
        "check": f"{error.json_path}: {error.validator}",
        "message": error.message[:_MAX_MESSAGE_CHARS],
    }


def check_story(story: Story, config: ValidateConfig) -> None:
    """Raise :class:`StoryRejected` unless the story is fit to emit."""
    body = story.body if isinstance(story.body, str) else ""
    if len(body.strip()) < max(config.min_body_chars, 1):
        raise StoryRejected(
            story.url, "no_body", body_chars=len(body.strip()), min_body_chars=config.min_body_chars
        )
    try:
        story_acceptor()({f.name: getattr(story, f.name) for f in dataclasses.fields(story)})
        return  # valid (the common case, at a fifteenth of jsonschema's cost)
    except JsonSchemaException:
        pass
    error = best_match(story_validator().iter_errors(dataclasses.asdict(story)))
    if error is not None:
        raise StoryRejected(story.url, "invalid", **describe(error))


class ValidateStoryPipeline:
    def __init__(self, config: ValidateConfig, crawler: Crawler | None = None) -> None:
        self.config = config
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateStoryPipeline:
        return cls(config_of(crawler).validate, crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Story) and not self._checked_by_a_worker(item):
            check_story(item, self.config)
        return item

    def _checked_by_a_worker(self, item: Story) -> bool:
        """The very story a worker process cleaned and checked (newscrawl.workers)."""
        workers = Workers.of(self.crawler) if self.crawler is not None else None
        return workers is not None and workers.validated(item)
