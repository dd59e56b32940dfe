"""The generic profile on pages of our own making: each JSON-LD form, each place a field is read
from, each related-block announcement, bylines, URL shapes, feeds and the registry by host."""

# Markup lines are kept whole, as pages write them.
# ruff: noqa: E501

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest
from parsel import Selector

from newscrawl.extraction.authors import read_byline
from newscrawl.extraction.dates import zone
from newscrawl.extraction.feeds import feed_entries
from newscrawl.sites import (
    GenericSite,
    NotAStory,
    PageKind,
    StoryPage,
    crawl_sites,
    profile_for_host,
)
from newscrawl.sites.generic import looks_like_story

URL = "https://www.exemple.fr/politique/2023/03/09/le-senat-adopte-la-reforme-des-retraites"
SITE = GenericSite.for_hosts({"www.exemple.fr"})
NOW = datetime(2023, 6, 1, tzinfo=UTC)
TEXT = (
    "Le Sénat a adopté jeudi soir le projet de réforme des retraites, après plusieurs semaines "
    "de débats parfois houleux entre la majorité et les oppositions. Le texte doit encore être "
    "examiné en commission mixte paritaire avant son adoption définitive."
)
MORE = (
    "Les syndicats appellent à une nouvelle journée de mobilisation la semaine prochaine, "
    "tandis que le gouvernement assure que le calendrier sera tenu jusqu'au bout."
)


def page(head: str = "", body: str = "", lang: str = "fr") -> str:
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>Titre - Exemple</title>{head}'
        f"</head><body><h1>Le Sénat adopte la réforme des retraites</h1>{body}"
        f"<article><p>{TEXT}</p><p>{MORE}</p></article></body></html>"
    )


def extract(html: str, url: str = URL) -> StoryPage:
    result = SITE.extract_story(Selector(text=html), url, NOW)
    assert isinstance(result, StoryPage), result
    return result


def ld(data: object, raw: str | None = None) -> str:
    return f'<script type="application/ld+json">{raw or json.dumps(data)}</script>'


ARTICLE = {
    "@type": "NewsArticle",
    "headline": "Le Sénat adopte la réforme des retraites",
    "datePublished": "2023-03-09T22:15:00+01:00",
    "author": {"@type": "Person", "name": "Claire Dubois"},
}


# --- JSON-LD, each form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        ld({"@context": "https://schema.org", **ARTICLE}),
        ld({**ARTICLE, "@type": "Article"}),
        ld({**ARTICLE, "@type": "ReportageNewsArticle"}),
        ld({**ARTICLE, "@type": ["NewsArticle", "ReportageNewsArticle"]}),
        ld({"@context": "https://schema.org", "@graph": [{"@type": "WebSite"}, ARTICLE]}),
        ld([{"@type": "BreadcrumbList"}, ARTICLE]),
        ld({"@type": "WebPage", "mainEntity": ARTICLE}),
        # what CMSs write around it: a CDATA wrapper, a trailing comma, a raw newline
        ld(None, "<![CDATA[" + json.dumps(ARTICLE) + "]]>"),
        ld(None, json.dumps(ARTICLE)[:-1] + ',\n"x": "a\nb",}'),
    ],
)
def test_each_json_ld_form_gives_title_date_and_authors(script: str) -> None:
    story = extract(page(script))
    assert story.title == "Le Sénat adopte la réforme des retraites"
    assert story.published_at == "2023-03-09T22:15:00+01:00"
    assert story.authors == ["Claire Dubois"]
    assert "title=json_ld" in story.extraction and "published_at=json_ld" in story.extraction
    assert "authors=json_ld" in story.extraction


def test_an_organisation_as_author_is_a_source_not_a_person() -> None:
    data = {**ARTICLE, "author": [{"@type": "Organization", "name": "AFP"}]}
    story = extract(page(ld(data), body='<p class="byline">Par Jean Martin</p>'))
    assert story.authors == []  # the page's own word: no person (not the byline of a teaser)
    assert story.source == "AFP"


