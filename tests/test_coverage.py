"""What a story carries, and how each field was found, read back from ``extraction``."""

from __future__ import annotations

import pytest

from newscrawl.coverage import covered, found_by, has_time, rendered


@pytest.mark.parametrize(
    ("published_at", "timed"),
    [
        ("2021-12-27T09:08:00+08:00", True),
        ("2021-12-27T00:00:00+08:00", False),  # a day alone: the profiles' day start
        ("2021-12-27T00:00:00+01:00", False),
        ("2021-12-27T00:00:01+01:00", True),
        ("2021-12-27", False),
        ("", False),
        (None, False),
        ("le 27/12", False),
    ],
)
def test_a_date_with_its_time(published_at: str | None, timed: bool) -> None:
    assert has_time(published_at) is timed


@pytest.mark.parametrize(
    ("extraction", "expected"),
    [
        ("profile", {"title": "profile", "body": "profile", "related": "profile"}),
        ("profile+rendered", {"title": "profile", "body": "profile"}),
        ("profile(published_at=url_day)", {"published_at": "url_day", "title": "profile"}),
        (
            "fallback(body=densest_paragraphs,title=h1)+rendered",
            {"body": "densest_paragraphs", "title": "h1", "section": "profile"},
        ),
        (
            "generic(authors=json_ld,body=trafilatura,published_at=json_ld)",
            {"body": "trafilatura", "authors": "json_ld", "title": "generic"},
        ),
        ("", {"title": "profile"}),
        (None, {"title": "profile"}),
    ],
)
def test_how_each_field_was_found(extraction: str | None, expected: dict[str, str]) -> None:
    how = found_by(extraction)
    assert {field: how[field] for field in expected} == expected


def test_rendered_and_covered() -> None:
    assert rendered("fallback(title=h1)+rendered") and not rendered("profile")
    story = {
        "title": "T",
        "published_at": "2021-12-27T00:00:00+08:00",
        "related": [],
        "authors": ["A"],
        "images": [{"url": "u"}],
    }
    got = covered(story)
    assert got["title"] and got["published_at"] and not got["date_with_time"]
    assert not got["related"] and got["authors"] and got["images"] and not got["editors"]
