"""Order operations written by hand: ``kp.orders.create``, ``status`` and ``cancel``, and
the batches ``cancel_many`` and ``status_many``: a few lines per method, each handing its
operation (``order_hooks.py``: the generated operation with its hooks attached by name) to
the client. Every other order operation of the spec is a generated method of
:class:`Orders`' base class. The client is reached through the protocols of
``kwikpaisa._caller``, never imported."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kwikpaisa_generated.operations import AsyncOrdersOperations, OrdersOperations

from .._constants import DEFAULT_CONCURRENCY
from .._models import CancelledOrder, CreatedOrder, Customer, Order
from ..errors import OrderExistsError
from .order_hooks import CANCEL, CREATE, STATUS, CreateRecovery, by_order_id, create_fields

if TYPE_CHECKING:
    import asyncio
    import threading
    from collections.abc import Callable, Iterable

    from .._bulk import CancelOutcome, StatusOutcome
    from .._call_options import TimeoutTypes
    from .._caller import AsyncClient, SyncClient

__all__ = ["CANCEL", "CREATE", "STATUS", "AsyncOrders", "Orders"]


class Orders(OrdersOperations):
    """Order operations of a :class:`~kwikpaisa.KwikPaisa` client: ``create``, ``status``
    and ``cancel`` written here, every other operation of the spec generated."""

    def __init__(self, client: SyncClient) -> None:
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
        fields = create_fields(
            self._client, order_id, amount, currency, service_type, customer, return_url, note
        )
        recovery = CreateRecovery(self._client, fields, timeout, max_retries, total_timeout)
        try:
            return self._client._request(CREATE, fields, **recovery.request_options)
        except OrderExistsError as conflict:
            return recovery.settle(conflict, self.status)

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
        fields, options = by_order_id(order_id, timeout, max_retries, total_timeout)
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
        fields, options = by_order_id(order_id, timeout, max_retries, total_timeout)
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
        from .._bulk import CANCEL_BATCH  # on first use: a bare import stays light

        return self._client._batch(
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
        from .._bulk import STATUS_BATCH  # on first use: a bare import stays light

        return self._client._batch(
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

    def __init__(self, client: AsyncClient) -> None:
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
        fields = create_fields(
            self._client, order_id, amount, currency, service_type, customer, return_url, note
        )
        recovery = CreateRecovery(self._client, fields, timeout, max_retries, total_timeout)
        try:
            return await self._client._request(CREATE, fields, **recovery.request_options)
        except OrderExistsError as conflict:
            return await recovery.settle_async(conflict, self.status)

    async def status(
        self,
        order_id: str | int,
        *,
        timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None = None,
        total_timeout: float | None = None,
    ) -> Order:
        """Return the order's current status; see :meth:`Orders.status`."""
        fields, options = by_order_id(order_id, timeout, max_retries, total_timeout)
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
        fields, options = by_order_id(order_id, timeout, max_retries, total_timeout)
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
        from .._bulk import CANCEL_BATCH  # on first use: a bare import stays light

        return await self._client._batch(
            CANCEL_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
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
        from .._bulk import STATUS_BATCH  # on first use: a bare import stays light

        return await self._client._batch(
            STATUS_BATCH,
            order_ids,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
            on_outcome=on_outcome,
            stop=stop,
        )
