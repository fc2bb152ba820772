"""The order operations written by hand: each is its generated operation
(``kwikpaisa_generated.operations``, policy from the overlay's ``x-kwikpaisa``) with hooks
attached by name for what no schema states: the readers that turn a generated result into
the facade's model, cancel's ``after_lost``, create's amount rules and its recovery from a
409 through ``status`` (:class:`CreateRecovery`, shared by both clients).

Nothing here imports a client or the batch engine: the resource classes
(``resources/orders.py``) and the batch engine (``_bulk.py``) both build on this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from kwikpaisa_generated.operations import (
    ORDERS_CANCEL,
    ORDERS_CREATE,
    ORDERS_STATUS,
    OrderCancelResult,
    OrderCreateResult,
    OrderStatusResult,
)

from .._fields import read_money, read_status
from .._models import CancelledOrder, CreatedOrder, Customer, Order
from .._operation import Operation, hand_written_operation
from .._validation import (
    check_max_amount,
    validate_amount,
    validate_order_fields,
    validate_order_id,
)
from ..errors import (
    APIError,
    KwikPaisaError,
    OrderExistsError,
    OrderNotCancellableError,
    OrderNotFoundError,
)

if TYPE_CHECKING:
    from .._call_options import TimeoutTypes
    from .._operation import CallState

__all__ = [
    "CANCEL",
    "CREATE",
    "REPEAT_CREATE",
    "STATUS",
    "CreateRecovery",
    "CreatingClient",
    "by_order_id",
    "create_fields",
]


def _order_id(call: CallState[Any], returned: object = None) -> str | int:
    """The order id KwikPaisa returned (its JSON type kept), else the one sent."""
    if isinstance(returned, str | int):
        return returned
    assert call.order_id is not None  # every order operation names its order
    return call.order_id


def by_order_id(
    order_id: object, timeout: object, max_retries: object, total_timeout: object
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The body and call options of an operation on one order (``status``, ``cancel``):
    the id checked before the network and sent with the JSON type given."""
    oid = validate_order_id(order_id)
    options = {"timeout": timeout, "max_retries": max_retries, "total_timeout": total_timeout}
    return {"order_id": oid}, {"order_id": oid, **options}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _returned(result: Any, field: str) -> object:
    """A ``return_data`` field exactly as KwikPaisa sent it (for the strict readers of money
    and status, which must tell an unreadable value from an absent one)."""
    data = result.raw.get("return_data")
    return data.get(field) if isinstance(data, dict) else None


# -- status: the generated result as the facade's Order --------------------------------


def _order(result: OrderStatusResult, call: CallState[Order]) -> Order:
    return Order(
        order_id=_order_id(call, result.order_id),
        kwikx_order_id=_text(result.kwik_x_order_id),
        amount=read_money(_returned(result, "order_amount"), "order_amount"),
        currency=_text(result.currency),
        status=read_status(result.order_status, "order_status", default="UNKNOWN"),
        payment_method=_text(result.payment_method),
        transaction_id=_text(result.transaction_id),
        created_at=result.created_at,
        paid_at=result.paid_at,
        raw=result.raw,
        attempts=result.attempts,
        data=result,
    )


STATUS: Operation[Order] = hand_written_operation(ORDERS_STATUS, read=_order)


# -- create ----------------------------------------------------------------------------

REPEAT_CREATE = (
    "repeat the create with the same order_id, amount and currency (a repeat returns the "
    "existing order with already_created=True, never a second order)"
)
"""What every message after a lost create says a repeat does (and a repeat does it)."""


def _created(result: OrderCreateResult, call: CallState[CreatedOrder]) -> CreatedOrder:
    return CreatedOrder(
        order_id=_order_id(call, result.order_id),
        status=read_status(result.order_status, "order_status", default="UN_PAID"),
        payment_link=_text(result.payment_link),
        kwikx_order_id=_text(result.kwik_x_order_id),
        created_at=result.created_at,
        raw=result.raw,
        attempts=result.attempts,
        data=result,
    )


