"""The emulator's core: KwikPaisa's Order Cancel behaviour as a pure request handler.

``Emulator.handle`` takes a method, path, headers and the raw body and returns
what KwikPaisa would answer. The in-process transport, the loopback HTTP server
and the WSGI app are thin adapters around it.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import attrs

from .._client import AsyncKwikPaisa, KwikPaisa
from .._constants import (
    CANCEL_ORDER_PATH,
    EMULATOR_API_KEY,
    EMULATOR_SECRET_KEY,
    TIMESTAMP_TOLERANCE,
)
from .._models import IST
from ..signing import (
    canonical_payload,
    compute_signature,
    parse_timestamp,
    signature_matches,
)
from ._faults import Fault, FaultKind

if TYPE_CHECKING:
    import httpx

    from ._transport import EmulatorTransport

__all__ = [
    "CANCELLABLE_STATUSES",
    "ORDER_STATUSES",
    "Emulator",
    "EmulatorResponse",
    "read_request_body",
]

MAX_REQUEST_BODY = 1024 * 1024
"""The most of a request body the emulator's servers read."""


def read_request_body(content_length: object, read: Callable[[int], bytes]) -> bytes:
    """A request body for :meth:`Emulator.handle`: ``read`` called once for what
    ``Content-Length`` declares, up to :data:`MAX_REQUEST_BODY`."""
    length = str(content_length or "0")
    size = int(length) if length.isdigit() else 0
    return read(min(size, MAX_REQUEST_BODY)) if size else b""


ORDER_STATUSES = frozenset({"UN_PAID", "PENDING", "PAID", "CANCELLED", "EXPIRED"})
"""Order statuses the emulator knows."""
CANCELLABLE_STATUSES = frozenset({"UN_PAID", "PENDING"})
"""Statuses from which an order can be cancelled; the rest answer 409."""

DEFAULT_API_KEY = EMULATOR_API_KEY
DEFAULT_SECRET_KEY = EMULATOR_SECRET_KEY

_NOT_CANCELLABLE = {
    "PAID": "Order already paid; it cannot be cancelled.",
    "CANCELLED": "Order already cancelled.",
    "EXPIRED": "Order has expired; it cannot be cancelled.",
}


