"""The clients: :class:`KwikPaisa` (sync) and :class:`AsyncKwikPaisa` (async).

Every operation travels one request path: validate, build (through the generated
endpoint), sign, send, read (capped), decide, retry. Both clients share every
decision (settings, request building, what a response means, whether and how long
to wait) through :class:`_BaseClient` and :class:`~kwikpaisa._call.Call`; only the
thin send-and-sleep loop exists twice. Operations themselves live in ``resources/``.
"""

from __future__ import annotations

import logging
import os
import ssl
import time
import weakref
from collections.abc import Mapping
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

import httpx

from kwikpaisa_generated.operations import AsyncResources, OperationSpec, SyncResources

from ._call import Call, Step, request_sent
from ._call_options import TimeoutTypes
from ._call_options import check_retries as _check_retries
from ._call_options import make_timeout as _make_timeout
from ._constants import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    MAX_RESPONSE_BYTES,
)
from ._deadline import EXPIRED_MESSAGE, Deadline, bounded
from ._environment import Environment, mask_key, resolve_settings
from ._logging import logger
from ._operation import Operation, operation_for
from ._proxy import environment_proxies_set, mask_proxy, proxy_for, resolve_proxy
from ._validation import validate_max_amount
from ._version import __version__
from .errors import ConfigurationError, EventLoopError
from .resources.orders import AsyncOrders, Orders
from .resources.raw import post_operation, validate_post
from .signing import CANONICAL_BODY_EXTENSION, SigningAuth, canonical_payload

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Iterable

    import kwikpaisa_generated

    from ._bulk import BatchKind, BatchOutcome

__all__ = ["AsyncKwikPaisa", "KwikPaisa"]

_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)
R = TypeVar("R")
O = TypeVar("O", bound="BatchOutcome")  # noqa: E741 (a batch's outcome type)

# The waits between attempts and the clock deadlines are read from (module attributes,
# so tests can make waits instant and move time without sleeping).
_sleep = time.sleep
_monotonic = time.monotonic

_MAX_PARSED_URLS = 64
"""How many request URLs a client keeps parsed (one per operation it calls, and the
paths ``kp.post`` was given)."""


async def _async_sleep(seconds: float) -> None:
    # asyncio loads on first use: a bare ``import kwikpaisa`` stays light.
    import asyncio

    await asyncio.sleep(seconds)


def _check_total_timeout(total_timeout: object) -> float | None:
    if total_timeout is None:
        return None
    if (
        isinstance(total_timeout, bool)
        or not isinstance(total_timeout, int | float)
        or not total_timeout > 0
    ):
        raise ValueError(
            f"total_timeout must be a positive number of seconds or None, got {total_timeout!r}"
        )
    return float(total_timeout)


