"""Order operations: ``kp.orders.cancel`` (and ``cancel_many`` on the async client)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._constants import DEFAULT_CONCURRENCY
from .._generated import given
from .._models import CancelledOrder, parse_kwikpaisa_datetime
from .._operation import Operation, Wording
from .._validation import validate_order_id
from ..errors import APIError, OrderNotCancellableError, OrderNotFoundError

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterable

    from .._bulk import CancelOutcome
    from .._call import Call
    from .._client import AsyncKwikPaisa, KwikPaisa, TimeoutTypes

__all__ = ["CANCEL", "AsyncOrders", "Orders"]


# -- cancel --------------------------------------------------------------------------


def _order_id(call: Call[Any]) -> str | int:
    assert call.order_id is not None  # every order operation names its order
    return call.order_id


def _cancelled(parsed: Any, body: dict[str, Any], call: Call[CancelledOrder]) -> CancelledOrder:
    data = given(parsed.return_data)
    returned_id = given(data.order_id) if data is not None else None
    status = given(data.order_status) if data is not None else None
    message = given(parsed.message)
    return CancelledOrder(
        order_id=returned_id if isinstance(returned_id, str | int) else _order_id(call),
        status=str(status or "CANCELLED"),
        cancelled_at=parse_kwikpaisa_datetime(given(data.cancelled_at) if data else None),
        message=message if isinstance(message, str) else None,
        raw=body,
        attempts=call.attempts,
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


CANCEL: Operation[CancelledOrder] = Operation(
    name="cancel",
    endpoint="order_cancel.cancel_hosted_checkout_order",
    body_model="CancelOrderRequest",
    wording=Wording(
        to_do="cancel {subject}",
        the_call="the cancel of {subject}",
        the_request="the cancel request for {subject}",
        lost_advice="the order may have been cancelled: repeat the call to confirm",
        server_advice="it may or may not be cancelled: repeat the call later (a repeat "
        "answers 'already cancelled' if it was)",
        bad_request_advice="check the order id's type and value",
        not_found="KwikPaisa has no {subject} {detail}",
        conflict="{Subject} cannot be cancelled: {why} {detail}",
        conflict_reasons={
            "PAID": "it is already paid",
            "CANCELLED": "it is already cancelled",
            "EXPIRED": "it has expired",
            "": "it is already paid, cancelled or expired",
        },
    ),
    retry_lost=True,  # a repeat finds the order cancelled: _cancel_after_lost says so
    errors={404: OrderNotFoundError, 409: OrderNotCancellableError},
    read=_cancelled,
    after_lost=_cancel_after_lost,
)


# -- the resources -------------------------------------------------------------------


class Orders:
    """Order operations of a :class:`~kwikpaisa.KwikPaisa` client."""

    def __init__(self, client: KwikPaisa) -> None:
        self._client = client

    def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order and return it, now ``CANCELLED``.

        ``order_id`` is sent with the JSON type given (``"123"`` and ``123`` differ).
        ``timeout``, ``max_retries`` and ``total_timeout`` override the client's defaults
        for this call. Raises an :class:`~kwikpaisa.APIError` subclass when KwikPaisa
        refuses (for example :class:`~kwikpaisa.OrderNotFoundError`),
        :class:`~kwikpaisa.APIConnectionError` when no answer came,
        ``TypeError``/``ValueError`` for a bad ``order_id``.
        """
        oid = validate_order_id(order_id)
        return self._client._request(
            CANCEL,
            {"order_id": oid},
            order_id=oid,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )


class AsyncOrders:
    """Order operations of an :class:`~kwikpaisa.AsyncKwikPaisa` client."""

    def __init__(self, client: AsyncKwikPaisa) -> None:
        self._client = client

    async def cancel(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> CancelledOrder:
        """Cancel an unpaid order; see :meth:`Orders.cancel`."""
        oid = validate_order_id(order_id)
        return await self._client._request(
            CANCEL,
            {"order_id": oid},
            order_id=oid,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
        )

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
        from .._bulk import cancel_many
        from .._client import _async_sleep

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
