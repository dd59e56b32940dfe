"""host_of's shortcut for the common URL gives what urlsplit gives, on every URL."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest

from newscrawl.urls import _PLAIN_HOST, host_of


def by_urlsplit(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def random_urls(seed: int, count: int) -> list[str]:
    """URLs with what urlsplit treats apart around a host: users, ports, brackets, upper case,
    tabs and spaces it strips or keeps, dots, empty hosts, other schemes."""
    rng = random.Random(seed)
    plain_chars, odd_chars = "abz09.-", "A@:[]\t \n%é_"
    schemes = ["http", "https", "HTTP", "ftp", " http", "http\t", "htt"]
    ends = ["", "/", "/a/b.html", "?q=1", "#top", ":80/", "\t/x", " /", ".", "@h/"]
    urls = []
    for _ in range(count):
        if rng.random() < 0.4:  # a URL of the common shape, with a host of plain characters
            host = "".join(rng.choice(plain_chars) for _ in range(rng.randint(0, 14)))
            urls.append(f"{rng.choice(schemes[:2])}://{host}{rng.choice(ends[:6])}")
            continue
        chars = plain_chars if rng.random() < 0.5 else plain_chars + odd_chars
        host = "".join(rng.choice(chars) for _ in range(rng.randint(0, 14)))
        separator = rng.choice(["://", "://", ":/", "//"])
        urls.append(f"{rng.choice(schemes)}{separator}{host}{rng.choice(ends)}")
    return urls


def test_the_host_of_any_url_is_the_one_urlsplit_gives() -> None:
    urls = random_urls(7, 80_000)
    assert [host_of(url) for url in urls] == [by_urlsplit(url) for url in urls]
    taken = sum(1 for url in urls if _PLAIN_HOST.match(url))
    assert 10_000 < taken < 70_000  # the shortcut was taken often, and refused often


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html",
         "french.peopledaily.com.cn"),
        ("http://French.PeopleDaily.com.cn/", "french.peopledaily.com.cn"),
        ("https://example.org.", "example.org"),
        ("http://user@example.org:8080/a", "example.org"),
        ("http://[::1]/a", "::1"),
        ("http://exa\tmple.org/", "example.org"),
        ("http://[/", ""),
        ("mailto:someone@example.org", ""),
    ],
)  # fmt: skip
def test_hosts_of_urls_that_are_not_plain(url: str, host: str) -> None:
    assert host_of(url) == host
