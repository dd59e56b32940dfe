"""The replica's HTTP server: a forward proxy that only knows the portal (and the other sites
it is given).

The crawler keeps its production settings and only points ``http_proxy`` here, so requests
arrive in absolute form (``GET http://french.peopledaily.com.cn/… HTTP/1.1``). Origin-form
requests are taken as the portal's. ``sites``: other hosts' replicas (anything with
``host`` and ``respond(method, url)``, such as :class:`newscrawl.replica.newssite.NewsSite`),
each answering for its host (a site given for the portal's own host answers instead of the
portal). Any other host is refused (403) and CONNECT (HTTPS tunnelling) is refused (405); every
request is recorded so a test can assert what was *not* fetched.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from newscrawl.replica.index import HOST, ORIGIN
from newscrawl.replica.portal import Page, Portal, page


@dataclass(frozen=True)
class RequestRecord:
    method: str
    url: str  # absolute
    status: int
    proxied: bool  # arrived in absolute form, as through an HTTP proxy
    user_agent: str = ""

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class RequestLog:
    """Thread-safe list of records, optionally mirrored to a JSONL file as they happen."""

    def __init__(self, path: str | Path | None = None):
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            if self._file:
                self._file.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
                self._file.flush()

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


def make_handler(
    portal: Portal, log: RequestLog, sites: dict[str, Any] | None = None
) -> type[BaseHTTPRequestHandler]:
    others = dict(sites or {})

    class ProxyHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # header and body go out in two writes
        server_version = "newscrawl-replica"

        def log_message(self, format: str, *args: object) -> None:
            """Silence: the request log is the record."""

        def target(self) -> tuple[str, bool]:
            if self.path.startswith(("http://", "https://")):
                return self.path, True
            return ORIGIN + self.path, False

        def answer(self) -> None:
            # Drain a request body so the kept-alive connection stays in step.
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            url, proxied = self.target()
            host = (urlsplit(url).hostname or "").lower()
            if host in others:
                reply = self.respond(url, others[host])
            elif host != HOST:
                reply = page(
                    403,
                    b"Forbidden: the replica only serves the portal\n",
                    "text/plain; charset=utf-8",
                )
            else:
                reply = self.respond(url)
            agent = self.headers.get("User-Agent", "")
            log.add(RequestRecord(self.command, url, reply.status, proxied, agent))
            self.send(reply)

        def respond(self, url: str, site: Any = None) -> Page:
            try:
                return (site or portal).respond(self.command, url)
            except Exception:  # a replica bug shows as a logged 500, not a dropped connection
                traceback.print_exc()
                return page(500, b"replica error\n", "text/plain; charset=utf-8")

        def send(self, reply: Page) -> None:
            if reply.misbehave is not None:  # fault mode (faults.py)
                reply.misbehave(self)
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.body:
                self.wfile.write(reply.body)

        def do_CONNECT(self) -> None:
            log.add(RequestRecord("CONNECT", f"https://{self.path}/", 405, True))
            self.send(
                page(
                    405, b"CONNECT not supported\n", "text/plain; charset=utf-8", Allow="GET, HEAD"
                )
            )

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = answer

    return ProxyHandler


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a crawler opens many connections at once

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a crawler giving up on a slow or huge page, a browser closing
        a page mid-load) is not a replica error."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class ReplicaServer:
    """``with ReplicaServer(portal) as server:`` serves on a thread until the block ends."""

    def __init__(
        self,
        portal: Portal,
        host: str = "127.0.0.1",
        port: int = 0,
        request_log: str | Path | None = None,
        sites: list[Any] | tuple[Any, ...] = (),
    ):
        self.portal = portal
        self.sites = {site.host: site for site in sites}
        self._host = host
        self._log = RequestLog(request_log)
        self._httpd = ProxyServer((host, port), make_handler(portal, self._log, self.sites))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def requests(self) -> list[RequestRecord]:
        return self._log.snapshot()

    @property
    def out_of_scope(self) -> list[RequestRecord]:
        return [r for r in self.requests if r.host != HOST and r.host not in self.sites]

    def start(self) -> ReplicaServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replica", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()
        self._log.close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
