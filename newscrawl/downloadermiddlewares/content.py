"""The content sniffer: a 200 response becomes what its bytes are, whatever its headers say.

What the bytes are and how they read is decided by :func:`newscrawl.extraction.decode.decode_page`
(the one page decoder, shared with the fixture tests and offline extraction); this middleware
only builds the response from it, for pages (robots.txt is left alone):

- blank bytes: a failure, ``empty_body``;
- binary bytes: a plain ``Response``, which the spider rejects ``not_html``;
- HTML: an ``HtmlResponse`` of the decoder's body (stray document ends dropped), read with the
  decoder's encoding, so ``response.text`` is the decoder's text;
- other text: the same response, read with the decoder's encoding.

Registered after HttpCompressionMiddleware, so it sees decompressed bodies.
"""

from __future__ import annotations

import codecs
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, Response, TextResponse

from newscrawl.extraction.decode import decode_page
from newscrawl.outcomes import Refused


def _as_read(response: TextResponse, body: bytes, encoding: str | None) -> bool:
    if encoding is None or response.body != body:
        return False
    return bool(codecs.lookup(response.encoding).name == codecs.lookup(encoding).name)


def as_plain(response: Response) -> Response:
    return Response(**{name: getattr(response, name) for name in Response.attributes})


class ContentSniffer:
    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 200 or urlsplit(response.url).path == "/robots.txt":
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        page = decode_page(response.body, content_type)
        if page.kind == "empty":
            raise Refused("empty_body", status=response.status)
        if page.kind == "html":
            if isinstance(response, HtmlResponse) and _as_read(response, page.body, page.encoding):
                return response  # Scrapy already reads it as the decoder does
            return response.replace(cls=HtmlResponse, body=page.body, encoding=page.encoding)
        if page.kind == "text" and isinstance(response, TextResponse):
            if _as_read(response, page.body, page.encoding):
                return response
            return response.replace(encoding=page.encoding)
        if page.kind == "binary" or isinstance(response, TextResponse):
            return as_plain(response)
        return response
