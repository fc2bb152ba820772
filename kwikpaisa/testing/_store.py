"""The emulator's order store: every order's documented fields, and its lifecycle.

One lock guards the store. Orders are keyed by ``str(order_id)`` (KwikPaisa's
guide treats ``6116229263036`` and ``"6116229263036"`` as the same order); each
record keeps the id's JSON type as it was given. Unpaid orders whose time is up
move to ``EXPIRED`` whenever the store is touched, and whenever :meth:`OrderStore.expire_due`
is called: by the emulator's expiry timer on the real clock, or by a
:class:`~kwikpaisa.testing.ManualClock` as it advances.
"""

from __future__ import annotations

import heapq
import math
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs

from .._models import IST

__all__ = [
    "CANCELLABLE_STATUSES",
    "OPEN_STATUSES",
    "ORDER_STATUSES",
    "PAYMENT_METHODS",
    "OrderRecord",
    "OrderStore",
    "StoreEvent",
    "format_amount",
    "kwikpaisa_time",
    "status_fields",
    "webhook_data",
]

ORDER_STATUSES = frozenset({"UN_PAID", "PENDING", "PAID", "CANCELLED", "EXPIRED", "FAILED"})
"""Order statuses the emulator knows."""
CANCELLABLE_STATUSES = frozenset({"UN_PAID", "PENDING"})
"""Statuses from which an order can be cancelled; the rest answer 409."""
OPEN_STATUSES = CANCELLABLE_STATUSES
"""Statuses in which the checkout page still takes a payment."""
PAYMENT_METHODS = {
    "UPI": "UPI",
    "CARD": "Card",
    "NET_BANKING": "Net banking",
    "WALLET": "Wallet",
}
"""Payment methods the checkout page offers (the guide's list), value to label."""

DEFAULT_AMOUNT = "100.00"
MAX_AMOUNT = 10**13
"""Amounts at or above this are refused (no real order is that large; it keeps the
emulator's decimal arithmetic exact)."""
DEFAULT_CURRENCY = "INR"

_DATE_FORMAT = "%d-%m-%Y %I:%M %p"

Amount = Decimal | int | float | str
"""An amount as the emulator takes it: a number or a numeric string."""

_T = TypeVar("_T")


def kwikpaisa_time(timestamp: float) -> str:
    """UNIX time in KwikPaisa's form: ``13-05-2026 09:14 AM``, Asia/Kolkata."""
    return datetime.fromtimestamp(timestamp, IST).strftime(_DATE_FORMAT)


def format_amount(value: object) -> str:
    """An amount as KwikPaisa reports it (``"105.00"``), or ``ValueError`` saying why not.

    Takes a JSON number or a numeric string; it must be greater than zero with at
    most two decimal places.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    if amount <= 0:
        raise ValueError("must be greater than zero")
    if amount >= MAX_AMOUNT:
        raise ValueError(f"must be less than {MAX_AMOUNT}")
    cents = amount.quantize(Decimal("0.01"))
    if amount != cents:
        raise ValueError("must have at most two decimal places")
    return f"{cents:f}"


@attrs.frozen(kw_only=True)
class OrderRecord:
    """One order as the emulator keeps it: the fields KwikPaisa documents, and what
    create was given. Dates are in KwikPaisa's form (see :func:`kwikpaisa_time`)."""

    order_id: str | int
    """The merchant's order id, with the JSON type it was created with."""
    kwikx_order_id: str
    """KwikPaisa's own id for the order (``"kp_" + uuid4``); the checkout page's key."""
    order_amount: str
    """Two-decimal string, as the status API reports it (``"105.00"``)."""
    currency: str
    order_status: str
    payment_method: str | None = None
    transaction_id: str | None = None
    created_at: str
    paid_at: str | None = None
    cancelled_at: str | None = None
    customer: Mapping[str, Any] | None = None
    return_url: str | None = None
    order_note: str | None = None
    service_type: str | None = None
    payment_link: str | None = None
    """The hosted checkout page (``None`` in the store for orders seeded with ``add_order``:
    theirs is on wherever the emulator is served)."""
    order_token: str | None = None
    created: float
    """The emulator's clock when the order was made (expiry counts from here)."""


@attrs.frozen
class StoreEvent:
    """A payment outcome the store reports (to the webhook sender): event name and order."""

    event: str
    order: OrderRecord


EVENTS = {"PAID": "payment.success", "FAILED": "payment.failed", "EXPIRED": "payment.expired"}
"""The webhook event the emulator sends when an order reaches each status."""