CREATE: Operation[CreatedOrder] = hand_written_operation(ORDERS_CREATE, read=_created)


class CreatingClient(Protocol):
    """What create's hooks read of a client (either one): its ``max_amount``, its default
    ``total_timeout`` and the clock that is measured on."""

    @property
    def max_amount(self) -> Decimal | None: ...

    @property
    def total_timeout(self) -> float | None: ...

    def _now(self) -> float: ...


def create_fields(
    client: CreatingClient,
    order_id: object,
    amount: object,
    currency: object,
    service_type: object,
    customer: object,
    return_url: object,
    note: object,
) -> dict[str, Any]:
    """``orders.create``'s arguments checked (the amount also against the client's
    ``max_amount``) and laid out as the request body."""
    oid = validate_order_id(order_id)
    number = validate_amount(amount)
    validate_order_fields(
        currency=currency,
        service_type=service_type,
        customer=customer,
        return_url=return_url,
        note=note,
    )
    assert isinstance(customer, Customer)
    fields = {
        "order_id": oid,
        "order_amount": number,
        "order_currency": currency,
        "service_type": service_type,
        "customer": {"name": customer.name, "email": customer.email, "phone": customer.phone},
        "return_url": return_url,
    }
    check_max_amount(number, client.max_amount)
    return fields if note is None else {**fields, "order_note": note}


def _asked(fields: dict[str, Any]) -> tuple[Decimal, str]:
    """The amount (to the paisa) and currency a create asked for."""
    return Decimal(repr(fields["order_amount"])).quantize(Decimal("0.01")), fields["order_currency"]


def _restate(conflict: OrderExistsError, message: str) -> OrderExistsError:
    conflict.message = message + (
        f" (after {conflict.attempts} attempts)" if conflict.attempts > 1 else ""
    )
    conflict.args = (conflict.message,)
    return conflict


def _already_created(
    conflict: OrderExistsError, existing: Order, fields: dict[str, Any]
) -> CreatedOrder:
    """A 409 on create, resolved: the existing order when it is this purchase (the same
    order_id, amount and currency: order ids are the merchant's own, so it is an earlier
    attempt's), else ``conflict`` naming both amounts and both currencies."""
    conflict.existing = existing
    amount, currency = _asked(fields)
    oid = existing.order_id
    if existing.amount is None:
        raise _restate(
            conflict,
            f"Order {oid!r} already exists, but KwikPaisa's status answer gives no amount, so "
            f"it cannot be confirmed as this purchase of {amount} {currency}: check it with "
            f"orders.status({oid!r}); if this is a different purchase, use a new order_id",
        )
    if existing.amount != amount or existing.currency not in (None, currency):
        held = f"{existing.amount} {existing.currency or '(currency not given)'}"
        raise _restate(
            conflict,
            f"Order {oid!r} already exists for {held}, not {amount} {currency} as asked, so "
            "it is not this purchase's order: if this is a different purchase, use a new "
            f"order_id; if it is the same purchase, its order is the existing one "
            f"(orders.status({oid!r}))",
        )
    return CreatedOrder(
        order_id=existing.order_id,
        status=existing.status,
        payment_link=_text(_returned(existing, "payment_link")),
        kwikx_order_id=existing.kwikx_order_id,
        created_at=existing.created_at,
        raw=existing.raw,
        already_created=True,
        attempts=conflict.attempts,
    )


def _unconfirmed(
    conflict: OrderExistsError, order_id: str | int, failure: KwikPaisaError | None
) -> OrderExistsError:
    """A 409 on create whose order could not be read back (``failure``; ``None`` when
    ``total_timeout`` left no time to): what is known, and what a repeat will do."""
    if failure is None:
        known = "but no time was left within total_timeout to read it back and compare it"
    elif isinstance(failure, OrderNotFoundError):
        known = "but KwikPaisa's status API does not find it, so it could not be compared"
    else:
        known = f"but reading it back to compare it failed: {failure.message}"
    return _restate(
        conflict,
        f"Order {order_id!r} already exists (KwikPaisa answered 409), {known}. It may be this "
        f"purchase's order from an earlier attempt: {REPEAT_CREATE}, or check it with "
        f"orders.status({order_id!r}); if this is a different purchase, use a new order_id",
    )


