"""The emulator's core: KwikPaisa's order API and hosted checkout as a pure request handler.

``Emulator.handle`` takes a method, path, headers and the raw body and returns
what KwikPaisa would answer. One authentication check guards every API route; a
route table (:data:`~kwikpaisa.testing._routes.ROUTES`) maps each path to its
handler over one order store. The in-process transport, the loopback HTTP server
and the WSGI app are thin adapters around it.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from kwikpaisa_generated.operations import OPERATIONS

from .._client import AsyncKwikPaisa, KwikPaisa
from .._constants import EMULATOR_API_KEY, EMULATOR_SECRET_KEY, TIMESTAMP_TOLERANCE
from ..signing import canonical_payload, compute_signature, parse_timestamp, signature_matches
from ._answers import (
    EmulatorResponse,
    Headers,
    date_header,
    error_answer,
    html_answer,
    json_answer,
)
from ._checkout import ALLOWED_METHODS, is_checkout_path, serve_checkout
from ._clock import ManualClock
from ._delivery import DEFAULT_WEBHOOK_BACKOFF, DEFAULT_WEBHOOK_TIMEOUT, Delivery, WebhookSender
from ._expiry import ExpiryTimer
from ._faults import Fault, FaultKind
from ._limits import MAX_REQUEST_BODY, refusal, too_large
from ._routes import ROUTES, ApiRequest
from ._store import (
    CANCELLABLE_STATUSES,
    DEFAULT_AMOUNT,
    DEFAULT_CURRENCY,
    EVENTS,
    OPEN_STATUSES,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    Amount,
    OrderRecord,
    OrderStore,
    StoreEvent,
    checkout_url,
    status_fields,
    webhook_data,
)

if TYPE_CHECKING:
    import httpx

    from ._transport import EmulatorTransport

__all__ = [
    "CANCELLABLE_STATUSES",
    "IN_PROCESS_BASE_URL",
    "ORDER_STATUSES",
    "Emulator",
    "EmulatorResponse",
]

IN_PROCESS_BASE_URL = "http://emulator.localhost"
"""The emulator's base URL when it is reached in-process (never resolved)."""

API_PATH_PREFIX = "/api/"
"""Paths under which the emulator answers as KwikPaisa's API (its JSON error body for an
unknown one); any other unknown path gets :data:`NOT_FOUND_PAGE`, as from a web server."""

NOT_FOUND_PAGE = "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"


DEFAULT_API_KEY = EMULATOR_API_KEY
DEFAULT_SECRET_KEY = EMULATOR_SECRET_KEY


