"""The async client's connection pool: one HTTP/1.1 connection per request in flight.

``AsyncKwikPaisa`` sends through :class:`AsyncPoolTransport` when it builds its own
``httpx.AsyncClient`` and no proxy setting exists (a user's ``http_client=`` or
``transport=`` is used as given; with a proxy, httpx's own transport routes).
Everything above the transport is unchanged: ``httpx`` builds the request, the SDK's
``SigningAuth`` signs it, the SDK's retry loop, caps and typed outcomes judge the answer.

Why not httpx's own pool
------------------------
``httpx.AsyncHTTPTransport`` delegates to ``httpcore.AsyncConnectionPool``, which stops
scaling past about 16 requests in flight (docs/performance.md has the profile):

* it hands an idle connection to a queued request, but the connection only becomes
  busy once that request's task runs; in between, other requests are handed the same
  connection, fail with ``ConnectionNotAvailable`` and go round the pool again;
* each pass over the pool walks every connection, polls the socket of each idle one,
  and (httpcore 1.0.9) counts *all* connections against ``max_keepalive_connections``,
  so above that many connections an idle one is closed as soon as it is freed;
* several of its per-request steps retry a failing ``import sniffio`` (anyio no longer
  installs it), about 50 µs each.

How this pool works
-------------------
A request takes a connection for itself, from a stack of idle ones (the most recently
used first, so a sequential caller keeps reusing one connection) or, under
``max_connections``, a new one; with none free it waits its turn (first come, first
served; ``PoolTimeout`` after the ``pool`` timeout). The connection is handed back when
the response is closed. No connection is ever offered to two requests, so nothing races
and no pass over the pool is needed. Each connection is an ``httpcore.AsyncHTTPConnection``
(httpx's own HTTP/1.1 machinery: h11, TLS, timeouts, keep-alive expiry), and httpcore's
errors are mapped to httpx's exceptions as httpx maps them. The request's writes are
joined into one ``send`` (headers and body in one packet) before its answer is read.

The pool is for asyncio (as ``AsyncKwikPaisa`` is) and HTTP/1.1 only.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpcore
import httpx

from ._deadline_streams import AsyncDeadlineBackend
from ._reasons import exception_reason

__all__ = ["AsyncPoolTransport"]

# httpcore's exceptions and the httpx exceptions they become (httpx's own mapping).
_EXCEPTIONS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}


def _as_httpx_error(exc: Exception) -> httpx.TransportError | None:
    """The httpx exception for an httpcore one (the most specific match), else ``None``."""
    for cls in type(exc).__mro__:
        mapped = _EXCEPTIONS.get(cls)
        if mapped is not None:
            return mapped(exception_reason(exc))
    return None


class _CoalescingStream(httpcore.AsyncNetworkStream):
    """A network stream whose writes are held back and sent as one, just before a read.

    HTTP/1.1 client: a request is written in full (h11 emits its headers and its body
    separately) before its answer is read, so sending the writes together on the first
    read changes no ordering, only the number of packets.
    """

    # Held bytes past this are sent at once (a large upload is not held in memory).
    FLUSH_AT = 64 * 1024

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._held: list[bytes] = []
        self._held_size = 0
        self._write_timeout: float | None = None

    async def _flush(self) -> None:
        if self._held:
            data = b"".join(self._held) if len(self._held) > 1 else self._held[0]
            self._held.clear()
            self._held_size = 0
            await self._stream.write(data, self._write_timeout)

    # The timeout parameters below are httpcore's network interface.
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        await self._flush()
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if buffer:
            self._held.append(buffer)
            self._held_size += len(buffer)
            self._write_timeout = timeout
            if self._held_size >= self.FLUSH_AT:
                await self._flush()

    async def aclose(self) -> None:
        self._held.clear()
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        await self._flush()
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _CoalescingStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _CoalescingBackend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, with :class:`_CoalescingStream` around each connection
    (over a stream that obeys the current call's deadline)."""

    def __init__(self) -> None:
        self._backend = AsyncDeadlineBackend(httpcore.AnyIOBackend())

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's network interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )
        return _CoalescingStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's network interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )
        return _CoalescingStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _ResponseStream(httpx.AsyncByteStream):
    """The response body; closing it hands the connection back to the pool (once)."""

    def __init__(
        self,
        stream: Any,
        pool: AsyncPoolTransport,
        connection: httpcore.AsyncHTTPConnection,
    ) -> None:
        self._stream = stream
        self._pool = pool
        self._connection: httpcore.AsyncHTTPConnection | None = connection

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except Exception as exc:
            mapped = _as_httpx_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        try:
            await self._stream.aclose()
        finally:
            if connection is not None:
                await self._pool._release(connection)


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(httpx.PoolTimeout("no connection was free within the pool timeout"))


