"""A story from any French-language news page: the generic machinery.

Every field is read from the first place that has it, in this order, and the place is said
(``how``) so that ``extraction`` can name it:

1. ``json_ld``: the story's JSON-LD object (``NewsArticle``, ``Article``,
   ``ReportageNewsArticle`` …, in a list or an ``@graph``, or a ``WebPage``'s ``mainEntity``);
2. ``og``: OpenGraph and ``article:*`` meta tags;
3. ``meta``: other meta tags (``author``, ``date``, ``publishdate``, Dublin Core, Parse.ly …);
4. ``time``: ``<time datetime>``;
5. the visible page: ``h1``, ``title_tag``, ``byline``, ``date_line``, ``breadcrumb``.

The body is :func:`newscrawl.extraction.body.story_body`'s (``trafilatura``); related
headlines are the page's announced blocks (``heading``, :mod:`newscrawl.extraction.related`).
Used by the generic site profile for every page, and by a site profile for the fields its own
selectors miss (the portal's older and redesigned layouts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newscrawl.extraction import dates, tree
from newscrawl.extraction.authors import Byline, read_byline
from newscrawl.extraction.body import story_body
from newscrawl.extraction.dates import DateReading
from newscrawl.extraction.inputs import PageInputs, types_of
from newscrawl.extraction.paragraphs import squash
from newscrawl.extraction.related import RelatedBlock, announces, related_blocks, related_links
from newscrawl.urls import host_of, resolve

TITLE_SEPARATORS = re.compile(r"\s+[-|–—:»·•]\s+|\s*\|\s*")
PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "og:modified_time")
OTHER_PUBLISHED_META = (
    "datepublished",
    "published",
    "date_published",
    "date",
    "publishdate",
    "publish-date",
    "pubdate",
    "publication_date",
    "article.published",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "date.publication",
    "citation_publication_date",
)
OTHER_MODIFIED_META = (
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "article.updated",
    "lastmod",
)
AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "sailthru.author",
    "parsely-author",
    "byl",
    "cxenseparse:author",
    "twitter:creator",
)
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_NAME = f"translate(concat(@class, ' ', @id), '{_UPPER}', '{_LOWER}')"
# Comments and readers' reactions have their own authors and dates: never the story's. An
# element whose class or id names one, and all it holds, is the comments zone
# (PageInputs.comments, one walk of the page).
COMMENT_NAMES = ("comment", "reaction", "respond", "disqus")
BYLINE_XPATH = etree.XPath(
    f"//*[@rel='author' or @itemprop='author' or contains({_NAME},'byline')"
    f" or contains({_NAME},'author') or contains({_NAME},'auteur')"
    f" or contains({_NAME},'signature') or contains({_NAME},'writer')]"
    f"[not(self::meta or self::link or self::html or self::body)]"
)
DATE_XPATH = etree.XPath(
    f"//*[self::time or contains({_NAME},'date') or contains({_NAME},'time')"
    f" or contains({_NAME},'publi') or contains({_NAME},'update') or contains({_NAME},'horodat')]"
    f"[not(self::html or self::body or self::script or self::style or self::meta)]"
)
# Texts of scripts and style sheets are no date lines: a text node's parent is tested (in an
# HTML tree a script holds one text node and no element), never its ancestors.
DATE_TEXT_XPATH = etree.XPath(
    "//body//text()[string-length() < 200][contains(., 'ubli') or contains(., 'jour')"
    " or contains(., 'odifi') or contains(., 'ctualis') or contains(., 'en ligne')]"
    "[not(parent::script or parent::style)]"
)
TIMES_XPATH = etree.XPath("//time")
TIME_PARENTS_XPATH = etree.XPath("//time/..")
# The lines right after the headline: "(05/01/2012)", "Par X 26/09/12 - 16h34" (see
# _after_headlines).
TEXTS_AFTER_HEADLINE = 12
BREADCRUMB_NAMES = ("breadcrumb", "ariane", "fil-ariane")  # in a class; or BreadcrumbList
MAX_DATE_ELEMENTS = 40
# Fewer words than this is no body (a heading, "JavaScript est désactivé"); the pipeline's
# NEWSCRAWL_MIN_BODY_CHARS then judges the rest.
MIN_BODY_WORDS = 20
MAX_BYLINE_ELEMENTS = 12
MAX_BYLINE_CHARS = 160


@dataclass
class Found:
    """One field's value and where it was read (``json_ld``, ``og``, ``meta`` …)."""

    value: Any
    how: str


