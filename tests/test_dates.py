"""French dates to the minute (newscrawl.extraction.dates): each form, the zone, what is none."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from newscrawl.extraction.dates import (
    near_anchor,
    read_date,
    read_iso,
    read_publication_line,
    read_rfc822,
    site_zone,
    zone,
)

PARIS = zone("Europe/Paris")
BEIJING = zone("Asia/Shanghai")
NOW = datetime(2022, 1, 3, 12, 0, tzinfo=UTC)  # 13:00 in Paris


def iso(text: str, where=PARIS, anchor: date | None = None) -> str | None:
    reading = read_date(text, where, NOW, anchor)
    return reading.iso() if reading is not None else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO forms, with and without offset (then the site's zone, summer time included)
        ("2021-12-27", "2021-12-27T00:00:00+01:00"),
        ("2021-12-27T09:08", "2021-12-27T09:08:00+01:00"),
        ("2021-07-14T09:08:00", "2021-07-14T09:08:00+02:00"),
        ("2021-12-27T09:08:00+08:00", "2021-12-27T09:08:00+08:00"),
        ("2021-12-27T08:08:00Z", "2021-12-27T08:08:00+00:00"),
        ("2021-12-27T09:08:00.123+0100", "2021-12-27T09:08:00+01:00"),
        # numeric, day first
        ("27/12/2021 09:08", "2021-12-27T09:08:00+01:00"),
        ("27.12.2021 à 09h08", "2021-12-27T09:08:00+01:00"),
        ("27-12-21 - 9h08", "2021-12-27T09:08:00+01:00"),
        ("le 27/12 à 9h08", "2021-12-27T09:08:00+01:00"),  # no year: the last 27/12
        # written
        ("le 27 décembre 2021 à 9 h 08", "2021-12-27T09:08:00+01:00"),
        ("Lundi 27 décembre 2021, 09:08", "2021-12-27T09:08:00+01:00"),
        ("samedi 1er janvier 2022 à 0h05", "2022-01-01T00:05:00+01:00"),
        ("27 déc. 2021 à 18h30", "2021-12-27T18:30:00+01:00"),
        ("3 janv. 2022, 08:05", "2022-01-03T08:05:00+01:00"),
        ("2 févr. 2021 \u2013 14:00", "2021-02-02T14:00:00+01:00"),
        ("1er août 2021 à 12h", "2021-08-01T12:00:00+02:00"),
        ("Publié le 14 juillet 2021", "2021-07-14T00:00:00+02:00"),
        ("Mardi 05 avril 2017 à 20:48", "2017-04-05T20:48:00+02:00"),
        # relative to the fetch time (13:00 in Paris)
        ("il y a 3 heures", "2022-01-03T10:00:00+01:00"),
        ("il y a 25 min", "2022-01-03T12:35:00+01:00"),
        ("il y a une heure", "2022-01-03T12:00:00+01:00"),
        ("hier à 18h30", "2022-01-02T18:30:00+01:00"),
        ("avant-hier, 07:05", "2022-01-01T07:05:00+01:00"),
        ("aujourd'hui à 9h", "2022-01-03T09:00:00+01:00"),
        ("aujourd\u2019hui à 9h", "2022-01-03T09:00:00+01:00"),
        ("hier", "2022-01-02T00:00:00+01:00"),
        ("il y a 2 jours", "2022-01-01T00:00:00+01:00"),
    ],
)
def test_each_form_to_the_minute_with_an_offset(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize(
    ("text", "has_time"),
    [("le 27 décembre 2021", False), ("hier", False), ("le 27/12/2021 à 9h08", True)],
)
def test_a_day_without_a_time_says_so(text: str, has_time: bool) -> None:
    reading = read_date(text, PARIS, NOW)
    assert reading is not None and reading.has_time is has_time


def test_the_portals_line_is_beijing_time_and_its_year_comes_from_the_url() -> None:
    line = "Dernière mise à jour à 09h08 le 02/01"
    published, modified = read_publication_line(line, BEIJING, NOW, date(2021, 12, 31))
    assert published is None  # the line says "mise à jour": an update, not a publication
    assert modified is not None and modified.iso() == "2022-01-02T09:08:00+08:00"


@pytest.mark.parametrize(
    ("line", "published", "modified"),
    [
        (
            "Publié le 27/12/2021 à 09h08, mis à jour le 28/12/2021 à 10h00",
            "2021-12-27T09:08:00+01:00",
            "2021-12-28T10:00:00+01:00",
        ),
        (
            "Publié le 05 avril 2017 à 20h48 - Mis à jour le 06 avril 2017 à 07h11",
            "2017-04-05T20:48:00+02:00",
            "2017-04-06T07:11:00+02:00",
        ),
        ("Mis à jour le 28/12/2021 à 10h00", None, "2021-12-28T10:00:00+01:00"),
        (
            "Le 27/12/2021 à 09h08 | Actualisé le 27/12/2021 à 11h15",
            "2021-12-27T09:08:00+01:00",
            "2021-12-27T11:15:00+01:00",
        ),
        ("Publié le 27 décembre 2021 à 9 h 08", "2021-12-27T09:08:00+01:00", None),
    ],
)
def test_publie_le_mis_a_jour_le(line: str, published: str | None, modified: str | None) -> None:
    first, last = read_publication_line(line, PARIS, NOW)
    assert (first.iso() if first else None) == published
    assert (last.iso() if last else None) == modified


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("le 31/02", "no_such_day"),
        ("le 31/11/2021 à 10h00", "no_such_day"),
        ("le 29 février 2021", "no_such_day"),
        ("25h70 le 27/12", "no_such_time"),
        ("le 27/12/2021 à 25h70", "no_such_time"),
        ("le 27/12/2022 à 9h08", "in_the_future"),  # after the fetch
        ("2031-01-01", "in_the_future"),
        ("le 14 juillet 1985", "before_1990"),
    ],
)
def test_what_names_no_real_day_or_time_is_kept_with_its_problem_never_a_midnight(
    text: str, problem: str
) -> None:
    reading = read_date(text, PARIS, NOW)
    assert reading is not None
    assert (reading.moment, reading.problem, reading.iso()) == (None, problem, None)


def test_a_little_ahead_of_the_fetch_is_a_clock_not_the_future() -> None:
    reading = read_iso("2022-01-03T13:30:00+01:00", PARIS, NOW)  # 30 min ahead
    assert reading is not None and reading.ok


def test_yearless_day_takes_the_year_nearest_the_url_and_a_far_one_is_far() -> None:
    assert iso("à 09h08 le 02/01", BEIJING, date(2021, 12, 31)) == "2022-01-02T09:08:00+08:00"
    assert iso("à 09h08 le 30/12", BEIJING, date(2022, 1, 2)) == "2021-12-30T09:08:00+08:00"
    leap = read_date("à 09h08 le 29/02", BEIJING, NOW, date(2021, 3, 1))
    assert leap is not None and leap.moment is not None
    assert leap.moment.year == 2020 and not near_anchor(leap.moment, date(2021, 3, 1))


@pytest.mark.parametrize("text", ["12.5 millions d'euros", "la 3e fois", "Version 2.1", ""])
def test_numbers_that_are_no_dates(text: str) -> None:
    assert read_date(text, PARIS, NOW) is None


def test_rss_dates() -> None:
    reading = read_rfc822(
        "Tue, 11 Jan 2022 19:11:31 +0100", PARIS, datetime(2022, 2, 1, tzinfo=UTC)
    )
    assert reading is not None and reading.iso() == "2022-01-11T19:11:31+01:00"


@pytest.mark.parametrize(
    ("host", "language", "expected"),
    [
        ("www.lemonde.fr", "fr", "Europe/Paris"),
        ("www.lesoir.be", "fr", "Europe/Brussels"),
        ("www.letemps.ch", "fr-CH", "Europe/Zurich"),
        ("www.lapresse.ca", "fr-CA", "America/Toronto"),
        ("www.lequotidien.re", "fr", "Indian/Reunion"),
        ("www.exemple.com", "fr-CA", "America/Toronto"),  # no country TLD: the language's region
        ("www.exemple.com", "fr_BE", "Europe/Brussels"),
        ("www.exemple.com", "fr", "Europe/Paris"),  # French with nothing else said: Paris
        ("www.exemple.org", None, "Europe/Paris"),
    ],
)
def test_a_site_without_a_profile_gets_its_countrys_zone(
    host: str, language: str | None, expected: str
) -> None:
    assert str(site_zone(host, language)) == expected
