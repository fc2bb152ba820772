"""KwikPaisa's operations as the SDK's clients expose them, rendered from the effective spec.

One :class:`OperationSpec` per operation (its generated endpoint, body and success models,
and the policy its ``x-kwikpaisa`` extension declares), one typed result class per
operation (``return_data``'s fields, plus the whole body as ``raw``), and one resource class
per resource path with a typed method per operation. ``kwikpaisa`` mixes these into its
clients; an operation marked ``hand-written`` gets its method from ``kwikpaisa`` instead.
Rendered by scripts/render_operations.py from templates/facade/operations.py.jinja.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs
import httpx

from . import formats
from .types import Unset

if TYPE_CHECKING:
    from .models import (
        CancelOrderResponse,
        CreateOrderResponse,
        OrderStatusResponse,
    )

__all__ = [
    "OPERATIONS",
    "ORDERS_CANCEL",
    "ORDERS_CREATE",
    "ORDERS_STATUS",
    "AsyncCaller",
    "AsyncOrdersOperations",
    "AsyncResources",
    "OperationSpec",
    "OrderCancelResult",
    "OrderCreateResult",
    "OrderStatusResult",
    "OrdersOperations",
    "SyncCaller",
    "SyncResources",
]

R = TypeVar("R")


@attrs.frozen(kw_only=True)
class OperationSpec(Generic[R]):
    """One operation: how to build its request, read its success, and what it declares."""

    name: str
    """The method name on its resource (``"cancel"``)."""
    resource: str
    """The client attribute of its resource (``"orders"``)."""
    method: str
    """The HTTP method."""
    path: str
    """The path, relative to the base URL."""
    endpoint: Callable[[], ModuleType]
    """Imports the generated endpoint module, on first use (so importing the SDK does not
    load every model)."""
    read: Callable[[Any, dict[str, Any], int], R]
    """``read(parsed, raw, attempts)``: the typed result of a parsed success."""
    retry_lost: bool
    """``x-kwikpaisa.retry-lost``: True when repeating a request whose answer was lost is
    safe. Attempts that never reached KwikPaisa, and 429s, are always retried."""
    errors: Mapping[int, str]
    """``x-kwikpaisa.errors``: status to the name of the ``kwikpaisa.errors`` class that
    refines the HTTP one for this operation."""
    wording: Mapping[str, Any]
    """``x-kwikpaisa.wording``: how messages speak of the call (``kwikpaisa``'s ``Wording``)."""
    hand_written: bool
    """``x-kwikpaisa.hand-written``: ``kwikpaisa`` writes this method itself."""
    fields: Mapping[str, str]
    """Request body fields: Python argument name to JSON name."""
    field_types: Mapping[str, str]
    """Request body fields: Python argument name to its type, as the method declares it."""
    required: tuple[str, ...]
    """The request body fields the schema requires (Python names)."""
    summary: str
    """The document's summary of the operation."""

    @property
    def body_model(self) -> Any:
        """The generated request body model (``None``: the operation takes no body)."""
        return self.endpoint().BODY

    def request(self, body: Any) -> dict[str, Any]:
        """httpx keyword arguments for ``body`` (the request model, or its fields as a dict),
        from the generated endpoint's public ``build_request``."""
        module = self.endpoint()
        if module.BODY is None:
            return dict(module.build_request())
        if isinstance(body, Mapping):
            body = module.BODY.from_dict(body)
        return dict(module.build_request(body=body))

    def parse(self, body: Any) -> Any:
        """The success model read from a success answer's parsed JSON ``body``.

        Raises ``ValueError``/``TypeError``/``KeyError``/``AttributeError`` when the body
        does not fit it.
        """
        model = self.endpoint().SUCCESS
        return body if model is None or model is Any else model.from_dict(body)


class SyncCaller(Protocol):
    """What a resource needs from the sync client: run one call of an operation."""

    def _call_generated(
        self,
        spec: OperationSpec[R],
        body: Any,
        *,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        total_timeout: float | None,
    ) -> R: ...


class AsyncCaller(Protocol):
    """What a resource needs from the async client: run one call of an operation."""

    async def _call_generated(
        self,
        spec: OperationSpec[R],
        body: Any,
        *,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        total_timeout: float | None,
    ) -> R: ...


@attrs.frozen(kw_only=True)
class OrderCancelResult:
    """The answer to ``orders.cancel``: ``return_data``'s fields, and the whole body."""

    order_id: int | str | None = None
    """``return_data.order_id``."""
    order_status: str | None = None
    """``return_data.order_status``."""
    cancelled_at: datetime | None = None
    """``return_data.cancelled_at`` (``format: kwikpaisa-datetime``)."""
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)
    """The whole parsed response body."""
    attempts: int = 1
    """How many attempts the call took."""

    @classmethod
    def from_response(
        cls, parsed: CancelOrderResponse, raw: dict[str, Any], attempts: int
    ) -> OrderCancelResult:
        """The result of a parsed success answer."""
        data = parsed.return_data
        if isinstance(data, Unset) or data is None:
            return cls(raw=raw, attempts=attempts)
        return cls(
            order_id=None if isinstance(data.order_id, Unset) else data.order_id,
            order_status=None
            if isinstance(data.order_status, Unset)
            else data.order_status,
            cancelled_at=formats.kwikpaisa_datetime(data.cancelled_at),
            raw=raw,
            attempts=attempts,
        )