@dataclass
class Dates:
    published: DateReading | None = None
    published_how: str = ""
    modified: DateReading | None = None
    modified_how: str = ""
    # A date that was read and not believed, and why (for the rejection's details).
    refused: dict[str, str] = field(default_factory=dict)


# --- title --------------------------------------------------------------------------------


def read_title(inputs: PageInputs, site_names: tuple[str, ...] = ()) -> Found | None:
    names = (*site_names, *_site_names(inputs))
    headings = _h1s(inputs)
    article = inputs.article or {}
    candidates = [
        (_text(article.get("headline")) or _text(article.get("name")), "json_ld"),
        (inputs.meta_value("og:title"), "og"),
        (inputs.meta_value("twitter:title", "dc.title", "title", "sailthru.title"), "meta"),
        *((h1, "h1") for h1 in headings[:1]),
        (squash(inputs.page.xpath("string(//title)").get() or ""), "title_tag"),
    ]
    for text, how in candidates:
        title = clean_title(text, names)
        if not title:
            continue
        for h1 in headings:  # the page's own headline, where a tag cut or decorated it
            if how != "h1" and h1 != title and _same_headline(h1, title):
                return Found(h1, "h1")
        return Found(title, how)
    return None


def _same_headline(h1: str, title: str) -> bool:
    """The h1 is the tag's headline: the same words (quotes aside), the tag cut short
    (``Titre :`` for ``Titre : "la suite"``), or the tag with the site's name added."""
    loose_h1, loose_title = _loose(h1), _loose(title)
    if not loose_h1 or not loose_title:
        return False
    if loose_h1 == loose_title:
        return True
    if loose_h1.startswith(loose_title) and len(loose_title) >= 0.4 * len(loose_h1):
        return True
    return loose_h1 in loose_title and len(loose_h1) >= 0.5 * len(loose_title)


def clean_title(text: str, site_names: tuple[str, ...] = ()) -> str:
    """The headline without the site's name the tag adds (``… - Le Monde``, ``» …``)."""
    title = squash(text).strip(" |-")
    if "«" not in title:  # a leading "»" decorates; a quotation keeps its marks
        title = title.lstrip("» ").strip()
    if not title:
        return ""
    keys = {_loose(name) for name in site_names if name}
    parts = TITLE_SEPARATORS.split(title)
    while len(parts) > 1 and (_loose(parts[-1]) in keys or _is_site_like(parts[-1], keys)):
        parts.pop()
    while len(parts) > 1 and (_loose(parts[0]) in keys or _is_site_like(parts[0], keys)):
        parts.pop(0)
    if len(parts) < len(TITLE_SEPARATORS.split(title)):
        # Put the headline back together with the separators it had inside.
        start = title.find(parts[0])
        end = title.rfind(parts[-1]) + len(parts[-1])
        title = title[start:end] if start >= 0 and end > start else " - ".join(parts)
    return title.strip()


# --- dates ----------------------------------------------------------------------------------


