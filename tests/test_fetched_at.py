"""When a page was fetched: its Date header if sane, else now (relative dates are read from it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy.http import HtmlResponse

from newscrawl.spiders.related import _fetched_at


def response_dated(header: str | None) -> HtmlResponse:
    headers = {"Date": header} if header is not None else {}
    return HtmlResponse("http://french.peopledaily.com.cn/", body=b"<html/>", headers=headers)


def test_a_sane_date_header_is_when_the_page_was_fetched_each_time_it_is_asked() -> None:
    served = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    header = format_datetime(served, usegmt=True)
    assert _fetched_at(response_dated(header)) == served
    assert _fetched_at(response_dated(header)) == served  # the same header again


@pytest.mark.parametrize("header", [None, "", "hier", "Mon, 99 Foo 2021 25:61:00 GMT"])
def test_no_date_or_a_broken_one_is_now(header: str | None) -> None:
    before = datetime.now(UTC)
    assert before <= _fetched_at(response_dated(header)) <= datetime.now(UTC)


def test_a_date_a_day_or_more_away_is_now() -> None:
    far = format_datetime(datetime.now(UTC) - timedelta(days=3), usegmt=True)
    before = datetime.now(UTC)
    assert before <= _fetched_at(response_dated(far)) <= datetime.now(UTC)
