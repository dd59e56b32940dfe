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
