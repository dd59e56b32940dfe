"""Feed exporters: JSON lines that every line reader reads whole; a CSV that keeps every field,
and keeps spreadsheets safe.

JSON lines. JSON escapes the control characters but leaves U+2028 (line separator), U+2029
(paragraph separator) and U+0085 (next line) raw, and ``str.splitlines()``, JavaScript's line
readers and many editors end a line at each: a related headline's href carrying one cut its
story's line in two. :func:`json_line` writes them as ``\\u2028``, ``\\u2029``, ``\\u0085``
(the same text for any JSON reader); the feed (:class:`StoryJsonLinesItemExporter`) and the
rejects file (:mod:`newscrawl.extensions.ledger`) are written with it.

CSV. List fields are JSON text in their cell, so the CSV is lossless; text cells a spreadsheet
would run as a formula get a leading ``'``; and a cell longer than a spreadsheet holds (32,767
characters) is cut, with a visible marker at its end, and named in the row's last column,
``cut_fields`` (CSV only: the JSONL keeps every field whole, and ``Story`` has no such field).
Its header row is written when the feed opens, so a run with no story still writes a CSV that
reads as an empty table (Scrapy writes the header with the first item, and an empty run's CSV
has 0 bytes, which ``pandas.read_csv`` refuses); and only once per file, so ``-o stories.csv``
run after run appends rows under the one header.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import IO, Any

from scrapy.exporters import CsvItemExporter, JsonLinesItemExporter

from newscrawl.items import LIST_FIELDS, Story

STORY_FIELDS = tuple(f.name for f in fields(Story))

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Line ends for str.splitlines() that JSON leaves unescaped (every other one is a control
# character, which JSON escapes).
JSON_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
_LINE_BREAK_TABLE = str.maketrans(JSON_LINE_BREAKS)
# Characters a cell holds in Excel and LibreOffice Calc; counted, as they count, in UTF-16
# code units (a character past U+FFFF is two).
CELL_LIMIT = 32_767
CUT_COLUMN = "cut_fields"
CSV_COLUMNS = (*STORY_FIELDS, CUT_COLUMN)  # the CSV's columns, in order
CUT_MARKER = " [… cut: {more:,} more characters in the JSONL]"
_MARKER_ROOM = len(CUT_MARKER.format(more=10**12))  # room left for the longest marker


def escape_line_breaks(text: str) -> str:
    """JSON text with U+2028, U+2029 and U+0085 escaped; they only occur inside its strings."""
    if "\u2028" in text or "\u2029" in text or "\x85" in text:  # rare; ``in`` is a memchr
        return text.translate(_LINE_BREAK_TABLE)  # a dict translate: ~30 ns a character
    return text


def json_line(value: Any) -> str:
    """One JSON lines record: UTF-8 text, one line for every line reader, newline-terminated."""
    return escape_line_breaks(json.dumps(value, ensure_ascii=False)) + "\n"


class StoryJsonLinesItemExporter(JsonLinesItemExporter):
    """Scrapy's JSON lines exporter, with the line separators JSON leaves raw escaped."""

    def export_item(self, item: Any) -> None:
        if type(item) is Story and self.fields_to_export is None:
            # What Scrapy's field walk gives a Story (every field, in order, as it is),
            # without its ItemAdapter and generator per field: a third of the export's cost.
            itemdict = {name: getattr(item, name) for name in STORY_FIELDS}
        else:
            itemdict = dict(self.get_serialized_fields(item))
        data = escape_line_breaks(self.encoder.encode(itemdict)) + "\n"
        self.file.write(data.encode(self.encoding or "utf-8"))


def neutralise_formula(text: str) -> str:
    """Prefix a would-be formula with an apostrophe (the OWASP advice); CSV only."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut_cell(text: str, limit: int = CELL_LIMIT) -> str | None:
    """The cell cut to ``limit`` UTF-16 code units with the marker at its end, or None if the
    text fits. The marker says how many characters (code points) the JSONL has beyond it."""
    if len(text) <= limit // 2 or utf16_length(text) <= limit:
        return None
    room = limit - _MARKER_ROOM
    kept = text.encode("utf-16-le", "surrogatepass")[: room * 2].decode("utf-16-le", "ignore")
    return kept + CUT_MARKER.format(more=len(text) - len(kept))


class StoryCsvItemExporter(CsvItemExporter):
    """List fields as JSON text in their cell, so the CSV is lossless; formulas neutralised;
    cells past :data:`CELL_LIMIT` cut and named in :data:`CUT_COLUMN`.

    ``json.loads`` of a list cell gives back exactly the JSONL value, unless the row's
    ``cut_fields`` names it. Text cells that a spreadsheet would evaluate get a leading ``'``;
    the JSONL feed keeps the text exact.
    """

    def __init__(self, file: IO[bytes], **kwargs: Any) -> None:
        super().__init__(file, **kwargs)  # type: ignore[arg-type]
        self.file = file

    def start_exporting(self) -> None:
        super().start_exporting()
        if not self.fields_to_export:
            self.fields_to_export = list(CSV_COLUMNS)
        self._headers_not_written = False  # written here, or already in the file
        if self.include_headers_line and not _holds_rows(self.file):
            self._write_headers_and_set_fields_to_export(None)
            self.stream.flush()
            self.file.flush()  # on disk now: even a killed run's CSV reads as a table

    def export_item(self, item: Any) -> None:
        if type(item) is not Story or self.fields_to_export != _DEFAULT_COLUMNS:
            super().export_item(item)  # other columns, or other items: Scrapy's field walk
            return
        # The row Scrapy's field walk and get_serialized_fields below give a Story in the
        # default columns, made directly: the walk (an ItemAdapter, a generator per field,
        # a meta lookup per cell) was two thirds of the CSV's cost.
        cells: list[Any] = []
        cut: list[str] = []
        for name in STORY_FIELDS:
            value = self.serialize_field(_NO_META, name, getattr(item, name))
            if isinstance(value, str):
                shortened = cut_cell(value)
                if shortened is not None:
                    cut.append(name)
                    value = shortened
            cells.append(value)
        cells.append(json.dumps(cut))
        self.csv_writer.writerow(cells)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if name in LIST_FIELDS:
            return json.dumps(value if value is not None else [], ensure_ascii=False)
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise_formula(value)
        return value

    def get_serialized_fields(
        self, item: Any, default_value: Any = None, include_empty: bool | None = None
    ) -> Any:
        cells = []
        cut: list[str] = []
        for name, value in super().get_serialized_fields(item, default_value, include_empty):
            shortened = cut_cell(value) if isinstance(value, str) else None
            if shortened is not None:
                cut.append(name)
                value = shortened
            cells.append((name, value))
        cut_cell_text = json.dumps(cut)
        return [(n, cut_cell_text if n == CUT_COLUMN else v) for n, v in cells]


_DEFAULT_COLUMNS = list(CSV_COLUMNS)
_NO_META: dict[str, Any] = {}


def _holds_rows(file: IO[bytes]) -> bool:
    """Does the file already hold something (``-o`` appends to an earlier run's CSV)?"""
    try:
        return file.tell() > 0
    except (AttributeError, OSError, ValueError):
        return False  # not seekable (stdout): a header, as for a new file
