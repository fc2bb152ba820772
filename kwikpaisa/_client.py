"""The clients: :class:`KwikPaisa` (sync) and :class:`AsyncKwikPaisa` (async).

Both share every decision (settings, request building, what a response means,
whether and how long to wait before retrying) through :class:`_BaseClient` and
:class:`~kwikpaisa._call.CancelCall`; only the thin send-and-sleep loop exists twice.
"""

from __future__ import annotations

import logging
import ssl
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from ._call import CancelCall, Step
from ._constants import (
    CANCEL_ORDER_PATH,
    DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from ._environment import Environment, mask_key, resolve_settings
from ._logging import logger
from ._models import CancelledOrder
from ._validation import validate_order_id
from ._version import __version__
from .errors import ConfigurationError
from .signing import CANONICAL_BODY_EXTENSION, SigningAuth, canonical_payload

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterable

    import kwikpaisa_generated

    from ._bulk import CancelOutcome

__all__ = ["AsyncKwikPaisa", "KwikPaisa"]

TimeoutTypes = float | httpx.Timeout
_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)

# The waits between attempts (module attributes, so tests can make them instant).
_sleep = time.sleep


async def _async_sleep(seconds: float) -> None:
    # asyncio loads on first use: a bare ``import kwikpaisa`` stays light.
    import asyncio

    await asyncio.sleep(seconds)


def _make_timeout(timeout: object) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout), connect=min(DEFAULT_CONNECT_TIMEOUT, float(timeout)))


def _check_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
    return max_retries


class _BaseClient:
    """Settings and pure request/response logic shared by both clients."""

    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        api_key: str | None,
        secret_key: str | None,
        *,
        environment: Environment | str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        verify: bool | ssl.SSLContext,
    ) -> None:
        settings = resolve_settings(
            api_key=api_key, secret_key=secret_key, environment=environment, base_url=base_url
        )
        self.environment: Environment | None = settings.environment
        """The environment requests go to, or ``None`` for a custom ``base_url``."""
        self.base_url: str = settings.base_url
        """The base URL every request is sent to."""
        self.timeout: httpx.Timeout = _make_timeout(timeout)
        """Default timeout of each attempt (override per call with ``timeout=``)."""
        self.max_retries: int = _check_retries(max_retries)
        """Default retries after the first attempt (override per call with ``max_retries=``)."""
        if verify is not True and not isinstance(verify, ssl.SSLContext):
            if verify is not False:
                raise ValueError(f"verify must be True, False or an ssl.SSLContext, not {verify!r}")
            logger.warning("TLS certificate verification is OFF for %s", self.base_url)
        self._verify = verify
        self._api_key_masked = mask_key(settings.api_key)
        self._auth = SigningAuth(settings.api_key, settings.secret_key)
        self._cancel_url = self.base_url + CANCEL_ORDER_PATH
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"kwikpaisa-python/{__version__}",
        }

    def __repr__(self) -> str:
        env = self.environment.value if self.environment else "custom"
        return (
            f"{type(self).__name__}(environment={env!r}, base_url={self.base_url!r}, "
            f"api_key={self._api_key_masked!r})"
        )

    def _client_args(self, transport: Any) -> dict[str, Any]:
        """Arguments for an httpx client this SDK owns: signing, no redirects, pooled."""
        return {
            "base_url": self.base_url,
            "auth": self._auth,
            "timeout": self.timeout,
            "follow_redirects": False,
            "verify": self._verify,
            "transport": transport,
            "limits": httpx.Limits(
                max_connections=DEFAULT_MAX_CONNECTIONS,
                max_keepalive_connections=DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
            ),
            "headers": {"User-Agent": self._headers["User-Agent"]},
        }

    def _http_client_or_new(self, http_client: object, transport: object, cls: type[_H]) -> _H:
        """The caller's ``http_client`` (checked, not owned) or a new pooled client of ours."""
        if http_client is not None and not isinstance(http_client, cls):
            sibling = "AsyncKwikPaisa" if cls is httpx.Client else "KwikPaisa"
            other = httpx.AsyncClient if cls is httpx.Client else httpx.Client
            raise ConfigurationError(
                f"http_client must be an httpx.{cls.__name__}, not {type(http_client).__name__}"
                + (f" (use {sibling})" if isinstance(http_client, other) else "")
            )
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass http_client or transport, not both")
        self._owns_http = http_client is None
        self._transport = transport
        if http_client is not None:
            return http_client
        args = self._client_args(transport)
        if cls is httpx.AsyncClient and transport is None:
            # Our own async client sends through a pool that scales with concurrency.
            from ._pool import AsyncPoolTransport

            args["transport"] = AsyncPoolTransport(verify=self._verify, limits=args["limits"])
        return cls(**args)

    def _start_call(
        self, order_id: object, timeout: TimeoutTypes | None, max_retries: int | None
    ) -> tuple[CancelCall, httpx.Request]:
        """Validate the input and build the (not yet signed) request; no I/O."""
        oid = validate_order_id(order_id)
        retries = self.max_retries if max_retries is None else _check_retries(max_retries)
        call = CancelCall(oid, max_retries=retries, url=self._cancel_url)
        request = self._http.build_request(
            "POST",
            self._cancel_url,
            content=canonical_payload({"order_id": oid}),
            headers=self._headers,
            timeout=self.timeout if timeout is None else _make_timeout(timeout),
            extensions={CANONICAL_BODY_EXTENSION: True},
        )
        return call, request

    def _log_attempt(self, call: CancelCall, status: object, started: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s -> %s in %.1f ms (attempt %d of %d, api_key %s)",
                self._cancel_url,
                status,
                (time.perf_counter() - started) * 1000,
                call.attempts,
                call.max_retries + 1,
                self._api_key_masked,
            )

    def _after_response(
        self, call: CancelCall, response: httpx.Response, body: bytes | None
    ) -> Step:
        if response.is_redirect:
            return call.on_redirect(response.status_code, response.headers.get("location"))
        if body is None:
            return call.on_too_large(MAX_RESPONSE_BYTES)
        return call.on_response(response.status_code, response.headers, body)

    def _low_level(self, http: httpx.Client | httpx.AsyncClient) -> kwikpaisa_generated.Client:
        """A generated ``Client`` sending through ``http`` (whose auth signs every request)."""
        # The generated package loads on first use: facade users never pay for it.
        from kwikpaisa_generated import Client as GeneratedClient

        generated = GeneratedClient(base_url=self.base_url, raise_on_unexpected_status=False)
        if isinstance(http, httpx.AsyncClient):
            generated.set_async_httpx_client(http)
        else:
            generated.set_httpx_client(http)
        return generated


