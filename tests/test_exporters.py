"""The feeds: JSON lines every line reader reads whole; a CSV with lossless list cells,
spreadsheet-safe text, cells no longer than a spreadsheet holds; the JSONL untouched."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from typing import Any

import pytest

from newscrawl.exporters import (
    CELL_LIMIT,
    CUT_COLUMN,
    StoryCsvItemExporter,
    StoryJsonLinesItemExporter,
    cut_cell,
    json_line,
    neutralise_formula,
    utf16_length,
)
from newscrawl.items import LIST_FIELDS, Story


def story(**overrides: object) -> Story:
    base = Story(
        url="http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html",
        title="Titre",
        published_at="2021-12-27T09:08:00+08:00",
        section="Chine",
        editors=["Xiao Lu", "Wang Lin"],
        keywords=["Irak", "OTAN"],
        body="Un.\n\nDeux, «trois».",
        images=[{"url": "http://french.peopledaily.com.cn/NMediaFile/a.jpg", "caption": "Légende"}],
        related=[{"title": 'Autre, "cité"', "url": "http://french.peopledaily.com.cn/x.html"}],
        word_count=3,
        extraction="profile",
        crawled_at="2026-11-28T00:00:00+00:00",
    )
    for name, value in overrides.items():
        setattr(base, name, value)
    return base


def written(exporter_class: type, *stories: Story, **options: Any) -> bytes:
    """What an exporter of ``exporter_class`` writes for ``stories``, from start to finish."""
    buffer = io.BytesIO()
    exporter = exporter_class(buffer, encoding="utf-8", **options)
    exporter.start_exporting()
    for item in stories:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buffer.getvalue()


def export(*stories: Story) -> list[dict[str, str]]:
    text = written(StoryCsvItemExporter, *stories).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_columns_are_story_fields_in_order_and_lists_round_trip() -> None:
    item = story()
    buffer = io.BytesIO()
    exporter = StoryCsvItemExporter(buffer, encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    header = next(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8"))))
    # the story's fields in order, then the CSV's own column: which cells were cut
    assert header == [f.name for f in fields(Story)] + [CUT_COLUMN]
    row = export(item)[0]
    for name in LIST_FIELDS:
        assert json.loads(row[name]) == asdict(item)[name]
    assert row["body"] == item.body  # paragraph breaks survive inside the cell
    assert row["summary"] == ""
    assert json.loads(row[CUT_COLUMN]) == []


def test_formula_cells_are_neutralised_in_csv_only() -> None:
    row = export(story(title='=HYPERLINK("http://x")', section="+33", source="@cmd"))[0]
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["section"] == "'+33"
    assert row["source"] == "'@cmd"


def test_neutralise_formula_table() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_formula(text) == "'" + text
    for text in ("Chine", "", "1-0", " =x"):
        assert neutralise_formula(text) == text


# --- JSON lines: every line reader reads each record whole ---------------------------------------

LINE_BREAKS = "\u2028\u2029\x85"


def jsonl(*stories: Story) -> bytes:
    return written(StoryJsonLinesItemExporter, *stories)


def test_jsonl_escapes_the_line_breaks_json_leaves_raw() -> None:
    odd = story(
        title=f"Titre{LINE_BREAKS}",
        related=[{"title": "Lien", "url": f"http://en.people.cn/a{LINE_BREAKS}.html"}],
    )
    text = jsonl(odd, story()).decode("utf-8")
    lines = text.splitlines()  # U+2028, U+2029 and U+0085 end a line here
    assert len(lines) == 2  # before: 8
    assert json.loads(lines[0])["related"][0]["url"] == f"http://en.people.cn/a{LINE_BREAKS}.html"
    assert json.loads(lines[0])["title"] == f"Titre{LINE_BREAKS}"
    assert "\\u2028" in lines[0] and "\\u0085" in lines[0]
    assert not set(LINE_BREAKS) & set(text)


def test_json_line_is_one_line_for_any_text() -> None:
    record = {"url": "http://x/", "details": {"sample": "a\u2028b\u2029c\x85d\re\nf\x0bg\x1ch"}}
    line = json_line(record)
    assert line.endswith("\n") and len(line.splitlines()) == 1
    assert json.loads(line) == record


# --- CSV cells no longer than a spreadsheet holds -----------------------------------------------


def test_a_short_cell_is_never_cut() -> None:
    assert cut_cell("x" * CELL_LIMIT) is None
    assert cut_cell("é" * CELL_LIMIT) is None


@pytest.mark.parametrize("character", ["x", "é", "中", "😀"])
def test_a_long_cell_is_cut_to_the_limit_with_a_marker(character: str) -> None:
    text = character * (CELL_LIMIT + 5)
    cell = cut_cell(text)
    assert cell is not None
    assert utf16_length(cell) <= CELL_LIMIT  # an emoji is two UTF-16 units, as Excel counts
    kept = cell[: cell.index(" [… cut: ")]
    assert text.startswith(kept) and kept
    assert cell.endswith(f"cut: {len(text) - len(kept):,} more characters in the JSONL]")


def test_a_one_line_10_mb_body_is_cut_in_the_csv_only() -> None:
    body = "mot " * (10 * 1024 * 1024 // 4)  # one line, no paragraph break
    item = story(body=body, word_count=len(body.split()))
    row = export(item)[0]
    assert len(row["body"]) <= CELL_LIMIT
    assert row["body"].startswith("mot mot") and "more characters in the JSONL]" in row["body"]
    assert json.loads(row[CUT_COLUMN]) == ["body"]
    assert json.loads(jsonl(item))["body"] == body  # the JSONL keeps it whole


def test_100000_related_headlines_are_cut_in_the_csv_and_named() -> None:
    related = [
        {"title": f"Titre {n}", "url": f"http://french.peopledaily.com.cn/Chine/{n}.html"}
        for n in range(100_000)
    ]
    item = story(related=related, title="=" + "x" * 40_000)
    row = export(item)[0]
    assert len(row["related"]) <= CELL_LIMIT and len(row["title"]) <= CELL_LIMIT
    assert row["title"].startswith("'=xxx")  # still neutralised
    assert json.loads(row[CUT_COLUMN]) == ["title", "related"]
    assert json.loads(row["images"]) == item.images  # an uncut list cell is JSON as before
    assert len(json.loads(jsonl(item))["related"]) == 100_000


def test_every_row_of_a_csv_with_huge_cells_reads_back_whole() -> None:
    rows = export(story(body="a" * 100_000), story(), story(body="b\n\n" * 30_000))
    assert len(rows) == 3
    assert [json.loads(r[CUT_COLUMN]) for r in rows] == [["body"], [], ["body"]]


class _OtherStory(Story):
    """A Story of another class: the exporters take Scrapy's own field walk for it."""