def read_dates(inputs: PageInputs, where: tzinfo, anchor: date | None = None) -> Dates:
    """Publication and last update, each from the first place that names a believable one; a
    publication known only to the day takes its time from a later place of the same day."""
    now = inputs.now
    found = Dates()
    published: list[tuple[DateReading, str]] = []
    modified: list[tuple[DateReading, str]] = []
    article = inputs.article or {}
    for key, bucket in (("datePublished", published), ("dateCreated", published)):
        _add(bucket, dates.read_iso(_text(article.get(key)), where, now), "json_ld", found)
    _add(modified, dates.read_iso(_text(article.get("dateModified")), where, now), "json_ld", found)
    for names, bucket, how in (
        (PUBLISHED_META, published, "og"),
        (MODIFIED_META, modified, "og"),
        (OTHER_PUBLISHED_META, published, "meta"),
        (OTHER_MODIFIED_META, modified, "meta"),
    ):
        for name in names:
            for value in inputs.meta.get(name, ()):
                _add(bucket, _read_any(value, where, now, anchor), how, found)
    comments = inputs.comments
    timed = [t for t in TIMES_XPATH(inputs.root) if t.get("datetime") is not None]
    for node in [t for t in timed if t not in comments][:MAX_DATE_ELEMENTS]:
        reading = dates.read_iso(node.attrib.get("datetime", ""), where, now)
        role = _role_of(node)
        _add(modified if role == "modified" else published, reading, "time", found)
    for text in _date_texts(inputs):
        first, later = dates.read_publication_line(text, where, now, anchor)
        _add(published, first, "date_line", found)
        _add(modified, later, "date_line", found)
    for text in _after_headlines(inputs.root):
        text = squash(text)
        if len(text) <= 60:
            _add(published, dates.read_date(text, where, now, anchor), "date_line", found)
    if anchor is not None:  # a URL that carries its day: a publication far from it is another's
        published[:] = [
            (r, how)
            for r, how in published
            if r.moment and abs((r.moment.date() - anchor).days) <= 1
        ]
    if not published and anchor is not None:  # the URL's day, said so (never a midnight)
        day = dates.day_start(anchor, where)
        published.append((DateReading(anchor.isoformat(), day, False), "url"))
    if published:
        found.published, found.published_how = _best(published)
    if modified:
        found.modified, found.modified_how = _best(modified)
    if found.published is None and found.modified is not None:
        found.published, found.published_how = found.modified, found.modified_how
        found.modified, found.modified_how = None, ""
    if found.published is not None and found.modified is not None:
        start, end = found.published.moment, found.modified.moment
        assert start is not None and end is not None
        if end <= start:  # the same time again, or an update before publication: no update
            found.modified, found.modified_how = None, ""
    return found


def _add(
    bucket: list[tuple[DateReading, str]], reading: DateReading | None, how: str, found: Dates
) -> None:
    if reading is None:
        return
    if reading.ok:
        bucket.append((reading, how))
    elif reading.problem:
        found.refused.setdefault(reading.text, reading.problem)


def _best(readings: list[tuple[DateReading, str]]) -> tuple[DateReading, str]:
    reading, how = readings[0]
    assert reading.moment is not None
    if reading.has_time and reading.moment.utcoffset() == timedelta(0):
        # A CMS that writes its local time with a "Z": another place with the same clock
        # time and the site's own offset tells which it was.
        wall = reading.moment.replace(tzinfo=None)
        for other, other_how in readings[1:]:
            moment = other.moment
            if moment is not None and moment.replace(tzinfo=None) == wall and moment.utcoffset():
                return other, other_how
    if not reading.has_time:
        assert reading.moment is not None
        day = reading.moment.date()
        for other, other_how in readings[1:]:
            if other.has_time and other.moment is not None and other.moment.date() == day:
                return other, f"{how}+{other_how}"
    return reading, how


def _read_any(value: str, where: tzinfo, now: Any, anchor: date | None) -> DateReading | None:
    return (
        dates.read_iso(value, where, now)
        or dates.read_rfc822(value, where, now)
        or dates.read_date(value, where, now, anchor)
    )


def _role_of(node: Any) -> str:
    parent = node.getparent()
    text = " ".join(
        [
            node.attrib.get("itemprop", ""),
            node.attrib.get("class", ""),
            _text_start(parent, 80) if parent is not None else "",
        ]
    ).lower()
    if "modif" in text or "update" in text or "jour" in text:
        return "modified"
    return "published"


def _text_start(element: Any, size: int) -> str:
    """The first ``size`` characters of XPath's ``string()`` of an element, read no further."""
    parts: list[str] = []
    length = 0
    for text in element.itertext():
        parts.append(text)
        length += len(text)
        if length >= size:
            break
    return "".join(parts)[:size]


