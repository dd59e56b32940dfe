"""The CSV feed: lossless list cells, spreadsheet-safe text, JSONL untouched."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields

from newscrawl.exporters import StoryCsvItemExporter, neutralise_formula
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


def export(*stories: Story) -> list[dict[str, str]]:
    buffer = io.BytesIO()
    exporter = StoryCsvItemExporter(buffer, encoding="utf-8")
    exporter.start_exporting()
    for item in stories:
        exporter.export_item(item)
    exporter.finish_exporting()
    return list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8"))))


def test_csv_columns_are_story_fields_in_order_and_lists_round_trip() -> None:
    item = story()
    buffer = io.BytesIO()
    exporter = StoryCsvItemExporter(buffer, encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    header = next(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8"))))
    assert header == [f.name for f in fields(Story)]
    row = export(item)[0]
    for name in LIST_FIELDS:
        assert json.loads(row[name]) == asdict(item)[name]
    assert row["body"] == item.body  # paragraph breaks survive inside the cell
    assert row["summary"] == ""


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
