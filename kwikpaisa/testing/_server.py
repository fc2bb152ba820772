"""The emulator over a real HTTP/1.1 socket on loopback (threaded, keep-alive).

A body the emulator refuses (over 1 MiB, chunked, a bad ``Content-Length``) is
answered with ``Connection: close``; the rest of it is read and dropped (for a few
seconds at most) before the connection closes, so the client sees the answer rather
than a reset, and no leftover byte is ever read as a request.
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ._answers import error_answer
from ._faults import FaultKind
from ._limits import MAX_REQUEST_BODY, BodyRefused, read_request_body, refusal

if TYPE_CHECKING:
    from ._handler import RequestHandler

__all__ = ["EmulatorServer", "serve"]

DRAIN_IDLE = 5.0
"""Seconds a refused body's sender may pause before the connection is closed anyway."""
DRAIN_LIMIT = 64 * MAX_REQUEST_BODY
"""The most of a refused body that is read (and dropped) before closing."""


class EmulatorServer(ThreadingHTTPServer):
    """A threaded HTTP server that answers through an :class:`Emulator`."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256

    def __init__(self, emulator: RequestHandler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self.stopping = threading.Event()
        self._open_lock = threading.Lock()
        self._open_connections = 0
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}"

    def start(self) -> threading.Thread:
        """Serve in a background thread."""
        thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="kwikpaisa-emulator", daemon=True
        )
        thread.start()
        self.emulator._serving(self.base_url, True)
        return thread

    @property
    def open_connections(self) -> int:
        """Client connections accepted and not yet closed (a leak check for tests)."""
        with self._open_lock:
            return self._open_connections

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open_connections += 1
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open_connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a timeout, a body too large) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def stop(self) -> None:
        """Stop serving, wake any hanging handlers, and close the socket."""
        self.stopping.set()
        self.emulator._serving(self.base_url, False)
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An answer's headers and body are buffered and go out in one write when the request
    # is done (or at an explicit flush), as a real server sends a small answer: a client
    # never sees the headers of an answer without its body. TCP_NODELAY: no Nagle wait
    # for the client's delayed ACK on keep-alive connections.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: EmulatorServer
    server_version = "KwikPaisaEmulator"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the emulator is used in test suites."""

    def _serve(self) -> None:
        try:
            body = read_request_body(
                self.headers.get("Content-Length"),
                self.rfile.read,
                self.headers.get("Transfer-Encoding"),
            )
        except BodyRefused as refused:
            self._refuse(refused)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.emulator.handle(
            self.command, self.path, headers, body, base_url=self.server.base_url
        )
        if answer.action is FaultKind.HANG:
            self.server.stopping.wait(answer.delay)
            self.close_connection = True
            return
        if answer.action is FaultKind.LATENCY and answer.delay:
            self.server.stopping.wait(answer.delay)
        if answer.action is FaultKind.RESET:
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b'Content-Length: 120\r\n\r\n{"code": "20'
            )
            self.wfile.flush()
            # Abortive close: the peer sees a reset, not a clean end of stream.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() != "date":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _refuse(self, refused: BodyRefused) -> None:
        """Answer a body the emulator will not read, then close the connection."""
        body = refusal(self.server.emulator.clock, refused).body
        self._send_closing(refused.status, body)
        self.wfile.write(body)
        self.wfile.flush()
        self._drain()

    def _drain(self) -> None:
        """Read and drop what the client still sends (closing on unread bytes would reset
        the connection, and the client could lose the answer), within limits."""
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(DRAIN_IDLE)
            dropped = 0
            while dropped < DRAIN_LIMIT and not self.server.stopping.is_set():
                chunk = self.rfile.read1(65536)
                if not chunk:
                    return
                dropped += len(chunk)
        except OSError:
            return

    do_POST = _serve
    do_GET = _serve
    do_PUT = _serve
    do_PATCH = _serve
    do_DELETE = _serve
    do_HEAD = _serve
    do_OPTIONS = _serve
    do_TRACE = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (QUERY, PROPFIND, ...) reaches the emulator too and gets its
        # 405 with `Allow`, instead of http.server's 501 HTML page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server answers itself (a malformed request line, headers too large),
        in KwikPaisa's JSON error shape rather than an HTML page."""
        reason = (message or self.responses.get(code, ("Error",))[0]).rstrip(".")
        body = error_answer(self.server.emulator.clock, code, f"{reason}.").body
        self._send_closing(code, body, message)
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_closing(self, status: int, body: bytes, reason: str | None = None) -> None:
        """The status line and headers of a JSON error answer ``body`` after which the
        connection closes (``reason``: the status line's phrase, default the standard one)."""
        self.send_response(status, reason)
        self.send_header("Connection", "close")  # also sets close_connection
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``Date`` from the emulator's clock, so clock-skew tests see a shifted server."""
        return super().date_time_string(self.server.emulator.clock())


@contextmanager
def serve(emulator: RequestHandler, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``emulator`` on ``host:port`` (0 = an ephemeral port) and yield its base URL.
    On the way out the server stops, and so does the emulator's webhook worker."""
    server = EmulatorServer(emulator, host, port)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()
        emulator.close()