def _declared_too_large(response: httpx.Response) -> bool:
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) > MAX_RESPONSE_BYTES


class KwikPaisa(_BaseClient):
    """Synchronous KwikPaisa client. Thread-safe; share one per process.

    ``api_key``/``secret_key`` default to ``KWIKPAISA_API_KEY``/``KWIKPAISA_SECRET_KEY``;
    ``environment`` (default sandbox) to ``KWIKPAISA_ENVIRONMENT``; ``base_url``
    (overrides the environment) to ``KWIKPAISA_BASE_URL``. ``http_client`` lets you
    send through your own ``httpx.Client`` (it is not closed by :meth:`close`);
    ``transport`` plugs an httpx transport into the client this SDK builds (the
    emulator's in-process transport, for example).
    """

    _http: httpx.Client

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        *,
        environment: Environment | str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        super().__init__(
            api_key,
            secret_key,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            verify=verify,
        )
        self._http = self._http_client_or_new(http_client, transport, httpx.Client)
        self._low_level_http: httpx.Client | None = None
        self.orders = Orders(self)
        """Order operations: :meth:`Orders.cancel`."""

    @property
    def low_level_client(self) -> kwikpaisa_generated.Client:
        """The generated low-level client, with this client's base URL and signing attached.

        Pass it as ``client=`` to the functions in ``kwikpaisa_generated.api``; the
        ``x_api_key``/``x_signature``/``x_timestamp`` arguments they require are
        overwritten with fresh, correct values on every send.
        """
        if self._owns_http:
            return self._low_level(self._http)
        if self._low_level_http is None:
            self._low_level_http = httpx.Client(**self._client_args(self._transport))
        return self._low_level(self._low_level_http)

    def close(self) -> None:
        """Close the connection pool (not one passed in as ``http_client``)."""
        if self._owns_http:
            self._http.close()
        if self._low_level_http is not None:
            self._low_level_http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _attempt(self, call: CancelCall, request: httpx.Request) -> Step:
        call.start_attempt()
        started = time.perf_counter()
        try:
            response = self._http.send(
                request, auth=self._auth, follow_redirects=False, stream=True
            )
            try:
                body = None if _declared_too_large(response) else _read_capped(response)
            finally:
                response.close()
        except httpx.RequestError as exc:
            self._log_attempt(call, type(exc).__name__, started)
            return call.on_transport_error(exc)
        self._log_attempt(call, response.status_code, started)
        return self._after_response(call, response, body)