def _after_headlines(root: Any) -> list[str]:
    """The first :data:`TEXTS_AFTER_HEADLINE` texts (not blank, not a script's or a style
    sheet's) after each ``h1``, in page order, each once: XPath's
    ``//h1/following::text()[normalize-space()][position() <= 12]``, in one walk of the page
    instead of one walk of the rest of the page per headline. A text follows the latest
    headline that ended before it, and is taken while fewer than 12 came between them."""
    texts: list[str] = []
    wanted = 0  # texts still to take after the latest headline's end
    for event, node in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            if node.text and node.tag not in ("script", "style"):
                wanted = _take(texts, node.text, wanted)
            continue
        if event == "end" and node.tag == "h1":
            wanted = TEXTS_AFTER_HEADLINE
        if node.tail:  # a tail lies in the element's parent: never in a script
            wanted = _take(texts, node.tail, wanted)
    return texts


def _take(texts: list[str], text: str, wanted: int) -> int:
    if wanted and text.strip(" \t\n\r"):  # XPath's normalize-space(): XML white space
        texts.append(text)
        return wanted - 1
    return wanted


def _date_texts(inputs: PageInputs) -> list[str]:
    texts: list[str] = []
    comments = inputs.comments
    for node in [n for n in DATE_XPATH(inputs.root) if n not in comments][:MAX_DATE_ELEMENTS]:
        text = squash(" ".join(node.itertext()))
        if 6 <= len(text) <= 200:
            texts.append(text)
    lines = [t for t in DATE_TEXT_XPATH(inputs.root) if tree.text_parent(t) not in comments]
    for text in lines[:MAX_DATE_ELEMENTS]:
        text = squash(text)
        if re.search(
            r"\b(?:publi|mis\s+[àa]\s+jour|mise\s+[àa]\s+jour|modifi|actualis)", text, re.I
        ):
            texts.append(text)
    return texts


# --- people, section, source, words --------------------------------------------------------


def read_authors(inputs: PageInputs, not_people: tuple[str, ...] = ()) -> tuple[Byline, str]:
    names = (*not_people, *_site_names(inputs))
    article = inputs.article or {}
    people, organisations = _json_ld_people(article.get("author"))
    if people or organisations:  # the page's own word: an organisation is no person
        byline = read_byline([*people, *organisations], names)
        byline.sources += [o for o in organisations if o not in byline.sources]
        byline.authors = [a for a in byline.authors if a not in organisations]
        return byline, "json_ld" if byline.authors else ""
    for name in AUTHOR_META:
        values = [v for v in inputs.meta.get(name, ()) if not v.startswith(("http", "@", "//"))]
        if values:
            byline = read_byline(values, names)
            if byline.authors:
                return byline, "og" if name.startswith("article:") else "meta"
    texts = []
    comments = inputs.comments
    bylines = [n for n in BYLINE_XPATH(inputs.root) if n not in comments][:MAX_BYLINE_ELEMENTS]
    # A byline written just before the story's time: <p><strong>Jean Dupont</strong><br/><time>…
    by_time = [
        parent
        for parent in TIME_PARENTS_XPATH(inputs.root)
        if any(time not in comments for time in parent.iterchildren("time"))
    ]
    for node in [*bylines, *by_time[:2]]:
        text = tree.text_of(node)
        if text and len(text) <= MAX_BYLINE_CHARS:
            texts.append(text)
    byline = read_byline(texts, names)
    return byline, ("byline" if byline.authors else "")


def read_section(inputs: PageInputs) -> tuple[str | None, str | None, str]:
    """(slug, display name, how): the slug is the section's first path segment in the story's
    URL (``/politique/article/…`` -> ``politique``) or its breadcrumb link's; the name is what
    the page calls it (JSON-LD ``articleSection``, ``article:section``, the breadcrumb)."""
    article = inputs.article or {}
    name, how = _text(_first(article.get("articleSection"))), "json_ld"
    if not name:
        name, how = inputs.meta_value("article:section", "og:article:section"), "og"
    if not name:
        name, how = inputs.meta_value("section", "category", "dc.subject"), "meta"
    crumb_url = None
    crumbs = [
        (squash(" ".join(a.itertext())), a.attrib.get("href", ""))
        for a in _breadcrumb_links(inputs)
    ]
    crumbs = [(text, href) for text, href in crumbs if text and text.lower() != "accueil"]
    if crumbs:
        crumb_text, crumb_url = crumbs[-1]
        if resolve(crumb_url, inputs.url) == inputs.url.split("#")[0] and len(crumbs) > 1:
            crumb_text, crumb_url = crumbs[-2]
        if not name:
            name, how = crumb_text, "breadcrumb"
    slug = _slug(inputs.url) or (_slug(resolve(crumb_url, inputs.url) or "") if crumb_url else None)
    if not name and not slug:
        return None, None, ""
    return slug or name, name or None, how if name else "url"


