"""Order operations written by hand: ``kp.orders.create``, ``status`` and ``cancel``, and
the batches ``cancel_many`` and ``status_many``. Each is its generated operation
(``kwikpaisa_generated.operations``, policy from the overlay's ``x-kwikpaisa``) with hooks
attached by name for what no schema states, plus a few lines per client. Every other
order operation of the spec is a generated method of :class:`Orders`' base class."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kwikpaisa_generated.operations import (
    ORDERS_CANCEL,
    ORDERS_CREATE,
    ORDERS_STATUS,
    AsyncOrdersOperations,
    OrderCancelResult,
    OrderCreateResult,
    OrdersOperations,
    OrderStatusResult,
)

from .._constants import DEFAULT_CONCURRENCY
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
    import asyncio
    import threading
    from collections.abc import Callable, Iterable

    from .._bulk import CancelOutcome, StatusOutcome
    from .._call import Call
    from .._client import AsyncKwikPaisa, KwikPaisa, TimeoutTypes

__all__ = ["CANCEL", "CREATE", "STATUS", "AsyncOrders", "Orders"]


def _order_id(call: Call[Any], returned: object = None) -> str | int:
    """The order id KwikPaisa returned (its JSON type kept), else the one sent."""
    if isinstance(returned, str | int):
        return returned
    assert call.order_id is not None  # every order operation names its order
    return call.order_id


def _by_order_id(
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


def _order(result: OrderStatusResult, call: Call[Order]) -> Order:
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


def _created(result: OrderCreateResult, call: Call[CreatedOrder]) -> CreatedOrder:
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


def _create_fields(
    order_id: object,
    amount: object,
    currency: object,
    service_type: object,
    customer: object,
    return_url: object,
    note: object,
) -> dict[str, Any]:
    """``orders.create``'s arguments checked and laid out as the request body."""
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
    data = existing.raw.get("return_data")
    link = data.get("payment_link") if isinstance(data, dict) else None
    return CreatedOrder(
        order_id=existing.order_id,
        status=existing.status,
        payment_link=link if isinstance(link, str) else None,
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


def _readback_options(
    client: KwikPaisa | AsyncKwikPaisa, options: dict[str, Any], started: float
) -> dict[str, Any] | None:
    """The read-back's call options: the create's, within what is left of its
    ``total_timeout`` (``None`` when nothing is left)."""
    limit = options["total_timeout"]
    limit = client.total_timeout if limit is None else limit
    if limit is None:
        return options
    left = limit - (client._now() - started)
    return {**options, "total_timeout": left} if left > 0 else None


# -- cancel ----------------------------------------------------------------------------


def _cancelled(result: OrderCancelResult, call: Call[CancelledOrder]) -> CancelledOrder:
    return CancelledOrder(
        order_id=_order_id(call, result.order_id),
        status=read_status(result.order_status, "order_status", default="CANCELLED"),
        cancelled_at=result.cancelled_at,
        message=_text(result.raw.get("message")),
        raw=result.raw,
        attempts=result.attempts,
        data=result,
    )


def _cancel_after_lost(error: APIError, call: Call[CancelledOrder]) -> CancelledOrder | None:
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


# -- the resources -------------------------------------------------------------------


class Orders(OrdersOperations):
    """Order operations of a :class:`~kwikpaisa.KwikPaisa` client: ``create``, ``status``
    and ``cancel`` written here, every other operation of the spec generated."""

    def __init__(self, client: KwikPaisa) -> None:
        super().__init__(client)
        self._client = client

    def create(
        self,
        *,
        order_id: str | int,
        amount: Decimal | int | str,
        currency: str = "INR",
        service_type: str,
        customer: Customer,
        return_url: str,
        note: str | None = None,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CreatedOrder:
        """Create an order and return it with its ``payment_link`` (send the customer there).

        Never creates two orders, and safe to repeat, in the same call or a new one: when
        KwikPaisa answers 409 (the ``order_id`` exists), the order is read back with the
        status API and, if it has the same amount and currency, returned with
        ``already_created=True`` (an earlier attempt made it; check its ``status``). A
        different amount or currency raises :class:`~kwikpaisa.OrderExistsError` naming
        both. Arguments are checked before the network.

        ``amount`` is in **rupees**, not paise: ₹499 is ``"499.00"`` (``49900`` would be
        ₹49,900.00); set the client's ``max_amount=`` to refuse larger amounts. Text fields
        refuse control characters and have length limits (docs/validation.md).
        """
        fields = _create_fields(
            order_id, amount, currency, service_type, customer, return_url, note
        )
        check_max_amount(fields["order_amount"], self._client.max_amount)
        options: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": max_retries,
            "total_timeout": total_timeout,
        }
        started = self._client._now()
        try:
            return self._client._request(CREATE, fields, order_id=fields["order_id"], **options)
        except OrderExistsError as conflict:
            readback = _readback_options(self._client, options, started)
            if readback is None:
                raise _unconfirmed(conflict, fields["order_id"], None) from None
            try:
                existing = self.status(fields["order_id"], **readback)
            except KwikPaisaError as failure:
                raise _unconfirmed(conflict, fields["order_id"], failure) from failure
            return _already_created(conflict, existing, fields)

    def status(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> Order:
        """Return the order's current status (verify a payment with this, not the redirect).

        Raises :class:`~kwikpaisa.OrderNotFoundError` for an unknown order. A read: every
        failure that may be transient is retried.
        """
        fields, options = _by_order_id(order_id, timeout, max_retries, total_timeout)
        return self._client._request(STATUS, fields, **options)

    def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order and return it, now ``CANCELLED``. ``order_id`` is sent
        with the JSON type given (``"123"`` and ``123`` differ). Raises an
        :class:`~kwikpaisa.APIError` subclass when KwikPaisa refuses
        (:class:`~kwikpaisa.OrderNotFoundError`, ...), :class:`~kwikpaisa.APIConnectionError`
        when no answer came."""
        fields, options = _by_order_id(order_id, timeout, max_retries, total_timeout)
        return self._client._request(CANCEL, fields, **options)

    def cancel_many(
        self,
        order_ids: Iterable[str | int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        on_outcome: Callable[[CancelOutcome], object] | None = None,
        stop: threading.Event | None = None,
    ) -> list[CancelOutcome]:
        """Cancel many orders, ``concurrency`` at a time: a :class:`~kwikpaisa.CancelOutcome`
        each, in input order, never raising for one order's failure.

        The same outcomes, duplicates, ``on_outcome`` calls and batch-wide 429 back-off as
        :meth:`AsyncOrders.cancel_many` (one engine). Each attempt is sent by this client, so
        its ``http_client``, ``transport`` and proxies apply, from up to ``concurrency``
        worker threads; ``on_outcome`` is called in the calling thread (in a thread of the
        batch's own when the calling thread runs an event loop). Once ``stop`` (a
        ``threading.Event``) is set no new order starts.
        """
        from .._bulk import CANCEL_BATCH
        from .._sync_bulk import run_sync_batch

        return run_sync_batch(
            self._client,
            CANCEL_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
        )

    def status_many(
        self,
        order_ids: Iterable[str | int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        on_outcome: Callable[[StatusOutcome], object] | None = None,
        stop: threading.Event | None = None,
    ) -> list[StatusOutcome]:
        """The status of many orders: a :class:`~kwikpaisa.StatusOutcome` each, in input
        order, never raising for one order; see :meth:`cancel_many` (same engine and rules)."""
        from .._bulk import STATUS_BATCH
        from .._sync_bulk import run_sync_batch

        return run_sync_batch(
            self._client,
            STATUS_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
        )


class AsyncOrders(AsyncOrdersOperations):
    """Order operations of an :class:`~kwikpaisa.AsyncKwikPaisa` client (see :class:`Orders`)."""

    def __init__(self, client: AsyncKwikPaisa) -> None:
        super().__init__(client)
        self._client = client

    async def create(
        self,
        *,
        order_id: str | int,
        amount: Decimal | int | str,
        currency: str = "INR",
        service_type: str,
        customer: Customer,
        return_url: str,
        note: str | None = None,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CreatedOrder:
        """Create an order; see :meth:`Orders.create`."""
        fields = _create_fields(
            order_id, amount, currency, service_type, customer, return_url, note
        )
        check_max_amount(fields["order_amount"], self._client.max_amount)
        options: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": max_retries,
            "total_timeout": total_timeout,
        }
        started = self._client._now()
        try:
            return await self._client._request(
                CREATE, fields, order_id=fields["order_id"], **options
            )
        except OrderExistsError as conflict:
            readback = _readback_options(self._client, options, started)
            if readback is None:
                raise _unconfirmed(conflict, fields["order_id"], None) from None
            try:
                existing = await self.status(fields["order_id"], **readback)
            except KwikPaisaError as failure:
                raise _unconfirmed(conflict, fields["order_id"], failure) from failure
            return _already_created(conflict, existing, fields)

    async def status(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> Order:
        """Return the order's current status; see :meth:`Orders.status`."""
        fields, options = _by_order_id(order_id, timeout, max_retries, total_timeout)
        return await self._client._request(STATUS, fields, **options)

    async def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order; see :meth:`Orders.cancel`."""
        fields, options = _by_order_id(order_id, timeout, max_retries, total_timeout)
        return await self._client._request(CANCEL, fields, **options)

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
        or ``failed`` (an invalid id is ``failed`` and never sent). One outcome per id, in
        input order; a repeated id is sent once and its outcome is ``duplicate``. A 429
        or ``Retry-After`` pauses the whole batch. ``on_outcome`` is called as each order
        finishes (an exception from it stops the batch and is raised). Once ``stop`` is
        set no new order starts; orders never started have no outcome.
        """
        from .._bulk import CANCEL_BATCH, run_batch
        from .._client import _async_sleep

        self._client._check_event_loop()  # before any order starts
        return await run_batch(
            self._client,
            CANCEL_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
            sleep=_async_sleep,
        )

    async def status_many(
        self,
        order_ids: Iterable[str | int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        on_outcome: Callable[[StatusOutcome], object] | None = None,
        stop: asyncio.Event | None = None,
    ) -> list[StatusOutcome]:
        """The status of many orders, ``concurrency`` at a time: a
        :class:`~kwikpaisa.StatusOutcome` each (``found``, ``not_found``, ``failed`` or
        ``duplicate``), in input order, never raising for one order. The same batch engine
        as :meth:`cancel_many`: a 429 pauses the whole batch; ``stop`` stops new orders.
        """
        from .._bulk import STATUS_BATCH, run_batch
        from .._client import _async_sleep

        self._client._check_event_loop()  # before any order starts
        return await run_batch(
            self._client,
            STATUS_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
            sleep=_async_sleep,
        )