# --- the other places, in order ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "published", "how"),
    [
        (
            '<meta property="article:published_time" content="2023-03-09T22:15:00+01:00">',
            "",
            "2023-03-09T22:15:00+01:00",
            "og",
        ),
        ('<meta name="date" content="2023-03-09T22:15">', "", "2023-03-09T22:15:00+01:00", "meta"),
        (
            '<meta name="DC.date.issued" content="2023-03-09">',
            '<p class="x">Publié le 9 mars 2023 à 22h15</p>',
            "2023-03-09T22:15:00+01:00",
            "meta+date_line",
        ),
        (
            "",
            '<time datetime="2023-03-09T22:15:00+01:00">9 mars</time>',
            "2023-03-09T22:15:00+01:00",
            "time",
        ),
        (
            "",
            '<p class="date">Publié le 9 mars 2023 à 22 h 15</p>',
            "2023-03-09T22:15:00+01:00",
            "date_line",
        ),
        ("", "<p>Le jeudi 9 mars 2023 à 22h15</p>", "2023-03-09T22:15:00+01:00", "date_line"),
        ("", "", "2023-03-09T00:00:00+01:00", "url(day)"),  # the URL's day, said
    ],
)
def test_the_date_comes_from_the_first_place_that_has_it(
    head: str, body: str, published: str, how: str
) -> None:
    story = extract(page(head, body))
    assert story.published_at == published
    assert f"published_at={how}" in story.extraction


def test_publie_mis_a_jour_gives_both_times() -> None:
    body = (
        '<p class="dateline">Publié le 9 mars 2023 à 7h45, mis à jour le 10 mars 2023 à 11h20</p>'
    )
    story = extract(page("", body))
    assert (story.published_at, story.modified_at) == (
        "2023-03-09T07:45:00+01:00",
        "2023-03-10T11:20:00+01:00",
    )


def test_a_date_in_the_future_or_far_from_the_urls_day_is_not_the_publication() -> None:
    head = '<meta property="article:published_time" content="2031-01-01T10:00:00+01:00">'
    body = '<time datetime="2021-01-02T10:00:00+01:00">x</time>'  # two years before the URL
    story = extract(page(head, body))
    assert story.published_at == "2023-03-09T00:00:00+01:00"


def test_a_page_without_any_date_is_rejected_no_date() -> None:
    html = page().replace("Le Sénat a adopté jeudi soir", "Le Sénat a adopté")
    result = SITE.extract_story(
        Selector(text=html), "https://www.exemple.fr/politique/le-senat-adopte-la-reforme", NOW
    )
    assert isinstance(result, NotAStory) and result.reason == "no_date"
    assert SITE.missed(result)  # the generic profile's miss


def test_times_without_offset_are_the_sites_zone() -> None:
    head = '<meta property="article:published_time" content="2023-05-14T09:08">'
    undated = "https://www.exemple.fr/politique/le-senat-adopte-la-reforme-des-retraites"
    assert extract(page(head), undated).published_at == "2023-05-14T09:08:00+02:00"  # summer
    quebec = GenericSite.for_hosts({"www.exemple.ca"})
    result = quebec.extract_story(
        Selector(text=page(head)),
        "https://www.exemple.ca/nouvelles/2023/05/14/le-texte-du-jour",
        NOW,
    )
    assert isinstance(result, StoryPage) and result.published_at == "2023-05-14T09:08:00-04:00"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta property="og:title" content="Le Sénat adopte la réforme des retraites">', "og"),
        ('<meta name="twitter:title" content="Le Sénat adopte la réforme des retraites">', "meta"),
        ("", "h1"),
    ],
)
def test_the_title_comes_from_the_first_place_that_has_it(head: str, expected: str) -> None:
    story = extract(page(head))
    assert story.title == "Le Sénat adopte la réforme des retraites"
    assert f"title={expected}" in story.extraction


def test_a_title_tag_loses_the_sites_name_and_a_cut_og_title_gives_way_to_the_h1() -> None:
    head = '<meta property="og:title" content="Le Sénat adopte :">'
    html = page(head).replace(
        "<h1>Le Sénat adopte la réforme des retraites</h1>",
        '<h1>Le Sénat adopte : "la réforme"</h1>',
    )
    assert extract(html).title == 'Le Sénat adopte : "la réforme"'
    html = page().replace("<h1>Le Sénat adopte la réforme des retraites</h1>", "")
    html = html.replace("Titre - Exemple", "La réforme des retraites adoptée - Exemple")
    assert extract(html).title == "La réforme des retraites adoptée"