class CreateRecovery:
    """One create call's recovery from a 409 (its ``order_id`` exists), shared by both
    clients: the order is read back with the client's own ``status`` (within what is left
    of the create's ``total_timeout``) and returned with ``already_created=True`` when it
    is this purchase; otherwise the 409, saying what is known and what to do."""

    def __init__(
        self,
        client: CreatingClient,
        fields: dict[str, Any],
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        total_timeout: float | None,
    ) -> None:
        self._client = client
        self.fields = fields
        self.order_id: str | int = fields["order_id"]
        self._options: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": max_retries,
            "total_timeout": total_timeout,
        }
        self.request_options: dict[str, Any] = {"order_id": self.order_id, **self._options}
        """The create's own call options."""
        self._started = client._now()

    def _readback(self, conflict: OrderExistsError) -> dict[str, Any]:
        """The read-back's call options: the create's, within what is left of its
        ``total_timeout``; the conflict, raised, when nothing is left."""
        limit = self._options["total_timeout"]
        limit = self._client.total_timeout if limit is None else limit
        if limit is None:
            return self._options
        left = limit - (self._client._now() - self._started)
        if left > 0:
            return {**self._options, "total_timeout": left}
        raise _unconfirmed(conflict, self.order_id, None) from None

    def settle(self, conflict: OrderExistsError, status: Callable[..., Order]) -> CreatedOrder:
        """Resolve ``conflict`` with the sync client's ``status``."""
        options = self._readback(conflict)
        try:
            existing = status(self.order_id, **options)
        except KwikPaisaError as failure:
            raise _unconfirmed(conflict, self.order_id, failure) from failure
        return _already_created(conflict, existing, self.fields)

    async def settle_async(
        self, conflict: OrderExistsError, status: Callable[..., Awaitable[Order]]
    ) -> CreatedOrder:
        """Resolve ``conflict`` with the async client's ``status``."""
        options = self._readback(conflict)
        try:
            existing = await status(self.order_id, **options)
        except KwikPaisaError as failure:
            raise _unconfirmed(conflict, self.order_id, failure) from failure
        return _already_created(conflict, existing, self.fields)


# -- cancel ----------------------------------------------------------------------------


def _cancelled(result: OrderCancelResult, call: CallState[CancelledOrder]) -> CancelledOrder:
    return CancelledOrder(
        order_id=_order_id(call, result.order_id),
        status=read_status(result.order_status, "order_status", default="CANCELLED"),
        cancelled_at=result.cancelled_at,
        message=_text(result.raw.get("message")),
        raw=result.raw,
        attempts=result.attempts,
        data=result,
    )


def _cancel_after_lost(error: APIError, call: CallState[CancelledOrder]) -> CancelledOrder | None:
    """A 409 after an attempt whose answer was lost: that attempt may be why."""
    if not isinstance(error, OrderNotCancellableError):
        return None
    if error.order_status == "CANCELLED":
        # An earlier attempt cancelled it; this retry only saw the result.
        return CancelledOrder(
            order_id=_order_id(call),
            status="CANCELLED",
            cancelled_at=None,
            message=error.server_message,
            raw=error.body if isinstance(error.body, dict) else {},
            already_cancelled=True,
            attempts=call.attempts,
        )
    if error.order_status is None:
        # KwikPaisa did not say why: the lost earlier attempt may be the reason.
        error.message += (
            "; an earlier attempt of this call may have cancelled it: check the order's status"
        )
        error.args = (error.message,)
    return None


CANCEL: Operation[CancelledOrder] = hand_written_operation(
    ORDERS_CANCEL, read=_cancelled, after_lost=_cancel_after_lost
)
