"""A replica of a French news site that has no profile: for crawls of the generic profile.

    site = NewsSite(host="www.exemple.fr", stories=12, seed=7)
    with ReplicaServer(Portal(ReplicaOptions()), sites=[site]) as server: ...
    site.expected_stories()                  # ground truth, the fields the generic profile reads

What it serves on its host (``http://`` only, like the portal's replica):

- ``/``: a front page listing every story (newest first), with a header menu, a "Les plus
  lus" aside and a footer whose links are no stories;
- ``/{section}/``: a section listing (its stories); ``/robots.txt`` with a ``Sitemap:`` line;
  ``/sitemap.xml`` (a ``<urlset>`` with each story's ``<lastmod>``); ``/rss.xml`` (RSS 2.0,
  each item with its ``pubDate``); 404 for the rest;
- stories at ``/{section}/{YYYY}/{MM}/{DD}/{slug}.html``: a ``NewsArticle`` JSON-LD object
  (headline, datePublished, dateModified for every third story, authors, articleSection),
  OpenGraph tags, a byline ``Par A et B``, a date line ``Publié le … à …``, a cookie banner,
  a newsletter box and a ``Lire aussi`` insert inside the text, and a ``À lire aussi`` block
  of two or three related stories of the site (the insert's story is one of them).

``layout="meta"`` writes no JSON-LD (dates and authors from meta tags and the page);
``layout="plain"`` neither JSON-LD nor meta dates: the date line and the byline only.
Times are Paris times (summer time included), as such a site prints them.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from newscrawl.replica import textbank
from newscrawl.replica.portal import Page, page

PARIS = ZoneInfo("Europe/Paris")
SECTIONS = {"politique": "Politique", "economie": "Économie", "sport": "Sport"}
AUTHORS = (
    "Claire Dubois",
    "Marc Lefèvre",
    "Sophie Martin",
    "Julien Moreau",
    "Nadia Benali",
    "Thomas Girard",
)
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
START = datetime(2023, 3, 1, 7, 30, tzinfo=PARIS)
XML = "application/xml; charset=utf-8"


@dataclass
class SiteStory:
    index: int
    section: str
    title: str
    published: datetime
    modified: datetime | None
    authors: list[str]
    paragraphs: list[str]
    related: list[int] = field(default_factory=list)

    def path(self) -> str:
        return f"/{self.section}/{self.published:%Y/%m/%d}/{slugify(self.title)}.html"


class NewsSite:
    def __init__(
        self, host: str = "www.exemple.fr", stories: int = 12, seed: int = 7, layout: str = "jsonld"
    ) -> None:
        if layout not in ("jsonld", "meta", "plain"):
            raise ValueError(f"layout {layout!r}: jsonld, meta or plain")
        self.host, self.layout = host, layout
        self.origin = f"http://{host}"
        rng = random.Random(f"{seed}:{host}")
        self.stories: list[SiteStory] = []
        for index in range(stories):
            published = START + timedelta(hours=7 * index, minutes=rng.randrange(60))
            modified = published + timedelta(hours=3, minutes=12) if index % 3 == 2 else None
            title = f"{textbank.headline(rng)} ({index + 1})"
            paragraphs = [textbank.sentence(rng) + " " + textbank.sentence(rng) for _ in range(4)]
            self.stories.append(
                SiteStory(
                    index,
                    list(SECTIONS)[index % len(SECTIONS)],
                    title,
                    published,
                    modified,
                    rng.sample(AUTHORS, 1 + index % 2),
                    paragraphs,
                )
            )
        for story in self.stories:
            others = [s.index for s in self.stories if s.index != story.index]
            story.related = rng.sample(others, min(len(others), 2 + story.index % 2))
        self._by_path = {story.path(): story for story in self.stories}

    # --- ground truth ---------------------------------------------------------------------

    def url(self, story: SiteStory) -> str:
        return self.origin + story.path()

    def story_urls(self) -> list[str]:
        return [self.url(story) for story in self.stories]

    def expected_stories(self) -> list[dict[str, Any]]:
        return [self.expected(story) for story in self.stories]

    def expected(self, story: SiteStory) -> dict[str, Any]:
        return {
            "url": self.url(story),
            "title": story.title,
            "published_at": story.published.isoformat(),
            "modified_at": story.modified.isoformat() if story.modified else None,
            "section": story.section,
            "section_name": SECTIONS[story.section],
            "authors": list(story.authors),
            "body": "\n\n".join(story.paragraphs),
            "related": [
                {"title": self.stories[i].title, "url": self.url(self.stories[i])}
                for i in story.related
            ],
            "site": "generic",
        }

    # --- serving ------------------------------------------------------------------------------

    def respond(self, method: str, url: str) -> Page:
        path = re.sub(r"^https?://[^/]+", "", url).split("?", 1)[0].split("#", 1)[0] or "/"
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /prive/\nSitemap: {self.origin}/sitemap.xml\n"
            return page(200, body.encode(), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return page(200, self.sitemap().encode(), XML)
        if path == "/rss.xml":
            return page(200, self.rss().encode(), "application/rss+xml; charset=utf-8")
        if path == "/":
            return page(200, self.listing("À la une", self.stories).encode())
        section = path.strip("/")
        if section in SECTIONS and path.endswith("/"):
            chosen = [s for s in self.stories if s.section == section]
            return page(200, self.listing(SECTIONS[section], chosen).encode())
        story = self._by_path.get(path)
        if story is not None:
            return page(200, self.story_page(story).encode())
        return page(404, b"<html><body><h1>Page introuvable</h1></body></html>")

    def sitemap(self) -> str:
        rows = "".join(
            f"<url><loc>{self.url(s)}</loc><lastmod>{(s.modified or s.published).isoformat()}"
            "</lastmod></url>\n"
            for s in self.stories
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n'
        )

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{_esc(s.title)}</title><link>{self.url(s)}</link>"
            f"<pubDate>{s.published.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate></item>\n"
            for s in reversed(self.stories)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{self.host}</title><link>{self.origin}/</link>\n{items}</channel></rss>\n"
        )

    def listing(self, heading: str, stories: list[SiteStory]) -> str:
        items = "".join(
            f'<li><a href="{s.path()}">{_esc(s.title)}</a></li>\n' for s in reversed(stories)
        )
        return _page(
            heading,
            self._menu()
            + f'<main><h1>{_esc(heading)}</h1><ul class="une">\n{items}</ul></main>\n'
            + self._aside()
            + self._footer(),
        )

    def story_page(self, story: SiteStory) -> str:
        head = [f'<meta property="og:title" content="{_esc(story.title)}">']
        head.append(f'<meta property="og:site_name" content="{self.host}">')
        if self.layout != "plain":
            head.append(
                f'<meta property="article:published_time" content="{story.published.isoformat()}">'
            )
            if story.modified:
                modified = story.modified.isoformat()
                head.append(f'<meta property="article:modified_time" content="{modified}">')
            head.append(f'<meta property="article:section" content="{SECTIONS[story.section]}">')
            head.extend(f'<meta name="author" content="{_esc(a)}">' for a in story.authors)
        if self.layout == "jsonld":
            data = {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "WebSite", "name": self.host, "url": self.origin},
                    {
                        "@type": "NewsArticle",
                        "headline": story.title,
                        "datePublished": story.published.isoformat(),
                        **({"dateModified": story.modified.isoformat()} if story.modified else {}),
                        "articleSection": SECTIONS[story.section],
                        "author": [{"@type": "Person", "name": a} for a in story.authors],
                    },
                ],
            }
            head.append(
                '<script type="application/ld+json">'
                + json.dumps(data, ensure_ascii=False)
                + "</script>"
            )
        related = [self.stories[i] for i in story.related]
        insert = related[0]
        paragraphs = [f"<p>{_esc(p)}</p>" for p in story.paragraphs]
        paragraphs.insert(
            2,
            f'<p><strong>Lire aussi :</strong> <a href="{insert.path()}">'
            f"{_esc(insert.title)}</a></p>",
        )
        paragraphs.insert(
            4,
            "<div class=\"newsletter\"><p>Chaque matin, recevez l'essentiel de l'actualité : "
            "inscrivez-vous à notre lettre d'information gratuite.</p></div>",
        )
        when = f"Publié le {_french(story.published)}"
        if story.modified:
            when += f", mis à jour le {_french(story.modified)}"
        block = "".join(f'<li><a href="{self.url(s)}">{_esc(s.title)}</a></li>' for s in related)
        body = (
            '<div class="cookie-banner"><p>Ce site utilise des cookies pour mesurer son audience. '
            "En poursuivant votre navigation, vous acceptez leur utilisation.</p></div>\n"
            + self._menu()
            + f'<main><nav class="breadcrumb"><a href="/">Accueil</a> &gt; '
            f'<a href="/{story.section}/">{SECTIONS[story.section]}</a></nav>\n'
            f"<article><h1>{_esc(story.title)}</h1>\n"
            f'<p class="byline">Par {" et ".join(story.authors)}</p>\n'
            f'<p class="date">{when}</p>\n' + "\n".join(paragraphs) + "\n</article>\n"
            f'<section class="bloc"><h2>À lire aussi</h2><ul>{block}</ul></section>\n'
            "</main>\n" + self._aside() + self._footer()
        )
        return _page(f"{story.title} - {self.host}", body, "\n".join(head))

    def _menu(self) -> str:
        links = "".join(f'<a href="/{k}/">{v}</a> ' for k, v in SECTIONS.items())
        return f'<header><nav class="menu"><a href="/">Accueil</a> {links}</nav></header>\n'

    def _aside(self) -> str:
        first = self.stories[-1]
        return (
            '<aside class="plus-lus"><h3>Les plus lus</h3><ul>'
            f'<li><a href="{first.path()}">{_esc(first.title)}</a></li></ul></aside>\n'
        )

    def _footer(self) -> str:
        return (
            '<footer><a href="/mentions-legales">Mentions légales</a> '
            '<a href="/contact">Contact</a> <a href="/tag/transports">Transports</a></footer>\n'
        )


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80]


def _french(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} à {moment:%Hh%M}"


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _page(title: str, body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n{head}\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