def test_authors_from_meta_and_from_the_byline() -> None:
    head = '<meta name="author" content="Claire Dubois, Marc Lefèvre">'
    assert extract(page(head)).authors == ["Claire Dubois", "Marc Lefèvre"]
    body = '<p class="signature">Par Sophie Martin et Julien Moreau (avec AFP)</p>'
    story = extract(page("", body))
    assert story.authors == ["Sophie Martin", "Julien Moreau"]
    assert story.source == "AFP"
    assert "authors=byline" in story.extraction


def test_section_slug_and_name() -> None:
    head = '<meta property="article:section" content="Politique">'
    story = extract(page(head))
    assert (story.section, story.section_name) == ("politique", "Politique")


# --- related blocks, each announcement --------------------------------------------------------

ANNOUNCEMENTS = (
    "Articles liés",
    "À lire aussi",
    "Lire aussi",
    "Sur le même sujet",
    "Voir aussi",
    "Dans la même rubrique",
)
LINKS = (
    '<li><a href="/politique/2023/03/08/les-deputes-rejettent-la-motion-de-censure">'
    "Les députés rejettent la motion de censure</a></li>"
    '<li><a href="https://www.autre-site.fr/2023/03/07/la-greve-s-installe-dans-les-raffineries">'
    "La grève s'installe dans les raffineries</a></li>"
)


@pytest.mark.parametrize("announcement", ANNOUNCEMENTS)
@pytest.mark.parametrize(
    "markup",
    [
        "<h3>{a}</h3><ul>{links}</ul>",
        '<section class="bloc"><h2>{a} :</h2><ul>{links}</ul></section>',
        '<div class="box"><div class="title"><span>{a}</span></div></div><ul>{links}</ul>',
        "<aside><h4>{A}</h4><ol>{links}</ol></aside>",
    ],
)
def test_each_announced_block_gives_the_related_headlines(announcement: str, markup: str) -> None:
    block = markup.format(a=announcement, A=announcement.upper(), links=LINKS)
    story = extract(page("", block))
    assert [link["url"] for link in story.related] == [
        "https://www.exemple.fr/politique/2023/03/08/les-deputes-rejettent-la-motion-de-censure",
        "https://www.autre-site.fr/2023/03/07/la-greve-s-installe-dans-les-raffineries",
    ]
    assert "related=heading" in story.extraction
    assert "motion de censure" not in "\n".join(story.paragraphs)


def test_a_lire_aussi_insert_and_a_named_block_are_related_not_body() -> None:
    insert = (
        '<p><strong>Lire aussi :</strong> <a href="/politique/2023/03/01/retraites-ce-que-contient-le-texte">'
        "Retraites : ce que contient le texte</a></p>"
    )
    named = (
        '<div class="related-articles"><a href="/politique/2023/02/28/le-calendrier-de-la-reforme">'
        "Le calendrier de la réforme en détail</a>"
        '<a href="/politique/">Politique</a><a href="/tag/retraites/">Retraites et pensions ici</a></div>'
    )
    html = page().replace(f"<p>{MORE}</p>", f"{insert}<p>{MORE}</p>{named}")
    story = extract(html)
    assert [link["title"] for link in story.related] == [
        "Retraites : ce que contient le texte",
        "Le calendrier de la réforme en détail",  # not the section, not a tag page
    ]
    assert not any("ce que contient" in p for p in story.paragraphs)


def test_captions_bylines_newsletter_and_cookie_boxes_are_not_body() -> None:
    extra = (
        '<figure><img src="/a.jpg"><figcaption>Le Sénat, jeudi. Photo AFP</figcaption></figure>'
        '<div class="newsletter"><p>Inscrivez-vous à notre newsletter pour recevoir chaque matin '
        "l'essentiel de l'actualité politique et économique.</p></div>"
        '<div id="cookie-consent"><p>Nous utilisons des cookies pour mesurer notre audience et vous '
        "proposer des contenus adaptés à vos centres d'intérêt.</p></div>"
        '<p class="byline">Par Claire Dubois</p>'
    )
    html = page().replace(f"<p>{MORE}</p>", f"{extra}<p>{MORE}</p>")
    body = "\n".join(extract(html).paragraphs)
    assert TEXT in body and MORE in body
    for boilerplate in ("Photo AFP", "newsletter", "cookies", "Par Claire"):
        assert boilerplate not in body


