"""The portal's date line, and the year it does not print.

A story page says ``Dernière mise à jour à 09h08 le 27/12``: time and day in
the portal's time zone, no year. The year comes from the story's URL (or its
``publishdate`` meta tag); a line dated early January on a story whose URL
says late December was updated in the next year, so the year is the one that
puts the line closest to the URL's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

DATELINE_RE = re.compile(
    r"(?P<hour>\d{1,2})\s*h\s*(?P<minute>\d{2})\s+le\s+(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})"
    r"(?:\s*/\s*(?P<year>\d{4}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateLine:
    hour: int
    minute: int
    day: int
    month: int
    year: int | None = None


def parse_dateline(text: str) -> DateLine | None:
    """``Dernière mise à jour à 09h08 le 27/12`` -> DateLine(9, 8, 27, 12); None if absent."""
    match = DATELINE_RE.search(text or "")
    if not match:
        return None
    fields = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    line = DateLine(**fields)
    if not (0 <= line.hour < 24 and 0 <= line.minute < 60):
        return None
    if not (1 <= line.month <= 12 and 1 <= line.day <= 31):
        return None
    return line


def infer_year(line: DateLine, anchor: date) -> int:
    """The year that puts day/month of ``line`` nearest to ``anchor`` (the URL's date)."""
    if line.year is not None:
        return line.year
    best_year, best_distance = anchor.year, None
    for year in (anchor.year, anchor.year + 1, anchor.year - 1):
        try:
            candidate = date(year, line.month, line.day)
        except ValueError:  # 29/02 in a year without it
            continue
        distance = abs((candidate - anchor).days)
        if best_distance is None or distance < best_distance:
            best_year, best_distance = year, distance
    return best_year


def to_iso(line: DateLine, anchor: date, utc_offset_hours: int) -> str | None:
    """ISO 8601 with the portal's offset, e.g. ``2021-12-27T09:08:00+08:00``."""
    year = infer_year(line, anchor)
    tz = timezone(timedelta(hours=utc_offset_hours))
    try:
        moment = datetime(year, line.month, line.day, line.hour, line.minute, tzinfo=tz)
    except ValueError:
        return None
    return moment.isoformat()


def midnight_iso(day: date, utc_offset_hours: int) -> str:
    tz = timezone(timedelta(hours=utc_offset_hours))
    return datetime(day.year, day.month, day.day, tzinfo=tz).isoformat()