class _BaseClient:
    """Settings and pure request/response logic shared by both clients."""

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _http: httpx.Client | httpx.AsyncClient
    _low_level_http: httpx.Client | httpx.AsyncClient | None
    _low_level_client: kwikpaisa_generated.Client | None

    def __init__(
        self,
        api_key: str | None,
        secret_key: str | None,
        *,
        environment: Environment | str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        total_timeout: float | None,
        verify: bool | ssl.SSLContext,
        allow_insecure_http: bool | None = None,
        max_amount: Decimal | int | str | None = None,
        proxy: str | None = None,
    ) -> None:
        settings = resolve_settings(
            api_key=api_key,
            secret_key=secret_key,
            environment=environment,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
        )
        self.environment: Environment | None = settings.environment
        """The environment requests go to, or ``None`` for a custom ``base_url``."""
        self.base_url: str = settings.base_url
        """The base URL every request is sent to."""
        self.timeout: httpx.Timeout = _make_timeout(timeout)
        """Default timeout of each attempt (override per call with ``timeout=``)."""
        self.max_retries: int = _check_retries(max_retries)
        """Default retries after the first attempt (override per call with ``max_retries=``)."""
        self.total_timeout: float | None = _check_total_timeout(total_timeout)
        """Default bound, in seconds, on a whole call: attempts, retries and waits together,
        however slowly the peer answers (``None``: per-attempt timeouts only). Override per
        call with ``total_timeout=``."""
        self.max_amount: Decimal | None = validate_max_amount(max_amount)
        """The largest amount ``orders.create`` sends, in rupees (``None``: no limit). A
        guard against paise passed as rupees: ``49900`` meant as ₹499 is refused."""
        if verify is not True and not isinstance(verify, ssl.SSLContext):
            if verify is not False:
                raise ValueError(f"verify must be True, False or an ssl.SSLContext, not {verify!r}")
            logger.warning("TLS certificate verification is OFF for %s", self.base_url)
        self._verify = verify
        self._proxy_argument: object = proxy
        self._proxy: str | None = None  # the explicit proxy (resolved with the http client)
        self._proxy_shown: str | None = None  # the proxy named in connection errors
        self._api_key_masked = mask_key(settings.api_key)
        self._auth = SigningAuth(settings.api_key, settings.secret_key)
        self._pid = os.getpid()
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"kwikpaisa-python/{__version__}",
        }
        self._urls: dict[str, httpx.URL] = {}

    def __repr__(self) -> str:
        env = self.environment.value if self.environment else "custom"
        proxy = f", proxy={mask_proxy(self._proxy)!r}" if self._proxy is not None else ""
        return (
            f"{type(self).__name__}(environment={env!r}, base_url={self.base_url!r}, "
            f"api_key={self._api_key_masked!r}{proxy})"
        )

    def _client_args(self, transport: Any) -> dict[str, Any]:
        """Arguments for an httpx client this SDK owns: signing, no redirects, pooled,
        through the explicit proxy if there is one (else httpx reads the environment's)."""
        args: dict[str, Any] = {
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
        if self._proxy is not None:
            args["proxy"] = self._proxy
        return args

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
        if http_client is not None or transport is not None:
            # A caller's own client or transport decides (KWIKPAISA_PROXY is not read).
            if self._proxy_argument is not None:
                given = "http_client" if http_client is not None else "transport"
                raise ConfigurationError(
                    f"pass proxy or {given}, not both: set the proxy on your own {given}"
                )
        else:
            self._proxy = resolve_proxy(self._proxy_argument)
            shown = proxy_for(self.base_url, self._proxy)
            self._proxy_shown = None if shown is None else mask_proxy(shown)
        self._owns_http = http_client is None
        # A client made by the SDK's own helper (DefaultAioHttpClient) belongs to the client
        # it is given to, and is closed with it; any other http_client stays the caller's.
        self._closes_http = self._owns_http or bool(
            getattr(type(http_client), "_closed_with_kwikpaisa_client", False)
        )
        self._transport = transport
        if http_client is None:
            return cast(_H, self._new_http())
        from ._deadline_streams import bound_client  # loads httpcore, as httpx's clients do

        return cast(_H, bound_client(http_client))

    def _new_http(self) -> httpx.Client | httpx.AsyncClient:
        """A new pooled httpx client of ours (of the client's kind): signing, no
        redirects, our limits."""
        cls = self._http_class
        args = self._client_args(self._transport)
        if (
            cls is httpx.AsyncClient
            and self._transport is None
            and self._proxy is None
            and not environment_proxies_set()
        ):
            # Our own async client sends through a pool that scales with concurrency. With
            # any proxy setting, httpx's own transport routes (exactly as httpx would).
            from ._pool import AsyncPoolTransport

            args["transport"] = AsyncPoolTransport(verify=self._verify, limits=args["limits"])
        from ._deadline_streams import bound_client  # loads httpcore, as httpx's clients do

        return bound_client(cls(**args))

    @property
    def low_level_client(self) -> kwikpaisa_generated.Client:
        """The generated low-level client, with this client's base URL and signing attached
        (created once per client; its ``asyncio`` functions on :class:`AsyncKwikPaisa`).

        Pass it as ``client=`` to the functions in ``kwikpaisa_generated.api``: every
        request it sends is signed afresh, and they return typed response envelopes.
        """
        self._reopen_after_fork()
        if self._low_level_client is None:
            if not self._owns_http and self._low_level_http is None:
                self._low_level_http = self._new_http()
            self._low_level_client = self._low_level(self._low_level_http or self._http)
        return self._low_level_client

    def _reopen_after_fork(self) -> None:
        # A child process never shares its parent's sockets: it opens a pool of its own.
        # (The parent's pool is dropped, not closed: closing would end the parent's TLS
        # sessions on the shared sockets.) A caller's own http_client stays theirs.
        if self._forked():
            if self._owns_http:
                self._http = self._new_http()
            if self._low_level_http is not None:
                self._low_level_http = self._new_http()
            self._low_level_client = None

    def _prepare(
        self,
        operation: Operation[R],
        fields: Mapping[str, Any],
        *,
        order_id: str | int | None,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        total_timeout: float | None,
        path: str | None = None,
    ) -> tuple[Call[R], httpx.Request]:
        """Build the (not yet signed) request through the generated endpoint; no I/O."""
        retries = self.max_retries if max_retries is None else _check_retries(max_retries)
        limit = self.total_timeout if total_timeout is None else _check_total_timeout(total_timeout)
        if operation.spec is not None:
            parts = operation.spec.request(fields)
            method, path, json_body = str(parts["method"]).upper(), parts["url"], parts["json"]
        else:
            method, json_body = "POST", fields
        url = self.base_url + str(path)
        call = Call(
            operation,
            order_id,
            max_retries=retries,
            url=url,
            subject=None if order_id is not None else f"POST {path}",
            total_timeout=limit,
            deadline=None if limit is None else _monotonic() + limit,
            proxy=self._proxy_shown,
        )
        request = self._http.build_request(
            method,
            self._parsed_url(url),
            content=canonical_payload(json_body),
            headers=self._headers,
            timeout=self.timeout if timeout is None else _make_timeout(timeout),
            extensions={CANONICAL_BODY_EXTENSION: True},
        )
        call.request = request
        if limit is not None:
            call.attempt_timeout = dict(request.extensions["timeout"])
        return call, request

    def _parsed_url(self, url: str) -> httpx.URL:
        """``url`` as an ``httpx.URL``, parsed once per client: an operation's URL is the
        same on every call, and parsing it is a large part of building a request."""
        parsed = self._urls.get(url)
        if parsed is None:
            parsed = httpx.URL(url)
            if len(self._urls) < _MAX_PARSED_URLS:  # kp.post may name any path: bounded
                self._urls[url] = parsed
        return parsed

    @staticmethod
    def _now() -> float:
        """The clock ``total_timeout`` is measured on (``time.monotonic``)."""
        return _monotonic()

    def _fit_attempt(self, call: Call[R], request: httpx.Request) -> Step[R] | None:
        """Start an attempt: a deadline error if ``total_timeout`` has run out, else
        ``None`` (with this attempt's timeouts shortened to the time left)."""
        call.start_attempt()
        if call.deadline is None:
            return None
        left = call.deadline - _monotonic()
        if left <= 0:
            call.attempts -= 1  # this attempt never started
            return Step(error=call.deadline_error(None))
        request.extensions["timeout"] = {
            phase: left if limit is None else min(limit, left)
            for phase, limit in call.attempt_timeout.items()
        }
        return None

    def _deadline_for(self, call: Call[R]) -> Deadline | None:
        """What the network steps of this attempt read the call's deadline from."""
        # The clock as patched now (tests move it), read directly at each network step.
        return None if call.deadline is None else Deadline(call.deadline, _monotonic)

    def _out_of_time(
        self, call: Call[R], deadline: Deadline | None, exc: httpx.RequestError
    ) -> Step[R] | None:
        """The deadline's error when a timeout of this attempt was the deadline running
        out, else ``None`` (the transport failure then decides, and may be retried)."""
        if deadline is None or not isinstance(exc, httpx.TimeoutException):
            return None
        if not (deadline.expired or deadline.passed()):
            return None
        return call.cut_short(sent=request_sent(exc))

    def _wait(self, call: Call[R], step: Step[R]) -> float:
        """The wait before the next attempt, or raise when it would outlast the deadline."""
        assert step.delay is not None
        if call.deadline is not None and _monotonic() + step.delay >= call.deadline:
            raise call.deadline_error(step.reason)
        return step.delay

    def _log_attempt(self, call: Call[R], status: object, started: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s -> %s in %.1f ms (attempt %d of %d, api_key %s)",
                call.url,
                status,
                (time.perf_counter() - started) * 1000,
                call.attempts,
                call.max_retries + 1,
                self._api_key_masked,
            )

    def _after_response(
        self, call: Call[R], response: httpx.Response, body: bytes | None
    ) -> Step[R]:
        if response.is_redirect:
            return call.on_redirect(response.status_code, response.headers.get("location"))
        if body is None:
            return call.on_too_large(MAX_RESPONSE_BYTES)
        return call.on_response(response.status_code, response.headers, body)

    def _forked(self) -> bool:
        """True (once) in a child process that inherited this client from its parent."""
        if self._pid == os.getpid():
            return False
        self._pid = os.getpid()
        return True

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


class KwikPaisa(_BaseClient, SyncResources):
    """Synchronous KwikPaisa client. Thread-safe; share one per process.

    ``api_key``/``secret_key`` default to ``KWIKPAISA_API_KEY``/``KWIKPAISA_SECRET_KEY``;
    ``environment`` (default sandbox) to ``KWIKPAISA_ENVIRONMENT``; ``base_url``
    (overrides the environment) to ``KWIKPAISA_BASE_URL``. ``http_client`` lets you
    send through your own ``httpx.Client`` (it is not closed by :meth:`close`);
    ``transport`` plugs an httpx transport into the client this SDK builds (the
    emulator's in-process transport, for example). ``max_amount`` (rupees; default no
    limit) makes ``orders.create`` refuse larger amounts before the network: a guard
    against amounts given in paise. ``proxy`` (default ``KWIKPAISA_PROXY``) sends every
    request through that proxy; without it ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``/
    ``NO_PROXY`` apply as in httpx (docs/proxies.md).
    """

    _http_class = httpx.Client
    _http: httpx.Client
    _low_level_http: httpx.Client | None

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        *,
        environment: Environment | str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        allow_insecure_http: bool | None = None,
        max_amount: Decimal | int | str | None = None,
        proxy: str | None = None,
    ) -> None:
        super().__init__(
            api_key,
            secret_key,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
            verify=verify,
            allow_insecure_http=allow_insecure_http,
            max_amount=max_amount,
            proxy=proxy,
        )
        self._http = self._http_client_or_new(http_client, transport, httpx.Client)
        self._low_level_http = None
        self._low_level_client = None
        self._attach_resources(self)
        self.orders: Orders = Orders(self)
        """Order operations: :meth:`Orders.cancel`, :meth:`Orders.status`, :meth:`Orders.create`,
        :meth:`Orders.cancel_many`, :meth:`Orders.status_many`, and every other
        ``/api/v3/pg/order/`` operation of the spec."""

    def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        idempotent: bool = False,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> dict[str, Any]:
        """POST ``body`` to ``path`` through the SDK's request path; return the parsed body.

        For operations KwikPaisa publishes before this SDK knows them: signed, checked for
        a failure body (also under HTTP 200), and raising the typed errors. Retries only
        what is safe: attempts that never reached KwikPaisa, and 429s; with
        ``idempotent=True`` also lost answers and 5xx.
        """
        validate_post(path, body)
        return self._request(
            post_operation(idempotent),
            body,
            order_id=None,
            path=path,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )

    def _call_generated(
        self,
        spec: OperationSpec[R],
        body: Any,
        *,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        total_timeout: float | None,
    ) -> R:
        """Run a generated method's call (``kp.orders.<name>(...)``) on the request path."""
        operation, fields, order_id = operation_for(spec, body)
        return self._request(
            operation,
            fields,
            order_id=order_id,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )

    def _request(self, operation: Operation[R], fields: Mapping[str, Any], **options: Any) -> R:
        """Run one call of ``operation`` to its end: the result, or the error."""
        call, request = self._prepare(operation, fields, **options)
        while True:
            step = self._attempt(call, request)
            if step.result is not None:
                return step.result
            if step.error is not None:
                raise step.error
            _sleep(self._wait(call, step))

    def _batch(
        self, kind: BatchKind[Any, O], order_ids: Iterable[str | int], **options: Any
    ) -> list[O]:
        """Run a batch (``orders.cancel_many``, ``status_many``) through this client."""
        from ._sync_bulk import run_sync_batch  # on first use: a bare import stays light

        return run_sync_batch(self, kind, order_ids, sleep=_async_sleep, **options)

    def close(self) -> None:
        """Close the connection pool (not one passed in as ``http_client``)."""
        if self._closes_http:
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

    def _attempt(self, call: Call[R], request: httpx.Request) -> Step[R]:
        expired = self._fit_attempt(call, request)
        if expired is not None:
            return expired
        self._reopen_after_fork()
        started = time.perf_counter()
        deadline = self._deadline_for(call)
        try:
            with bounded(deadline):
                response = self._http.send(
                    request, auth=self._auth, follow_redirects=False, stream=True
                )
                try:
                    too_large = _declared_too_large(response)
                    body = None if too_large else _read_capped(response, deadline)
                finally:
                    response.close()
        except httpx.RequestError as exc:
            self._log_attempt(call, type(exc).__name__, started)
            return self._out_of_time(call, deadline, exc) or call.on_transport_error(exc)
        self._log_attempt(call, response.status_code, started)
        return self._after_response(call, response, body)


