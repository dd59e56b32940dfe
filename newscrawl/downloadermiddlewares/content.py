"""The content sniffer: what a 200 response really holds, whatever its headers say.

Scrapy picks the response class from ``Content-Type`` (then the URL's extension, then the
body). Headers lie, so for pages (robots.txt is left alone):

- an empty body is a failure, ``empty_body``: the server sent nothing to read;
- image, PDF, archive bytes or NUL bytes make a plain ``Response`` whatever the header says, so
  the spider rejects it ``not_html`` instead of parsing bytes as markup;
- HTML behind ``application/octet-stream`` (or no type) becomes an ``HtmlResponse``;
- a stray ``</html>`` or ``</body>`` before the end of the page is dropped, as browsers ignore
  it: libxml2 instead ends the document there and puts the rest outside the root element, where
  the site profile's CSS selectors never look;
- a declared charset the bytes disprove (``utf-8`` on ISO-8859-1 bytes) is replaced by the
  page's ``<meta>`` charset, else UTF-8, else windows-1252, the first that decodes the bytes.

Registered after HttpCompressionMiddleware, so it sees decompressed bodies.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from newscrawl.outcomes import Refused

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
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
DOCUMENT_END = re.compile(rb"</(?:html|body)\s*>", re.IGNORECASE)


def looks_binary(head: bytes) -> bool:
    return head.startswith(BINARY_MAGIC) or b"\x00" in head


def looks_like_html(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(HTML_STARTS) or b"<html" in text


def decodes(body: bytes, encoding: str) -> bool:
    try:
        codecs.decode(body, encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def truthful_encoding(body: bytes, declared: str) -> str | None:
    """An encoding the bytes agree with, if the declared one is disproved; else None."""
    if decodes(body, declared):
        return None
    meta = html_body_declared_encoding(body)
    for candidate in (meta, *FALLBACK_ENCODINGS):
        if candidate and decodes(body, candidate):
            return candidate
    return None


def without_stray_document_ends(body: bytes) -> bytes | None:
    """The body without ``</html>``/``</body>`` tags that text follows; None if it has none."""
    ends = list(DOCUMENT_END.finditer(body))
    if not ends or (len(ends) <= 2 and not body[ends[-1].end() :].strip()):
        return None  # the usual ``</body></html>`` at the very end
    return DOCUMENT_END.sub(b"", body)


def as_plain(response: Response) -> Response:
    return Response(**{name: getattr(response, name) for name in Response.attributes})


class ContentSniffer:
    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 200 or urlsplit(response.url).path == "/robots.txt":
            return response
        body = response.body
        if not body or body.isspace():
            raise Refused("empty_body", status=response.status)
        head = body[:SNIFF_BYTES]
        if looks_binary(head):
            return as_plain(response)
        if not isinstance(response, TextResponse):
            if not looks_like_html(head):
                return response
            response = response.replace(cls=HtmlResponse)
        if isinstance(response, HtmlResponse):
            cleaned = without_stray_document_ends(body)
            if cleaned is not None:
                response = response.replace(body=cleaned)
                body = cleaned
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        declared = http_content_type_encoding(content_type)
        better = truthful_encoding(body, declared) if declared else None
        return response.replace(encoding=better) if better else response