@attrs.frozen
class EmulatorResponse:
    """What the emulator answers: status, headers, body, and how to deliver it."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    action: FaultKind | None = None
    """``RESET`` or ``HANG`` when the answer must not arrive intact; ``LATENCY`` to delay it."""
    delay: float = 0.0


class Emulator:
    """A local KwikPaisa: verifies signatures for real and answers like the API.

    Thread-safe. Use it in-process (:meth:`transport`) or over a loopback socket
    (:meth:`serve`). ``clock`` returns the emulator's idea of UNIX time (shift it to
    test clock skew); ``latency`` delays every answer by that many seconds.
    """

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        secret_key: str = DEFAULT_SECRET_KEY,
        *,
        timestamp_tolerance: int = TIMESTAMP_TOLERANCE,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_key = api_key
        self._secret_key = secret_key
        self.timestamp_tolerance = timestamp_tolerance
        self.latency = latency
        self.clock = clock
        self._lock = threading.Lock()
        self._orders: dict[str, str] = {}
        self._cancels: Counter[str] = Counter()
        self._faults: deque[Fault] = deque()
        self.requests_received = 0
        """How many requests reached the emulator (every path, every outcome)."""

    @property
    def secret_key(self) -> str:
        """The secret the emulator verifies signatures with."""
        return self._secret_key

    def __repr__(self) -> str:
        return f"Emulator(api_key={self.api_key!r}, orders={len(self._orders)})"

    # -- orders -----------------------------------------------------------------

    def add_order(self, order_id: str | int, status: str = "UN_PAID") -> None:
        """Create (or reset) an order in the given status."""
        normalised = status.strip().upper()
        if normalised not in ORDER_STATUSES:
            raise ValueError(
                f"unknown order status {status!r}; use one of {', '.join(sorted(ORDER_STATUSES))}"
            )
        with self._lock:
            self._orders[str(order_id)] = normalised

    def order_status(self, order_id: str | int) -> str | None:
        """The order's current status, or ``None`` if it does not exist."""
        with self._lock:
            return self._orders.get(str(order_id))

    def cancel_count(self, order_id: str | int) -> int:
        """How many times this order was actually cancelled (1 at most, if all is well)."""
        with self._lock:
            return self._cancels[str(order_id)]

    @property
    def total_cancels(self) -> int:
        """Cancels performed across all orders."""
        with self._lock:
            return sum(self._cancels.values())

    # -- faults -----------------------------------------------------------------

    def inject(self, *faults: Fault, times: int = 1) -> None:
        """Apply these faults, in order, to the next cancel requests (each ``times`` times)."""
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
        """Serve on a loopback socket: ``with emu.serve() as base_url: ...``."""
        from ._server import serve

        return serve(self, host=host, port=port)

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
            base_url="http://emulator.localhost",
            transport=self.transport(),
            **options,
        )

    def async_client(self, **options: Any) -> AsyncKwikPaisa:
        """A :class:`kwikpaisa.AsyncKwikPaisa` wired to this emulator in-process."""
        return AsyncKwikPaisa(
            self.api_key,
            self._secret_key,
            base_url="http://emulator.localhost",
            transport=self.transport(),
            **options,
        )

    def deliver_webhook(
        self,
        url: str,
        event: str,
        data: Mapping[str, Any] | None = None,
        *,
        order_id: str | int | None = None,
        **options: Any,
    ) -> httpx.Response:
        """POST a webhook signed with this emulator's secret key to ``url``; return the
        receiver's ``httpx.Response``.

        Give ``data``, or ``order_id`` to send that order's id and current status. The
        timestamp comes from the emulator's clock. Options as
        :func:`kwikpaisa.testing.deliver_webhook`: ``tamper``, ``age`` (a replay),
        ``secret_key`` (sign with another key), ``timestamp``, ``transport``.
        """
        from ._webhooks import deliver_webhook

        if data is None:
            if order_id is None:
                raise TypeError("deliver_webhook needs data=... or order_id=...")
            status = self.order_status(order_id)
            if status is None:
                raise ValueError(f"the emulator has no order {order_id!r}; add_order() it first")
            data = {"order_id": str(order_id), "status": status}
        options.setdefault("secret_key", self._secret_key)
        options.setdefault("now", self.clock())
        return deliver_webhook(url, event, data, **options)

    # -- the API ----------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> EmulatorResponse:
        """Answer one request. ``headers`` keys must be lower-case."""
        with self._lock:
            self.requests_received += 1
        path = path.split("?", 1)[0]
        if path != CANCEL_ORDER_PATH:
            return self._error(404, "Not found.")
        if method.upper() != "POST":
            return self._error(405, "Method not allowed.", extra=(("Allow", "POST"),))
        fault = self._next_fault()
        if fault is not None and not fault.process_first and fault.kind is not FaultKind.LATENCY:
            return self._fault_response(fault)
        answer = self._cancel(headers, body)
        if fault is not None and fault.kind is FaultKind.LATENCY:
            return attrs.evolve(
                answer, action=FaultKind.LATENCY, delay=fault.seconds + self.latency
            )
        if fault is not None:
            return self._fault_response(fault)
        if self.latency:
            return attrs.evolve(answer, action=FaultKind.LATENCY, delay=self.latency)
        return answer

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _fault_response(self, fault: Fault) -> EmulatorResponse:
        if fault.kind is FaultKind.STATUS:
            headers = (("Content-Type", fault.content_type), *self._date(), *fault.headers)
            return EmulatorResponse(fault.status, headers, fault.body or b"")
        return EmulatorResponse(
            200,
            (("Content-Type", "application/json"), *self._date()),
            b"",
            action=fault.kind,
            delay=fault.seconds,
        )

    def _cancel(self, headers: Mapping[str, str], body: bytes) -> EmulatorResponse:
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
        order_id = payload.get("order_id")
        if order_id is None or order_id == "":
            return self._error(422, "The order_id field is required.")
        if isinstance(order_id, bool) or not isinstance(order_id, str | int):
            return self._error(422, "The order_id must be a string or an integer.")
        key = str(order_id)
        with self._lock:
            status = self._orders.get(key)
            if status is None:
                pass
            elif status in CANCELLABLE_STATUSES:
                self._orders[key] = "CANCELLED"
                self._cancels[key] += 1
        if status is None:
            return self._error(404, "Order not found.")
        if status not in CANCELLABLE_STATUSES:
            return self._error(409, _NOT_CANCELLABLE[status])
        cancelled_at = datetime.fromtimestamp(self.clock(), IST).strftime("%d-%m-%Y %I:%M %p")
        return self._json(
            200,
            {
                "code": "200",
                "status": "success",
                "message": "Order cancelled successfully.",
                "return_data": {
                    "order_id": order_id,
                    "order_status": "CANCELLED",
                    "cancelled_at": cancelled_at,
                },
            },
        )

    def _date(self) -> tuple[tuple[str, str]]:
        return (("Date", formatdate(self.clock(), usegmt=True)),)

    def _json(
        self, status: int, body: dict[str, Any], extra: tuple[tuple[str, str], ...] = ()
    ) -> EmulatorResponse:
        headers = (("Content-Type", "application/json"), *self._date(), *extra)
        return EmulatorResponse(status, headers, json.dumps(body).encode())

    def _error(
        self, status: int, message: str, extra: tuple[tuple[str, str], ...] = ()
    ) -> EmulatorResponse:
        return self._json(status, {"status": False, "code": status, "message": message}, extra)
