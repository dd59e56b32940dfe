"""A page's tree, read in time linear in its size: its bounds, texts, zones.

A page is rejected ``too_complex`` before any field is read when it has more than
:data:`MAX_ELEMENTS` elements or elements nested deeper than :data:`MAX_DEPTH` (the largest of
the 22 real news pages of ``tests/corpus/`` has 1,976 elements and a depth of 24; the replica's
stories about 110 and 7). Both are counted by libxml2 itself (two XPath expressions, each one
pass over the tree), so a hostile page costs its parse and these two passes.

A page is parsed by :func:`page_selector`: the tree parsel's ``Selector(text=…)`` builds, its
elements lxml's own ``etree._Element``, not lxml.html's ``HtmlElement`` (a Python class: each
element the extraction touches costs ~0.08 µs more to make, a third of a portal page's reading
of its places). What lxml.html's classes add that this project reads is here as functions
(:func:`text_content`, :func:`drop_tree`); trafilatura, which wants them, gets its own copy of the
page in lxml.html's classes (:mod:`newscrawl.extraction.body`).

Every reading here walks a tree, or a subtree, once: no element asks after its ancestors (an
XPath ``ancestor::`` test per element costs the depth of the tree for each, the square of the
depth for a page of nested blocks). Where a reading needs to know whether an element lies
inside another of some kind (a comment thread, a script), the zone is marked by one walk
(:func:`zone`) and the question is a set lookup.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lxml import etree
from parsel import Selector

# See the module's docstring; README, "Hostile and broken input", says them to the user.
MAX_ELEMENTS = 100_000
MAX_DEPTH = 128
TOO_COMPLEX = "too_complex"

_COUNT = etree.XPath("count(//*)")
_DEEPER = etree.XPath("boolean(/" + "/".join(["*"] * (MAX_DEPTH + 1)) + ")")
_NO_TEXT = frozenset({"script", "style"})
_EVENTS = ("start", "end", "comment", "pi")


def page_selector(text: str, kind: str | None = None) -> Selector:
    """``Selector(text=text, type=kind)``, the same tree, faster to read: its elements are
    lxml's ``etree._Element`` (see the module's docstring), not lxml.html's classes. What parsel
    reads otherwise (a JSON document, an XML declaration when ``kind`` is None; ``kind`` "xml")
    parsel parses itself."""
    if kind not in (None, "html") or (kind is None and _not_html(text)):
        return Selector(text=text, type=kind)
    body = _document(text)
    parser = _parser()
    root = etree.fromstring(body, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return Selector(root=root, type="html")


def _document(text: str) -> bytes:
    """The bytes parsel's ``create_root_node`` parses, ``text.strip().replace("\\x00",
    "").encode("utf-8") or b"<html/>"``, made without copying the text twice: encoded first,
    its NULs (U+0000 is the byte 0 in UTF-8, and only it) and its white space at the ends taken
    out of the bytes. A page whose ends, past ASCII white space, are not ASCII (they may be
    other white space, which ``str.strip`` strips) goes the text's way."""
    body = text.encode("utf-8").strip(_ASCII_SPACE)
    if body[:1] >= b"\x80" or body[-1:] >= b"\x80":
        body = text.strip().encode("utf-8")
    if b"\x00" in body:
        body = body.replace(b"\x00", b"")
    return body or b"<html/>"


_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip strips of ASCII


def _not_html(text: str) -> bool:
    """What parsel's ``Selector(text=…)`` does not read as HTML: a JSON object or array, or
    a text that starts with an XML declaration."""
    if _JSON_START.match(text) is not None:
        try:
            return isinstance(json.loads(text), (dict, list))
        except ValueError:
            return False
    return _XML_DECLARATION.match(text) is not None