# --- bylines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "authors", "sources"),
    [
        (["Par Jean Dupont"], ["Jean Dupont"], []),
        (["Par Jean Dupont et Marie Martin"], ["Jean Dupont", "Marie Martin"], []),
        (
            ["Jean Dupont, Marie Martin; Paul Durand"],
            ["Jean Dupont", "Marie Martin", "Paul Durand"],
            [],
        ),
        (["Propos recueillis par Anne-Sophie Leroy"], ["Anne-Sophie Leroy"], []),
        (["Par Jean Dupont, envoyé spécial à Kiev"], ["Jean Dupont"], []),
        (
            ["Par Raphaël Balenieri, correspondant à Pékin et Frédéric Autran"],
            ["Raphaël Balenieri", "Frédéric Autran"],
            [],
        ),
        (["Jean Dupont (avec AFP)"], ["Jean Dupont"], ["AFP"]),
        (["AFP"], [], ["AFP"]),
        (["La rédaction"], [], ["La rédaction"]),
        (["Le Monde.fr avec AFP"], [], ["Le Monde.fr", "AFP"]),
        (["https://www.facebook.com/journal"], [], []),
        (["Par: Christophe Da Silva Costa 26/09/12 - 16h34"], ["Christophe Da Silva Costa"], []),
        (["Veronique Lamquin Samedi 12 janvier 2013, 18 h 42"], ["Veronique Lamquin"], []),
    ],
)
def test_bylines_give_person_names(
    values: list[str], authors: list[str], sources: list[str]
) -> None:
    byline = read_byline(values, ("Le Monde.fr",))
    assert byline.authors == authors
    assert byline.sources == sources


# --- URL shapes and the registry --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "story"),
    [
        ("/politique/2023/03/09/le-senat-adopte", True),
        ("/sport/football/2282359-20180601-video-france-italie", True),
        ("/actu/politique-belge/article/656130/van-quick.html", True),
        ("/economie/article/2011/07/05/moody-s_1545237_3234.html", True),
        ("/planete/2017/04/05/donald-trump-et-xi-jinping_1560768", True),
        ("/a/123.html", True),
        ("/societe/les-deputes-rejettent-la-motion-de-censure", True),
        ("/", False),
        ("/politique/", False),
        ("/sport/football/", False),
        ("/tag/retraites/les-dernieres-nouvelles-du-jour", False),
        ("/auteur/claire-dubois-123456", False),
        ("/page/2", False),
        ("/mentions-legales", False),
    ],
)
def test_story_urls_are_told_apart_from_navigation(path: str, story: bool) -> None:
    assert looks_like_story(path) is story


def test_classify_and_canonical_urls() -> None:
    assert SITE.classify("https://www.exemple.fr/") is PageKind.FRONT
    assert SITE.classify("https://exemple.fr/politique/") is PageKind.LISTING  # the bare twin
    assert SITE.classify("https://www.exemple.fr/rss.xml") is PageKind.FEED
    assert SITE.classify("https://www.exemple.fr/robots.txt") is PageKind.FEED
    assert SITE.classify("https://www.exemple.fr/sitemap_news.xml.gz") is PageKind.FEED
    assert SITE.classify(URL) is PageKind.STORY
    assert SITE.classify("https://www.ailleurs.fr/a/2023/03/09/x-y-z-w") is PageKind.OTHER
    assert (
        SITE.canonical_url(URL + "?utm_source=rss&xtor=RSS-3&id=12#commentaires") == URL + "?id=12"
    )