class Emulator:
    """A local KwikPaisa: verifies signatures for real and answers like the API, and
    serves a hosted checkout page whose outcomes are sent as signed webhooks.

    Thread-safe. Use it in-process (:meth:`transport`) or over a loopback socket
    (:meth:`serve`). ``clock`` returns the emulator's idea of UNIX time (shift it to
    test clock skew; a :class:`~kwikpaisa.testing.ManualClock` to move it by hand);
    ``latency`` delays every API answer by that many seconds. ``expire_after`` seconds
    after creation an unpaid order becomes ``EXPIRED`` and ``payment.expired`` is sent
    (``None``: never): on time by itself on the real clock (the default) and as a
    ``ManualClock`` advances; on any other clock, when the orders are next touched.
    With ``webhook_url`` each payment outcome is POSTed
    there (``webhook_*`` options: retry ``backoff`` schedule, per-attempt
    ``timeout``, ``duplicates`` to send each event twice, ``shuffle`` to send events
    out of order, ``fail_first`` to count the first N attempts of each event as failed
    whatever the receiver answers, so it sees them retried; ``transport`` to deliver
    without a socket). Call :meth:`close` (or
    use it as a context manager) to stop the webhook worker.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        secret_key: str = DEFAULT_SECRET_KEY,
        *,
        timestamp_tolerance: int = TIMESTAMP_TOLERANCE,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
        expire_after: float | None = None,
        webhook_url: str | None = None,
        webhook_backoff: Sequence[float] = DEFAULT_WEBHOOK_BACKOFF,
        webhook_timeout: float = DEFAULT_WEBHOOK_TIMEOUT,
        webhook_duplicates: bool = False,
        webhook_shuffle: bool = False,
        webhook_fail_first: int = 0,
        webhook_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.api_key = api_key
        self._secret_key = secret_key
        self.timestamp_tolerance = timestamp_tolerance
        self.latency = latency
        self.clock = clock
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._served_at: list[str] = []
        self._store = OrderStore(
            lambda: self.clock(),
            expire_after=expire_after,
            on_event=self._on_store_event,
            on_deadline=self._on_deadline,
        )
        self._expiry = (
            ExpiryTimer(self._store) if expire_after is not None and clock is time.time else None
        )
        if isinstance(clock, ManualClock):
            clock.on_advance(self._store.expire_due)
        self._webhooks = (
            WebhookSender(
                webhook_url,
                secret_key,
                lambda: self.clock(),
                backoff=webhook_backoff,
                timeout=webhook_timeout,
                duplicates=webhook_duplicates,
                shuffle=webhook_shuffle,
                fail_first=webhook_fail_first,
                transport=webhook_transport,
            )
            if webhook_url
            else None
        )
        self.requests_received = 0
        """How many requests reached the emulator (every path, every outcome)."""

    @property
    def secret_key(self) -> str:
        """The secret the emulator verifies signatures with."""
        return self._secret_key

    @property
    def expire_after(self) -> float | None:
        """Seconds after creation an unpaid order expires (``None``: never)."""
        return self._store.expire_after

    @property
    def webhook_url(self) -> str | None:
        """Where payment outcomes are POSTed, if anywhere."""
        return self._webhooks.url if self._webhooks else None

    @property
    def base_url(self) -> str:
        """Where the emulator is reached: the socket server serving it (the latest one
        started), else :data:`IN_PROCESS_BASE_URL`."""
        with self._lock:
            return self._served_at[-1] if self._served_at else IN_PROCESS_BASE_URL

    def __repr__(self) -> str:
        return f"Emulator(api_key={self.api_key!r}, orders={len(self._store)})"

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the webhook worker (undelivered events are dropped) and the expiry timer
        (an order added later starts it again)."""
        if self._expiry is not None:
            self._expiry.close()
        if self._webhooks is not None:
            self._webhooks.close()

    def _on_deadline(self) -> None:
        if self._expiry is not None:
            self._expiry.wake()

    # -- orders -----------------------------------------------------------------

    def add_order(
        self,
        order_id: str | int,
        status: str = "UN_PAID",
        *,
        amount: Amount = DEFAULT_AMOUNT,
        currency: str = DEFAULT_CURRENCY,
        return_url: str | None = None,
        customer: Mapping[str, str] | None = None,
        order_note: str | None = None,
        service_type: str | None = "DIGITAL",
    ) -> OrderRecord:
        """Create (or reset) an order in the given status, as if made by create (no
        webhook is sent); return its record. ``amount`` is a number or numeric string."""
        normalised = _known_status(status)
        record = self._store.new_record(
            order_id,
            status=normalised,
            amount=amount,
            currency=currency,
            return_url=return_url,
            customer=dict(customer) if customer is not None else None,
            order_note=order_note,
            service_type=service_type,
        )
        record = attrs.evolve(record, **status_fields(normalised, record.created_at, {}))
        self._store.put(record)
        return self._view(record)

    def order(self, order_id: str | int) -> OrderRecord | None:
        """A copy of the order's record (after any expiry now due), or ``None``."""
        record = self._store.get(order_id)
        return None if record is None else self._view(record)

    def order_status(self, order_id: str | int) -> str | None:
        """The order's current status, or ``None`` if it does not exist."""
        record = self._store.get(order_id)
        return None if record is None else record.order_status

    def checkout_url(self, order_id: str | int) -> str:
        """The order's checkout page: its ``payment_link``, or the page on :attr:`base_url`."""
        record = self._require(order_id)
        return record.payment_link or checkout_url(self.base_url, record.kwikx_order_id)

    def set_status(self, order_id: str | int, status: str) -> OrderRecord:
        """Move the order to ``status``, whatever it was, as KwikPaisa would have (``PAID``
        sets ``paid_at``, ``payment_method`` and ``transaction_id``); sends the webhook
        for ``PAID``, ``FAILED`` and ``EXPIRED``. Returns the record."""
        normalised = _known_status(status)
        _, after = self._store.settle(order_id, normalised)
        if after is None:
            raise KeyError(f"the emulator has no order {order_id!r}")
        return self._view(after)

    def pay(self, order_id: str | int, method: str = "UPI") -> OrderRecord:
        """Pay an open order as the checkout page's Pay button does: ``PAID``, and the
        ``payment.success`` webhook. ``ValueError`` if it is no longer open."""
        return self._settle_open(order_id, "PAID", payment_method=_known_method(method))

    def fail(self, order_id: str | int, method: str = "UPI") -> OrderRecord:
        """Fail an open order's payment as the Fail button does: ``FAILED``, and the
        ``payment.failed`` webhook. ``ValueError`` if it is no longer open."""
        return self._settle_open(order_id, "FAILED", payment_method=_known_method(method))

    def expire(self, order_id: str | int) -> OrderRecord:
        """Expire an unpaid order now: ``EXPIRED``, and the ``payment.expired`` webhook.
        ``ValueError`` if it is not unpaid."""
        return self._settle_open(order_id, "EXPIRED", only_from=frozenset({"UN_PAID"}))

    def _settle_open(
        self,
        order_id: str | int,
        status: str,
        *,
        only_from: frozenset[str] = OPEN_STATUSES,
        **changes: Any,
    ) -> OrderRecord:
        before, after = self._store.settle(order_id, status, only_from=only_from, **changes)
        if before is None:
            raise KeyError(f"the emulator has no order {order_id!r}")
        if after is None:
            raise ValueError(
                f"order {order_id!r} is {before.order_status}; it cannot become {status}"
            )
        return self._view(after)

    def _view(self, record: OrderRecord) -> OrderRecord:
        """A copy the caller may keep (its customer mapping copied too); an order seeded
        by :meth:`add_order` gets its ``payment_link`` on the current :attr:`base_url`."""
        customer = dict(record.customer) if record.customer is not None else None
        link = record.payment_link or checkout_url(self.base_url, record.kwikx_order_id)
        return attrs.evolve(record, customer=customer, payment_link=link)

    def _require(self, order_id: str | int) -> OrderRecord:
        record = self._store.get(order_id)
        if record is None:
            raise KeyError(f"the emulator has no order {order_id!r}")
        return record

    def cancel_count(self, order_id: str | int) -> int:
        """How many times this order was actually cancelled (1 at most, if all is well)."""
        return self._store.count(self._store.cancels, order_id)

    @property
    def total_cancels(self) -> int:
        """Cancels performed across all orders."""
        return self._store.total(self._store.cancels)

    def create_count(self, order_id: str | int) -> int:
        """How many times create made this order (1 at most, if all is well; ``add_order``
        does not count)."""
        return self._store.count(self._store.creates, order_id)

    def create_requests(self, order_id: str | int) -> int:
        """Authenticated create requests for this order id, duplicates (409) included."""
        return self._store.count(self._store.create_requests, order_id)

    # -- webhooks ---------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt so far (empty without ``webhook_url``)."""
        return self._webhooks.deliveries if self._webhooks else []

    def wait_for_deliveries(self, timeout: float = 10.0) -> list[Delivery]:
        """Block until every webhook event so far has been delivered (or given up on
        after its retries), releasing any held back by ``webhook_shuffle``; return
        :attr:`deliveries`. ``TimeoutError`` if that takes longer than ``timeout`` s."""
        if self._webhooks is not None:
            self._webhooks.wait(timeout)
        return self.deliveries

    def flush_webhooks(self, timeout: float = 10.0) -> None:
        """Send every queued webhook event now and wait for them (as
        :meth:`wait_for_deliveries`)."""
        self.wait_for_deliveries(timeout)

    def _on_store_event(self, event: StoreEvent) -> None:
        if self._webhooks is None:
            return
        self._webhooks.send(event.event, webhook_data(event.order), event.order.order_id)

    # -- faults -----------------------------------------------------------------

    def inject(self, *faults: Fault, times: int = 1) -> None:
        """Apply these faults, in order, to the next API requests (each ``times`` times)."""
        with self._lock:
            for fault in faults:
                self._faults.extend([fault] * times)

    @property
    def pending_faults(self) -> int:
        """Injected faults not yet used."""
        with self._lock:
            return len(self._faults)

    @contextmanager
    def faults(self, *faults: Fault, times: int = 1) -> Iterator[None]:
        """Inject faults for the duration of a ``with`` block, then drop any left over."""
        self.inject(*faults, times=times)
        try:
            yield
        finally:
            with self._lock:
                self._faults.clear()

    # -- adapters ---------------------------------------------------------------

    def transport(self) -> EmulatorTransport:
        """An httpx transport (sync and async) that answers in-process, no sockets."""
        from ._transport import EmulatorTransport

        return EmulatorTransport(self)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractContextManager[str]:
        """Serve on a loopback socket: ``with emu.serve() as base_url: ...``. Leaving the
        block stops the server and the webhook worker."""
        from ._server import serve

        return serve(self, host=host, port=port)

    def _serving(self, base_url: str, serving: bool) -> None:
        """Called by the socket server as it starts and stops."""
        with self._lock:
            if serving:
                self._served_at.append(base_url)
            elif base_url in self._served_at:
                self._served_at.remove(base_url)

    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """Headers that make ``body`` a correctly signed request to this emulator."""
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        return {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-API-KEY": self.api_key,
            "X-TIMESTAMP": ts,
            "X-SIGNATURE": compute_signature(body, ts, self._secret_key),
        }

    def client(self, **options: Any) -> KwikPaisa:
        """A :class:`kwikpaisa.KwikPaisa` wired to this emulator in-process."""
        return KwikPaisa(
            self.api_key,
            self._secret_key,
            base_url=IN_PROCESS_BASE_URL,
            transport=self.transport(),
            **options,
        )

    def async_client(self, **options: Any) -> AsyncKwikPaisa:
        """A :class:`kwikpaisa.AsyncKwikPaisa` wired to this emulator in-process."""
        return AsyncKwikPaisa(
            self.api_key,
            self._secret_key,
            base_url=IN_PROCESS_BASE_URL,
            transport=self.transport(),
            **options,
        )

    def deliver_webhook(
        self,
        url: str,
        event: str | None = None,
        data: Mapping[str, Any] | None = None,
        *,
        order_id: str | int | None = None,
        **options: Any,
    ) -> httpx.Response:
        """POST a webhook signed with this emulator's secret key to ``url``; return the
        receiver's ``httpx.Response``.

        Give ``event`` and ``data``; or ``order_id`` to send exactly the event the
        emulator itself sends for that order (the same body, byte for byte): its
        ``order_id``, ``amount``, ``currency`` and ``status`` now, under the event for
        its status (``payment.success`` for ``PAID``, ``payment.failed`` for ``FAILED``,
        ``payment.expired`` for ``EXPIRED``; give ``event`` to send another name). The
        timestamp comes from the emulator's clock. Options as
        :func:`kwikpaisa.testing.deliver_webhook`: ``tamper``, ``age`` (a replay),
        ``secret_key`` (sign with another key), ``timestamp``, ``transport``.
        """
        from ._webhooks import deliver_webhook

        event, data = self._webhook_event(event, data, order_id)
        options.setdefault("secret_key", self._secret_key)
        options.setdefault("now", self.clock())
        return deliver_webhook(url, event, data, **options)

    def _webhook_event(
        self, event: str | None, data: Mapping[str, Any] | None, order_id: str | int | None
    ) -> tuple[str, Mapping[str, Any]]:
        """The event name and data :meth:`deliver_webhook` sends, or the error saying
        which argument to give."""
        if data is not None and order_id is not None:
            raise TypeError("deliver_webhook takes data=... or order_id=..., not both")
        if data is not None:
            if event is None:
                raise TypeError("deliver_webhook needs the event name with data=...")
            return event, data
        if order_id is None:
            raise TypeError("deliver_webhook needs data=... or order_id=...")
        record = self._store.get(order_id)
        if record is None:
            raise ValueError(f"the emulator has no order {order_id!r}; add_order() it first")
        if event is None:
            event = EVENTS.get(record.order_status)
        if event is None:
            raise ValueError(
                f"order {order_id!r} is {record.order_status}: the emulator sends no webhook "
                "for it (only PAID, FAILED and EXPIRED orders); pay(), fail() or expire() it "
                "first, or give the event name"
            )
        return event, webhook_data(record)

    # -- the API ----------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str | None = None,
    ) -> EmulatorResponse:
        """Answer one request. ``headers`` keys must be lower-case. ``base_url`` is where
        the request reached the emulator (payment links point there; default
        :attr:`base_url`)."""
        with self._lock:
            self.requests_received += 1
        if len(body) > MAX_REQUEST_BODY:
            return refusal(self.clock, too_large(len(body)))
        path = path.split("?", 1)[0]
        method = method.upper()
        if is_checkout_path(path):
            if method not in ALLOWED_METHODS.split(", "):
                return self._error(405, "Method not allowed.", extra=(("Allow", ALLOWED_METHODS),))
            return serve_checkout(method, path, body, self._store)
        handler = ROUTES.get(path)
        if handler is None and not path.startswith(API_PATH_PREFIX):
            # No API lives there: the web server's own page, not KwikPaisa's error body.
            return html_answer(self.clock, 404, NOT_FOUND_PAGE)
        if handler is None:
            return self._unimplemented(method, path) or self._error(404, "Not found.")
        if method != "POST":
            return self._error(405, "Method not allowed.", extra=(("Allow", "POST"),))
        fault = self._next_fault()
        if fault is not None and not fault.process_first and fault.kind is not FaultKind.LATENCY:
            return self._fault_response(fault)
        payload = self._authenticate(headers, body)
        if isinstance(payload, EmulatorResponse):
            answer = payload
        else:
            answer = handler(ApiRequest(payload, self._store, base_url or self.base_url))
        if fault is not None and fault.kind is FaultKind.LATENCY:
            return attrs.evolve(
                answer, action=FaultKind.LATENCY, delay=fault.seconds + self.latency
            )
        if fault is not None:
            return self._fault_response(fault)
        if self.latency:
            return attrs.evolve(answer, action=FaultKind.LATENCY, delay=self.latency)
        return answer

    def _authenticate(
        self, headers: Mapping[str, str], body: bytes
    ) -> dict[str, Any] | EmulatorResponse:
        """The signed JSON object in ``body``, or the error answer: key, timestamp,
        signature over the raw body, and a canonical body, for every route alike."""
        missing = [
            name
            for name in ("X-API-KEY", "X-TIMESTAMP", "X-SIGNATURE")
            if not headers.get(name.lower())
        ]
        if missing:
            return self._error(401, f"Missing required headers: {', '.join(missing)}.")
        if not hmac.compare_digest(headers["x-api-key"].encode(), self.api_key.encode()):
            return self._error(401, "Invalid API key.")
        timestamp = parse_timestamp(headers["x-timestamp"])
        if timestamp is None:
            return self._error(401, "Invalid timestamp.")
        if abs(self.clock() - timestamp) > self.timestamp_tolerance:
            return self._error(401, "Request timestamp expired.")
        if not signature_matches(
            body, headers["x-timestamp"], headers["x-signature"], self._secret_key
        ):
            return self._error(401, "Invalid signature.")
        try:
            payload = json.loads(body)
        except ValueError:
            return self._error(400, "Invalid JSON payload.")
        if not isinstance(payload, dict):
            return self._error(400, "Invalid payload: expected a JSON object.")
        try:
            canonical = canonical_payload(payload)
        except ValueError:
            canonical = b""
        if canonical != body:
            return self._error(
                401,
                "Invalid signature: the payload is not in canonical form (sorted keys, compact).",
            )
        return payload

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _fault_response(self, fault: Fault) -> EmulatorResponse:
        if fault.kind is FaultKind.STATUS:
            headers: Headers = (
                ("Content-Type", fault.content_type),
                *self._date(),
                *fault.headers,
            )
            return EmulatorResponse(fault.status, headers, fault.body or b"")
        return EmulatorResponse(
            200,
            (("Content-Type", "application/json"), *self._date()),
            b"",
            action=fault.kind,
            delay=fault.seconds,
        )

    def _date(self) -> Headers:
        return date_header(self.clock)

    def _json(self, status: int, body: dict[str, Any], extra: Headers = ()) -> EmulatorResponse:
        return json_answer(self.clock, status, body, extra)

    def _unimplemented(self, method: str, path: str) -> EmulatorResponse | None:
        """A 501 naming an operation of KwikPaisa's spec that the emulator has no route for."""
        for spec in OPERATIONS:
            if spec.path == path and spec.method == method:
                return self._error(
                    501,
                    f"The emulator does not implement {spec.resource}.{spec.name} ({method} "
                    f"{path}); test it with an in-process transport or against the sandbox.",
                )
        return None

    def _error(self, status: int, message: str, extra: Headers = ()) -> EmulatorResponse:
        return error_answer(self.clock, status, message, extra)


def _known_method(method: str) -> str:
    if method not in PAYMENT_METHODS:
        raise ValueError(
            f"unknown payment method {method!r}; use one of {', '.join(PAYMENT_METHODS)}"
        )
    return method


def _known_status(status: str) -> str:
    normalised = status.strip().upper()
    if normalised not in ORDER_STATUSES:
        raise ValueError(
            f"unknown order status {status!r}; use one of {', '.join(sorted(ORDER_STATUSES))}"
        )
    return normalised
