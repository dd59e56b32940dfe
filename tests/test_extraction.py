"""Extraction against saved pages: pure functions, no engine."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.extraction.decode import decode_page
from newscrawl.extraction.story import assemble_story, extract_page
from newscrawl.scope import Scope
from newscrawl.sites import NotAStory, PageKind, StoryPage, get_profile

FIXTURES = Path(__file__).parent / "fixtures" / "peopledaily_fr"
PROFILE = get_profile("peopledaily_fr")
STORY_URL = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"


def reference_html() -> str:
    return (FIXTURES / "story.html").read_text(encoding="utf-8")


def extract(html: str, url: str = STORY_URL) -> StoryPage:
    page = extract_page(PROFILE, html, url)
    assert isinstance(page, StoryPage), page
    return page


# --- the reference page -----------------------------------------------------------------------


def test_reference_page_yields_expected_story_field_for_field() -> None:
    expected = json.loads((FIXTURES / "story.expected.json").read_text(encoding="utf-8"))
    story = asdict(assemble_story([extract(reference_html())], PROFILE.name, "fr"))
    for name, value in expected.items():
        assert story[name] == value, name
    assert story["extraction"] == "profile"
    assert story["crawled_at"].endswith("+00:00")


def test_reference_related_excludes_wechat_most_read_and_share_links() -> None:
    related = extract(reference_html()).related
    urls = [r["url"] for r in related]
    titles = [r["title"] for r in related]
    assert len(related) == 12
    assert not any("WeChat" in t for t in titles)
    assert "http://french.peopledaily.com.cn/Chine/n3/2021/1226/c31357-9937350.html" not in urls
    assert all(u.startswith("http://french.peopledaily.com.cn/") for u in urls)


def test_editors_line_is_not_body_text() -> None:
    page = extract(reference_html())
    assert page.editors == ["Xiao Lu", "Wang Lin"]
    assert "Rédacteurs" not in "\n".join(page.paragraphs)


# --- the portal's date line: publication and last update -------------------------------------
# (the forms themselves: tests/test_dates.py)

URL_1231 = "http://french.peopledaily.com.cn/International/n3/2021/1231/c31356-9937465.html"
URL_0301 = "http://french.peopledaily.com.cn/International/n3/2021/0301/c31356-9937465.html"
URL_1130 = "http://french.peopledaily.com.cn/International/n3/2021/1130/c31356-9937465.html"


def test_a_line_on_the_urls_day_is_the_publication_time() -> None:
    page = extract(reference_html())
    assert (page.published_at, page.modified_at) == ("2021-12-27T09:08:00+08:00", None)
    assert page.extraction == "profile"


def test_story_updated_in_next_year_is_published_on_its_urls_day_and_modified_then() -> None:
    html = reference_html().replace("le 27/12", "le 02/01")
    page = extract(html, URL_1231)
    assert page.published_at == "2021-12-31T00:00:00+08:00"
    assert page.modified_at == "2022-01-02T09:08:00+08:00"
    assert page.extraction == "profile(published_at=url_day)"
    assert not PROFILE.missed(page)  # an update is no layout miss


def test_story_edited_two_days_later_does_not_look_published_then() -> None:
    html = reference_html().replace("09h08 le 27/12", "17h40 le 29/12")
    page = extract(html)
    assert page.published_at == "2021-12-27T00:00:00+08:00"
    assert page.modified_at == "2021-12-29T17:40:00+08:00"


@pytest.mark.parametrize(
    ("line", "url", "problem"),
    [
        ("09h08 le 31/02", STORY_URL, "no_such_day"),
        ("09h08 le 31/11", URL_1130, "no_such_day"),
        ("25h70 le 27/12", STORY_URL, "no_such_time"),
        ("09h08 le 29/02", URL_0301, "far_from_url"),  # its nearest 29/02 is a year before
        ("09h08 le 27/12/1985", STORY_URL, "before_1990"),
        ("09h08 le 27/12/2099", STORY_URL, "in_the_future"),
    ],
)
def test_a_line_naming_no_real_day_is_not_believed_and_the_urls_day_is_said(
    line: str, url: str, problem: str
) -> None:
    page = extract(reference_html().replace("09h08 le 27/12", line), url)
    day = PROFILE.story_date(url)
    assert day is not None
    assert page.published_at == f"{day.isoformat()}T00:00:00+08:00"
    assert page.modified_at is None
    assert page.extraction == f"profile(date_line={problem},published_at=url_day)"


def test_a_line_naming_no_real_day_on_a_page_without_a_url_date_is_rejected_with_it() -> None:
    html = reference_html().replace("09h08 le 27/12", "09h08 le 31/02")
    html = html.replace('<meta name="publishdate" content="2021-12-27" />', "")
    result = extract_page(PROFILE, html, "http://french.peopledaily.com.cn/International/")
    assert result == NotAStory("no_date", {"date_line": "09h08 le 31/02", "problem": "no_such_day"})


def test_a_page_without_any_date_line_takes_its_urls_day_as_a_fallback() -> None:
    page = extract(reference_html().replace("Dernière mise à jour à 09h08 le 27/12", ""))
    assert page.published_at == "2021-12-27T00:00:00+08:00"
    assert page.extraction == "fallback(published_at=url_date)"


def test_listing_times_are_beijing_times() -> None:
    from newscrawl.sites.peopledaily_fr import parse_listing_time

    assert parse_listing_time("27/12/2021 09:08") == "2021-12-27T09:08:00+08:00"
    assert parse_listing_time("27/12/2021") is None  # no time: no listed time
    assert parse_listing_time("31/02/2021 09:08") is None


# --- URLs -------------------------------------------------------------------------------------

BASE = "http://french.peopledaily.com.cn/International/n3/2021/1227/c31356-9937465.html"
CANON = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"


@pytest.mark.parametrize(
    "spelling",
    [
        CANON,
        "/Chine/n3/2021/1227/c31357-9937490.html",
        "//french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html",
        "https://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html",
        "HTTP://French.PeopleDaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html",
        CANON + "?from=rel",
        CANON + "#comments",
        "../../../../Chine/n3/2021/1227/c31357-9937490.html?x=1#y",
        "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490-2.html",
    ],
)
def test_every_spelling_of_a_story_link_has_one_canonical_url(spelling: str) -> None:
    from newscrawl.urls import resolve

    absolute = resolve(spelling, BASE)
    assert absolute is not None
    assert PROFILE.canonical_url(absolute) == CANON


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://french.peopledaily.com.cn/", PageKind.FRONT),
        ("http://french.peopledaily.com.cn/International/", PageKind.LISTING),
        ("http://french.peopledaily.com.cn/International/index2.html", PageKind.LISTING),
        (CANON, PageKind.STORY),
        ("http://french.peopledaily.com.cn/NMediaFile/2021/1224/FOREIGN2021.jpg", PageKind.OTHER),
        ("http://en.people.cn/n3/2021/1227/c90000-9937465.html", PageKind.OTHER),
    ],
)
def test_classify(url: str, kind: PageKind) -> None:
    assert PROFILE.classify(url) is kind


@pytest.mark.parametrize(
    ("url", "in_scope"),
    [
        (CANON, True),
        ("https://french.peopledaily.com.cn/Chine/", True),
        ("http://en.people.cn/n3/2021/1227/c90000-9937465.html", False),
        ("http://french.peopledaily.com.cn.evil.example/Chine/", False),
        ("http://french.peopledaily.com.cn/NMediaFile/2021/1224/FOREIGN.jpg", False),
        ("http://french.peopledaily.com.cn/docs/rapport.pdf", False),
        ("ftp://french.peopledaily.com.cn/Chine/", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1/Chine/", False),
    ],
)
def test_scope(url: str, in_scope: bool) -> None:
    assert Scope.of(PROFILE).allows(url) is in_scope


@pytest.mark.parametrize(
    "href", ["javascript:void(0)", "mailto:a@b.c", "#top", "", "   ", "data:text/html,x", "tel:1"]
)
def test_links_that_are_not_pages_resolve_to_none(href: str) -> None:
    from newscrawl.urls import resolve

    assert resolve(href, BASE) is None


@pytest.mark.parametrize(
    ("href", "spelt"),
    [
        # as Scrapy requests it, so a related URL is the URL its outcome is filed under
        ("http://en.people.cn/a\u2028b.html", "http://en.people.cn/a%E2%80%A8b.html"),
        ("/Économie/été.html", "http://french.peopledaily.com.cn/%C3%89conomie/%C3%A9t%C3%A9.html"),
        ("http://exemple.fr/a%20b", "http://exemple.fr/a%20b"),  # encoded once, not twice
        ("http://host:99999/", "http://host:99999/"),  # no port: kept for the guard to refuse
    ],
)
def test_hrefs_resolve_to_the_spelling_that_is_requested(href: str, spelt: str) -> None:
    from newscrawl.urls import resolve

    assert resolve(href, BASE) == spelt


def test_story_date_from_url() -> None:
    assert PROFILE.story_date(CANON) == date(2021, 12, 27)
    assert PROFILE.story_date("http://french.peopledaily.com.cn/Chine/") is None


def test_related_links_are_canonical_and_off_portal_ones_kept() -> None:
    html = (
        reference_html()
        .replace(
            'href="http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"',
            'href="//french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html?from=rel#x"',
        )
        .replace(
            'href="http://french.peopledaily.com.cn/Economie/n3/2021/1226/c31355-9937301.html"',
            'href="http://en.people.cn/n3/2021/1226/c90000-9937301.html#top"',
        )
    )
    related = extract(html).related
    assert related[0]["url"] == CANON
    assert related[1]["url"] == "http://en.people.cn/n3/2021/1226/c90000-9937301.html"


# --- layouts, pages, pictures, charsets -------------------------------------------------------

OLD_LAYOUT = """<html><head><meta http-equiv="content-type" content="text/html;charset={charset}"/>
<title>{title} - Le Quotidien du Peuple en ligne</title>
<meta name="publishdate" content="2014-03-05" /><meta name="source" content="Source: Xinhua" />
<meta name="keywords" content="Chine,économie" /></head><body>
<div class="clink">Accueil &gt;&gt; <a href="/Economie/">Économie</a></div>
<div class="wb_12"><h1>{title}</h1><p class="wb_time">Mis à jour à 14h30 le 05/03</p>
<div class="text_con"><p>{p1}</p>
<p>Deuxième paragraphe, assez long pour être le texte principal de la page.</p>
<p>(Rédacteur : Li Wei)</p></div>
<div class="wb_rel"><h3>Articles liés</h3>
<ul><li><a href="/Chine/n/2014/0304/c31357-8552001.html">Un autre</a></li></ul></div>
<div class="foot"><p>Copyright</p></div></div></body></html>"""


def old_page(
    charset: str = "UTF-8",
    title: str = "Une réforme économique",
    p1: str = "Le gouvernement a présenté son rapport d'activité à l'Assemblée.",
) -> str:
    return OLD_LAYOUT.format(charset=charset, title=title, p1=p1)


def test_older_layout_falls_back_and_says_so() -> None:
    url = "http://french.peopledaily.com.cn/Economie/n/2014/0305/c31355-8552100.html"
    page = extract(old_page(), url)
    assert page.title == "Une réforme économique"
    assert page.published_at == "2014-03-05T14:30:00+08:00"
    assert page.paragraphs[0].startswith("Le gouvernement")
    assert len(page.paragraphs) == 2
    assert page.editors == ["Li Wei"]
    assert page.related[0]["url"].endswith("/Chine/n/2014/0304/c31357-8552001.html")
    assert page.section == "Economie"  # from the URL: this layout has no div.path
    assert page.source == "Xinhua"
    assert page.extraction.startswith("fallback(")
    assert "body=trafilatura" in page.extraction  # the generic machinery, on the densest block
    assert "title=h1" in page.extraction
    assert "section=url" in page.extraction


def test_latin1_page_declared_only_in_meta_decodes_right() -> None:
    body = old_page(charset="ISO-8859-1", title="Élection à Genève").encode("latin-1")
    html = decode_page(body, "text/html").text
    url = "http://french.peopledaily.com.cn/Economie/n/2014/0305/c31355-8552100.html"
    assert extract(html, url).title == "Élection à Genève"


def test_page_without_body_is_not_a_story() -> None:
    html = "<html><head><title>R</title></head><body><h1>T</h1><script>x()</script></body></html>"
    result = extract_page(PROFILE, html, CANON)
    assert isinstance(result, NotAStory)
    assert result.reason == "no_body"
    assert result.details == {"has_scripts": True}


def test_page_without_title_is_not_a_story() -> None:
    result = extract_page(PROFILE, "<html><body><p>Du texte.</p></body></html>", CANON)
    assert result == NotAStory("no_title")


def photo_page(pictures: list[tuple[str, str]], text: str = "Texte de l'article.") -> str:
    block = "".join(
        f'<p style="text-align: center;"><img src="{src}" /></p>'
        f'<p style="text-align: center;">{caption}</p>'
        for src, caption in pictures
    )
    return reference_html().replace(
        '<div class="txt_con" id="rwb_zw">',
        f'<div class="txt_con" id="rwb_zw">{block}<p>{text}</p>',
    )


def test_photo_story_pictures_with_captions_not_in_body() -> None:
    html = photo_page(
        [
            ("/NMediaFile/2021/1224/FOREIGN1.jpg", "Neige à Harbin"),
            (
                "http://french.peopledaily.com.cn/NMediaFile/2021/1224/FOREIGN2.jpg",
                "Un pont illuminé",
            ),
        ]
    )
    page = extract(html)
    assert page.images == [
        {
            "url": "http://french.peopledaily.com.cn/NMediaFile/2021/1224/FOREIGN1.jpg",
            "caption": "Neige à Harbin",
        },
        {
            "url": "http://french.peopledaily.com.cn/NMediaFile/2021/1224/FOREIGN2.jpg",
            "caption": "Un pont illuminé",
        },
    ]
    assert "Neige à Harbin" not in page.paragraphs
    assert page.paragraphs[0] == "Texte de l'article."


def multipage(page_no: int, pages: int, text: str) -> str:
    stem = "/Culture/n3/2021/1224/c31359-9937055"
    links = "".join(
        f'<a href="{stem}{"" if n == 1 else f"-{n}"}.html">{n}</a>' for n in range(1, pages + 1)
    )
    return reference_html().replace(
        '<div class="txt_edit">',
        f'<p>{text}</p><div class="page_n">{links}</div><div class="txt_edit">',
    )


def test_later_pages_in_order_and_merged_into_one_story() -> None:
    url = "http://french.peopledaily.com.cn/Culture/n3/2021/1224/c31359-9937055.html"
    first = multipage(1, 3, "Fin de la page un.")
    assert PROFILE.later_pages(Selector(first), url) == [
        "http://french.peopledaily.com.cn/Culture/n3/2021/1224/c31359-9937055-2.html",
        "http://french.peopledaily.com.cn/Culture/n3/2021/1224/c31359-9937055-3.html",
    ]
    pages = [extract(first, url)]
    for n in (2, 3):
        later_url = url.replace(".html", f"-{n}.html")
        pages.append(extract(multipage(n, 3, f"Fin de la page {n}."), later_url))
    story = assemble_story(pages, PROFILE.name, "fr")
    assert story.url == url
    assert story.body.index("Fin de la page un.") < story.body.index("Fin de la page 2.")
    assert story.body.endswith("Fin de la page 3.")
    assert story.word_count == len(story.body.split())


# --- listings ---------------------------------------------------------------------------------


def test_section_listing_story_links_and_next_page() -> None:
    page = Selector((FIXTURES / "section.html").read_text(encoding="utf-8"))
    url = "http://french.peopledaily.com.cn/International/"
    links = PROFILE.listing_story_links(page, url)
    assert len(links) == 6
    assert links[0] == STORY_URL
    # "Les plus lus" in the sidebar is not part of the listing
    assert "http://french.peopledaily.com.cn/Chine/n3/2021/1226/c31357-9937350.html" not in links
    assert PROFILE.listing_next_page(page, url) == (
        "http://french.peopledaily.com.cn/International/index2.html"
    )


def test_section_listing_shows_when_each_story_was_last_updated() -> None:
    page = Selector((FIXTURES / "section.html").read_text(encoding="utf-8"))
    times = PROFILE.listing_story_times(page, "http://french.peopledaily.com.cn/International/")
    assert len(times) == 6
    assert times[STORY_URL] == "2021-12-27T09:08:00+08:00"  # "27/12/2021 09:08", Beijing time
    assert "http://french.peopledaily.com.cn/Chine/n3/2021/1226/c31357-9937350.html" not in times


def test_the_front_page_shows_no_story_times() -> None:
    page = Selector((FIXTURES / "home.html").read_text(encoding="utf-8"))
    assert PROFILE.listing_story_times(page, "http://french.peopledaily.com.cn/") == {}


def test_front_page_story_links() -> None:
    page = Selector((FIXTURES / "home.html").read_text(encoding="utf-8"))
    links = PROFILE.listing_story_links(page, "http://french.peopledaily.com.cn/")
    assert len(links) == 6
    assert all(PROFILE.classify(link) is PageKind.STORY for link in links)
