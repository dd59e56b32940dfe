"""What the emitted stories carry: each field's coverage, and how each field was found. Pure.

A story is emitted only with a title, a date and a body (the pipelines reject the rest), but a
story can still lack what a researcher counts on: a date line with its time (a page that shows
no time gets the day of its URL at midnight), its editors, its related headlines. Each emitted
story is counted once per field it carries (:func:`count`, from the outcome ledger, into
Scrapy's stats under ``newscrawl/coverage/``); the manifest keeps those counts, the run history
compares them with the usual (:mod:`newscrawl.history`) and the report draws them.

``extraction`` says how the site profile found the story: ``profile``,
``profile(published_at=url_day)`` (a note on a field the profile found),
``fallback(body=densest_paragraphs,title=h1)``, ``generic(body=trafilatura,…)`` (a site with no
profile of its own), with ``+rendered`` when the page went through the browser.
:func:`found_by` reads it back, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

STAT = "newscrawl/coverage/"
STORIES = "stories"  # the denominator: stories counted
# What the coverage of each field means, in the order a report shows them.
FIELDS: dict[str, str] = {
    "title": "title",
    "published_at": "date",
    "date_with_time": "date with time",
    "modified_at": "date of last update",
    "section": "section",
    "source": "source",
    "authors": "authors",
    "editors": "editors",
    "related": "related headlines",
    "images": "pictures",
}
# The fields whose way of being found extraction names (the profile's, or a fallback).
FOUND_FIELDS = ("title", "published_at", "body", "section", "related")
PROFILE = "profile"
RENDERED = "+rendered"
_EXTRACTION = re.compile(r"^\s*(\w+)(?:\(([^)]*)\))?")


def has_time(published_at: str | None) -> bool:
    """A date line with its time: anything but midnight sharp, which is what a page that
    shows only a day gets (its URL's day, or a meta date)."""
    if not published_at:
        return False
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return False
    return (moment.hour, moment.minute, moment.second) != (0, 0, 0)


def covered(story: Any) -> dict[str, bool]:
    """Which of :data:`FIELDS` this story (a feed's dict, or a ``Story``) carries."""

    def field(name: str) -> Any:
        if isinstance(story, Mapping):
            return story.get(name)
        return getattr(story, name, None)

    published = field("published_at")
    return {
        "title": bool(field("title")),
        "published_at": bool(published),
        "date_with_time": has_time(published),
        "modified_at": bool(field("modified_at")),
        "section": bool(field("section")),
        "source": bool(field("source")),
        "authors": bool(field("authors")),
        "editors": bool(field("editors")),
        "related": bool(field("related")),
        "images": bool(field("images")),
    }


def found_by(extraction: str | None) -> dict[str, str]:
    """How each field was found: ``profile`` (or ``generic``) when ``extraction`` names no
    other way, else the way it names (``h1``, ``url_date``, ``trafilatura`` …); the fields of
    :data:`FOUND_FIELDS` always, and any other it names."""
    match = _EXTRACTION.match(extraction or "")
    kind = match.group(1) if match else PROFILE
    how = dict.fromkeys(FOUND_FIELDS, PROFILE if kind in (PROFILE, "fallback") else kind)
    if match and match.group(2):
        for part in match.group(2).split(","):
            field, _, method = part.partition("=")
            if field.strip():
                how[field.strip()] = method.strip() or kind
    return how


def rendered(extraction: str | None) -> bool:
    return RENDERED in (extraction or "")


def count(stats: Any, story: Any) -> None:
    """Count an emitted story's fields into Scrapy's stats."""
    stats.inc_value(STAT + STORIES)
    for field, present in covered(story).items():
        if present:
            stats.inc_value(STAT + field)


def coverage_of(stats: Mapping[str, Any]) -> dict[str, int]:
    """``{"stories": n, "title": n, …}`` from the stats: every field, zeros included."""
    return {name: int(stats.get(STAT + name, 0) or 0) for name in (STORIES, *FIELDS)}