def _check_between_chunks(
    response: httpx.Response, deadline: Deadline | None, received: int
) -> None:
    # A transport whose streams do not read the deadline (a caller's own) is still held
    # to it between chunks of the body. A body already complete (all of its declared
    # length arrived) is an answer, and is never thrown away for the deadline.
    if deadline is not None and deadline.passed() and not _complete(response, received):
        deadline.expired = True
        raise httpx.ReadTimeout(EXPIRED_MESSAGE, request=response.request)


def _complete(response: httpx.Response, received: int) -> bool:
    """True when all of the body's declared length has arrived (``received``: the bytes
    read so far, which are the bytes sent when no content coding applies)."""
    length = response.headers.get("content-length", "")
    if not length.isdigit():
        return False
    if "content-encoding" not in response.headers:
        received = max(received, response.num_bytes_downloaded)
    else:
        received = response.num_bytes_downloaded
    return received >= int(length)


def _read_capped(response: httpx.Response, deadline: Deadline | None = None) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
        _check_between_chunks(response, deadline, size)
    return b"".join(chunks)


async def _aread_capped(
    response: httpx.Response, deadline: Deadline | None = None
) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
        _check_between_chunks(response, deadline, size)
    return b"".join(chunks)


class AsyncKwikPaisa(_BaseClient, AsyncResources):
    """Asynchronous KwikPaisa client (asyncio). Share one per event loop.

    Takes the same arguments as :class:`KwikPaisa`, with an ``httpx.AsyncClient``
    for ``http_client`` and an async transport for ``transport``.
    """

    _http_class = httpx.AsyncClient
    _http: httpx.AsyncClient
    _low_level_http: httpx.AsyncClient | None

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        *,
        environment: Environment | str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: bool | ssl.SSLContext = True,
        allow_insecure_http: bool | None = None,
        max_amount: Decimal | int | str | None = None,
        proxy: str | None = None,
    ) -> None:
        super().__init__(
            api_key,
            secret_key,
            environment=environment,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
            verify=verify,
            allow_insecure_http=allow_insecure_http,
            max_amount=max_amount,
            proxy=proxy,
        )
        self._http = self._http_client_or_new(http_client, transport, httpx.AsyncClient)
        self._low_level_http = None
        self._low_level_client = None
        self._loop: weakref.ReferenceType[asyncio.AbstractEventLoop] | None = None
        self._attach_resources(self)
        self.orders: AsyncOrders = AsyncOrders(self)
        """Order operations: :meth:`AsyncOrders.cancel`, :meth:`AsyncOrders.status`,
        :meth:`AsyncOrders.create`, :meth:`AsyncOrders.cancel_many`."""

    async def post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        idempotent: bool = False,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> dict[str, Any]:
        """POST ``body`` to ``path``; see :meth:`KwikPaisa.post`."""
        validate_post(path, body)
        return await self._request(
            post_operation(idempotent),
            body,
            order_id=None,
            path=path,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )

    def _prepare(
        self, operation: Operation[R], fields: Mapping[str, Any], **options: Any
    ) -> tuple[Call[R], httpx.Request]:
        """:meth:`_BaseClient._prepare`, in the event loop the client belongs to (every
        call and every order of a batch starts here)."""
        self._check_event_loop()
        return super()._prepare(operation, fields, **options)

    def _check_event_loop(self) -> None:
        """Bind the client to the event loop of its first call; refuse any other loop
        (its pooled connections belong to the first) with :class:`EventLoopError`."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not under asyncio: nothing to compare
            return
        if self._loop is None or self._pid != os.getpid():
            # The first call (or the first in a forked child, which opens a new pool).
            self._loop = weakref.ref(loop)
        elif self._loop() is not loop:
            raise EventLoopError(
                "This AsyncKwikPaisa client was first used in another event loop, and its "
                "connections belong to that loop: use one client per event loop. Create "
                "the client inside the loop that uses it (in the coroutine you pass to "
                "asyncio.run, say) and close it there, or use KwikPaisa in synchronous code"
            )

    async def _call_generated(
        self,
        spec: OperationSpec[R],
        body: Any,
        *,
        timeout: TimeoutTypes | None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None,
        total_timeout: float | None,
    ) -> R:
        """Run a generated method's call; see :meth:`KwikPaisa._call_generated`."""
        operation, fields, order_id = operation_for(spec, body)
        return await self._request(
            operation,
            fields,
            order_id=order_id,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )

    async def _request(
        self, operation: Operation[R], fields: Mapping[str, Any], **options: Any
    ) -> R:
        """Run one call of ``operation`` to its end; see :meth:`KwikPaisa._request`."""
        call, request = self._prepare(operation, fields, **options)
        while True:
            step = await self._attempt(call, request)
            if step.result is not None:
                return step.result
            if step.error is not None:
                raise step.error
            await _async_sleep(self._wait(call, step))

    async def _batch(
        self, kind: BatchKind[Any, O], order_ids: Iterable[str | int], **options: Any
    ) -> list[O]:
        """Run a batch (``orders.cancel_many``, ``status_many``) through this client."""
        from ._bulk import run_batch  # on first use: a bare import stays light

        self._check_event_loop()  # before any order starts
        return await run_batch(self, kind, order_ids, sleep=_async_sleep, **options)

    async def close(self) -> None:
        """Close the connection pool: this client's own, or a
        :class:`~kwikpaisa.DefaultAioHttpClient` passed as ``http_client`` (any other
        ``http_client`` stays open: it is yours)."""
        if self._closes_http:
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

    async def _attempt(self, call: Call[R], request: httpx.Request) -> Step[R]:
        expired = self._fit_attempt(call, request)
        if expired is not None:
            return expired
        self._reopen_after_fork()
        started = time.perf_counter()
        deadline = self._deadline_for(call)
        # asyncio loads on first use: a bare ``import kwikpaisa`` stays light.
        import asyncio

        # Whatever the transport, the attempt is cancelled when the time left runs out.
        scope = asyncio.timeout(None if deadline is None else max(deadline.left(), 0.0))
        try:
            with bounded(deadline):
                async with scope:
                    response = await self._http.send(
                        request, auth=self._auth, follow_redirects=False, stream=True
                    )
                    try:
                        too_large = _declared_too_large(response)
                        body = None if too_large else await _aread_capped(response, deadline)
                    finally:
                        await response.aclose()
        except httpx.RequestError as exc:
            self._log_attempt(call, type(exc).__name__, started)
            return self._out_of_time(call, deadline, exc) or call.on_transport_error(exc)
        except TimeoutError:
            if deadline is None or not scope.expired():
                raise
            self._log_attempt(call, "deadline", started)
            # Only the SDK's own connections tell whether the request went out.
            return call.cut_short(sent=deadline.wrote or not deadline.used)
        self._log_attempt(call, response.status_code, started)
        return self._after_response(call, response, body)