def webhook_data(order: OrderRecord) -> dict[str, Any]:
    """The ``data`` of the webhook the emulator sends for ``order``: KwikPaisa's
    documented example shape (order id as a string, two-decimal amount, currency, status)."""
    return {
        "order_id": str(order.order_id),
        "amount": order.order_amount,
        "currency": order.currency,
        "status": order.order_status,
    }


class OrderStore:
    """Orders, creates and cancels, under one lock. ``clock`` is the emulator's clock;
    ``expire_after`` seconds after creation an ``UN_PAID`` order becomes ``EXPIRED``
    (``None``: never). ``on_event`` hears each payment outcome, and ``on_deadline``
    each new expiry deadline (both outside the lock)."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        expire_after: float | None = None,
        on_event: Callable[[StoreEvent], None] | None = None,
        on_deadline: Callable[[], None] | None = None,
    ) -> None:
        if expire_after is not None and not (0 < expire_after < math.inf):
            raise ValueError(
                f"expire_after must be a finite number of seconds > 0, not {expire_after!r}"
            )
        self.clock = clock
        self.expire_after = expire_after
        self.on_event = on_event
        self.on_deadline = on_deadline
        self._lock = threading.Lock()
        self._orders: dict[str, OrderRecord] = {}
        self._by_kwikx: dict[str, str] = {}
        self._deadlines: list[tuple[float, str, str]] = []
        self.creates: Counter[str] = Counter()
        """Orders made by create, per order id (one, unless add_order reset it)."""
        self.create_requests: Counter[str] = Counter()
        """Authenticated create requests per order id, duplicates included."""
        self.cancels: Counter[str] = Counter()
        """Cancels performed per order id."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._orders)

    # -- reading ------------------------------------------------------------------

    def get(self, order_id: str | int) -> OrderRecord | None:
        """The order (after any expiry now due), or ``None``."""
        return self._touch(lambda: self._orders.get(str(order_id)))

    def by_kwikx(self, kwikx_order_id: str) -> OrderRecord | None:
        """The order KwikPaisa knows as ``kwikx_order_id``, or ``None``."""

        def find() -> OrderRecord | None:
            key = self._by_kwikx.get(kwikx_order_id)
            return None if key is None else self._orders.get(key)

        return self._touch(find)

    def next_deadline(self) -> float | None:
        """The clock time of the earliest pending expiry, or ``None`` when none is pending."""
        with self._lock:
            return self._deadlines[0][0] if self._deadlines else None

    def expire_due(self) -> None:
        """Expire every unpaid order whose time is up now (and report their events)."""
        self._touch(lambda: None)

    def count(self, counter: Counter[str], order_id: str | int) -> int:
        with self._lock:
            return counter[str(order_id)]

    def total(self, counter: Counter[str]) -> int:
        with self._lock:
            return sum(counter.values())

    # -- writing ------------------------------------------------------------------

    def new_record(
        self,
        order_id: str | int,
        *,
        status: str = "UN_PAID",
        amount: Amount = DEFAULT_AMOUNT,
        currency: str = DEFAULT_CURRENCY,
        base_url: str | None = None,
        **fields: Any,
    ) -> OrderRecord:
        """A fresh record (not stored yet) with a new ``kwikX_order_id`` and timestamps."""
        now = self.clock()
        kwikx = f"kp_{uuid.uuid4()}"
        return OrderRecord(
            order_id=order_id,
            kwikx_order_id=kwikx,
            order_amount=format_amount(amount),
            currency=currency,
            order_status=status,
            created_at=kwikpaisa_time(now),
            created=now,
            payment_link=checkout_url(base_url, kwikx) if base_url else None,
            **fields,
        )

    def put(self, record: OrderRecord) -> None:
        """Store ``record``, replacing any order with the same id."""
        self._touch(lambda: self._insert(record))

    def create(self, record: OrderRecord) -> OrderRecord | None:
        """Store ``record`` unless its order id exists; ``None`` for a duplicate."""

        def create() -> OrderRecord | None:
            key = str(record.order_id)
            self.create_requests[key] += 1
            if key in self._orders:
                return None
            self._insert(record)
            self.creates[key] += 1
            return record

        return self._touch(create)

    def cancel(self, order_id: str | int) -> tuple[str | None, OrderRecord | None]:
        """Cancel the order if it can be: its status before, and its record after."""

        def cancel() -> tuple[str | None, OrderRecord | None]:
            key = str(order_id)
            order = self._orders.get(key)
            if order is None or order.order_status not in CANCELLABLE_STATUSES:
                return (order.order_status if order else None), order
            self.cancels[key] += 1
            after = attrs.evolve(
                order, order_status="CANCELLED", cancelled_at=kwikpaisa_time(self.clock())
            )
            self._orders[key] = after
            return order.order_status, after

        return self._touch(cancel)

    def settle(
        self,
        order_id: str | int,
        status: str,
        *,
        only_from: frozenset[str] | None = None,
        **changes: Any,
    ) -> tuple[OrderRecord | None, OrderRecord | None]:
        """Move the order to ``status`` (when its status is in ``only_from``, if given):
        its record before and after (``after`` is ``None`` when nothing changed)."""
        events: list[StoreEvent] = []

        def settle() -> tuple[OrderRecord | None, OrderRecord | None]:
            order = self._orders.get(str(order_id))
            if order is None or (only_from is not None and order.order_status not in only_from):
                return order, None
            after = self._set(order, status, changes, events)
            return order, after

        return self._touch(settle, events)

    # -- inside the lock ----------------------------------------------------------

    def _insert(self, record: OrderRecord) -> None:
        key = str(record.order_id)
        previous = self._orders.get(key)
        if previous is not None:
            self._by_kwikx.pop(previous.kwikx_order_id, None)
        self._orders[key] = record
        self._by_kwikx[record.kwikx_order_id] = key
        if self.expire_after is not None and record.order_status == "UN_PAID":
            deadline = record.created + self.expire_after
            heapq.heappush(self._deadlines, (deadline, key, record.kwikx_order_id))

    def _set(
        self,
        order: OrderRecord,
        status: str,
        changes: Mapping[str, Any],
        events: list[StoreEvent],
    ) -> OrderRecord:
        stamps = status_fields(status, kwikpaisa_time(self.clock()), changes)
        after = attrs.evolve(order, order_status=status, **stamps)
        self._orders[str(order.order_id)] = after
        if status in EVENTS and status != order.order_status:
            events.append(StoreEvent(EVENTS[status], after))
        return after

    def _expire_due(self, events: list[StoreEvent]) -> None:
        now = self.clock()
        while self._deadlines and self._deadlines[0][0] <= now:
            _, key, kwikx = heapq.heappop(self._deadlines)
            order = self._orders.get(key)
            if (
                order is not None
                and order.kwikx_order_id == kwikx
                and order.order_status == "UN_PAID"
            ):
                self._set(order, "EXPIRED", {}, events)

    def _touch(self, action: Callable[[], _T], events: list[StoreEvent] | None = None) -> _T:
        """Run ``action`` under the lock after expiring what is due; then report events
        (and a new deadline, if ``action`` added one)."""
        events = [] if events is None else events
        with self._lock:
            self._expire_due(events)
            pending = len(self._deadlines)
            result = action()
            added = len(self._deadlines) > pending
        if added and self.on_deadline is not None:
            self.on_deadline()
        if self.on_event is not None:
            for event in events:
                self.on_event(event)
        return result