_XML_DECLARATION = re.compile(r"[\s\ufeff]*<\?xml\s")  # parsel's
_JSON_START = re.compile(r"[ \t\n\r]*[\[{]")  # JSON's white space, then an array or object
_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """This thread's parser (a parser parses one document at a time), as parsel makes one."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
        _PARSERS.parser = parser
    return parser


def complexity(root: Any) -> dict[str, Any] | None:
    """None for a page within the bounds; else what it has against what is allowed (the
    ``too_complex`` rejection's details). Depth counts ``html`` as 1."""
    if not hasattr(root, "getroottree"):
        return None
    elements = int(_COUNT(root))
    if elements > MAX_ELEMENTS:
        return {"bound": "elements", "elements": elements, "max_elements": MAX_ELEMENTS}
    if elements > MAX_DEPTH and _DEEPER(root):  # no fewer elements can be nested deeper
        return {"bound": "depth", "elements": elements, "max_depth": MAX_DEPTH}
    return None


def squash(text: str) -> str:
    """Collapse every run of white space (NBSP included) into one space, strip the ends."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # nothing to do: no white space but single inner plain spaces
    # Only its ends to strip (a paragraph written on its own line): str.strip() strips what
    # str.split() splits at, and a printable text has no white space but the plain space.
    stripped = text.strip()
    if stripped.isprintable() and "  " not in stripped:
        return stripped
    return " ".join(text.split())  # str.split() splits at what \s matches, runs as one


def element_of(node: Any) -> Any:
    """The lxml element of a parsel Selector, or the element itself."""
    if isinstance(node, etree._Element):
        return node  # without getattr's failed lookup of "root" (an exception inside)
    return getattr(node, "root", node)


def text_of(node: Any) -> str:
    """The text of an element (or Selector): its text nodes joined by spaces, squashed, without
    what scripts and style sheets hold; one walk of its subtree."""
    if isinstance(node, etree._Element):
        element = node
    else:
        element = getattr(node, "root", node)
        if not hasattr(element, "itertext"):
            return squash(str(element)) if isinstance(element, str) else ""
    if not len(element):
        tag = element.tag
        if isinstance(tag, str):  # no child (most paragraphs and links): its own text is all
            text = element.text
            return "" if not text or tag in _NO_TEXT else squash(text)
    if next(element.iter(*_NO_TEXT), None) is None:
        return squash(" ".join(element.itertext()))
    return squash(" ".join(_texts_outside_scripts(element)))


def _texts_outside_scripts(element: Any) -> Iterator[str]:
    for event, node in etree.iterwalk(element, events=_EVENTS):
        if event == "start":
            if node.text and node.tag not in _NO_TEXT:
                yield node.text
        elif node is not element and node.tail:  # "end", or a comment or processing instruction
            yield node.tail


def string_of(element: Any) -> str:
    """XPath's ``string()`` of an element: every text inside it, scripts included, unjoined."""
    return "".join(element_of(element).itertext())


def text_content(element: Any) -> str:
    """lxml.html's ``text_content()``: XPath's ``string()``, as a plain ``str``."""
    return str(_STRING(element))


_STRING = etree.XPath("string()", smart_strings=False)


def drop_tree(element: Any) -> None:
    """lxml.html's ``drop_tree()``: the element and what it holds out of the tree, the text
    after it (its tail) kept in its place."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + element.tail
        else:
            previous.tail = (previous.tail or "") + element.tail
    parent.remove(element)


def zone(root: Any, is_zone: Callable[[Any], bool]) -> set[Any]:
    """Every element inside an element ``is_zone`` holds true for, that element included: one
    walk (a zone inside a zone is not tested again)."""
    inside: set[Any] = set()
    walker = etree.iterwalk(element_of(root), events=("start",))
    for _, element in walker:
        if is_zone(element):
            inside.update(element.iter())
            walker.skip_subtree()
    return inside


def outermost(elements: Iterable[Any], *tags: str) -> list[Any]:
    """Of elements in document order, those not inside another of them (a nested one is part
    of the outer one's text already): one pass, each element's subtree marked once. ``tags``:
    the tags the elements have, when known (only those are marked)."""
    if isinstance(elements, list) and _siblings(elements):
        return list(elements)  # no element holds its sibling: all of them, unwalked
    chosen: list[Any] = []
    covered: set[Any] = set()
    for element in elements:
        if element in covered:
            continue
        chosen.append(element)
        covered.update(element.iter(*tags))
    return chosen


def _siblings(elements: list[Any]) -> bool:
    """Are these distinct elements all children of one element (the portal's two related
    lists)?"""
    parent = elements[0].getparent() if elements else None
    return (
        parent is not None
        and all(element.getparent() is parent for element in elements)
        and len(set(elements)) == len(elements)
    )


def text_parent(text: Any) -> Any:
    """The element a text node (an lxml "smart" string) lies in: for a tail, its element's
    parent (XPath's parent of that text node)."""
    owner = text.getparent()
    if owner is not None and getattr(text, "is_tail", False):
        return owner.getparent()
    return owner


def class_tokens(element: Any) -> list[str]:
    return (element.get("class") or "").split()
