"""What every field of a story is read from, computed once per page.

A page's parsed tree, its meta tags and its JSON-LD objects are read here once (the JSON-LD
only when a field asks for it), so a profile's fields are each a lookup, not another walk of
the page (Fundus's ``Precomputed`` is the model).

- ``meta``: every ``<meta>`` by its ``name``, ``property``, ``itemprop`` or ``http-equiv``
  (lower case), in page order. Its value is ``content``, or ``value`` (some CMSs write that).
- ``json_ld``: every object of every ``application/ld+json`` script, lists and ``@graph``
  flattened; :attr:`PageInputs.article` is the story's own (``NewsArticle``, ``Article``,
  ``ReportageNewsArticle`` … or a ``WebPage``'s ``mainEntity``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload

from parsel import Selector

from newscrawl.extraction.paragraphs import squash
from newscrawl.extraction.tree import zone

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "factcheck",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
    }
)
_T = TypeVar("_T")


class once(Generic[_T]):
    """A property computed on first use and then kept in the instance, as
    ``functools.cached_property`` is, without its lock (Python 3.11 takes one on every first
    use, ~1 µs; a page is read in one thread)."""

    def __init__(self, function: Callable[[Any], _T]) -> None:
        self.function = function
        self.name = function.__name__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> once[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> _T | once[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*\n|<!--|-->|/\*.*?\*/)", re.S)


@dataclass
class PageInputs:
    page: Selector
    url: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(cls, page: Selector, url: str, now: datetime | None = None) -> PageInputs:
        return cls(page, url, now or datetime.now(UTC))

    @once
    def meta(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for node in self.page.root.iter("meta") if _has_root(self.page) else ():
            get = node.get
            key = get("name") or get("property") or get("itemprop") or get("http-equiv") or ""
            value = get("content")
            if value is None:
                value = get("value")
            if key and value is not None:
                value = squash(value)
                if value:
                    key = key.strip().lower()
                    values = found.get(key)
                    if values is None:
                        found[key] = [value]
                    else:
                        values.append(value)
        return found

    def meta_first(self, *names: str) -> tuple[str, str] | None:
        """The first of ``names`` the page has: (name, value)."""
        for name in names:
            values = self.meta.get(name)
            if values:
                return name, values[0]
        return None

    def meta_value(self, *names: str) -> str:
        found = self.meta_first(*names)
        return found[1] if found else ""

    @once
    def json_ld(self) -> list[dict[str, Any]]:
        objects: list[dict[str, Any]] = []
        for text in self.page.xpath(
            "//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]/text()"
        ).getall():
            data = _loads(text)
            if data is not None:
                objects.extend(_objects(data))
        return objects

    @once
    def article(self) -> dict[str, Any] | None:
        """The story's own JSON-LD object, if the page has one."""
        for item in self.json_ld:
            if types_of(item) & ARTICLE_TYPES:
                return item
        for item in self.json_ld:
            main = item.get("mainEntity")
            if isinstance(main, dict) and types_of(main) & ARTICLE_TYPES:
                return main
        return None

    @property
    def root(self) -> Any:
        """The page's lxml tree."""
        return self.page.root

    @once
    def comments(self) -> set[Any]:
        """Every element of the page's comment threads and readers' reactions (an element whose
        class or id names one, and all it holds): one walk, then a set lookup per question."""
        from newscrawl.extraction.generic import COMMENT_NAMES

        def is_thread(element: Any) -> bool:
            name = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
            return any(word in name for word in COMMENT_NAMES)

        return zone(self.page.root, is_thread) if _has_root(self.page) else set()

    @once
    def language(self) -> str:
        lang = self.page.xpath("/html/@lang | /html/@xml:lang").get() or ""
        return (lang or self.meta_value("og:locale", "content-language", "language")).strip()


def types_of(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).rsplit("/", 1)[-1].lower() for k in kinds if k}


def _has_root(page: Selector) -> bool:
    return hasattr(page.root, "iter")


def _loads(text: str) -> Any:
    text = text.strip()
    while True:  # comments and CDATA wrappers some CMSs leave around the JSON
        stripped = _JSON_COMMENTS.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    text = text.removeprefix("<![CDATA[").removesuffix("]]>").strip().rstrip(";")
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(attempt, strict=False)  # raw newlines inside strings happen
        except ValueError:
            continue
    return None


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document: lists and ``@graph`` flattened, in order."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            if data.get("@type"):
                yield data
            yield from _objects(graph)
        else:
            yield data