def _breadcrumb_links(inputs: PageInputs) -> list[Any]:
    """``a[href]`` inside the page's breadcrumbs (a class ``breadcrumb``, ``ariane`` or
    ``fil-ariane``, an id ``breadcrumb``, or ``itemtype`` BreadcrumbList), each once."""
    trails = tree.outermost(
        element
        for element in inputs.root.iter()
        if isinstance(element.tag, str) and _is_breadcrumb(element)
    )
    return [
        a
        for trail in trails
        for a in trail.iter("a")
        if a is not trail and a.get("href") is not None
    ]


def _is_breadcrumb(element: Any) -> bool:
    cls = element.get("class") or ""
    return (
        any(name in cls for name in BREADCRUMB_NAMES)
        or "breadcrumb" in (element.get("id") or "")
        or "BreadcrumbList" in (element.get("itemtype") or "")
    )


def read_keywords(inputs: PageInputs) -> list[str]:
    article = inputs.article or {}
    raw = article.get("keywords")
    values = raw if isinstance(raw, list) else [_text(raw)] if raw else []
    if not values:
        values = inputs.meta.get("news_keywords") or inputs.meta.get("keywords") or []
        values = values[:1] + inputs.meta.get("article:tag", [])
    words: list[str] = []
    for value in values:
        for word in re.split(r"\s*[,;]\s*", _text(value)):
            if word and word not in words and len(word) < 80:
                words.append(word)
    return words


def read_summary(inputs: PageInputs) -> str | None:
    article = inputs.article or {}
    return (
        _text(article.get("description"))
        or inputs.meta_value("og:description", "description", "twitter:description")
        or None
    )


def read_source(inputs: PageInputs, byline: Byline) -> str | None:
    meta = re.sub(r"^\s*Source\s*[:：]\s*", "", inputs.meta_value("source"), flags=re.I)
    if meta:
        return meta
    return ", ".join(byline.sources) or None


# --- body and related ---------------------------------------------------------------------


CONTAINER_NAME = re.compile(
    r"(?:^|[\s_-])(?:article|story|post|entry|news|single)[-_]?(?:body|text|texte|content|contenu)"
    r"|articlebody|contenu[-_]article|texte[-_]article|article[-_]?txt",
    re.IGNORECASE,
)
LEAD_NAME = re.compile(
    r"chapo|chapeau|articlehat|hat\b|lead|intro|standfirst|accroche|header", re.I
)


def story_container(inputs: PageInputs) -> list[etree._Element]:
    """The story's text container, when the page marks it (``itemprop=articleBody``, or a
    class or id such as ``article-body``, ``articleText``, ``entry-content``), with the lead
    paragraph before it (``chapo``, ``articleHat``, ``intro``) when it stands apart; empty if
    the page marks none (trafilatura then reads the whole page)."""
    root = inputs.page.root
    marked = root.xpath("//*[@itemprop='articleBody' or @property='articleBody']")
    if not marked:
        marked = [
            element
            for element in root.iter("div", "section", "article", "main")
            if CONTAINER_NAME.search(f"{element.get('class', '')} {element.get('id', '')}")
        ]
    # A container inside another holds less of its text (the outer one is chosen over it, or
    # it is first at the same size): only the outermost are weighed, each subtree read once.
    sized = [(len(tree.text_content(element)), element) for element in tree.outermost(marked)]
    sized = [(size, element) for size, element in sized if size > 300]
    if not sized:
        return []
    container = max(sized, key=lambda pair: pair[0])[1]
    leads: list[etree._Element] = []
    for sibling in container.itersiblings(preceding=True):
        if not isinstance(sibling.tag, str):
            continue
        name = f"{sibling.get('class', '')} {sibling.get('id', '')}"
        if LEAD_NAME.search(name) and 20 < len(tree.text_content(sibling)) < 1500:
            leads.insert(0, sibling)
        if len(leads) >= 1:
            break
    return [*leads, container]


