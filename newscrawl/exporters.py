"""Feed exporters: the CSV feed keeps every field, and keeps spreadsheets safe.

Its header row is written when the feed opens, so a run with no story still writes a CSV that
reads as an empty table (Scrapy writes the header with the first item, and an empty run's CSV
has 0 bytes, which ``pandas.read_csv`` refuses); and only once per file, so ``-o stories.csv``
run after run appends rows under the one header.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import IO, Any

from scrapy.exporters import CsvItemExporter

from newscrawl.items import LIST_FIELDS, Story

STORY_FIELDS = tuple(f.name for f in fields(Story))  # the CSV's columns, in order

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefix a would-be formula with an apostrophe (the OWASP advice); CSV only."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class StoryCsvItemExporter(CsvItemExporter):
    """List fields as JSON text in their cell, so the CSV is lossless; formulas neutralised.

    ``json.loads`` of a list cell gives back exactly the JSONL value. Text cells
    that a spreadsheet would evaluate get a leading ``'``; the JSONL feed keeps
    the text exact.
    """

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        super().__init__(file, **kwargs)  # type: ignore[arg-type]
        self.file = file

    def start_exporting(self) -> None:
        super().start_exporting()
        if not self.fields_to_export:
            self.fields_to_export = list(STORY_FIELDS)
        self._headers_not_written = False  # written here, or already in the file
        if self.include_headers_line and not _holds_rows(self.file):
            self._write_headers_and_set_fields_to_export(None)
            self.stream.flush()
            self.file.flush()  # on disk now: even a killed run's CSV reads as a table

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if name in LIST_FIELDS:
            return json.dumps(value if value is not None else [], ensure_ascii=False)
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise_formula(value)
        return value


def _holds_rows(file: IO[bytes]) -> bool:
    """Does the file already hold something (``-o`` appends to an earlier run's CSV)?"""
    try:
        return file.tell() > 0
    except (AttributeError, OSError, ValueError):
        return False  # not seekable (stdout): a header, as for a new file