def test_a_host_picks_its_profile_and_the_others_get_the_generic_one() -> None:
    assert profile_for_host("french.peopledaily.com.cn").name == "peopledaily_fr"
    assert profile_for_host("www.french.peopledaily.com.cn").name == "peopledaily_fr"
    assert profile_for_host("www.exemple.fr") is None
    sites = crawl_sites(
        (
            "http://french.peopledaily.com.cn/International/",
            "https://www.exemple.fr/",
            "https://autre.be/rss.xml",
        )
    )
    assert sites.names() == ["peopledaily_fr", "generic"]
    assert {"www.exemple.fr", "exemple.fr", "autre.be", "www.autre.be"} <= sites.hosts
    assert sites.profile_for("https://www.autre.be/x").name == "generic"
    assert sites.classify("https://elsewhere.org/a/2023/03/09/x") is PageKind.OTHER
    forced = crawl_sites(("http://french.peopledaily.com.cn/International/",), "generic")
    assert forced.names() == ["generic"] and "french.peopledaily.com.cn" in forced.hosts


# --- feeds ------------------------------------------------------------------------------------

PARIS = zone("Europe/Paris")


def test_robots_txt_names_its_sitemaps() -> None:
    body = b"User-agent: *\nDisallow: /x\nSitemap: https://www.exemple.fr/sitemap.xml\nsitemap: /news.xml\n"
    entries = feed_entries(body, "https://www.exemple.fr/robots.txt", PARIS)
    assert [(e.url, e.is_feed) for e in entries] == [
        ("https://www.exemple.fr/sitemap.xml", True),
        ("https://www.exemple.fr/news.xml", True),
    ]


def test_a_sitemap_index_lists_its_sitemaps_newest_first() -> None:
    body = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://www.exemple.fr/s-2023-01.xml</loc><lastmod>2023-01-31</lastmod></sitemap>"
        b"<sitemap><loc>https://www.exemple.fr/s-2023-03.xml</loc><lastmod>2023-03-31T10:00:00+02:00</lastmod></sitemap>"
        b"</sitemapindex>"
    )
    entries = feed_entries(body, "https://www.exemple.fr/sitemap.xml", PARIS)
    assert [e.url for e in entries] == [
        "https://www.exemple.fr/s-2023-03.xml",
        "https://www.exemple.fr/s-2023-01.xml",
    ]
    assert all(e.is_feed for e in entries)


def test_a_news_sitemap_gives_story_urls_with_their_publication_dates() -> None:
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        f"<loc>{URL}</loc><news:news><news:publication_date>2023-03-09T22:15:00+01:00"
        "</news:publication_date><news:title>Le Sénat</news:title></news:news></url>"
        "<url><loc>https://www.exemple.fr/b</loc><lastmod>2023-03-08</lastmod></url></urlset>"
    ).encode()
    entries = feed_entries(gzip.compress(body), "https://www.exemple.fr/news.xml.gz", PARIS)
    assert [(e.url, e.listed_at, e.is_feed) for e in entries] == [
        (URL, "2023-03-09T22:15:00+01:00", False),
        ("https://www.exemple.fr/b", "2023-03-08T00:00:00+01:00", False),
    ]


def test_rss_and_atom_items() -> None:
    rss = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title>'
        b"<link>https://www.exemple.fr/a/2023/03/09/un-deux-trois-quatre</link>"
        b"<pubDate>Thu, 09 Mar 2023 22:15:00 +0100</pubDate></item>"
        b'<item><guid isPermaLink="true">https://www.exemple.fr/b</guid></item></channel></rss>'
    )
    entries = feed_entries(rss, "https://www.exemple.fr/rss.xml", PARIS)
    assert [(e.url, e.listed_at) for e in entries] == [
        ("https://www.exemple.fr/a/2023/03/09/un-deux-trois-quatre", "2023-03-09T22:15:00+01:00"),
        ("https://www.exemple.fr/b", None),
    ]
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" '
        b'href="/c"/><published>2023-03-09T21:15:00Z</published></entry></feed>'
    )
    (entry,) = feed_entries(atom, "https://www.exemple.fr/atom.xml", PARIS)
    assert (entry.url, entry.listed_at) == ("https://www.exemple.fr/c", "2023-03-09T21:15:00+00:00")


def test_hostile_feeds_give_nothing_and_fetch_nothing() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>&x;</loc></url></urlset>"
    )
    assert feed_entries(xxe, "https://www.exemple.fr/s.xml", PARIS) == []
    assert feed_entries(b"\x1f\x8b not gzip", "https://www.exemple.fr/s.xml.gz", PARIS) == []
    assert (
        feed_entries(b"<html><body>no feed</body></html>", "https://www.exemple.fr/feed", PARIS)
        == []
    )
