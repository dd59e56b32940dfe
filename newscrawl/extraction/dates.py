"""French dates, to the minute: the one date module of every site profile.

What a page says about when a story was published or updated comes in many spellings; each is
read here into an aware :class:`~datetime.datetime`, never a naive one:

- ISO 8601 (``2021-12-27``, ``2021-12-27T09:08``, ``2021-12-27T09:08:00+01:00``, ``…Z``);
- numeric French dates, day first: ``27/12/2021 09:08``, ``27.12.2021 à 09h08``, ``27-12-21``,
  and the portal's yearless ``09h08 le 27/12``;
- written dates: ``le 27 décembre 2021 à 9 h 08``, ``lundi 1er janvier 2022``, abbreviated
  months (``déc.``, ``janv.``), with or without the weekday, ``à``, a comma or a dash;
- relative dates, from the fetch time: ``il y a 3 heures``, ``il y a 5 min``, ``hier à 18h30``,
  ``avant-hier``, ``aujourd'hui``, ``à l'instant``;
- ``Publié le … Mis à jour le …`` lines (:func:`read_publication_line`): both times, each
  with its role.

A time without an offset is in the site's time zone (:func:`site_zone`: the profile's own, or
for a site without one, its country's from the host's TLD or the page's language, Paris by
default), with summer time. A date without a time of day has ``has_time`` False: a profile
that has nothing better uses the day's start and says so in ``extraction``.

A reading that names no real day (``31/02``), no real time (``25h70``), a time in the future
of the fetch (more than :data:`FUTURE_SLACK` ahead, for clocks that are a little fast) or a
year before 1990 is kept with its ``problem`` instead of a moment: never believed, never
silently turned into a midnight. :func:`near_anchor` says whether a date is plausible for a
story whose URL carries its day.

Why not dateparser or htmldate (measured, see BENCHMARKS.md, *French dates*): dateparser 1.5
reads neither ``le 27 décembre 2021 à 9 h 08`` nor a ``Publié le … Mis à jour le …`` line, and
costs 850 ms on its first call without ``languages=``; htmldate keeps the day, not the time, of
a date found in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(hours=1)  # a page's clock (or our guess of its zone) a little ahead

# Problems of a reading that is not believed.
NO_SUCH_DAY = "no_such_day"
NO_SUCH_TIME = "no_such_time"
IN_THE_FUTURE = "in_the_future"
BEFORE_1990 = "before_1990"
FAR_FROM_URL = "far_from_url"

PARIS = "Europe/Paris"
# Where a site with no profile of its own is, by its host's last label.
TLD_ZONES = {
    "fr": PARIS,
    "be": "Europe/Brussels",
    "ch": "Europe/Zurich",
    "lu": "Europe/Luxembourg",
    "mc": "Europe/Monaco",
    "ca": "America/Toronto",  # Québec's cities are on Toronto's rules
    "re": "Indian/Reunion",
    "yt": "Indian/Mayotte",
    "gp": "America/Guadeloupe",
    "mq": "America/Martinique",
    "gf": "America/Cayenne",
    "nc": "Pacific/Noumea",
    "pf": "Pacific/Tahiti",
    "pm": "America/Miquelon",
    "ht": "America/Port-au-Prince",
    "sn": "Africa/Dakar",
    "ci": "Africa/Abidjan",
    "ml": "Africa/Bamako",
    "bf": "Africa/Ouagadougou",
    "ne": "Africa/Niamey",
    "tg": "Africa/Lome",
    "bj": "Africa/Porto-Novo",
    "gn": "Africa/Conakry",
    "cm": "Africa/Douala",
    "ga": "Africa/Libreville",
    "cg": "Africa/Brazzaville",
    "cd": "Africa/Kinshasa",
    "cf": "Africa/Bangui",
    "td": "Africa/Ndjamena",
    "ma": "Africa/Casablanca",
    "dz": "Africa/Algiers",
    "tn": "Africa/Tunis",
    "mg": "Indian/Antananarivo",
    "mu": "Indian/Mauritius",
    "dj": "Africa/Djibouti",
    "rw": "Africa/Kigali",
    "bi": "Africa/Bujumbura",
}
# Where a page is by its language tag's region (fr-CA, fr_BE …), when its TLD says nothing.
REGION_ZONES = {"ca": "America/Toronto", "be": "Europe/Brussels", "ch": "Europe/Zurich"}

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "aou": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH_WORD = (
    r"(?P<month>janv(?:ier)?|jan|f[ée]v(?:r(?:ier)?)?|mars?|avr(?:il)?|mai|juin|juil(?:let)?"
    r"|ao[ûu]t?|sept?(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?)\.?"
)
_WEEKDAY = r"(?:(?:lun|mar|mer|jeu|ven|sam|dim)[a-z]*\.?,?\s+)?"
# A time of day: 09:08, 09h08, 9 h 08, 9h, 09:08:30, 9H08. Hours and minutes are read as
# written (25h70 is read, then found to be no time at all).
_TIME = (
    r"(?P<hour>[0-9]{1,2})\s*(?:h|H|:)\s*(?P<minute>[0-9]{2})?(?:\s*(?:min|mn))?"
    r"(?::(?P<second>[0-9]{2}))?(?![0-9/.])"
)
_JOIN = r"\s*(?:,|à|a|-|\u2013|\u2014|\||/)?\s*"  # en and em dashes too
_YEAR = r"(?P<year>[0-9]{4}|[0-9]{2}(?![0-9]))"

ISO_RE = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]+)?)?"
    r"\s*(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?",
    re.IGNORECASE,
)
WRITTEN_RE = re.compile(
    _WEEKDAY + r"(?P<day>[0-9]{1,2})(?:er|ᵉʳ|e)?\s+" + _MONTH_WORD + r"(?:\s+(?P<year>[0-9]{4}))?"
    r"(?:" + _JOIN + _TIME + r")?",
    re.IGNORECASE,
)
# Day first, with a year: 27/12/2021, 27.12.2021, 27-12-21.
NUMERIC_RE = re.compile(
    r"(?<![0-9/.-])(?P<day>[0-9]{1,2})\s*(?P<sep>[/.-])\s*(?P<month>[0-9]{1,2})\s*(?P=sep)\s*"
    + _YEAR
    + r"(?![0-9/.-]*[0-9])(?:"
    + _JOIN
    + _TIME
    + r")?",
)
# Without a year only with slashes (27/12): 12.5 is a number, not the 12th of May.
YEARLESS_RE = re.compile(
    r"(?<![0-9/.-])(?P<day>[0-9]{1,2})\s*/\s*(?P<month>[0-9]{1,2})(?![0-9])(?!\s*/\s*[0-9])(?P<year>)"
    r"(?:" + _JOIN + _TIME + r")?",
)
# The portal's order: the time first, then the day (``à 09h08 le 27/12``).
TIME_FIRST_RE = re.compile(
    r"(?P<hour>[0-9]{1,2})\s*h\s*(?P<minute>[0-9]{2})(?P<second>)\s*,?\s+le\s+(?P<day>[0-9]{1,2})\s*/\s*"
    r"(?P<month>[0-9]{1,2})(?:\s*/\s*(?P<year>[0-9]{4}))?",
    re.IGNORECASE,
)
RELATIVE_RE = re.compile(
    r"il\s+y\s+a\s+(?P<count>[0-9]+|une?|quelques)\s+(?P<unit>secondes?|minutes?|min|mn|heures?|h"
    r"|jours?|j)\b|(?P<word>avant-hier|hier|aujourd['\u2019]hui|à\s+l['\u2019]instant)"
    r"(?:" + _JOIN + _TIME + r")?",
    re.IGNORECASE,
)
PUBLISHED_WORDS = r"publi[ée]e?|post[ée]e?|mis\s+en\s+ligne|cr[ée]{2}e?|paru"
MODIFIED_WORDS = (
    r"(?:derni[èe]re\s+)?mise?\s+[àa]\s+jour|m\.?\s*[àa]\.?\s*j\.?|maj|actualis[ée]e?|modifi[ée]e?"
)
ROLE_RE = re.compile(rf"\b(?P<published>{PUBLISHED_WORDS})\b|(?P<modified>{MODIFIED_WORDS})", re.I)


@dataclass(frozen=True)
class DateReading:
    """One date a text names: its moment (aware), whether it gave a time of day, or why it
    is not believed (``problem``), and the text it was read from."""

    text: str
    moment: datetime | None
    has_time: bool
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.moment is not None and self.problem is None

    def iso(self) -> str | None:
        return iso(self.moment) if self.ok and self.moment is not None else None


def iso(moment: datetime) -> str:
    """``2021-12-27T09:08:00+08:00``: seconds kept, the offset always written."""
    assert moment.tzinfo is not None, "a naive time"
    return moment.isoformat(timespec="seconds")


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def site_zone(host: str, language: str | None = None) -> tzinfo:
    """The time zone of a site without a profile: its TLD's country, else its language tag's
    region, else Paris."""
    tld = host.lower().rstrip(".").rsplit(".", 1)[-1]
    if tld in TLD_ZONES:
        return zone(TLD_ZONES[tld])
    region = re.split(r"[-_]", language or "")[1:2]
    if region and region[0].lower() in REGION_ZONES:
        return zone(REGION_ZONES[region[0].lower()])
    return zone(PARIS)


def day_start(day: date, where: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=where)


# --- reading ----------------------------------------------------------------------------------


def read_iso(value: str, where: tzinfo, now: datetime | None = None) -> DateReading | None:
    """An ISO 8601 value (a meta tag's, JSON-LD's, ``<time datetime>``); None if it is none.
    Without an offset, the time is ``where``'s."""
    match = ISO_RE.search(value or "")
    if not match:
        return None
    return believed(_from_iso(match, where), now)


