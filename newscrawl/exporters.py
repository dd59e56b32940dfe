"""Feed exporters: the CSV feed keeps every field, and keeps spreadsheets safe."""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import CsvItemExporter

from newscrawl.items import LIST_FIELDS

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

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if name in LIST_FIELDS:
            return json.dumps(value if value is not None else [], ensure_ascii=False)
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise_formula(value)
        return value
