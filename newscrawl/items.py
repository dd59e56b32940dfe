"""The story: what the crawler emits, one JSONL line or one CSV row each.

Field order is the CSV column order. ``story.schema.json`` beside this module
describes the same fields; ``tests/test_schema.py`` keeps the two in step. The CSV has one
column of its own after these, ``cut_fields`` (:mod:`newscrawl.exporters`): which cells were
cut to fit a spreadsheet. It is no field of the story, which the JSONL keeps whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Story:
    url: str
    title: str
    published_at: str
    modified_at: str | None = None
    section: str | None = None
    section_name: str | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    summary: str | None = None
    body: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)  # {url, caption}
    related: list[dict[str, str]] = field(default_factory=list)  # {title, url}
    language: str = "fr"
    site: str = ""  # the name of the site profile that read it, e.g. peopledaily_fr
    word_count: int = 0
    extraction: str = ""
    crawled_at: str = ""
    # Filled by the pipelines: dedup (story_id) and, for incremental runs, state (revision).
    story_id: str = ""
    revision: int = 1
    previous_fingerprint: str | None = None

    def last_dated(self) -> str:
        """The latest time the story shows: its last update, else its publication."""
        return self.modified_at or self.published_at


# Fields that are lists of values or of objects: written as JSON text in a CSV cell.
LIST_FIELDS = ("authors", "editors", "keywords", "images", "related")
