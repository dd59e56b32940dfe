"""The crawl's parse (page_selector) gives the tree parsel gives, and the portal's landmarks
read nested places as their selectors say (issue 15: a faster extraction that reads the same)."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from newscrawl.extraction.body import _prepared
from newscrawl.extraction.decode import decode_page
from newscrawl.extraction.tree import _document, drop_tree, page_selector, text_content
from newscrawl.sites import StoryPage, get_profile

TESTS = Path(__file__).parent
SAVED = sorted(
    [
        *(TESTS / "fixtures").glob("*/*.html"),
        *(TESTS / "corpus" / "pages").glob("*.html"),
        *(TESTS / "holdout" / "pages").glob("*.html.gz"),
    ]
)
PORTAL = get_profile("peopledaily_fr")
URL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"


@pytest.mark.parametrize("path", SAVED, ids=lambda path: path.name)
def test_the_crawls_parse_is_parsels_tree_in_lxmls_plain_elements(path: Path) -> None:
    text = saved_text(path)
    ours, parsels = page_selector(text), Selector(text=text)
    assert ours.type == parsels.type == "html"
    assert etree.tostring(ours.root) == etree.tostring(parsels.root)
    # lxml's own class, made without a Python class's instantiation (the point of the parse)
    assert {type(element) for element in ours.root.iter(etree.Element)} == {etree._Element}
    assert text_content(ours.root) == parsels.root.text_content()
    for theirs, mine in zip(parsels.root.iter("p", "a"), ours.root.iter("p", "a"), strict=True):
        assert text_content(mine) == theirs.text_content()


@pytest.mark.parametrize("path", SAVED[::4], ids=lambda path: path.name)
def test_drop_tree_does_what_lxml_html_does(path: Path) -> None:
    text = saved_text(path)
    ours, theirs = page_selector(text).root, Selector(text=text).root
    for tag in ("a", "span", "img", "script", "p"):  # tails after, before and between elements
        for mine, html in zip(list(ours.iter(tag)), list(theirs.iter(tag)), strict=True):
            drop_tree(mine)
            html.drop_tree()
    assert etree.tostring(ours) == etree.tostring(theirs)


def test_trafilatura_is_given_a_copy_in_lxml_html_classes() -> None:
    page = page_selector(
        "<html lang='fr'><body><nav>Menu</nav><article><p>Un premier paragraphe assez long."
        "</p><p>Un second.</p></article>fin</body></html>"
    ).root
    before = etree.tostring(page)
    for container in ([], [page.find("body/article")]):
        copy = _prepared(page, container, leave_out=[page.find("body/nav")])
        assert all(isinstance(element, HtmlElement) for element in copy.iter(etree.Element))
        assert copy.text_content().startswith("Un premier paragraphe")
        assert "Menu" not in copy.text_content()
    assert copy.find(".//article") is not None  # the container, in a page of its own
    assert etree.tostring(page) == before  # the page itself is left as it was
    plain = page_selector("<html lang='fr'><body><p>Un paragraphe.</p>fin<!-- x --></body></html>")
    whole = _prepared(plain.root, [], leave_out=[])
    assert etree.tostring(whole) == etree.tostring(plain.root)  # all of it, attributes and tails


def saved_text(path: Path) -> str:
    raw = path.read_bytes()
    text = decode_page(gzip.decompress(raw) if path.suffix == ".gz" else raw, "text/html").text
    return text or ""


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"title": "x"}', "json"),
        (" \n[1, 2]", "json"),
        ('<?xml version="1.0"?><html><body><p>x</p></body></html>', "xml"),
        ("{not json <p>x</p>", "html"),
        ("123", "html"),
        ("", "html"),
        ("\x00<p>a\x00b</p>", "html"),
    ],
)
def test_what_parsel_does_not_read_as_html_it_still_reads_itself(text: str, kind: str) -> None:
    ours, parsels = page_selector(text), Selector(text=text)
    assert ours.type == parsels.type == kind
    if kind == "json":
        assert ours.root == parsels.root
    else:
        assert etree.tostring(ours.root) == etree.tostring(parsels.root)


def test_a_page_read_as_html_is_html_even_with_an_xml_declaration() -> None:
    # What Scrapy's response.selector does for an HTML response (the spider's parse).
    page = page_selector('<?xml version="1.0"?><html><body><p>x</p></body></html>', "html")
    assert page.type == "html" and page.root.findtext(".//p") == "x"


def story(body: str, related: str = "") -> StoryPage:
    html = (
        "<html><head><title>t</title></head><body>"
        "<div class='txt_t'><h1>Un titre de test assez long</h1>"
        "<div class='txt_time'>Dernière mise à jour à 09h08 le 27/12</div></div>"
        f"{body}<div class='d2_relevant'>{related}</div></body></html>"
    )
    page = PORTAL.extract_story(page_selector(html), URL)
    assert isinstance(page, StoryPage), page
    return page


def test_a_related_link_counts_at_any_depth_inside_an_item_of_the_list() -> None:
    page = story(
        "<div id='rwb_zw'><p>Un paragraphe du corps.</p></div>",
        "<ul class='list_rel'>"
        "<li><div><span><a href='/Chine/n3/2021/1227/c1-2.html'>Un lien dans un item</a></span>"
        "</div></li>"
        "<a href='/Chine/n3/2021/1227/c1-3.html'>Un lien hors des items</a>"
        "<li><ul class='list_rel'><li><a href='/Chine/n3/2021/1227/c1-4-2.html'>Une liste dans"
        " la liste</a></li></ul></li></ul>"
        "<li><a href='/Chine/n3/2021/1227/c1-5.html'>Un item hors de la liste</a></li>",
    )
    assert [link["url"] for link in page.related] == [
        "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c1-2.html",
        "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c1-4.html",
    ]


def test_a_body_paragraph_under_a_not_body_element_is_not_body_wherever_that_element_is() -> None:
    page = story(
        "<div id='rwb_zw'><p>Le premier paragraphe.</p>"
        "<div><span class='x txt_edit'><p>Sous txt_edit.</p></span></div>"
        "<p class='footer'>Un paragraphe de classe footer reste.</p></div>"
        "<div class='page_footer'><div id='rwb_zw'><p>Sous un pied de page.</p></div></div>"
    )
    assert page.paragraphs == ["Le premier paragraphe.", "Un paragraphe de classe footer reste."]


def test_the_bytes_parsed_are_parsels_whatever_the_texts_ends() -> None:
    """``_document`` makes parsel's ``text.strip().replace("\\x00", "").encode()`` from the
    encoded text: the same bytes over texts whose ends mix every white space str.strip knows,
    NULs and other characters (300,000 random texts)."""
    rng = random.Random(15)
    spaces = [c for c in map(chr, range(0x3001)) if c.isspace()]
    ends = [*spaces, "\x00", "a", "<", ">", "é", "\ufeff", "\u200b", "\x1b", "\x7f", "\x85"]
    middles = ["<html><body><p>x</p></body></html>", "", "\x00", " ", "é\x00 \u3000"]
    for _ in range(300_000):
        text = (
            "".join(rng.choices(ends, k=rng.randrange(4)))
            + rng.choice(middles)
            + "".join(rng.choices(ends, k=rng.randrange(4)))
        )
        assert _document(text) == (text.strip().replace("\x00", "").encode() or b"<html/>"), text
