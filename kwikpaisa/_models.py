"""Typed results returned by the clients."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

import attrs

__all__ = [
    "IST",
    "CancelledOrder",
    "CreatedOrder",
    "Customer",
    "Order",
    "OrderStatus",
    "parse_kwikpaisa_datetime",
]

OrderStatus = Literal["UN_PAID", "PENDING", "PAID", "CANCELLED", "EXPIRED"]
"""The order statuses KwikPaisa's guide documents. Others (a sandbox failure, a status
added later) arrive as plain strings rather than raising."""

IST = timezone(timedelta(hours=5, minutes=30), "IST")
"""India Standard Time (Asia/Kolkata, UTC+05:30, no daylight saving): the zone
KwikPaisa's zone-less timestamps are read in."""


@attrs.frozen(kw_only=True)
class CancelledOrder:
    """An order KwikPaisa has cancelled."""

    order_id: str | int
    """The order id as KwikPaisa returned it (a number or a string)."""
    status: str
    """The order's status after the call: ``"CANCELLED"``."""
    cancelled_at: datetime | None
    """When it was cancelled (timezone-aware, Asia/Kolkata), or ``None`` if not given."""
    message: str | None
    """KwikPaisa's message, e.g. ``"Order cancelled successfully."``."""
    raw: dict[str, Any] = attrs.field(repr=False)
    """The whole parsed response body."""
    already_cancelled: bool = False
    """True when an earlier attempt of this same call cancelled the order and a retry
    found it cancelled: the cancel succeeded, once."""
    attempts: int = 1
    """How many attempts the call took."""


@attrs.frozen(kw_only=True)
class Customer:
    """The customer an order is created for (``orders.create(customer=...)``)."""

    name: str
    """The customer's name, as the payment page shows it."""
    email: str
    """An email address (``someone@example.com``)."""
    phone: str
    """A phone number: digits, optionally with a leading ``+`` (8 to 15 digits)."""


@attrs.frozen(kw_only=True)
class Order:
    """An order as ``orders.status`` reports it: verify payments with this, not the redirect."""

    order_id: str | int
    """The merchant's order id, with the JSON type KwikPaisa returned."""
    kwikx_order_id: str | None
    """KwikPaisa's own id for the order (``kp_…``)."""
    amount: Decimal | None
    """The order amount (KwikPaisa sends ``"105.00"``), or ``None`` if not given."""
    currency: str | None
    """ISO currency code, e.g. ``"INR"``."""
    status: OrderStatus | str
    """``UN_PAID``, ``PENDING``, ``PAID``, ``CANCELLED``, ``EXPIRED``, or another status
    KwikPaisa reports (kept as given)."""
    payment_method: str | None
    """How it was paid (``"UPI"``, ...), once paid."""
    transaction_id: str | None
    """The payment's transaction id, once paid."""
    created_at: datetime | None
    """When the order was created (timezone-aware, Asia/Kolkata)."""
    paid_at: datetime | None
    """When it was paid (timezone-aware, Asia/Kolkata), or ``None``."""
    raw: dict[str, Any] = attrs.field(repr=False)
    """The whole parsed response body."""
    attempts: int = 1
    """How many attempts the call took."""

    @property
    def is_paid(self) -> bool:
        """True when the status is ``PAID``."""
        return self.status == "PAID"


@attrs.frozen(kw_only=True)
class CreatedOrder:
    """An order ``orders.create`` made (or found already made by an earlier attempt)."""

    order_id: str | int
    """The merchant's order id, with its JSON type."""
    status: OrderStatus | str
    """The order's status: ``UN_PAID`` for a new order."""
    payment_link: str | None
    """Where to send the customer to pay. ``None`` only when ``already_created`` and
    KwikPaisa's status answer carried no link (see the README)."""
    kwikx_order_id: str | None
    """KwikPaisa's own id for the order, when given."""
    created_at: datetime | None
    """When the order was created (timezone-aware, Asia/Kolkata), when given."""
    raw: dict[str, Any] = attrs.field(repr=False)
    """The whole parsed response body (of the status answer, when ``already_created``)."""
    already_created: bool = False
    """True when the order already existed with the same order_id, amount and currency
    (an earlier attempt created it, in this call or an earlier one) and the SDK read it
    back through the status API: created once, not twice. Its ``status`` may since have
    moved on (``PAID``, ``EXPIRED``...)."""
    attempts: int = 1
    """How many attempts the call took."""


def parse_kwikpaisa_datetime(value: object) -> datetime | None:
    """Parse KwikPaisa's day-first ``13-05-2026 09:14 AM`` form into an aware datetime.

    A value without a zone is read as Asia/Kolkata. Anything unparseable gives ``None``
    (the original text stays in the result's ``raw``).
    """
    if not isinstance(value, str) or not value.strip():
        return None
    usual = _parse_usual_form(value)
    if usual is not None:
        return usual
    # Any other shape: dateutil (imported here, so `import kwikpaisa` stays light).
    from dateutil import parser as date_parser

    try:
        parsed = date_parser.parse(value, dayfirst=True)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    return parsed


_USUAL_FORM = re.compile(
    r"\s*(\d{1,2})-(\d{1,2})-(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])\s*",
    re.ASCII,
)


@functools.lru_cache(maxsize=64)
def _parse_usual_form(value: str) -> datetime | None:
    """Fast path for ``13-05-2026 09:14 AM`` (what KwikPaisa sends): no dateutil needed.

    Gives an aware datetime (Asia/Kolkata), or ``None`` for anything else, including
    impossible dates, which dateutil then judges exactly as before. Cached: answers
    within the same minute carry the same text.
    """
    match = _USUAL_FORM.fullmatch(value)
    if match is None:
        return None
    day, month, year, hour, minute, second, half = match.groups()
    hour12 = int(hour)
    if not 1 <= hour12 <= 12:
        return None
    hour24 = hour12 % 12 + (12 if half.upper() == "PM" else 0)
    try:
        return datetime(
            int(year), int(month), int(day), hour24, int(minute), int(second or 0), tzinfo=IST
        )
    except ValueError:
        return None