def status_fields(status: str, now: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an order moving to ``status`` at ``now`` gets, as KwikPaisa sets them:
    ``PAID`` sets ``paid_at``, ``payment_method`` (``changes``' or UPI) and a
    ``transaction_id``; ``CANCELLED`` sets ``cancelled_at``; ``FAILED`` records the method
    tried; back to unpaid clears them all."""
    if status == "PAID":
        return {
            "paid_at": now,
            "payment_method": changes.get("payment_method") or "UPI",
            "transaction_id": changes.get("transaction_id") or _transaction_id(),
        }
    if status == "CANCELLED":
        return {"cancelled_at": now}
    if status == "FAILED":
        return {"payment_method": changes.get("payment_method")}
    if status in OPEN_STATUSES:
        return {
            "paid_at": None,
            "payment_method": None,
            "transaction_id": None,
            "cancelled_at": None,
        }
    return {}


def checkout_url(base_url: str, kwikx_order_id: str) -> str:
    """The hosted checkout page of an order on the emulator at ``base_url``."""
    return f"{base_url.rstrip('/')}{CHECKOUT_PREFIX}{kwikx_order_id}"


CHECKOUT_PREFIX = "/checkout/"
"""Path prefix of the checkout pages: ``/checkout/{kwikX_order_id}``."""


def _transaction_id() -> str:
    return f"TXN{uuid.uuid4().int % 10**12:012d}"