def read_rfc822(value: str, where: tzinfo, now: datetime | None = None) -> DateReading | None:
    """An RSS ``pubDate`` (``Tue, 11 Jan 2022 19:11:31 GMT``); None if it is none."""
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=where)
    return believed(DateReading(value.strip(), moment, True), now)


def read_date(
    text: str, where: tzinfo, now: datetime | None = None, anchor: date | None = None
) -> DateReading | None:
    """The first date ``text`` names, in any of the module's forms; None if it names none.

    A date without a year takes the year that puts it nearest ``anchor`` (a story URL's day)
    or, without one, the last year in which it is not in the future of ``now``.
    """
    now = now or datetime.now(UTC)
    best: tuple[re.Match[str], Reader] | None = None
    for pattern, reader in _FORMS:
        match = pattern.search(text or "")
        if match and (best is None or match.start() < best[0].start()):
            best = (match, reader)
    if best is None:
        return None
    match, reader = best
    return believed(reader(match, where, now, anchor), now)


def read_publication_line(
    text: str, where: tzinfo, now: datetime | None = None, anchor: date | None = None
) -> tuple[DateReading | None, DateReading | None]:
    """``Publié le 27/12/2021 à 09h08, mis à jour le 28/12/2021 à 10h00``: (published, modified).

    Each date takes the role of the word before it; a date with no such word before it is the
    publication. A line with only ``Mis à jour …`` (or the portal's ``Dernière mise à jour …``)
    gives no publication.
    """
    roles = list(ROLE_RE.finditer(text or ""))
    if not roles:
        return read_date(text, where, now, anchor), None
    published: DateReading | None = None
    modified: DateReading | None = None
    head = text[: roles[0].start()]
    if head.strip():
        published = read_date(head, where, now, anchor)
    for number, role in enumerate(roles):
        end = roles[number + 1].start() if number + 1 < len(roles) else len(text)
        segment = text[role.end() : end]
        reading = read_date(segment, where, now, anchor)
        if reading is None and published is not None and not published.has_time:
            # "Mardi 24 janvier 2017 | Mise en ligne à 12h02": the day before, the time after
            reading = _with_time(published, segment)
            if reading is not None and not role["modified"]:
                published = reading
                continue
        if reading is None:
            continue
        if role["modified"]:
            modified = modified or reading
        else:
            published = published or reading
    return published, modified