@functools.cache  # imported once, then kept: every call of the operation asks for it
def _orders_cancel_endpoint() -> ModuleType:
    from .api.order_cancel import cancel_hosted_checkout_order

    return cancel_hosted_checkout_order


ORDERS_CANCEL: OperationSpec[OrderCancelResult] = OperationSpec(
    name="cancel",
    resource="orders",
    method="POST",
    path="/api/v3/pg/order/cancel",
    endpoint=_orders_cancel_endpoint,
    read=OrderCancelResult.from_response,
    retry_lost=True,
    errors={404: "OrderNotFoundError", 409: "OrderNotCancellableError"},
    wording={
        "to_do": "cancel {subject}",
        "the_call": "the cancel of {subject}",
        "the_request": "the cancel request for {subject}",
        "lost_advice": "the order may have been cancelled: repeat the call to confirm",
        "server_advice": "it may or may not be cancelled: repeat the call later (a repeat answers 'already cancelled' if it was)",
        "bad_request_advice": "check the order id's type and value",
        "not_found": "KwikPaisa has no {subject} {detail}",
        "conflict": "{Subject} cannot be cancelled: {why} {detail}",
        "conflict_reasons": {
            "PAID": "it is already paid",
            "CANCELLED": "it is already cancelled",
            "EXPIRED": "it has expired",
            "": "it is already paid, cancelled or expired",
        },
    },
    hand_written=True,
    fields={"order_id": "order_id"},
    field_types={"order_id": "int | str"},
    required=("order_id",),
    summary="Cancel Hosted Checkout Order",
)


@attrs.frozen(kw_only=True)
class OrderStatusResult:
    """The answer to ``orders.status``: ``return_data``'s fields, and the whole body."""

    kwik_x_order_id: str | None = None
    """``return_data.kwikX_order_id``."""
    order_id: int | str | None = None
    """``return_data.order_id``."""
    order_amount: Decimal | None = None
    """``return_data.order_amount`` (``format: decimal``)."""
    currency: str | None = None
    """``return_data.currency``."""
    order_status: str | None = None
    """``return_data.order_status``."""
    payment_method: str | None = None
    """``return_data.payment_method``."""
    transaction_id: str | None = None
    """``return_data.transaction_id``."""
    created_at: datetime | None = None
    """``return_data.created_at`` (``format: kwikpaisa-datetime``)."""
    paid_at: datetime | None = None
    """``return_data.paid_at`` (``format: kwikpaisa-datetime``)."""
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)
    """The whole parsed response body."""
    attempts: int = 1
    """How many attempts the call took."""

    @classmethod
    def from_response(
        cls, parsed: OrderStatusResponse, raw: dict[str, Any], attempts: int
    ) -> OrderStatusResult:
        """The result of a parsed success answer."""
        data = parsed.return_data
        if isinstance(data, Unset) or data is None:
            return cls(raw=raw, attempts=attempts)
        return cls(
            kwik_x_order_id=None
            if isinstance(data.kwik_x_order_id, Unset)
            else data.kwik_x_order_id,
            order_id=None if isinstance(data.order_id, Unset) else data.order_id,
            order_amount=formats.decimal(data.order_amount),
            currency=None if isinstance(data.currency, Unset) else data.currency,
            order_status=None
            if isinstance(data.order_status, Unset)
            else data.order_status,
            payment_method=None
            if isinstance(data.payment_method, Unset)
            else data.payment_method,
            transaction_id=None
            if isinstance(data.transaction_id, Unset)
            else data.transaction_id,
            created_at=formats.kwikpaisa_datetime(data.created_at),
            paid_at=formats.kwikpaisa_datetime(data.paid_at),
            raw=raw,
            attempts=attempts,
        )


@functools.cache  # imported once, then kept: every call of the operation asks for it
def _orders_status_endpoint() -> ModuleType:
    from .api.order_status import get_hosted_checkout_order_status

    return get_hosted_checkout_order_status