def _read_capped(response: httpx.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _aread_capped(response: httpx.Response) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class Orders:
    """Order operations of a :class:`KwikPaisa` client."""

    def __init__(self, client: KwikPaisa) -> None:
        self._client = client

    def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order and return it, now ``CANCELLED``.

        ``order_id`` is sent with the JSON type given (``"123"`` and ``123`` differ).
        ``timeout`` and ``max_retries`` override the client's defaults for this call.
        Raises an :class:`~kwikpaisa.APIError` subclass when KwikPaisa refuses (for
        example :class:`~kwikpaisa.OrderNotFoundError`), :class:`~kwikpaisa.APIConnectionError`
        when no answer came, ``TypeError``/``ValueError`` for a bad ``order_id``.
        """
        call, request = self._client._start_call(order_id, timeout, max_retries)
        while True:
            step = self._client._attempt(call, request)
            if step.result is not None:
                return step.result
            if step.error is not None:
                raise step.error
            assert step.delay is not None
            _sleep(step.delay)


class AsyncKwikPaisa(_BaseClient):
    """Asynchronous KwikPaisa client (asyncio). Share one per event loop.

    Takes the same arguments as :class:`KwikPaisa`, with an ``httpx.AsyncClient``
    for ``http_client`` and an async transport for ``transport``.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        *,
        environment: Environment | str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        super().__init__(
            api_key,
            secret_key,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            verify=verify,
        )
        self._http = self._http_client_or_new(http_client, transport, httpx.AsyncClient)
        self._low_level_http: httpx.AsyncClient | None = None
        self.orders = AsyncOrders(self)
        """Order operations: :meth:`AsyncOrders.cancel`, :meth:`AsyncOrders.cancel_many`."""

    @property
    def low_level_client(self) -> kwikpaisa_generated.Client:
        """The generated low-level client for its ``asyncio`` functions, signing attached."""
        if self._owns_http:
            return self._low_level(self._http)
        if self._low_level_http is None:
            self._low_level_http = httpx.AsyncClient(**self._client_args(self._transport))
        return self._low_level(self._low_level_http)

    async def close(self) -> None:
        """Close the connection pool (not one passed in as ``http_client``)."""
        if self._owns_http:
            await self._http.aclose()
        if self._low_level_http is not None:
            await self._low_level_http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _attempt(self, call: CancelCall, request: httpx.Request) -> Step:
        call.start_attempt()
        started = time.perf_counter()
        try:
            response = await self._http.send(
                request, auth=self._auth, follow_redirects=False, stream=True
            )
            try:
                body = None if _declared_too_large(response) else await _aread_capped(response)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            self._log_attempt(call, type(exc).__name__, started)
            return call.on_transport_error(exc)
        self._log_attempt(call, response.status_code, started)
        return self._after_response(call, response, body)


class AsyncOrders:
    """Order operations of an :class:`AsyncKwikPaisa` client."""

    def __init__(self, client: AsyncKwikPaisa) -> None:
        self._client = client

    async def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order; see :meth:`Orders.cancel`."""
        call, request = self._client._start_call(order_id, timeout, max_retries)
        while True:
            step = await self._client._attempt(call, request)
            if step.result is not None:
                return step.result
            if step.error is not None:
                raise step.error
            assert step.delay is not None
            await _async_sleep(step.delay)

    async def cancel_many(
        self,
        order_ids: Iterable[str | int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        on_outcome: Callable[[CancelOutcome], object] | None = None,
        stop: asyncio.Event | None = None,
    ) -> list[CancelOutcome]:
        """Cancel many orders, ``concurrency`` at a time: a :class:`~kwikpaisa.CancelOutcome` each.

        Never raises for one order's failure: each ends ``cancelled``, ``already_cancelled``
        (also when it was cancelled before the batch), ``not_found``, ``not_cancellable``
        or ``failed`` (an invalid id is ``failed`` and never sent). Duplicates are
        cancelled once; outcomes come back in input order, first occurrence kept. A 429
        or ``Retry-After`` pauses the whole batch. ``on_outcome`` is called as each order
        finishes (an exception from it stops the batch and is raised). Once ``stop`` is
        set no new order starts; orders never started have no outcome.
        """
        from ._bulk import cancel_many

        return await cancel_many(
            self._client,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
            sleep=_async_sleep,
        )