TIME_ONLY_RE = re.compile(r"^\s*(?:[àa]\s+)?" + _TIME, re.IGNORECASE)


def _with_time(day: DateReading, segment: str) -> DateReading | None:
    match = TIME_ONLY_RE.match(segment)
    if match is None or day.moment is None:
        return None
    moment = day.moment
    return _build(
        f"{day.text} {match.group(0).strip()}",
        moment.year,
        moment.month,
        moment.day,
        int(match["hour"]),
        _int(match["minute"]),
        _int(match["second"]),
        moment.tzinfo or UTC,
        True,
    )


def believed(reading: DateReading, now: datetime | None = None) -> DateReading:
    """The reading, or the same with its ``problem``: in the future of ``now``, or before 1990."""
    if reading.moment is None or reading.problem is not None:
        return reading
    now = now or datetime.now(UTC)
    if reading.moment - now > FUTURE_SLACK:  # a day alone: its start
        return DateReading(reading.text, None, reading.has_time, IN_THE_FUTURE)
    if reading.moment < EARLIEST:
        return DateReading(reading.text, None, reading.has_time, BEFORE_1990)
    return reading


def read_time_first(
    text: str, where: tzinfo, now: datetime | None = None, anchor: date | None = None
) -> DateReading | None:
    """The first date in the portal's order (``09h08 le 27/12``) ``text`` names, read as
    :func:`read_date` reads it when that is its first date; None if it names none such."""
    match = TIME_FIRST_RE.search(text)
    if match is None:
        return None
    now = now or datetime.now(UTC)
    return believed(_read_numeric(match, where, now, anchor), now)


def near_anchor(moment: datetime, anchor: date, days_before: int = 1, days_after: int = 31) -> bool:
    """Is ``moment``'s day a plausible date for a story whose URL says ``anchor``? A story is
    not updated before it is published (a day's slack for time zones), and seldom more than a
    month after."""
    return -days_before <= (moment.date() - anchor).days <= days_after


# --- the forms --------------------------------------------------------------------------------

_DAY = timedelta(days=1)
Reader = Callable[[re.Match[str], tzinfo, datetime, "date | None"], DateReading]


