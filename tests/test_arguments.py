"""Spider arguments: a table of bad inputs and the one line each gets."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from newscrawl.spiders.arguments import DEFAULT_MAX_DEPTH, ArgumentError, CrawlArguments
from newscrawl.spiders.related import RelatedSpider

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_start_from_front_page_and_sections() -> None:
    args = CrawlArguments.parse({})
    assert args.max_depth == DEFAULT_MAX_DEPTH
    assert args.max_listing_pages == 1
    assert args.starts()[0] == "http://french.peopledaily.com.cn/"
    assert "http://french.peopledaily.com.cn/International/" in args.starts()


def test_values_are_parsed() -> None:
    args = CrawlArguments.parse(
        {
            "start_urls": " http://french.peopledaily.com.cn/International/ ,"
            "http://french.peopledaily.com.cn/Chine/",
            "max_depth": "0",
            "since": "2021-12-01",
            "max_stories": "5",
            "max_listing_pages": "3",
        }
    )
    assert args.start_urls == (
        "http://french.peopledaily.com.cn/International/",
        "http://french.peopledaily.com.cn/Chine/",
    )
    assert (args.max_depth, args.since, args.max_stories, args.max_listing_pages) == (
        0,
        date(2021, 12, 1),
        5,
        3,
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"since": "27/12/2021"}, "-a since=27/12/2021: not a date of the form YYYY-MM-DD"),
        ({"since": "2021-13-01"}, "not a date"),
        ({"max_depth": "-1"}, "-a max_depth=-1: must be at least 0"),
        ({"max_depth": "two"}, "-a max_depth=two: not a whole number"),
        ({"max_stories": "0"}, "must be at least 1"),
        ({"max_listing_pages": "0"}, "must be at least 1"),
        ({"site": "lemonde"}, "-a site=lemonde: unknown site"),
        ({"render": "sometimes"}, "must be one of never, auto, always"),
        ({"start_urls": "french.peopledaily.com.cn/Chine/"}, "not an absolute http(s) URL"),
        ({"start_urls": "javascript:alert(1)"}, "not an absolute http(s) URL"),
        ({"start_urls": ""}, "-a start_urls is empty"),
        ({"start_urls": " , "}, "-a start_urls is empty"),
        (
            {"start_urls": "http://en.people.cn/", "site": "peopledaily_fr"},
            "is not a page of the portal (french.peopledaily.com.cn)",
        ),
        (
            {"start_urls": "http://127.0.0.1:8080/Chine/"},
            "http://127.0.0.1:8080/Chine/ is not a page of a news site (ip_address)",
        ),
        ({"start_urls": "http://exemple.fr:8080/"}, "is not a page of a news site (other_port)"),
        (
            {"start_urls": "http://french.peopledaily.com.cn/NMediaFile/2021/1224/F.jpg"},
            "is not a page of a news site (not_a_page)",
        ),
        (
            {
                "start_urls": "http://french.peopledaily.com.cn/Chine/,http://evil.example/x.html",
                "site": "peopledaily_fr",
            },
            "http://evil.example/x.html is not a page of the portal",
        ),
        (
            {"start_urls": "http://french.peopledaily.com.cn/a/b/c.php"},
            "neither a story, a listing nor a feed page of french.peopledaily.com.cn",
        ),
        ({"site": "generic"}, "-a site=generic needs -a start_urls"),
        ({"max_dept": "2"}, "unknown spider argument 'max_dept'"),
    ],
)
def test_bad_arguments_get_one_clear_message(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=None) as error:
        CrawlArguments.parse(raw)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    with pytest.raises(ArgumentError):
        RelatedSpider(**raw)


def test_bad_argument_stops_scrapy_crawl_with_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "related", "-a", "since=yesterday"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
    )
    assert result.returncode == 2
    # the only line: given before Scrapy starts its crawler process and logs its banner
    assert result.stderr.strip() == (
        "newscrawl: -a since=yesterday: not a date of the form YYYY-MM-DD"
    )
    assert "Traceback" not in result.stderr


def test_scrapyd_s_job_id_is_taken_and_ignored() -> None:
    # Scrapyd starts every job with -a _job=<id>; refusing it would make every job exit 2.
    assert CrawlArguments.parse({"_job": "a8e9cae2"}) == CrawlArguments.parse({})


PORTAL = "http://french.peopledaily.com.cn"


def test_sections_start_are_those_of_the_start_pages() -> None:
    story = f"{PORTAL}/Chine/n3/2021/1227/c31357-9900001.html"
    args = CrawlArguments.parse(
        {"start_urls": f"{PORTAL}/International/,{story}", "sections": "start"}
    )
    assert args.sections == {"International", "Chine"}


def test_named_sections_are_spelt_as_the_portal_does_and_narrow_the_default_starts() -> None:
    args = CrawlArguments.parse({"sections": "international, sci-edu"})
    assert args.sections == {"International", "Sci-Edu"}
    assert args.starts() == (f"{PORTAL}/", f"{PORTAL}/International/", f"{PORTAL}/Sci-Edu/")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sections": "Internationl"}, "-a sections=Internationl: unknown section 'Internationl'"),
        (
            {"sections": "start", "start_urls": f"{PORTAL}/"},
            "-a sections=start: no start page lies in a section",
        ),
        (
            {"sections": "Chine", "start_urls": f"{PORTAL}/International/"},
            f"-a start_urls: {PORTAL}/International/ is in section International, outside",
        ),
    ],
)
def test_bad_sections_get_one_clear_message(raw: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError) as error:
        CrawlArguments.parse(raw)
    assert message in str(error.value)