ORDERS_STATUS: OperationSpec[OrderStatusResult] = OperationSpec(
    name="status",
    resource="orders",
    method="POST",
    path="/api/v3/pg/order/status",
    endpoint=_orders_status_endpoint,
    read=OrderStatusResult.from_response,
    retry_lost=True,
    errors={404: "OrderNotFoundError"},
    wording={
        "to_do": "get the status of {subject}",
        "lost_advice": "repeat the call",
        "bad_request_advice": "check the order id's type and value",
        "not_found": "KwikPaisa has no {subject} {detail}",
    },
    hand_written=True,
    fields={"order_id": "order_id"},
    field_types={"order_id": "int | str"},
    required=("order_id",),
    summary="Hosted Checkout Order Status",
)


@attrs.frozen(kw_only=True)
class OrderCreateResult:
    """The answer to ``orders.create``: ``return_data``'s fields, and the whole body."""

    kwik_x_order_id: str | None = None
    """``return_data.kwikX_order_id``."""
    order_id: int | str | None = None
    """``return_data.order_id``."""
    order_status: str | None = None
    """``return_data.order_status``."""
    order_token: str | None = None
    """``return_data.order_token``."""
    payment_link: str | None = None
    """``return_data.payment_link``."""
    created_at: datetime | None = None
    """``return_data.created_at`` (``format: kwikpaisa-datetime``)."""
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False)
    """The whole parsed response body."""
    attempts: int = 1
    """How many attempts the call took."""

    @classmethod
    def from_response(
        cls, parsed: CreateOrderResponse, raw: dict[str, Any], attempts: int
    ) -> OrderCreateResult:
        """The result of a parsed success answer."""
        data = parsed.return_data
        if isinstance(data, Unset) or data is None:
            return cls(raw=raw, attempts=attempts)
        return cls(
            kwik_x_order_id=None
            if isinstance(data.kwik_x_order_id, Unset)
            else data.kwik_x_order_id,
            order_id=None if isinstance(data.order_id, Unset) else data.order_id,
            order_status=None
            if isinstance(data.order_status, Unset)
            else data.order_status,
            order_token=None
            if isinstance(data.order_token, Unset)
            else data.order_token,
            payment_link=None
            if isinstance(data.payment_link, Unset)
            else data.payment_link,
            created_at=formats.kwikpaisa_datetime(data.created_at),
            raw=raw,
            attempts=attempts,
        )


@functools.cache  # imported once, then kept: every call of the operation asks for it
def _orders_create_endpoint() -> ModuleType:
    from .api.order_create import create_hosted_checkout_order

    return create_hosted_checkout_order


ORDERS_CREATE: OperationSpec[OrderCreateResult] = OperationSpec(
    name="create",
    resource="orders",
    method="POST",
    path="/api/v3/pg/order/create",
    endpoint=_orders_create_endpoint,
    read=OrderCreateResult.from_response,
    retry_lost=True,
    errors={409: "OrderExistsError"},
    wording={
        "to_do": "create {subject}",
        "the_call": "the create of {subject}",
        "the_request": "the create request for {subject}",
        "lost_advice": "the order may have been created: repeat the create with the same order_id, amount and currency (a repeat returns the existing order with already_created=True, never a second order)",
        "server_advice": "it may or may not have been created: repeat the create with the same order_id, amount and currency (a repeat returns the existing order with already_created=True, never a second order)",
        "bad_request_advice": "check the order's fields",
        "conflict": "{Subject} already exists {detail}",
    },
    hand_written=True,
    fields={
        "order_id": "order_id",
        "order_amount": "order_amount",
        "order_currency": "order_currency",
        "service_type": "service_type",
        "customer": "customer",
        "return_url": "return_url",
        "order_note": "order_note",
    },
    field_types={
        "order_id": "int | str",
        "order_amount": "float",
        "order_currency": "str",
        "service_type": "str",
        "customer": "CreateOrderCustomer",
        "return_url": "str",
        "order_note": "str | Unset",
    },
    required=(
        "order_id",
        "order_amount",
        "order_currency",
        "service_type",
        "customer",
        "return_url",
    ),
    summary="Create Hosted Checkout Order",
)


OPERATIONS: tuple[OperationSpec[Any], ...] = (
    ORDERS_CANCEL,
    ORDERS_STATUS,
    ORDERS_CREATE,
)
"""Every operation of the effective spec."""


class OrdersOperations:
    """``kp.orders``: the sync client's methods for ``/api/v3/pg/order/``."""

    def __init__(self, client: SyncCaller) -> None:
        self._caller = client


class AsyncOrdersOperations:
    """``kp.orders``: the async client's methods for ``/api/v3/pg/order/``."""

    def __init__(self, client: AsyncCaller) -> None:
        self._caller = client


class SyncResources:
    """The sync client's resource objects, one per resource path."""

    orders: OrdersOperations

    def _attach_resources(self, client: SyncCaller) -> None:
        self.orders = OrdersOperations(client)


class AsyncResources:
    """The async client's resource objects, one per resource path."""

    orders: AsyncOrdersOperations

    def _attach_resources(self, client: AsyncCaller) -> None:
        self.orders = AsyncOrdersOperations(client)
