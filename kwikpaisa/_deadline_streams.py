"""Network streams that obey the current call's deadline, and the code that installs them.

Each connect, TLS handshake, read and write of a stream gets ``min(its timeout, time
left)`` and raises httpcore's timeout of that step once the deadline has passed, so a
peer trickling its headers or body, a slow TLS handshake and a slow connect all end by
the call's ``total_timeout``. Outside an SDK call (no current deadline) a stream behaves
exactly as the one it wraps, so wrapping a caller's own client changes nothing for their
other requests.

:func:`bound_client` installs the wrapping in an httpx client's transports (its default
one and every mounted one, proxies included) when they are httpx's own HTTP transports
(which send through an httpcore pool); the async client's pool wraps its backend itself.
Other transports are left as they are: the client then checks the deadline between body
chunks, and the async client also cancels the attempt when the time is up.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from ._deadline import Deadline, current

__all__ = ["AsyncDeadlineBackend", "DeadlineBackend", "bound_client"]


def _fail_late(deadline: Deadline, short: bool) -> None:
    """A timeout fired: when it was the time left, the deadline is what ran out."""
    if short:
        deadline.expired = True


class DeadlineStream(httpcore.NetworkStream):
    """A sync network stream whose every step ends by the current deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = current()
        if deadline is None:
            return self._stream.read(max_bytes, timeout)
        limit, short = deadline.fit(timeout, httpcore.ReadTimeout, last_look=True)
        try:
            return self._stream.read(max_bytes, limit)
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        deadline = current()
        if deadline is None:
            self._stream.write(buffer, timeout)
            return
        limit, short = deadline.fit(timeout, httpcore.WriteTimeout)
        deadline.wrote = deadline.wrote or bool(buffer)
        try:
            self._stream.write(buffer, limit)
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        deadline = current()
        if deadline is None:
            return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))
        limit, short = deadline.fit(timeout, httpcore.ConnectTimeout)
        try:
            return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, limit))
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """A sync httpcore network backend whose connections obey the current deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = current()
        limit, short = (
            (timeout, False) if deadline is None else deadline.fit(timeout, httpcore.ConnectTimeout)
        )
        try:
            stream = self._backend.connect_tcp(
                host,
                port,
                timeout=limit,
                local_address=local_address,
                socket_options=socket_options,
            )
        except httpcore.TimeoutException:
            if deadline is not None:
                _fail_late(deadline, short)
            raise
        return DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        deadline = current()
        limit, short = (
            (timeout, False) if deadline is None else deadline.fit(timeout, httpcore.ConnectTimeout)
        )
        try:
            stream = self._backend.connect_unix_socket(
                path, timeout=limit, socket_options=socket_options
            )
        except httpcore.TimeoutException:
            if deadline is not None:
                _fail_late(deadline, short)
            raise
        return DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    """An async network stream whose every step ends by the current deadline."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    # The timeout parameters below are httpcore's network interface.
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        deadline = current()
        if deadline is None:
            return await self._stream.read(max_bytes, timeout)
        limit, short = deadline.fit(timeout, httpcore.ReadTimeout, last_look=True)
        try:
            return await self._stream.read(max_bytes, limit)
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        deadline = current()
        if deadline is None:
            await self._stream.write(buffer, timeout)
            return
        limit, short = deadline.fit(timeout, httpcore.WriteTimeout)
        deadline.wrote = deadline.wrote or bool(buffer)
        try:
            await self._stream.write(buffer, limit)
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> httpcore.AsyncNetworkStream:
        deadline = current()
        if deadline is None:
            stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
            return AsyncDeadlineStream(stream)
        limit, short = deadline.fit(timeout, httpcore.ConnectTimeout)
        try:
            stream = await self._stream.start_tls(ssl_context, server_hostname, limit)
        except httpcore.TimeoutException:
            _fail_late(deadline, short)
            raise
        return AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """An async httpcore network backend whose connections obey the current deadline."""

    def __init__(self, backend: httpcore.AsyncNetworkBackend) -> None:
        self._backend = backend

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's network interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = current()
        limit, short = (
            (timeout, False) if deadline is None else deadline.fit(timeout, httpcore.ConnectTimeout)
        )
        try:
            stream = await self._backend.connect_tcp(
                host,
                port,
                timeout=limit,
                local_address=local_address,
                socket_options=socket_options,
            )
        except httpcore.TimeoutException:
            if deadline is not None:
                _fail_late(deadline, short)
            raise
        return AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's network interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = current()
        limit, short = (
            (timeout, False) if deadline is None else deadline.fit(timeout, httpcore.ConnectTimeout)
        )
        try:
            stream = await self._backend.connect_unix_socket(
                path, timeout=limit, socket_options=socket_options
            )
        except httpcore.TimeoutException:
            if deadline is not None:
                _fail_late(deadline, short)
            raise
        return AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _bound_transport(transport: object) -> bool:
    """Wrap the network backend of httpx's own HTTP transport (sync or async); True if done.

    httpx's transports keep their httpcore pool (plain, HTTP proxy or SOCKS proxy) as
    ``_pool``, and the pool its backend as ``_network_backend``: connections opened after
    this use the wrapped backend.
    """
    if not isinstance(transport, httpx.HTTPTransport | httpx.AsyncHTTPTransport):
        return False
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, DeadlineBackend | AsyncDeadlineBackend):
        return True
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
        return True
    if isinstance(backend, httpcore.AsyncNetworkBackend):
        pool._network_backend = AsyncDeadlineBackend(backend)  # type: ignore[union-attr]
        return True
    return False


def bound_client(client: httpx.Client | httpx.AsyncClient) -> httpx.Client | httpx.AsyncClient:
    """Make the connections of ``client``'s httpx HTTP transports obey the current call's
    deadline (its other transports are left as they are); return ``client``."""
    transports = [getattr(client, "_transport", None)]
    mounts = getattr(client, "_mounts", None)
    if isinstance(mounts, dict):
        transports.extend(mounts.values())
    for transport in transports:
        _bound_transport(transport)
    return client
