"""Crawls of sites with no profile: several hosts in one run, feeds and sitemaps, ``since``.

The sites are replicas of a French news site (``newscrawl.replica.newssite``) served beside the
portal's by the same proxy; the crawl's only link to them is ``http_proxy``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.replica.newssite import NewsSite
from newscrawl.replica.portal import page
from tests.crawl import ROOT, run_crawl

pytestmark = pytest.mark.e2e

COMPARED = (
    "title",
    "published_at",
    "modified_at",
    "section",
    "section_name",
    "authors",
    "body",
    "related",
    "site",
)


def truth_of(*sites: NewsSite) -> dict[str, dict]:
    return {story["url"]: story for site in sites for story in site.expected_stories()}


def assert_as_expected(story: dict, expected: dict) -> None:
    for name in COMPARED:
        assert story[name] == expected[name], (story["url"], name)
    assert story["extraction"].startswith("generic(")


def test_start_urls_of_several_hosts_each_get_their_profile(replica_of, tmp_path: Path) -> None:
    exemple = NewsSite("www.exemple.fr", stories=9, seed=3)
    autre = NewsSite("www.autre.be", stories=6, seed=4, layout="meta")
    server = replica_of(stories=40, sites=(exemple, autre))
    portal_listing = "http://french.peopledaily.com.cn/International/"
    run = run_crawl(
        server.proxy_url,
        tmp_path,
        f"start_urls={portal_listing},http://www.exemple.fr/,http://www.autre.be/rss.xml",
        "max_depth=1",
    )
    assert run.returncode == 0, run.log[-3000:]
    assert run.log.rstrip().endswith("newscrawl: run healthy")  # no layout miss by design
    stories = run.by_url()
    truth = truth_of(exemple, autre)
    for url, expected in truth.items():  # every story of both sites, read as the site says
        assert url in stories, url
        assert_as_expected(stories[url], expected)
    portal = [s for s in run.stories if s["url"].startswith("http://french.peopledaily.com.cn/")]
    assert portal and {s["site"] for s in portal} == {"peopledaily_fr"}
    assert set(stories) == set(truth) | {s["url"] for s in portal}
    # Menus, footers, tags and "Les plus lus" of the sites are no stories: never requested.
    requested = {r.url for r in server.requests}
    for host in ("www.exemple.fr", "www.autre.be"):
        for path in ("/mentions-legales", "/contact", "/tag/transports"):
            assert f"http://{host}{path}" not in requested
    assert server.out_of_scope == []


def test_robots_txt_leads_to_the_sitemap_and_its_stories(replica_of, tmp_path: Path) -> None:
    site = NewsSite("www.exemple.fr", stories=8, seed=5, layout="plain")
    server = replica_of(stories=10, sites=(site,))
    run = run_crawl(
        server.proxy_url, tmp_path, "start_urls=http://www.exemple.fr/robots.txt", "max_depth=0"
    )
    assert run.returncode == 0, run.log[-3000:]
    truth = truth_of(site)
    assert set(run.by_url()) == set(truth)
    for url, story in run.by_url().items():
        assert_as_expected(story, truth[url])
    fetched = [r.url for r in server.requests]
    assert "http://www.exemple.fr/sitemap.xml" in fetched
    assert not [u for u in fetched if u.startswith("http://french.peopledaily")]


def test_since_leaves_stories_a_feed_dates_before_it_unrequested(
    replica_of, tmp_path: Path
) -> None:
    site = NewsSite("www.exemple.fr", stories=12, seed=6)
    server = replica_of(stories=10, sites=(site,))
    since = site.stories[6].published.date().isoformat()
    run = run_crawl(
        server.proxy_url,
        tmp_path,
        "start_urls=http://www.exemple.fr/rss.xml",
        f"since={since}",
        "max_depth=0",
    )
    assert run.returncode == 0, run.log[-3000:]
    old = [site.url(s) for s in site.stories if s.published.date().isoformat() < since]
    new = [site.url(s) for s in site.stories if s.published.date().isoformat() >= since]
    assert old and new
    requested = {r.url for r in server.requests}
    assert not requested & set(old)  # judged by the feed's date: never fetched
    assert set(run.by_url()) == set(new)
    reasons = {r["url"]: (r["reason"], r["details"]) for r in run.rejects}
    for url in old:
        assert reasons[url][0] == "before_since" and "listed_at" in reasons[url][1]


def test_scrapy_extract_gives_the_reference_page_field_for_field_as_a_crawl(
    replica_of, tmp_path: Path
) -> None:
    """The reference page, served at its URL, crawled; and the saved page, extracted."""
    reference = ROOT / "tests" / "fixtures" / "peopledaily_fr" / "story.html"
    url = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"

    class ReferencePage:
        host = "french.peopledaily.com.cn"

        def respond(self, method: str, asked: str):
            if asked == url:
                return page(200, reference.read_bytes(), "text/html; charset=utf-8")
            return page(404, b"", "text/plain")

    server = replica_of(stories=10, sites=(ReferencePage(),))
    run = run_crawl(server.proxy_url, tmp_path / "crawl", f"start_urls={url}", "max_depth=0")
    assert run.returncode == 0, run.log[-3000:]
    (crawled,) = run.stories
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", "--url", url, str(reference)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "HOME": str(tmp_path),
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
        },
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    extracted = json.loads(line)
    assert list(extracted) == list(crawled)
    for name, value in crawled.items():
        if name != "crawled_at":
            assert extracted[name] == value, name
    expected = json.loads((reference.with_name("story.expected.json")).read_text("utf-8"))
    assert {k: extracted[k] for k in expected} == expected
