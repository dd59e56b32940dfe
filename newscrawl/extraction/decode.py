"""One page decoder: what a page's bytes are, and their text, whatever the headers say.

A pure function used by the crawl (:mod:`newscrawl.downloadermiddlewares.content` builds the
response from it), by the fixture tests and by offline extraction, so the text a profile reads
is the same wherever the bytes come from.

- Blank bytes are ``empty``: the server sent nothing to read.
- Picture, PDF or archive bytes, or bytes with NULs that do not look like HTML, are
  ``binary``, whatever ``Content-Type`` says.
- HTML behind ``application/octet-stream`` (or no type) is ``html``; another declared text type
  (``text/plain``, JSON) is ``text``; anything else is ``other``.
- A stray ``</html>`` or ``</body>`` before the end of an HTML page is dropped, as browsers
  ignore it (libxml2 would end the document there and put the rest outside the root element).
- The encoding: a byte-order mark; else the header's charset; else the ``<meta>`` charset;
  else UTF-8; else windows-1252, each only if it names an encoding a web page can be in (the
  Encoding Standard's, which browsers read) and the bytes decode with it. A charset the bytes
  disprove (``utf-8`` on ISO-8859-1 bytes; ``utf-16`` on bytes without a single NUL, which
  would read as CJK), one that is no text codec at all (``zlib``, ``hex``, ``rot13``), or a
  Python codec no browser reads (EBCDIC ``cp037``, ``utf-7``, ``unicode_escape``, ``idna``,
  which decode anything into garbage) gives way to the next.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

SNIFF_BYTES = 1024
BINARY_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG",
    b"GIF8",
    b"RIFF",  # WebP, AVI
    b"%PDF",
    b"PK\x03\x04",  # zip, docx
    b"\x1f\x8b",  # gzip left compressed
    b"\x00\x00\x01\x00",  # ICO
)
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")
HTML_TYPES = ("text/html", "application/xhtml+xml")
UNTYPED = ("", "application/octet-stream", "binary/octet-stream", "application/unknown")
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
# The Encoding Standard's encodings (https://encoding.spec.whatwg.org/#names-and-labels), by
# the names Python gives them once w3lib has resolved a label (latin-1 and ascii to cp1252,
# gb2312 to gb18030, shift_jis to cp932, euc-kr to cp949, big5 to big5hkscs…).
WEB_ENCODINGS = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "cp866",
        *(f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)),
        "koi8-r",
        "koi8-u",
        "mac-roman",
        "mac-cyrillic",
        "cp874",
        *(f"cp{n}" for n in range(1250, 1259)),
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "euc-jp",
        "iso2022-jp",
        "shift_jis",
        "cp932",
        "euc-kr",
        "cp949",
    )
)
DOCUMENT_END = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)

Kind = Literal["html", "text", "binary", "empty", "other"]


@dataclass(frozen=True)
class DecodedPage:
    kind: Kind
    body: bytes  # for HTML, without stray document ends
    encoding: str | None  # None for bytes that are not text

    @property
    def text(self) -> str:
        """The text, decoded as Scrapy's ``TextResponse.text`` decodes it with this encoding."""
        if self.encoding is None:
            return ""
        return html_to_unicode(f"charset={self.encoding}", self.body)[1]


def decode_page(body: bytes, content_type: str | None = None) -> DecodedPage:
    """What ``body`` served with ``content_type`` is, and how to read it."""
    if not body or body.isspace():
        return DecodedPage("empty", body, None)
    head = body[:SNIFF_BYTES]
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if looks_binary(head):
        return DecodedPage("binary", body, None)
    if media in HTML_TYPES or (media in UNTYPED and looks_like_html(head)):
        cleaned = without_stray_document_ends(body)
        body = body if cleaned is None else cleaned
        return DecodedPage("html", body, encoding_of(body, content_type))
    if media.startswith(TEXT_TYPES):
        return DecodedPage("text", body, encoding_of(body, content_type))
    return DecodedPage("other", body, None)


def looks_binary(head: bytes) -> bool:
    """Magic bytes of a picture or an archive; or NULs in a head that is not HTML (one stray
    NUL in a page that starts as HTML does not make it binary)."""
    if head.startswith(BINARY_MAGIC):
        return True
    return b"\x00" in head and not looks_like_html(head) and read_bom(head)[0] is None


def looks_like_html(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(HTML_STARTS) or b"<html" in text


def encoding_of(body: bytes, content_type: str | None) -> str:
    bom, _ = read_bom(body)
    if bom:
        return bom
    declared = http_content_type_encoding(content_type) if content_type else None
    for candidate in (declared, html_body_declared_encoding(body), *FALLBACK_ENCODINGS):
        if candidate and decodes(body, candidate):
            return _python_name(candidate)
    return "cp1252"  # undefined bytes become U+FFFD: nothing is left undecoded


def decodes(body: bytes, encoding: str) -> bool:
    """Does ``encoding`` name an encoding of the web that decodes these bytes without error?"""
    name = resolve_encoding(encoding) or encoding
    try:
        codec = codecs.lookup(name)
        if codec.name not in WEB_ENCODINGS:  # zlib, hex, rot13, cp037, utf-7, unicode_escape…
            return False
        if codec.name.startswith("utf-16") and b"\x00" not in body[:SNIFF_BYTES]:
            return False  # markup in UTF-16 is half NULs: these are 8-bit bytes
        codecs.decode(body, name)
    except (UnicodeDecodeError, LookupError, ValueError, TypeError):
        return False
    return True


def without_stray_document_ends(body: bytes) -> bytes | None:
    """The body without ``</html>``/``</body>`` tags that text follows; None if it has none."""
    ends = list(DOCUMENT_END.finditer(body))
    if not ends or (len(ends) <= 2 and not body[ends[-1].end() :].strip()):
        return None  # the usual ``</body></html>`` at the very end
    return DOCUMENT_END.sub(b"", body)


def _python_name(encoding: str) -> str:
    return codecs.lookup(resolve_encoding(encoding) or encoding).name
