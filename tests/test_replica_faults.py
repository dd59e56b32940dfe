"""The replica's fault mode: deterministic, opt-in, and what it serves on the wire."""

from __future__ import annotations

import gzip
import http.client
import socket

from newscrawl.replica import Portal, ReplicaOptions, ReplicaServer
from newscrawl.replica.faults import (
    BROWSER_ESCAPES,
    FAULT_STORIES,
    FAULTS,
    HUGE_BYTES,
    LONG_BODY_CHARS,
    MANY_RELATED,
    PROBE_PATH,
    huge_body,
)
from newscrawl.replica.index import HOST


def test_without_the_option_nothing_changes() -> None:
    plain, faulty = (
        Portal(ReplicaOptions(stories=FAULT_STORIES)),
        Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True)),
    )
    assert plain.faults == {}
    assert not [key for key in plain.variants if key.startswith("fault")]
    touched = set(faulty.faults) | set(faulty.variants["fault_hub"])
    for url in plain.story_urls():
        if url not in touched:
            assert plain.respond("GET", url).body == faulty.respond("GET", url).body, url


def test_faults_are_chosen_from_the_seed() -> None:
    first, again = (Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True)) for _ in range(2))
    assert {u: f.name for u, f in first.faults.items()} == {
        u: f.name for u, f in again.faults.items()
    }
    assert sorted(f.name for f in first.faults.values()) == sorted(FAULTS)
    other = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True, seed=7))
    assert set(other.faults) != set(first.faults)


def test_the_hub_links_every_fault() -> None:
    portal = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True))
    hub = portal.respond("GET", portal.variants["fault_hub"][0]).body.decode("utf-8")
    for url in portal.faults:
        assert f'href="{url}"' in hub
    assert 'href="file:///etc/passwd"' in hub and 'href="http://[::1]/' in hub


def test_the_huge_page_is_made_chunk_by_chunk() -> None:
    chunks = huge_body(b"<html><body><p>x</p><!--footer--></body></html>", HUGE_BYTES)
    sizes = [len(chunk) for chunk in chunks]
    assert sum(sizes) == HUGE_BYTES
    assert max(sizes) <= 64 * 1024 and min(sizes) > 0


def raw_get(server: ReplicaServer, url: str) -> bytes:
    """The bytes the proxy sends for a GET, read until it closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_wire_faults() -> None:
    portal = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True))
    url = {fault.name: fault.url for fault in portal.faults.values()}
    with ReplicaServer(portal) as server:
        head, _, body = raw_get(server, url["truncated"]).partition(b"\r\n\r\n")
        length = int(
            next(h for h in head.split(b"\r\n") if h.startswith(b"Content-Length")).split(b":")[1]
        )
        assert 0 < len(body) < length
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", url["gzip_bomb"])
        bomb = connection.getresponse()
        compressed = bomb.read()
        assert bomb.getheader("Content-Encoding") == "gzip"
        assert len(compressed) < 100_000 < 10 * 1024 * 1024 < len(gzip.decompress(compressed))
        connection.request("GET", url["redirect_loopback"])
        redirect = connection.getresponse()
        redirect.read()
        assert (redirect.status, redirect.getheader("Location")) == (302, "http://127.0.0.1:8080/")
        connection.close()
        assert not server.out_of_scope


def test_odd_input_pages_are_what_their_fault_says() -> None:
    portal = Portal(ReplicaOptions(stories=FAULT_STORIES, faults=True, loopback_port=4321))
    url = {fault.name: fault.url for fault in portal.faults.values()}
    nul = portal.respond("GET", url["nul_byte"]).body
    assert nul.count(b"\x00") == 1 and nul.index(b"\x00") < 1024
    for codec in ("zlib", "hex", "rot13", "utf16"):
        reply = portal.respond("GET", url[f"charset_{codec}"])
        assert reply.headers["Content-Type"].endswith(codec.replace("utf16", "utf-16"))
        assert len(reply.body) % 2 == 0  # UTF-16 would decode it without error
    long_body = portal.respond("GET", url["long_body"]).body.decode()
    assert max(len(line) for line in long_body.splitlines()) > LONG_BODY_CHARS
    many = portal.respond("GET", url["many_related"]).body.decode()
    assert many.count("Titre numéro ") == MANY_RELATED
    header = portal.respond("GET", url["line_separator_header"]).headers["Content-Type"]
    assert "\x85" in header
    for name in BROWSER_ESCAPES:  # each aims at the loopback port, then loads its probe
        page = portal.respond("GET", url[name]).body.decode()
        assert "127.0.0.1:4321" in page and PROBE_PATH in page