def read_body(
    inputs: PageInputs,
    blocks: list[RelatedBlock],
    container: etree._Element | list[etree._Element] | None = None,
    title: str = "",
) -> tuple[list[str], str]:
    leave_out = [block.element for block in blocks]
    parts = (
        container if isinstance(container, list) else [container] if container is not None else []
    )
    paragraphs, how = story_body(inputs.page.root, inputs.url, parts, leave_out)
    kept = [p for p in paragraphs if not _not_body(p, title)]
    if sum(len(p.split()) for p in kept) < MIN_BODY_WORDS:  # a heading, a notice: no story
        return [], "none"
    return kept, how


def read_related(inputs: PageInputs) -> tuple[list[dict[str, str]], list[RelatedBlock]]:
    blocks = related_blocks(inputs.page.root, inputs.url)
    own = inputs.url.split("#")[0]
    links = [link for link in related_links(blocks) if link["url"] != own]
    return links, blocks


def _not_body(paragraph: str, title: str) -> bool:
    """A paragraph that is the headline again, a byline, a date line, a credit or a "Lire
    aussi"."""
    if paragraph == title or announces(paragraph):
        return True
    if title and paragraph.startswith(title) and len(paragraph) < len(title) + 40:
        return True  # the headline glued to a label ("…article bloqué")
    short = len(paragraph) < 120
    if not short:
        return False
    return bool(
        re.match(
            r"^(?:>>\s*)?(?:lire aussi|à lire aussi|a lire aussi|voir aussi)\b", paragraph, re.I
        )
        or re.match(r"^(?:par|propos recueillis par)\s+[A-ZÀ-Ö]", paragraph)
        or re.match(
            r"^(?:publi[ée]|mis à jour|mise à jour|modifi[ée]|actualis[ée]|mis en ligne)",
            paragraph,
            re.I,
        )
        or re.match(r"^(?:©|\(c\)|crédits?\s*:|photo\s*:)", paragraph, re.I)
        or re.fullmatch(
            r"[(\[]?\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?:\s*[-à,]?\s*\d{1,2}[h:]\d{2})?\s*[)\]]?",
            paragraph,
        )
    )


# --- helpers -------------------------------------------------------------------------------


def _json_ld_people(value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    organisations: list[str] = []
    for item in value if isinstance(value, list) else [value] if value else []:
        if isinstance(item, str):
            people.append(item)
        elif isinstance(item, dict):
            name = _text(item.get("name"))
            if not name:
                continue
            if types_of(item) & {"organization", "newsmediaorganization", "organisation"}:
                organisations.append(name)
            else:
                people.append(name)
    return people, organisations


def _site_names(inputs: PageInputs) -> tuple[str, ...]:
    names = [inputs.meta_value("og:site_name", "application-name", "twitter:site")]
    article = inputs.article or {}
    publisher = article.get("publisher")
    if isinstance(publisher, dict):
        names.append(_text(publisher.get("name")))
    host = host_of(inputs.url).removeprefix("www.")
    if host:
        names += [host, host.split(".")[0]]
    return tuple(n.lstrip("@") for n in names if n)


def _h1s(inputs: PageInputs) -> list[str]:
    texts = []
    for node in list(inputs.root.iter("h1"))[:5]:
        text = tree.text_of(node)
        if len(text) > 10:
            texts.append(text)
    return texts


def _is_site_like(part: str, keys: set[str]) -> bool:
    loose = _loose(part)
    return any(key and (key in loose or loose in key) and len(loose) < 40 for key in keys)


def _loose(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().replace("www.", ""))


def _slug(url: str) -> str | None:
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    if len(segments) < 2:
        return None
    first = segments[0]
    if re.fullmatch(r"[A-Za-z][A-Za-z-]{1,40}", first) and first.lower() not in (
        "article",
        "articles",
        "news",
        "fr",
        "amp",
        "www",
    ):
        return first
    return None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return squash(str(value)) if value else ""