@pytest.mark.parametrize("exporter_class", [StoryJsonLinesItemExporter, StoryCsvItemExporter])
def test_a_story_is_written_byte_for_byte_as_scrapys_field_walk_writes_it(
    exporter_class: type,
) -> None:
    """The exporters' direct path for a Story writes what Scrapy's generic one does: None,
    formulas, line breaks, long cells, numbers, empty and odd lists."""
    tricky = [
        story(),
        story(section=None, summary=None, modified_at=None, previous_fingerprint=None),
        story(title="=SUM(A1)", source="+33", body="-1\u2028\u2029\x85 fin", authors=[]),
        story(body="é" * (CELL_LIMIT + 10), related=[{"title": "\r\n", "url": "x"}] * 3),
        story(word_count=0, revision=7, keywords=['"quoted"', "a,b"], images=[]),
    ]
    others = [_OtherStory(**asdict(item)) for item in tricky]
    assert written(exporter_class, *tricky) == written(exporter_class, *others)
    assert written(exporter_class, *tricky).count(b"\xc3\xa9") >= CELL_LIMIT // 2


def test_a_csv_with_columns_of_its_own_keeps_them() -> None:
    text = written(StoryCsvItemExporter, story(title="=x"), fields_to_export=["url", "title"])
    assert text.decode().splitlines() == ["url,title", f"{story().url},'=x"]
