"""The content sniffer: what a 200 response really holds, whatever its headers say."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.responsetypes import responsetypes
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from newscrawl.downloadermiddlewares.content import ContentSniffer
from newscrawl.outcomes import Refused
from newscrawl.replica.portal import JPEG
from newscrawl.spiders.failures import failure_reason

URL = "http://french.peopledaily.com.cn/Chine/n3/2021/1227/c31357-9937490.html"
PAGE = "<!DOCTYPE html><html><head><title>Été</title></head><body><p>Déjà là</p></body></html>"


def received(body: bytes, content_type: str | None, url: str = URL, status: int = 200) -> Response:
    """The response Scrapy would build from these headers (the class it picks, as it picks it)."""
    headers = {"Content-Type": content_type} if content_type else {}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url, status=status, headers=headers, body=body, request=Request(url))


def sniff(response: Response) -> Response:
    return ContentSniffer().process_response(response.request, response)  # type: ignore[arg-type]


def test_image_bytes_behind_text_html_are_not_a_page() -> None:
    response = received(JPEG, "text/html; charset=utf-8")
    assert isinstance(response, HtmlResponse)  # what Scrapy alone makes of it
    sniffed = sniff(response)
    assert not isinstance(sniffed, TextResponse)
    assert sniffed.body == JPEG


@pytest.mark.parametrize("url", [URL, "http://french.peopledaily.com.cn/Chine/"])
def test_html_behind_octet_stream_is_parsed(url: str) -> None:
    sniffed = sniff(received(PAGE.encode(), "application/octet-stream", url=url))
    assert isinstance(sniffed, HtmlResponse)
    assert sniffed.css("p::text").get() == "Déjà là"


def test_a_charset_the_bytes_disprove_is_replaced() -> None:
    body = PAGE.encode("latin-1")
    response = received(body, "text/html; charset=utf-8")
    assert "\ufffd" in response.text  # Scrapy believes the header
    assert sniff(response).css("p::text").get() == "Déjà là"


def test_a_meta_charset_is_preferred_when_the_header_lies() -> None:
    page = PAGE.replace("<head>", '<head><meta charset="iso-8859-15">').replace("Déjà", "€uro")
    response = received(page.encode("iso-8859-15"), "text/html; charset=utf-8")
    assert sniff(response).css("p::text").get() == "€uro là"


@pytest.mark.parametrize(
    "charset",
    [
        # no text codec at all: bytes-to-bytes or str-to-str codecs of Python
        "zlib",
        "hex",
        "rot13",
        "base64",
        "bz2",
        "uu",
        "quopri",
        # text codecs no browser reads, which decode anything into garbage
        "cp037",
        "utf-7",
        "unicode_escape",
        "raw_unicode_escape",
        "punycode",
        "idna",
        "charmap",
        "utf-32",
        # UTF-16 on 8-bit bytes (no NUL at all): read as UTF-16, the page is CJK
        "utf-16",
        "utf-16-le",
        "no-such-charset",
    ],
)
def test_a_charset_that_is_no_encoding_of_the_web_gives_way(charset: str) -> None:
    body = (PAGE + " ").encode("utf-8")  # an even length: UTF-16 decodes it without error
    sniffed = sniff(received(body, f"text/html; charset={charset}"))
    assert isinstance(sniffed, HtmlResponse)
    assert sniffed.css("p::text").get() == "Déjà là"  # as UTF-8, the next in line
    assert sniffed.css("title::text").get() == "Été"


def test_a_charset_that_gives_way_falls_back_to_the_meta() -> None:
    page = PAGE.replace("<head>", '<head><meta charset="iso-8859-15">').replace("Déjà", "€uro")
    response = received(page.encode("iso-8859-15"), "text/html; charset=zlib")
    assert sniff(response).css("p::text").get() == "€uro là"


@pytest.mark.parametrize(
    ("charset", "text"),
    [("koi8-r", "Привет"), ("shift_jis", "日本語"), ("gb2312", "中文"), ("euc-kr", "한국어")],
)
def test_the_web_s_own_charsets_are_believed(charset: str, text: str) -> None:
    page = f"<html><head><title>x</title></head><body><p>{text}</p></body></html>"
    sniffed = sniff(received(page.encode(charset), f"text/html; charset={charset}"))
    assert sniffed.css("p::text").get() == text


@pytest.mark.parametrize("at", [0, 20, 300, 1023])
def test_one_nul_byte_in_the_first_kilobyte_of_a_page_keeps_it_html(at: int) -> None:
    body = PAGE.replace("<p>", "<p>" + " " * 1100, 1).encode("utf-8")
    body = body[:at] + b"\x00" + body[at:]
    sniffed = sniff(received(body, "text/html; charset=utf-8"))
    assert isinstance(sniffed, HtmlResponse)
    assert sniffed.css("p::text").get().strip() == "Déjà là"


def test_nuls_in_bytes_that_are_not_html_are_binary() -> None:
    sniffed = sniff(received(b"GARBAGE\x00\x01\x02" * 100, "text/html"))
    assert not isinstance(sniffed, TextResponse)


def test_a_true_charset_is_left_alone() -> None:
    response = received(PAGE.encode("utf-8"), "text/html; charset=utf-8")
    assert sniff(response) is response


def test_stray_document_ends_are_dropped() -> None:
    page = PAGE.replace("<body>", "<body></html><div>").replace("</body>", "</div></body>")
    page = page.replace("<p>", '<div class="late"><p>') + "<p>fin</p>"
    response = received(page.encode(), "text/html; charset=utf-8")
    assert not response.css("div.late")  # libxml2 put it outside the root element
    assert sniff(response).css("div.late p::text").get() == "Déjà là"


@pytest.mark.parametrize("body", [b"", b"  \r\n\t "])
def test_an_empty_200_is_a_failure(body: bytes) -> None:
    with pytest.raises(Refused) as refused:
        sniff(received(body, "text/html"))
    assert refused.value.reason == "empty_body"


def test_robots_txt_and_error_pages_are_left_alone() -> None:
    robots = received(b"", "text/plain", url="http://french.peopledaily.com.cn/robots.txt")
    assert sniff(robots) is robots
    missing = received(b"", "text/html", status=404)
    assert sniff(missing) is missing


def failure_of(error: BaseException) -> Failure:
    failure = Failure(error)
    failure.request = Request(URL)  # type: ignore[attr-defined]
    return failure


def data_loss(closed_by: BaseException) -> BaseException:
    from scrapy.exceptions import ResponseDataLossError

    error = ResponseDataLossError()
    error.__cause__ = ResponseFailed([Failure(closed_by)])
    return error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (data_loss(ConnectionDone()), "truncated"),
        (data_loss(ConnectionLost()), "connection_error"),
        (Refused("redirect_loop", target=URL), "redirect_loop"),
    ],
)
def test_failure_reasons(error: BaseException, reason: str) -> None:
    assert failure_reason(failure_of(error))[0] == reason


def test_download_errors_of_scrapy_2_19_have_reasons() -> None:
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        IgnoreRequest,
    )

    table = {
        DownloadTimeoutError("took longer than 1.0 seconds"): "timeout",
        CannotResolveHostError("no such host"): "dns_error",
        DownloadConnectionRefusedError("refused"): "connection_error",
        DownloadCancelledError(""): "too_large",
        DownloadCancelledError(
            "Expected to receive 9 bytes which is larger than download max size"
        ): "too_large",
        IgnoreRequest("… exceeded DOWNLOAD_MAXSIZE (1048576 B) during decompression."): "too_large",
        IgnoreRequest("max redirections reached"): "too_many_redirects",
    }
    for error, reason in table.items():
        assert failure_reason(failure_of(error))[0] == reason, error


def test_a_page_whose_handling_raised_ends_as_a_failure() -> None:
    from types import SimpleNamespace

    from scrapy.spidermiddlewares.httperror import HttpError

    from newscrawl.outcomes import url_outcome
    from newscrawl.spidermiddlewares.errors import PageErrors

    sent: list = []
    signals = SimpleNamespace(send_catch_log=lambda signal, **kw: sent.append((signal, kw)))
    errors = PageErrors(SimpleNamespace(signals=signals))  # type: ignore[arg-type]
    response = HtmlResponse(
        URL, body=b"<html></html>", request=Request(URL, meta={"story_url": URL})
    )
    assert errors.process_spider_exception(response, ValueError("bad attribute")) == []
    (signal, kwargs), *_ = sent
    assert signal is url_outcome
    assert (kwargs["outcome"].url, kwargs["outcome"].reason) == (URL, "extraction_error")
    assert errors.process_spider_exception(response, HttpError(response)) is None
