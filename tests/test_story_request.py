"""A story request's URL is exactly what Scrapy would make of it: the shortcut for URLs that
w3lib's safe_url_string gives back unchanged never takes a URL it would change."""

from __future__ import annotations

import random

import pytest
import scrapy
from w3lib.url import safe_url_string

from newscrawl.spiders.related import StoryRequest
from newscrawl.urls import is_already_safe

PORTAL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"


def random_urls(seed: int, count: int) -> list[str]:
    """URLs made of the characters where safe_url_string's choices lie: ports out of range,
    quotes, empty queries, fragments, spaces, brackets, non-ASCII, bare percent signs."""
    rng = random.Random(seed)
    host_chars, path_chars = "abcXyz019.-", "aZ09-._~!$&'()*+,;=:@/%A?#é [|{^`\\"
    urls = []
    for _ in range(count):
        host = "".join(rng.choice(host_chars) for _ in range(rng.randint(1, 12)))
        port = f":{rng.randint(0, 99999)}" if rng.random() < 0.2 else ""
        path = "".join(rng.choice(path_chars) for _ in range(rng.randint(0, 20)))
        urls.append(f"{rng.choice(['http', 'https', 'HTTP'])}://{host}{port}/{path}")
    return urls


def test_a_url_taken_as_already_safe_is_one_safe_url_string_gives_back_unchanged() -> None:
    taken = [url for url in random_urls(15, 60_000) if is_already_safe(url)]
    assert len(taken) > 1_000  # the shortcut is tried on many
    changed = [url for url in taken if safe_url_string(url, "utf-8") != url]
    assert changed == []


@pytest.mark.parametrize(
    "url",
    [
        PORTAL,
        PORTAL + "?a=1&b=(x)",
        "http://French.PeopleDaily.com.cn/Chine/",  # upper-case host
        "http://french.peopledaily.com.cn/Chine/n3/2021/é.html",  # not ASCII
        "http://french.peopledaily.com.cn/a b.html",  # a space
        "http://french.peopledaily.com.cn/a.html#top",  # a fragment
        "http://french.peopledaily.com.cn:8080/a.html",  # a port
        "http://french.peopledaily.com.cn/a.html?",  # an empty query
        "http://french.peopledaily.com.cn/a.html?q='x'",  # quotes in the query
        "http://french.peopledaily.com.cn/%zz/a|b",
    ],
)
def test_a_story_request_has_the_url_scrapy_gives_any_request(url: str) -> None:
    assert StoryRequest(url).url == scrapy.Request(url).url


def test_every_url_of_the_random_set_gets_scrapys_url() -> None:
    for url in random_urls(16, 3_000):
        try:
            expected = scrapy.Request(url).url
        except ValueError as error:  # a port out of range: the same error
            with pytest.raises(ValueError, match=str(error)[:20]):
                StoryRequest(url)
            continue
        assert StoryRequest(url).url == expected


def test_a_replaced_story_request_keeps_the_rule() -> None:
    request = StoryRequest(PORTAL).replace(url="http://french.peopledaily.com.cn/a b.html")
    assert isinstance(request, StoryRequest)
    assert request.url == "http://french.peopledaily.com.cn/a%20b.html"
