"""Pages past the documented bounds are rejected too_complex at once; deep pages under them
still give their story, read in one walk (issue 10, "One page must not stall the crawl")."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.extraction.offline import extract_saved
from newscrawl.extraction.tree import MAX_DEPTH, MAX_ELEMENTS, complexity, text_of
from newscrawl.sites import NotAStory, StoryPage, get_profile
from newscrawl.sites.generic import GenericSite

FIXTURES = Path(__file__).parent / "fixtures" / "peopledaily_fr"
STORY_HTML = (FIXTURES / "story.html").read_text(encoding="utf-8")
PORTAL_URL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"
OTHER_URL = "https://www.exemple.fr/politique/2021/12/27/une-histoire-de-test-longue"
SENTENCE = "Le gouvernement a annoncé mardi une réforme des retraites très attendue."
GENERIC = GenericSite.for_hosts({"www.exemple.fr"})
PORTAL = get_profile("peopledaily_fr")


def wrapped_story(depth: int) -> str:
    """The reference story page with its body block inside ``depth`` nested divs."""
    at = STORY_HTML.index('<div class="txt_con"')
    end = STORY_HTML.index("</body>")
    return STORY_HTML[:at] + "<div>" * depth + STORY_HTML[at:end] + "</div>" * depth + "</body>"


def generic_page(depth: int, stacks: int = 1) -> str:
    stack = "".join(f"<div><p>{SENTENCE} {i}</p>" for i in range(depth)) + "</div>" * depth
    return (
        "<html><head><title>Une histoire de test</title>"
        '<meta property="article:published_time" content="2021-12-27T09:08:00+01:00">'
        "</head><body><h1>Une histoire de test assez longue</h1>"
        + stack * stacks
        + "</body></html>"
    )


def test_the_reference_page_is_well_within_the_bounds() -> None:
    assert complexity(Selector(text=STORY_HTML).root) is None


@pytest.mark.parametrize("profile,url", [(PORTAL, PORTAL_URL), (GENERIC, OTHER_URL)])
def test_a_page_nested_past_the_depth_bound_is_rejected_too_complex(profile, url) -> None:
    html = wrapped_story(2000) if profile is PORTAL else generic_page(2000)
    result = profile.extract_story(Selector(text=html), url)
    assert isinstance(result, NotAStory)
    assert result.reason == "too_complex"
    assert result.details["bound"] == "depth" and result.details["max_depth"] == MAX_DEPTH


def test_the_depth_bound_is_exact() -> None:
    # html (1) > body (2) > MAX_DEPTH - 2 divs: MAX_DEPTH levels in all, then one more.
    def page(levels: int) -> str:
        return "<html><body>" + "<div>" * levels + "x" + "</div>" * levels + "</body></html>"

    assert complexity(Selector(text=page(MAX_DEPTH - 2)).root) is None
    assert complexity(Selector(text=page(MAX_DEPTH - 1)).root) is not None


def test_a_page_of_more_elements_than_the_bound_is_rejected_too_complex() -> None:
    html = wrapped_story(0).replace("</body>", "<b></b>" * (MAX_ELEMENTS + 1) + "</body>")
    result = PORTAL.extract_story(Selector(text=html), PORTAL_URL)
    assert isinstance(result, NotAStory) and result.reason == "too_complex"
    assert result.details == {
        "bound": "elements",
        "elements": pytest.approx(MAX_ELEMENTS + 120, abs=100),
        "max_elements": MAX_ELEMENTS,
    }


def test_a_deep_portal_page_under_the_bound_still_gives_its_story() -> None:
    plain = PORTAL.extract_story(Selector(text=STORY_HTML), PORTAL_URL)
    deep = PORTAL.extract_story(Selector(text=wrapped_story(MAX_DEPTH - 20)), PORTAL_URL)
    assert isinstance(plain, StoryPage) and isinstance(deep, StoryPage)
    assert deep.paragraphs == plain.paragraphs and deep.related == plain.related
    assert (deep.title, deep.published_at, deep.editors) == (
        plain.title,
        plain.published_at,
        plain.editors,
    )


def test_a_deep_page_of_another_site_under_the_bound_still_gives_its_story() -> None:
    result = GENERIC.extract_story(Selector(text=generic_page(MAX_DEPTH - 10)), OTHER_URL)
    assert isinstance(result, StoryPage)
    assert result.title == "Une histoire de test assez longue"
    assert f"{SENTENCE} 0" in result.paragraphs and f"{SENTENCE} 99" in result.paragraphs


def test_a_saved_page_past_the_bound_ends_as_a_rejection_with_its_reason() -> None:
    result = extract_saved(wrapped_story(3000).encode("utf-8"), PORTAL_URL)
    assert result["outcome"] == "rejected" and result["reason"] == "too_complex"


def test_a_listing_past_the_bound_lists_nothing() -> None:
    listing = (FIXTURES / "section.html").read_text(encoding="utf-8")
    url = "http://french.peopledaily.com.cn/Chine/"
    assert PORTAL.listing_story_links(Selector(text=listing), url)
    deep = listing.replace("<body>", "<body>" + "<div>" * 2000, 1)
    assert PORTAL.listing_story_links(Selector(text=deep), url) == []
    assert PORTAL.listing_next_page(Selector(text=deep), url) is None


def test_text_of_leaves_out_scripts_and_style_and_keeps_what_follows_them() -> None:
    page = Selector(
        text="<p id=t>a<!--c-->b<b>c<i>d</i></b>e<script>s()</script>f<style>x{}</style>g</p>"
    )
    assert text_of(page.css("#t")[0]) == "a b c d e f g"
