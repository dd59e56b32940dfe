"""Why a request failed, as a short reason word and details for the rejects file."""

from __future__ import annotations

import re
import sys
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

# Scrapy's default RETRY_HTTP_CODES; the spider passes the crawl's own.
DEFAULT_RETRY_CODES = frozenset({500, 502, 503, 504, 522, 524, 408, 429})


def failure_reason(
    failure: Failure, retry_codes: frozenset[int] = DEFAULT_RETRY_CODES
) -> tuple[str, dict[str, Any]]:
    """``http_404``, ``http_500_after_retries``, ``timeout``, ``render_timeout`` …"""
    request = getattr(failure, "request", None)
    retries = request.meta.get("retry_times", 0) if request is not None else 0
    details: dict[str, Any] = {}
    if retries:
        details["retries"] = retries
    if failure.check(HttpError):
        status = failure.value.response.status  # type: ignore[union-attr]
        details["status"] = status
        # Scrapy's RetryMiddleware lets a status it retries through only once it will not
        # retry it again: a retried request still answered so ran out of retries. One never
        # retried (RETRY_TIMES=0, dont_retry) is just its status.
        suffix = "_after_retries" if retries and status in retry_codes else ""
        return f"http_{status}{suffix}", details
    if failure.check(TimeoutError, TCPTimedOutError, DownloadTimeoutError):
        return "timeout", details
    browser = _browser_failure(failure)
    if browser:
        details["error"] = (str(failure.value).splitlines() or [""])[0][:300]
        return browser, details
    if failure.check(DNSLookupError, CannotResolveHostError):
        return "dns_error", details
    if failure.check(ResponseDataLossError):  # fewer bytes than Content-Length announced
        return _data_loss_reason(failure.value), details
    if failure.check(DownloadCancelledError):
        details["error"] = str(failure.value)[:300]
        return _cancelled_reason(str(failure.value)), details
    if failure.check(
        ConnectError,
        ConnectionLost,
        ResponseFailed,
        ResponseNeverReceived,
        DownloadConnectionRefusedError,
        DownloadFailedError,
    ):
        details["error"] = str(failure.value)[:300]
        return "connection_error", details
    if failure.check(IgnoreRequest):
        reason = getattr(failure.value, "reason", None)  # a newscrawl middleware's Refused
        if reason:
            details.update(getattr(failure.value, "details", {}))
            return reason, details
        details["error"] = str(failure.value)[:300]
        return _ignored_reason(str(failure.value)), details
    details["error"] = f"{type(failure.value).__name__}: {failure.value}"[:300]
    return _snake(type(failure.value).__name__), details


def _browser_failure(failure: Failure) -> str | None:
    """``render_timeout`` (not loaded in NEWSCRAWL_RENDER_TIMEOUT_MS) or ``render_error``."""
    # Loaded by scrapy-playwright's handler; a crawl that renders nothing never imports it.
    api = sys.modules.get("playwright.async_api")
    if api is None:
        return None
    if failure.check(api.TimeoutError):
        return "render_timeout"
    if failure.check(api.Error):
        return "render_error"
    return None


def _ignored_reason(message: str) -> str:
    lowered = message.lower()
    if "robots.txt" in lowered:
        return "robots_txt"
    if "maxsize" in lowered or "max size" in lowered:  # e.g. a gzip body past DOWNLOAD_MAXSIZE
        return "too_large"
    if "max redirections" in lowered:
        return "too_many_redirects"
    return "ignored"


def _data_loss_reason(error: BaseException | None) -> str:
    """A reset connection (RST) is a ``connection_error``; an early clean close, ``truncated``."""
    cause = error.__cause__ if error is not None else None
    reasons = getattr(cause, "reasons", None) or []
    reset = any(getattr(r, "check", lambda *_: False)(ConnectionLost) for r in reasons)
    return "connection_error" if reset else "truncated"


def _cancelled_reason(message: str) -> str:
    # Scrapy's HTTP/1.1 handler cancels a download only past DOWNLOAD_MAXSIZE: with a message
    # when Content-Length announces it, with none when the received bytes pass it.
    return "too_large" if not message or "max size" in message else "download_cancelled"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