class AsyncPoolTransport(httpx.AsyncBaseTransport):
    """An httpx async transport that gives each request in flight a connection of its own.

    ``limits`` are httpx's: at most ``max_connections`` open at once (``None``: no
    limit), at most ``max_keepalive_connections`` kept idle, each idle for at most
    ``keepalive_expiry`` seconds. ``verify`` is httpx's (``True``, ``False`` or an
    ``ssl.SSLContext``); ``trust_env`` lets ``SSL_CERT_FILE``/``SSL_CERT_DIR`` apply, as
    in httpx. :meth:`aclose` closes every connection.
    """

    def __init__(
        self,
        *,
        verify: bool | ssl.SSLContext = True,
        limits: httpx.Limits | None = None,
        trust_env: bool = True,
    ) -> None:
        limits = limits if limits is not None else httpx.Limits()
        self._verify = verify
        self._trust_env = trust_env
        self._ssl_context: ssl.SSLContext | None = None  # made on the first https request
        self._max_connections = limits.max_connections
        self._max_idle = limits.max_keepalive_connections
        self._keepalive_expiry = limits.keepalive_expiry
        self._backend = _CoalescingBackend()
        # Idle connections: the last freed at the right (taken first), the oldest at the left.
        self._idle: deque[httpcore.AsyncHTTPConnection] = deque()
        self._connections: set[httpcore.AsyncHTTPConnection] = set()  # idle and in use
        self._waiters: deque[asyncio.Future[httpcore.AsyncHTTPConnection | None]] = deque()
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<AsyncPoolTransport [{len(self._connections) - len(self._idle)} in use, "
            f"{len(self._idle)} idle, {len(self._waiters)} waiting]>"
        )

    @property
    def connections(self) -> int:
        """Connections open now, idle and in use."""
        return len(self._connections)

    @property
    def idle_connections(self) -> int:
        """Connections open now and free for the next request."""
        return len(self._idle)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("AsyncPoolTransport needs an async request body")
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'."
                if url.scheme
                else "Request URL is missing an 'http://' or 'https://' protocol."
            )
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        pool_timeout = request.extensions.get("timeout", {}).get("pool")
        while True:
            connection = await self._acquire(core_request.url.origin, pool_timeout)
            try:
                response = await connection.handle_async_request(core_request)
            except httpcore.ConnectionNotAvailable:
                # Closed under us between the checks and the send: take another.
                await self._release(connection)
                continue
            except BaseException as exc:
                await self._release(connection)
                mapped = _as_httpx_error(exc) if isinstance(exc, Exception) else None
                if mapped is None:
                    raise
                raise mapped from exc
            return httpx.Response(
                status_code=response.status,
                headers=response.headers,
                stream=_ResponseStream(response.stream, self, connection),
                extensions=response.extensions,
            )

    async def _acquire(
        self, origin: httpcore.Origin, pool_timeout: float | None
    ) -> httpcore.AsyncHTTPConnection:
        """A connection to ``origin`` for one request: idle, new, or the next one freed."""
        if self._closed:
            raise RuntimeError("the connection pool is closed")
        while True:
            while self._idle:
                connection = self._idle.pop()
                if (
                    connection.can_handle_request(origin)
                    and not connection.is_closed()
                    and not connection.has_expired()
                ):
                    return connection
                await self._discard(connection)
            if self._max_connections is None or len(self._connections) < self._max_connections:
                connection = httpcore.AsyncHTTPConnection(
                    origin=origin,
                    ssl_context=self._ssl_for(origin),
                    keepalive_expiry=self._keepalive_expiry,
                    network_backend=self._backend,
                )
                self._connections.add(connection)
                return connection
            freed = await self._wait_turn(pool_timeout)
            if freed is not None:
                if freed.can_handle_request(origin) and not freed.is_closed():
                    return freed
                await self._discard(freed)

    async def _wait_turn(
        self, pool_timeout: float | None
    ) -> httpcore.AsyncHTTPConnection | None:
        """Wait until a connection is freed (returned) or room is made (``None``)."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[httpcore.AsyncHTTPConnection | None] = loop.create_future()
        self._waiters.append(waiter)
        # A timer handle rather than asyncio.timeout(): in a batch larger than the pool
        # every request waits here once, so the wait is kept cheap.
        expiry = None if pool_timeout is None else loop.call_later(pool_timeout, _expire, waiter)
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # Our turn came as we were cancelled: pass it on.
                freed = waiter.result()
                if freed is not None:
                    await self._release(freed)
                else:
                    self._wake(None)
            else:
                waiter.cancel()
            raise
        finally:
            if expiry is not None:
                expiry.cancel()

    def _wake(self, freed: httpcore.AsyncHTTPConnection | None) -> bool:
        """Hand ``freed`` (or room for a new connection) to the first waiter, if any."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(freed)
                return True
        return False

    async def _release(self, connection: httpcore.AsyncHTTPConnection) -> None:
        """Take a connection back after its request: reuse it, or close it and make room."""
        if (
            not self._closed
            and connection.is_idle()
            and not connection.is_closed()  # a failed connect counts as idle in httpcore
            and (self._waiters or self._max_idle is None or len(self._idle) < self._max_idle)
        ):
            if not self._wake(connection):
                self._idle.append(connection)
                # The least recently used is the first to expire: close it once it has.
                oldest = self._idle[0]
                if oldest is not connection and oldest.has_expired():
                    self._idle.popleft()
                    await self._discard(oldest)
            return
        await self._discard(connection)

    async def _discard(self, connection: httpcore.AsyncHTTPConnection) -> None:
        self._connections.discard(connection)
        self._wake(None)
        await connection.aclose()

    def _ssl_for(self, origin: httpcore.Origin) -> ssl.SSLContext | None:
        if origin.scheme != b"https":
            return None
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(
                verify=self._verify, trust_env=self._trust_env
            )
        return self._ssl_context

    async def aclose(self) -> None:
        """Close every connection; requests still waiting for one fail."""
        self._closed = True
        connections = list(self._connections)
        self._connections.clear()
        self._idle.clear()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(RuntimeError("the connection pool is closed"))
        for connection in connections:
            await connection.aclose()