def _from_iso(match: re.Match[str], where: tzinfo) -> DateReading:
    offset = _offset(match["offset"])
    return _build(
        match.group(0),
        int(match["year"]),
        int(match["month"]),
        int(match["day"]),
        _int(match["hour"]),
        _int(match["minute"]),
        _int(match["second"]),
        offset if offset is not None else where,
        match["hour"] is not None,
    )


def _read_iso(
    match: re.Match[str], where: tzinfo, now: datetime, anchor: date | None
) -> DateReading:
    return _from_iso(match, where)


def _read_written(
    match: re.Match[str], where: tzinfo, now: datetime, anchor: date | None
) -> DateReading:
    month = MONTHS[_plain(match["month"]).rstrip(".").replace("û", "u")]
    return _dated(match, int(match["day"]), month, _int(match["year"]), where, now, anchor)


def _read_numeric(
    match: re.Match[str], where: tzinfo, now: datetime, anchor: date | None
) -> DateReading:
    year = _int(match["year"])
    if year is not None and year < 100:  # 27/12/21
        year += 2000 if year <= (now.year % 100) + 1 else 1900
    return _dated(match, int(match["day"]), int(match["month"]), year, where, now, anchor)


def _read_relative(
    match: re.Match[str], where: tzinfo, now: datetime, anchor: date | None
) -> DateReading:
    local = now.astimezone(where)
    text = match.group(0).strip()
    if match["count"]:
        count, unit = _count(match["count"]), match["unit"].lower()
        if unit.startswith("s"):
            return DateReading(text, _minute(local - timedelta(seconds=count)), True)
        if unit.startswith(("mi", "mn")):
            return DateReading(text, _minute(local - timedelta(minutes=count)), True)
        if unit.startswith("h"):
            return DateReading(text, _minute(local - timedelta(hours=count)), True)
        return DateReading(text, day_start((local - timedelta(days=count)).date(), where), False)
    word = _plain(match["word"]).replace("\u2019", "'")
    if word.startswith("a l"):  # à l'instant
        return DateReading(text, _minute(local), True)
    day = (local - timedelta(days={"avant-hier": 2, "hier": 1}.get(word, 0))).date()
    if match["hour"] is None:
        return DateReading(text, day_start(day, where), False)
    return _build(
        text,
        day.year,
        day.month,
        day.day,
        int(match["hour"]),
        _int(match["minute"]) or 0,
        _int(match["second"]),
        where,
        True,
    )


# In this order where two forms start at the same place.
_FORMS: tuple[tuple[re.Pattern[str], Reader], ...] = (
    (ISO_RE, _read_iso),
    (TIME_FIRST_RE, _read_numeric),
    (WRITTEN_RE, _read_written),
    (NUMERIC_RE, _read_numeric),
    (YEARLESS_RE, _read_numeric),
    (RELATIVE_RE, _read_relative),
)


def _dated(
    match: re.Match[str],
    day: int,
    month: int,
    year: int | None,
    where: tzinfo,
    now: datetime,
    anchor: date | None,
) -> DateReading:
    hour = _int(match["hour"])
    has_time = hour is not None
    if year is None:  # today is only asked for when there is no anchor
        today = now.astimezone(where).date() if anchor is None else anchor
        year = _infer_year(day, month, anchor, today)
        if year is None:
            return DateReading(match.group(0).strip(), None, has_time, NO_SUCH_DAY)
    return _build(
        match.group(0),
        year,
        month,
        day,
        hour,
        _int(match["minute"]),
        _int(match["second"]),
        where,
        has_time,
    )


def _build(
    text: str,
    year: int,
    month: int,
    day: int,
    hour: int | None,
    minute: int | None,
    second: int | None,
    where: tzinfo,
    has_time: bool,
) -> DateReading:
    text = text.strip()
    try:
        date(year, month, day)
    except ValueError:
        return DateReading(text, None, has_time, NO_SUCH_DAY)
    hour, minute, second = hour or 0, minute or 0, second or 0
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
        return DateReading(text, None, has_time, NO_SUCH_TIME)
    moment = datetime(year, month, day, hour, minute, second, tzinfo=where)
    return DateReading(text, moment, has_time)


def _infer_year(day: int, month: int, anchor: date | None, today: date) -> int | None:
    """The year of a yearless day/month: nearest ``anchor``, else the last one not after
    ``today``. None if no year near them has that day (31/02)."""
    center = anchor or today
    best: tuple[int, int] | None = None
    for year in (center.year, center.year + 1, center.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if anchor is None:
            if candidate > today:
                continue
            distance = (today - candidate).days
        else:
            distance = abs((candidate - anchor).days)
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _count(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return 3 if word == "quelques" else 1


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _plain(word: str) -> str:
    """Lower case, without accents (``Déc.`` -> ``dec.``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
