"""Peers that answer slowly or never: the probes ``total_timeout`` is held to.

* :class:`TricklingServer`: a real loopback HTTP server that, once it has the request,
  sends its answer one byte at a time, forever (the headers never end, or the body never
  does). Each byte moves a :class:`TrickleClock` forward by ``TRICKLE_STEP`` seconds, and a
  byte goes out whenever the client reads that clock (before each network step) or, failing
  that, every ``TRICKLE_INTERVAL`` real seconds. A client that reads its deadlines from the clock
  sees 0.3 s pass per byte without anyone waiting 0.3 s; a client that never looks at the
  clock between reads is kept busy (httpx's read timeout restarts with every byte) until
  the server gives up after ``give_up_after`` bytes and closes the connection.
* :class:`SilentServer`: accepts the connection and never sends a byte: to an ``https://``
  client, a TLS handshake that never completes.
* :class:`UnacceptedPort`: a listening socket whose accept queue is full, so a new
  connection is never established: a slow connect.
* :class:`TricklingTransport` / :class:`AsyncTricklingTransport`: a caller's own
  in-process transport whose response body trickles the same way (no socket at all).
* :class:`AsyncNeverAnswers`: a caller's own async transport that never returns.

Every server stops (and closes its sockets) when its ``with`` block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import Self

import httpx

# The peer the issue describes: one byte every 0.3 s.
TRICKLE_STEP = 0.3
# Real seconds a trickling server waits for the client to read the clock before sending.
TRICKLE_INTERVAL = 0.05
# Bytes of trickle a peer sends before giving up on a client that never stops reading.
GIVE_UP_AFTER = 200

HEADERS_THAT_NEVER_END = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Trickle: "
BODY_THAT_NEVER_ENDS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
)


class TrickleClock:
    """A monotonic clock that moves only when a trickling peer sends a byte.

    Patch it in as ``kwikpaisa._client._monotonic``; each reading also asks the peer for
    its next byte."""

    def __init__(self) -> None:
        self.start = 1000.0
        self.now = self.start
        self.last_read = self.start
        """The latest time the client saw (the peer may go on after the client left)."""
        self.wanted = threading.Event()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        self.wanted.set()
        with self._lock:
            self.last_read = self.now
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class LoopbackServer:
    """A loopback TCP server running ``serve(connection)`` for each connection in a thread."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self.stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._sockets.append(connection)
            thread = threading.Thread(target=self._serve_one, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve_one(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            self.serve(connection)

    def __enter__(self) -> Self:
        thread = threading.Thread(target=self._accept, daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop.set()
        self._listener.close()
        for connection in self._sockets:
            with contextlib.suppress(OSError):
                connection.close()
        for thread in self._threads:
            thread.join(5)


def read_request(connection: socket.socket) -> bool:
    """Read one request's head and body (by Content-Length); False if the peer left."""
    data = b""
    connection.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


class TricklingServer(LoopbackServer):
    """Answers every request one byte at a time and never finishes (see the module text).

    ``part`` is ``"headers"`` (the header block never ends) or ``"body"`` (the headers
    arrive, the body never completes). ``sent`` counts the bytes of trickle sent."""

    def __init__(
        self,
        clock: TrickleClock,
        part: str = "headers",
        *,
        give_up_after: int = GIVE_UP_AFTER,
    ) -> None:
        super().__init__()
        assert part in ("headers", "body")
        self.clock = clock
        self.part = part
        self.give_up_after = give_up_after
        self.sent = 0

    def serve(self, connection: socket.socket) -> None:
        if not read_request(connection):
            return
        opening = HEADERS_THAT_NEVER_END if self.part == "headers" else BODY_THAT_NEVER_ENDS
        connection.sendall(opening)
        for _ in range(self.give_up_after):
            if self.stop.is_set():
                return
            self.clock.wanted.wait(TRICKLE_INTERVAL)
            self.clock.wanted.clear()
            self.clock.advance(TRICKLE_STEP)
            connection.sendall(b"a")
            self.sent += 1
        connection.close()  # gave up: the client never stopped reading


class SilentServer(LoopbackServer):
    """Accepts connections and never sends a byte (a TLS handshake that never completes)."""

    def serve(self, connection: socket.socket) -> None:
        self.stop.wait(30)

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


class UnacceptedPort:
    """A listening port whose accept queue is full: a new connection never completes."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        # The one connection the queue holds; the kernel drops the handshakes of the rest.
        self._filler = socket.create_connection(("127.0.0.1", self.port), timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._filler.close()
        self._listener.close()


def _trickling_response(request: httpx.Request, chunks: Iterator[bytes]) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"Content-Type": "application/json", "Content-Length": "100000"},
        content=chunks,
        request=request,
    )


class TricklingTransport(httpx.BaseTransport):
    """A caller's own sync transport: headers at once, then a body byte per clock step,
    never complete (it gives up after ``GIVE_UP_AFTER`` bytes)."""

    def __init__(self, clock: TrickleClock) -> None:
        self.clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def body() -> Iterator[bytes]:
            for _ in range(GIVE_UP_AFTER):
                self.clock.advance(TRICKLE_STEP)
                yield b"a"

        return _trickling_response(request, body())


class AsyncTricklingTransport(httpx.AsyncBaseTransport):
    """The async form of :class:`TricklingTransport`."""

    def __init__(self, clock: TrickleClock) -> None:
        self.clock = clock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(GIVE_UP_AFTER):
                self.clock.advance(TRICKLE_STEP)
                await asyncio.sleep(0)
                yield b"a"

        return httpx.Response(
            200,
            headers={"Content-Type": "application/json", "Content-Length": "100000"},
            content=body(),
            request=request,
        )


class AsyncNeverAnswers(httpx.AsyncBaseTransport):
    """A caller's own async transport that takes the request and never answers."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        await asyncio.Event().wait()
        raise AssertionError("never reached")
