"""Typed results returned by the clients."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import attrs

from kwikpaisa_generated.formats import IST
from kwikpaisa_generated.operations import OrderCancelResult, OrderCreateResult, OrderStatusResult

__all__ = [
    "IST",
    "CancelledOrder",
    "CreatedOrder",
    "Customer",
    "Order",
    "OrderStatus",
]

OrderStatus = Literal["UN_PAID", "PENDING", "PAID", "CANCELLED", "EXPIRED"]
"""The order statuses KwikPaisa's guide documents. Others (a sandbox failure, a status
added later) arrive as plain strings rather than raising."""

# IST (India Standard Time, Asia/Kolkata, UTC+05:30) is the zone KwikPaisa's zone-less
# timestamps are read in; the spec's ``format: kwikpaisa-datetime`` reader defines it.


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
    data: OrderCancelResult | None = attrs.field(default=None, repr=False)
    """Every field of KwikPaisa's ``return_data``, typed as the spec defines it (a field
    KwikPaisa adds appears here after ``make generate``); ``None`` when
    ``already_cancelled``."""


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
    data: OrderStatusResult | None = attrs.field(default=None, repr=False)
    """Every field of KwikPaisa's ``return_data``, typed as the spec defines it (a field
    KwikPaisa adds appears here after ``make generate``)."""

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
    data: OrderCreateResult | None = attrs.field(default=None, repr=False)
    """Every field of KwikPaisa's ``return_data``, typed as the spec defines it (a field
    KwikPaisa adds appears here after ``make generate``); ``None`` when
    ``already_created``."""
