"""Fuzzing the pure extraction functions: arbitrary and mutated HTML, arbitrary URLs.

Whatever the page, no exception escapes: a page gives a StoryPage or a NotAStory with its
reason, a link resolves to a URL or to None. Hypothesis runs derandomized with bounded
examples, so the suite is deterministic and takes seconds.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls
from parsel import Selector

from newscrawl.extraction.dates import read_date, read_publication_line, zone
from newscrawl.extraction.decode import decode_page
from newscrawl.extraction.feeds import feed_entries
from newscrawl.extraction.story import extract_page
from newscrawl.scope import Scope
from newscrawl.sites import GenericSite, NotAStory, PageKind, StoryPage, get_profile
from newscrawl.urls import resolve

PROFILE = get_profile("peopledaily_fr")
SCOPE = Scope.of(PROFILE)
STORY_HTML = (Path(__file__).parent / "fixtures/peopledaily_fr/story.html").read_text("utf-8")
STORY_URL = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937490.html"
TAG = re.compile(r"<[^>]*>")
TAGS = [m.span() for m in TAG.finditer(STORY_HTML)]

FUZZ = settings(
    derandomize=True,  # the same examples on every run and machine
    database=None,
    deadline=None,
    # Bounded for the suite; NEWSCRAWL_FUZZ_EXAMPLES=5000 digs deeper on demand.
    max_examples=int(os.environ.get("NEWSCRAWL_FUZZ_EXAMPLES", "150")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- strategies -----------------------------------------------------------------------------


def truncated(cut: int) -> str:
    return STORY_HTML[: cut % (len(STORY_HTML) + 1)]


def without_tag(which: int) -> str:
    start, end = TAGS[which % len(TAGS)]
    return STORY_HTML[:start] + STORY_HTML[end:]


def with_garbage(where: int, garbage: bytes) -> str:
    at = where % (len(STORY_HTML) + 1)
    return STORY_HTML[:at] + garbage.decode("latin-1") + STORY_HTML[at:]


def with_huge_attribute(which: int, size: int) -> str:
    start, end = TAGS[which % len(TAGS)]
    tag = STORY_HTML[start:end]
    if tag.startswith(("</", "<!")):
        return STORY_HTML
    grown = tag[:-1].rstrip("/") + f' data-x="{"A" * size}">'
    return STORY_HTML[:start] + grown + STORY_HTML[end:]


def nested(depth: int, tag: str) -> str:
    at = STORY_HTML.index('<div class="txt_con"')
    return STORY_HTML[:at] + f"<{tag}>" * depth + STORY_HTML[at:]


mutated_story = st.one_of(
    st.integers(0, len(STORY_HTML)).map(truncated),
    st.integers(0, len(TAGS) - 1).map(without_tag),
    st.lists(st.integers(0, len(TAGS) - 1), min_size=2, max_size=30).map(
        lambda picks: _without_tags(picks)
    ),
    st.builds(with_garbage, st.integers(0, len(STORY_HTML)), st.binary(min_size=1, max_size=200)),
    st.builds(with_huge_attribute, st.integers(0, len(TAGS) - 1), st.integers(1, 300_000)),
    st.builds(nested, st.integers(1, 3000), st.sampled_from(["div", "p", "b", "form", "table"])),
)
any_html = st.one_of(
    st.text(max_size=2000),
    st.text(alphabet=st.sampled_from(list("<>/=\"' abcdhpilmtv-")), max_size=500),
    st.builds(
        lambda parts: "".join(parts),
        st.lists(
            st.sampled_from(
                [
                    "<html>",
                    "</html>",
                    "<body>",
                    "<div class='txt_t'>",
                    "<h1>",
                    "</h1>",
                    "<div class='txt_time'>",
                    "Dernière mise à jour à 09h08 le 27/12",
                    "</div>",
                    "<div id='rwb_zw'>",
                    "<p>",
                    "</p>",
                    "Un paragraphe.",
                    "<img src='x.jpg'>",
                    "<div class='d2_relevant'><ul class='list_rel'><li>",
                    "<a href='",
                    "javascript:x",
                    "http://[::1",
                    "//french.peopledaily.com.cn/Chine/n3/2021/",
                    "'>",
                    "</a>",
                    "<form>",
                    "<!--",
                    "-->",
                    "<script>",
                    "</script>",
                    "&#0;",
                    "&nbsp;",
                    "\x00",
                    "<title>",
                    "</title>",
                    "<meta name='publishdate' content='",
                    "2021-02-30",
                    "9999-99-99",
                    "<div class='page_n'><a href='c1-99999999999.html'>",
                ]
            ),
            max_size=80,
        ),
    ),
)
story_like_urls = st.builds(
    lambda section, year, mmdd, cat, cid, page: (
        f"http://french.peopledaily.com.cn/{section}/n3/{year}/{mmdd}/c{cat}-{cid}{page}.html"
    ),
    st.sampled_from(["Chine", "International", "x", ""]),
    st.sampled_from(["2021", "0000", "9999", "20211"]),
    st.sampled_from(["1227", "0230", "1399", "0000", "9999"]),
    st.integers(0, 10**12),
    st.integers(0, 10**12),
    st.sampled_from(["", "-2", "-0", "-99999999999999999999"]),
)
any_url = st.one_of(
    st.text(max_size=200),
    urls(),
    story_like_urls,
    st.builds(
        lambda scheme, rest: f"{scheme}{rest}",
        st.sampled_from(["http://", "https://", "file://", "ftp://", "data:", "javascript:", "//"]),
        st.text(max_size=80),
    ),
)


def _without_tags(picks: list[int]) -> str:
    spans = sorted({TAGS[p] for p in picks}, reverse=True)
    html = STORY_HTML
    for start, end in spans:
        html = html[:start] + html[end:]
    return html


# --- properties -----------------------------------------------------------------------------


def assert_story_or_reason(result: object) -> None:
    assert isinstance(result, StoryPage | NotAStory)
    if isinstance(result, NotAStory):
        assert result.reason in ("no_title", "no_date", "no_body", "too_complex")
    else:
        assert result.title and result.published_at and result.paragraphs


@FUZZ
@given(html=mutated_story)
def test_mutated_story_pages_give_a_story_or_a_reason(html: str) -> None:
    assert_story_or_reason(extract_page(PROFILE, html, STORY_URL))


@FUZZ
@given(html=any_html, url=st.one_of(st.just(STORY_URL), any_url))
def test_arbitrary_html_gives_a_story_or_a_reason(html: str, url: str) -> None:
    assert_story_or_reason(extract_page(PROFILE, html, url))


@FUZZ
@given(body=st.binary(max_size=3000), content_type=st.one_of(st.none(), st.text(max_size=60)))
def test_arbitrary_bytes_decode_and_extract(body: bytes, content_type: str | None) -> None:
    page = decode_page(body, content_type)  # must not raise on any bytes or header
    assert page.kind in ("html", "text", "binary", "empty", "other")
    assert isinstance(page.text, str)
    if page.encoding is not None:  # a text page always has an encoding its bytes decode with
        assert (page.encoding == "cp1252") or isinstance(page.body.decode(page.encoding), str)
    assert_story_or_reason(extract_page(PROFILE, page.text or "<html></html>", STORY_URL))


@FUZZ
@given(html=st.one_of(mutated_story, any_html), url=st.one_of(st.just(STORY_URL), any_url))
def test_links_of_any_page_are_urls_of_the_portal(html: str, url: str) -> None:
    page = Selector(text=html) if html.strip() else Selector(text="<html></html>")
    for link in PROFILE.listing_story_links(page, url):
        assert PROFILE.classify(link) is PageKind.STORY
    for later in PROFILE.later_pages(page, url):
        assert PROFILE.canonical_url(later) == PROFILE.canonical_url(url)
    following = PROFILE.listing_next_page(page, url)
    assert following is None or PROFILE.classify(following) is PageKind.LISTING


@FUZZ
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.from_regex(r"le \d{1,3}/\d{1,3}( à \d{1,2}h\d{1,2})?", fullmatch=False),
        st.from_regex(
            r"\d{1,2} (janv\.|déc\.|mars|août) \d{2,4} à \d{1,2} h \d{2}", fullmatch=False
        ),
    )
)
def test_any_text_is_a_real_aware_time_or_says_why_not(text: str) -> None:
    now = datetime(2022, 1, 3, 12, tzinfo=UTC)
    for reading in (
        read_date(text, zone("Europe/Paris"), now, date(2021, 12, 27)),
        *read_publication_line(text, zone("Asia/Shanghai"), now),
    ):
        if reading is None:
            continue
        assert reading.ok != bool(reading.problem)  # believed, or a reason: never both
        if reading.ok:
            assert reading.moment is not None and reading.moment.utcoffset() is not None
            assert datetime(1990, 1, 1, tzinfo=UTC) <= reading.moment <= now + timedelta(hours=1)


@FUZZ
@given(url=any_url, base=st.one_of(st.just(STORY_URL), any_url))
def test_any_href_resolves_to_a_web_url_or_none(url: str, base: str) -> None:
    resolved = resolve(url, base)
    assert resolved is None or resolved.split(":", 1)[0].lower() in ("http", "https")


@FUZZ
@given(url=any_url)
def test_any_url_has_one_canonical_spelling_and_a_scope_verdict(url: str) -> None:
    canonical = PROFILE.canonical_url(url)
    assert isinstance(canonical, str)
    assert PROFILE.canonical_url(canonical) == canonical
    PROFILE.classify(url)
    PROFILE.story_date(url)
    verdict = SCOPE.refusal(url)
    if verdict is None:  # whatever the guard lets through is a page of the portal's hosts
        assert PROFILE.canonical_url(url).startswith("http://french.peopledaily.com.cn/")


# --- the generic profile and feeds ----------------------------------------------------------

GENERIC = GenericSite.for_hosts({"www.exemple.fr"})
GENERIC_HTML = (Path(__file__).parent / "fixtures/generic/jsonld-newsarticle.html").read_text(
    "utf-8"
)
GENERIC_URL = "https://www.exemple.fr/economie/2023/03/09/greve-a-la-sncf-le-trafic-reprend"
JSON_LD = re.compile(r"(<script type=\"application/ld\+json\">)(.*?)(</script>)", re.S)


def mutated_json_ld(cut: int) -> str:
    """The generic fixture with its JSON-LD cut short somewhere: broken JSON."""
    match = JSON_LD.search(GENERIC_HTML)
    assert match is not None
    data = match.group(2)
    return GENERIC_HTML.replace(data, data[: cut % (len(data) + 1)])


@FUZZ
@given(
    html=st.one_of(
        st.integers(0, 5000).map(mutated_json_ld),
        st.integers(0, len(GENERIC_HTML)).map(lambda cut: GENERIC_HTML[:cut]),
        any_html,
        mutated_story,
    ),
    url=st.one_of(st.just(GENERIC_URL), any_url),
)
def test_any_page_is_a_generic_story_or_says_why_not(html: str, url: str) -> None:
    page = Selector(text=html) if html.strip() else Selector(text="<html></html>")
    result = GENERIC.extract_story(page, url, datetime(2024, 1, 1, tzinfo=UTC))
    assert_story_or_reason(result)
    if isinstance(result, StoryPage):
        assert datetime.fromisoformat(result.published_at).utcoffset() is not None
        assert all(link["url"].startswith("http") for link in result.related)


@FUZZ
@given(body=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)))
def test_any_feed_body_gives_urls_or_nothing(body: bytes) -> None:
    for name in ("robots.txt", "sitemap.xml", "rss.xml"):
        for entry in feed_entries(body, f"https://www.exemple.fr/{name}", zone("Europe/Paris")):
            assert entry.url.startswith(("http://", "https://"))
