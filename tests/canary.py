"""A loopback canary: one 127.0.0.1 port listening on TCP *and* UDP, recording what it hears.

Whatever a hostile page makes the browser send to that port is an escape: an HTTP request or a
WebSocket handshake (its first line is kept), a TCP connection that sends nothing (kept as ""),
a TURN allocation over TCP (binary, kept as hex), a STUN binding request over UDP (a datagram).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class Canary:
    def __init__(self) -> None:
        self._tcp = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._tcp.getsockname()[1]
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", self.port))
        self._lock = threading.Lock()
        self._tcp_heard: list[str] = []
        self._udp_heard: list[bytes] = []
        self._threads = [
            threading.Thread(target=self._accept, name="canary-tcp", daemon=True),
            threading.Thread(target=self._receive, name="canary-udp", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def tcp(self) -> list[str]:
        """One entry per TCP connection: its first line, or its first bytes in hex."""
        with self._lock:
            return list(self._tcp_heard)

    @property
    def udp(self) -> list[bytes]:
        """Every datagram received."""
        with self._lock:
            return list(self._udp_heard)

    @property
    def heard(self) -> list[str]:
        """Everything, TCP and UDP, one line each."""
        return self.tcp + [f"udp {datagram[:20].hex()}" for datagram in self.udp]

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._tcp.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(2)
            try:
                data = connection.recv(4096)
            except OSError:
                data = b""
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            heard = line if line.isascii() and line.isprintable() else data.hex()
            with self._lock:
                self._tcp_heard.append(heard)
            with contextlib.suppress(OSError):
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    def _receive(self) -> None:
        while True:
            try:
                datagram, _ = self._udp.recvfrom(65536)
            except OSError:  # closed
                return
            with self._lock:
                self._udp_heard.append(datagram)

    def close(self) -> None:
        for sock in (self._tcp, self._udp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> Canary:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
