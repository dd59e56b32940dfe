"""The offline replica: deterministic pages in the reference templates, variations, proxy server."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from parsel import Selector

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.text import comparable_words

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "fixtures" / "peopledaily_fr" / "story.html"
PORTAL = "http://french.peopledaily.com.cn"
FULLWIDTH_COLON = "\uff1a"


@pytest.fixture(scope="module")
def portal() -> Portal:
    return Portal(ReplicaOptions(stories=60, seed=2021))


def get(portal: Portal, url: str) -> bytes:
    page = portal.respond("GET", url)
    if page.status == 500 and url in portal.variants["fails_once"]:
        page = portal.respond("GET", url)  # it fails only once
    assert page.status == 200, url
    return page.body


def canonical(base: str, href: str) -> str:
    """A tiny independent canonicaliser: absolute, http on the portal, no query or fragment."""
    parts = urlsplit(urljoin(base, href))
    if parts.hostname == "french.peopledaily.com.cn":
        return urlunsplit(("http", parts.netloc, parts.path, "", ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def parse_story(html: str, url: str) -> dict:
    """Independent parsel reading of the reference template (not the project's extractor)."""
    page = Selector(text=html)
    paragraphs = [
        " ".join(p.xpath("string()").get().split()) for p in page.css("div#rwb_zw > p:not([style])")
    ]
    related = [
        {"title": a.css("::text").get(), "url": canonical(url, a.attrib["href"])}
        for a in page.css("div.d2_relevant ul.list_rel li a")
    ]
    return {
        "title": page.css("div.txt_t h1::text").get(),
        "date_line": page.css("div.txt_time::text").get(),
        "body": "\n\n".join(p for p in paragraphs if p),
        "editors": page.css("div#rwb_zw div.txt_edit::text").get(),
        "source": page.css('meta[name="source"]::attr(content)').get(),
        "related": related,
        "most_read": [canonical(url, h) for h in page.css("div.d2_right a::attr(href)").getall()],
        "section": page.css("div.path a::text").getall()[-1],
    }


def expected_by_url(portal: Portal) -> dict[str, dict]:
    return {story["url"]: story for story in portal.expected_stories()}


# ----- determinism and the reference template ------------------------------------------------


def test_same_options_give_byte_identical_pages() -> None:
    first, second = Portal(ReplicaOptions(stories=60)), Portal(ReplicaOptions(stories=60))
    urls = [first.front_url, *first.section_urls, *first.story_urls()[:20]]
    for url in urls:
        assert first.respond("GET", url).body == second.respond("GET", url).body
    assert first.expected_stories() == second.expected_stories()
    other = Portal(ReplicaOptions(stories=60, seed=7))
    assert other.expected_stories() != first.expected_stories()


def test_story_pages_use_the_reference_template(portal: Portal) -> None:
    reference_classes = set(
        Selector(text=REFERENCE.read_text("utf-8")).css("[class]::attr(class)").getall()
    )
    plain = [e for e in portal.entries if e.kind == "plain"][:5]
    for entry in plain:
        html = get(portal, entry.url).decode("utf-8")
        classes = set(Selector(text=html).css("[class]::attr(class)").getall())
        assert classes == reference_classes
        assert "<p>\n\t" in html and "<p>\n\t&nbsp;</p>" in html


def test_story_pages_parse_to_the_expected_story(portal: Portal) -> None:
    expected = expected_by_url(portal)
    plain = [e for e in portal.entries if e.kind in ("plain", "duplicate", "near_duplicate")]
    for entry in plain[:8]:
        story = expected[entry.url]
        seen = parse_story(get(portal, entry.url).decode("utf-8"), entry.url)
        assert seen["title"] == story["title"]
        assert seen["body"] == story["body"]
        assert len(story["body"]) > 300
        assert seen["related"] == story["related"]
        assert 4 <= len(story["related"]) <= 12
        assert seen["editors"] == f"(Rédacteurs :{', '.join(story['editors'])})"
        assert seen["source"] == f"Source{FULLWIDTH_COLON}{story['source']}"
        assert seen["section"] == story["section"]
        hour, minute = story["published_at"][11:13], story["published_at"][14:16]
        day, month = story["published_at"][8:10], story["published_at"][5:7]
        assert seen["date_line"] == f"Dernière mise à jour à {hour}h{minute} le {day}/{month}"
        related_urls = {rel["url"] for rel in story["related"]}
        assert seen["most_read"] and not related_urls & set(seen["most_read"])


def test_related_links_use_every_spelling(portal: Portal) -> None:
    hrefs = []
    for entry in portal.entries:
        page = Selector(text=get(portal, entry.url).decode("utf-8", errors="replace"))
        hrefs += page.css("div.d2_relevant a::attr(href)").getall()
    assert any(h.startswith("/") and not h.startswith("//") for h in hrefs)
    assert any(h.startswith("//french.peopledaily.com.cn/") for h in hrefs)
    assert any(h.startswith("https://french.peopledaily.com.cn/") for h in hrefs)
    assert any(h.endswith("?from=rel") for h in hrefs)
    assert any("#" in h for h in hrefs)
    for url in portal.variants["off_portal"] + portal.variants["dead"]:
        assert url in hrefs


# ----- listings ---------------------------------------------------------------------------------


def walk_section(portal: Portal, url: str) -> list[str]:
    stories, pages = [], 0
    while url:
        page = Selector(text=get(portal, url).decode("utf-8"))
        links = [canonical(url, h) for h in page.css("ul.list_16 li a::attr(href)").getall()]
        assert len(links) <= 20
        stories += links
        pages += 1
        following = page.xpath('//div[@class="page_n clearfix"]/a[starts-with(., "Suivant")]/@href')
        url = urljoin(url, following.get()) if following else ""
    return stories


def test_listings_paginate_newest_first_and_cover_every_story() -> None:
    portal = Portal(ReplicaOptions(stories=300))
    listed: list[str] = []
    for section_url in portal.section_urls:
        stories = walk_section(portal, section_url)
        published = [portal.entries[portal.story_urls().index(u)].url_day for u in stories]
        assert published == sorted(published, reverse=True)
        listed += stories
    assert sorted(listed) == sorted(portal.story_urls())
    assert portal.respond("GET", f"{PORTAL}/Chine/index2.html").status == 200
    assert portal.respond("GET", f"{PORTAL}/Chine/index99.html").status == 404


def test_withdrawn_stories_are_gone_from_every_page_and_answer_404() -> None:
    portal = Portal(ReplicaOptions(stories=100, withdrawn=0.8))
    gone = {portal.entries[row].url for row in portal.withdrawn}
    assert len(gone) == 80
    listed = [u for section in portal.section_urls for u in walk_section(portal, section)]
    assert sorted(listed) == sorted(set(portal.story_urls()) - gone)
    front = Selector(text=get(portal, portal.front_url).decode("utf-8"))
    assert not {canonical(PORTAL, h) for h in front.css("a::attr(href)").getall()} & gone
    linked: set[str] = set()
    for url in listed:
        if url in portal.variants["fails_once"]:
            continue
        linked |= {
            r["url"]
            for r in parse_story(get(portal, url).decode("utf-8", "replace"), url)["related"]
        }
    assert linked and not linked & gone
    assert {portal.respond("GET", url).status for url in gone} == {404}
    # the same seed without withdrawal serves them all
    assert Portal(ReplicaOptions(stories=100)).respond("GET", sorted(gone)[0]).status == 200


def test_blocked_story_pages_answer_403_and_the_rest_is_served() -> None:
    portal = Portal(ReplicaOptions(stories=60, blocked=0.3))
    blocked = {portal.entries[row].url for row in portal.blocked}
    assert len(blocked) == 18
    assert {portal.respond("GET", url).status for url in blocked} == {403}
    served = [u for u in portal.story_urls() if u not in blocked]
    assert {portal.respond("GET", u).status for u in served} <= {200, 500}  # 500: fails once
    assert all(portal.respond("GET", s).status == 200 for s in portal.section_urls)
    for bad in ({"withdrawn": 1.0}, {"blocked": -0.1}):
        with pytest.raises(ValueError, match="share"):
            ReplicaOptions(**bad)  # type: ignore[arg-type]


def test_front_page_links_every_section(portal: Portal) -> None:
    page = Selector(text=get(portal, portal.front_url).decode("utf-8"))
    blocks = page.css("div.p1_block h3 a::attr(href)").getall()
    assert blocks == portal.section_urls
    assert page.css("div.p1_news li a")


# ----- variations ----------------------------------------------------------------------------


def test_every_variation_is_present_in_a_small_portal(portal: Portal) -> None:
    for name in (
        "older_layout",
        "multipage",
        "photo",
        "duplicate",
        "near_duplicate",
        "latin1",
        "dead",
        "fails_once",
        "redirect",
        "year_rollover",
        "off_portal",
    ):
        assert portal.variants[name], name
    assert len(portal.duplicates) == len(portal.variants["duplicate"]) + len(
        portal.variants["near_duplicate"]
    )


def test_multipage_story_is_split_across_linked_pages(portal: Portal) -> None:
    expected = expected_by_url(portal)
    for url in portal.variants["multipage"]:
        bodies, page_url = [], url
        while page_url:
            html = get(portal, page_url).decode("utf-8")
            seen = parse_story(html, page_url)
            assert seen["title"] == expected[url]["title"]
            assert seen["related"] == expected[url]["related"]
            bodies.append(seen["body"])
            nxt = (
                Selector(text=html)
                .xpath('//div[@class="page_n clearfix"]/a[starts-with(., "Suivant")]/@href')
                .get()
            )
            page_url = urljoin(page_url, nxt) if nxt else ""
        assert len(bodies) >= 2
        assert "\n\n".join(bodies) == expected[url]["body"]


def test_photo_story_has_centred_pictures_with_captions(portal: Portal) -> None:
    expected = expected_by_url(portal)
    for url in portal.variants["photo"]:
        page = Selector(text=get(portal, url).decode("utf-8"))
        centred = page.css('div#rwb_zw p[style="text-align: center;"]')
        images = [
            {
                "url": urljoin(url, p.css("img::attr(src)").get()),
                "caption": centred[i + 1].css("::text").get(),
            }
            for i, p in enumerate(centred)
            if p.css("img")
        ]
        assert images and images == expected[url]["images"]
        assert all(img["caption"] not in expected[url]["body"] for img in images)
        picture = portal.respond("GET", images[0]["url"])
        assert picture.headers["Content-Type"] == "image/jpeg"
        assert picture.body.startswith(b"\xff\xd8")


def test_older_layout_keeps_meta_tags_but_not_the_landmarks(portal: Portal) -> None:
    expected = expected_by_url(portal)
    blocks = []
    for url in portal.variants["older_layout"]:
        page = Selector(text=get(portal, url).decode("utf-8"))
        assert not page.css("div.txt_t, div#rwb_zw, div.d2_relevant")
        assert page.css("h1::text").get() == expected[url]["title"]
        assert page.css('meta[name="contentid"]') and page.css('meta[name="publishdate"]')
        paragraphs = [" ".join(t.split()) for t in page.css("div#p_content > p::text").getall()]
        assert "\n\n".join(p for p in paragraphs if p) == expected[url]["body"]
        related = [canonical(url, h) for h in page.css("div.rel_news a::attr(href)").getall()]
        assert related == [rel["url"] for rel in expected[url]["related"]]
        blocks.append(bool(related))
    assert sorted(set(blocks)) == [False, True]  # with and without a related block


def test_latin1_pages_declare_their_charset_only_in_meta(portal: Portal) -> None:
    expected = expected_by_url(portal)
    for url in portal.variants["latin1"]:
        page = portal.respond("GET", url)
        assert page.headers["Content-Type"] == "text/html"
        assert b'content="text/html;charset=ISO-8859-1"' in page.body
        with pytest.raises(UnicodeDecodeError):
            page.body.decode("utf-8")
        seen = parse_story(page.body.decode("latin-1"), url)
        assert seen["body"] == expected[url]["body"]
        assert seen["source"] == f"Source{FULLWIDTH_COLON}{expected[url]['source']}"


def test_duplicates_share_text_in_two_sections(portal: Portal) -> None:
    expected = expected_by_url(portal)
    for first, copy, kind in portal.duplicates:
        a, b = expected[first], expected[copy]
        assert a["section"] != b["section"] and a["title"] == b["title"]
        if kind == "duplicate":
            assert a["body"] == b["body"]
        else:
            assert b["body"].endswith(" (Xinhua)")
            sentences_a = Counter(a["body"].replace("\n\n", " ").split(". "))
            sentences_b = Counter(
                b["body"].removesuffix(" (Xinhua)").replace("\n\n", " ").split(". ")
            )
            assert (sentences_a - sentences_b).total() == 1


def test_near_copies_are_clearly_near_and_exact_copies_identical_in_words() -> None:
    # Ground truth must agree with the dedup threshold (0.8): no "near duplicate" that a
    # correct pipeline should emit. 5-word shingles of the comparable words, as the pipeline.
    portal = Portal(ReplicaOptions(stories=2000, seed=2021))
    bodies = {story["url"]: story["body"] for story in portal.expected_stories()}

    def shingle_set(body: str) -> set[tuple[str, ...]]:
        words = comparable_words(body)
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    similarities: dict[str, list[float]] = {"duplicate": [], "near_duplicate": []}
    for first, copy, kind in portal.duplicates:
        a, b = shingle_set(bodies[first]), shingle_set(bodies[copy])
        similarities[kind].append(len(a & b) / len(a | b))
    assert len(similarities["near_duplicate"]) >= 50
    assert min(similarities["near_duplicate"]) >= 0.85
    assert max(similarities["near_duplicate"]) < 1.0
    assert similarities["duplicate"] and set(similarities["duplicate"]) == {1.0}


def test_year_rollover_story_is_updated_in_the_next_year(portal: Portal) -> None:
    (url,) = portal.variants["year_rollover"]
    assert "/2021/1231/" in url
    truth = expected_by_url(portal)[url]
    assert truth["published_at"] == "2021-12-31T00:00:00+08:00"  # the URL's day
    assert truth["modified_at"].startswith("2022-01-02T")  # the date line: its last update
    assert "le 02/01</div>" in get(portal, url).decode("utf-8")


def test_an_edition_edits_one_story_and_adds_two(portal: Portal) -> None:
    edition = Portal(ReplicaOptions(stories=60, seed=2021, edition=1))
    (edited,) = edition.variants["edited"]
    added = edition.variants["added"]
    before, after = expected_by_url(portal), expected_by_url(edition)
    assert len(added) == 2 and set(after) - set(before) == set(added)
    assert after[edited]["body"] != before[edited]["body"]
    assert after[edited]["published_at"] > before[edited]["published_at"]
    unchanged = [url for url in before if url != edited]
    assert all(before[url] == after[url] for url in unchanged)
    for url in added:
        section = after[url]["section"]
        first = walk_section(edition, f"{PORTAL}/{section}/")[0]
        assert first == url


def test_changed_layout_leaves_no_landmarks_and_no_paragraphs() -> None:
    redesigned = Portal(ReplicaOptions(stories=60, layout="changed"))
    for url in redesigned.story_urls()[:10]:
        html = get(redesigned, url).decode("utf-8")
        page = Selector(text=html)
        assert not page.css("p, h1, div.txt_t, div#rwb_zw, div.d2_relevant")


def test_robots_and_unknown_paths(portal: Portal) -> None:
    assert b"Disallow: /private/" in get(portal, f"{PORTAL}/robots.txt")
    assert portal.respond("GET", f"{PORTAL}/nowhere/at/all.html").status == 404


def test_a_large_portal_is_cheap_to_build() -> None:
    started = time.perf_counter()
    big = Portal(ReplicaOptions(stories=100_000))
    built = time.perf_counter() - started
    print(f"100,000-story portal built in {built:.2f}s")
    last = big.story_urls()[-1]
    assert big.respond("GET", last).status == 200


# ----- the proxy server ------------------------------------------------------------------------


@pytest.fixture()
def server(tmp_path: Path):
    portal = Portal(ReplicaOptions(stories=60))
    with ReplicaServer(portal, request_log=tmp_path / "requests.jsonl") as running:
        yield running


def connect(server: ReplicaServer) -> http.client.HTTPConnection:
    address = urlsplit(server.proxy_url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=10)


def request(conn: http.client.HTTPConnection, method: str, target: str) -> tuple[int, dict, bytes]:
    conn.request(method, target)
    reply = conn.getresponse()
    return reply.status, dict(reply.getheaders()), reply.read()


def test_proxy_serves_absolute_and_origin_form_on_one_connection(server: ReplicaServer) -> None:
    flaky = server.portal.variants["fails_once"]
    story = next(url for url in server.portal.story_urls() if url not in flaky)
    conn = connect(server)
    status, headers, body = request(conn, "GET", story)
    assert status == 200 and int(headers["Content-Length"]) == len(body)
    status, _, again = request(conn, "GET", urlsplit(story).path)  # same keep-alive connection
    assert status == 200 and again == body
    conn.close()
    records = server.requests
    assert [(r.url, r.status, r.proxied) for r in records] == [
        (story, 200, True),
        (story, 200, False),
    ]


def test_head_gets_headers_only(server: ReplicaServer) -> None:
    conn = connect(server)
    status, headers, body = request(conn, "HEAD", server.portal.front_url)
    conn.close()
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(get(server.portal, server.portal.front_url))


def test_proxy_refuses_other_hosts_and_connect(server: ReplicaServer) -> None:
    conn = connect(server)
    status, _, _ = request(conn, "GET", "http://www.xinhuanet.com/french/")
    assert status == 403
    status, _, _ = request(conn, "CONNECT", "french.peopledaily.com.cn:443")
    assert status == 405
    conn.close()
    assert [r.url for r in server.out_of_scope] == ["http://www.xinhuanet.com/french/"]
    assert [r.method for r in server.requests] == ["GET", "CONNECT"]


def test_urllib_through_the_proxy_sees_failures_redirects_and_dead_links(
    server: ReplicaServer, tmp_path: Path
) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.proxy_url}))
    variants = server.portal.variants
    (flaky,) = variants["fails_once"]
    with pytest.raises(HTTPError) as failure:
        opener.open(flaky, timeout=10)
    assert failure.value.code == 500
    failure.value.close()
    with opener.open(flaky, timeout=10) as reply:
        assert reply.status == 200
    (old,) = variants["redirect"]
    with opener.open(old, timeout=10) as reply:  # urllib follows the 301
        assert reply.url == variants["redirect_target"][0]
    with pytest.raises(HTTPError) as dead:
        opener.open(variants["dead"][0], timeout=10)
    assert dead.value.code == 404
    dead.value.close()
    statuses = [(r.url, r.status) for r in server.requests]
    assert statuses == [
        (flaky, 500),
        (flaky, 200),
        (old, 301),
        (variants["redirect_target"][0], 200),
        (variants["dead"][0], 404),
    ]
    logged = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [(r["url"], r["status"]) for r in logged] == statuses


def test_redirect_answers_301_with_the_story_location(server: ReplicaServer) -> None:
    conn = connect(server)
    status, headers, _ = request(conn, "GET", server.portal.variants["redirect"][0])
    conn.close()
    assert status == 301 and headers["Location"] == server.portal.variants["redirect_target"][0]


def test_cli_rejects_a_bad_option_in_one_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "newscrawl.replica", "--stories", "5", "--port", "0"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: stories must be between 10 and 1,000,000, not 5"


def test_cli_prints_the_proxy_url_and_serves() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "newscrawl.replica", "--stories", "30", "--port", "0"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    ) as process:
        try:
            proxy = process.stdout.readline().strip()
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
            with opener.open(f"{PORTAL}/robots.txt", timeout=10) as reply:
                assert b"User-agent: *" in reply.read()
        finally:
            process.terminate()
