"""The API's operations, one handler each, over the order store.

Every handler gets a request that has already passed authentication (key,
timestamp, signature over the raw body, canonical body) and whose body is a JSON
object; it answers in KwikPaisa's shapes (``KWIKPAISA_API.md``).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._constants import CANCEL_ORDER_PATH
from ._answers import EmulatorResponse, error_answer, success_answer
from ._store import CANCELLABLE_STATUSES, OrderRecord, OrderStore, format_amount

__all__ = [
    "CREATE_ORDER_PATH",
    "ORDER_STATUS_PATH",
    "ROUTES",
    "ApiRequest",
    "Handler",
]

logger = logging.getLogger("kwikpaisa.emulator")

CREATE_ORDER_PATH = "/api/v3/pg/order/create"
ORDER_STATUS_PATH = "/api/v3/pg/order/status"

_NOT_CANCELLABLE = {
    "PAID": "Order already paid; it cannot be cancelled.",
    "CANCELLED": "Order already cancelled.",
    "EXPIRED": "Order has expired; it cannot be cancelled.",
    "FAILED": "Order payment failed; it cannot be cancelled.",
}


@attrs.frozen
class ApiRequest:
    """An authenticated API request, as a handler sees it."""

    payload: dict[str, Any]
    """The body: a JSON object, signed and canonical."""
    store: OrderStore
    base_url: str
    """Where this emulator was reached (payment links point here)."""

    def error(self, status: int, message: str) -> EmulatorResponse:
        return error_answer(self.store.clock, status, message)

    def success(self, message: str, return_data: dict[str, Any]) -> EmulatorResponse:
        return success_answer(self.store.clock, message, return_data)


Handler = Callable[[ApiRequest], EmulatorResponse]


def _order_id(request: ApiRequest) -> str | int | EmulatorResponse:
    """The body's ``order_id``, or the 422 answer for a missing or ill-typed one."""
    order_id = request.payload.get("order_id")
    if order_id is None or order_id == "":
        return request.error(422, "The order_id field is required.")
    if isinstance(order_id, bool) or not isinstance(order_id, str | int):
        return request.error(422, "The order_id must be a string or an integer.")
    return order_id


def cancel(request: ApiRequest) -> EmulatorResponse:
    """``POST /api/v3/pg/order/cancel``: unpaid and pending orders become ``CANCELLED``."""
    order_id = _order_id(request)
    if isinstance(order_id, EmulatorResponse):
        return order_id
    before, order = request.store.cancel(order_id)
    if before is None or order is None:
        return request.error(404, "Order not found.")
    if before not in CANCELLABLE_STATUSES:
        return request.error(409, _NOT_CANCELLABLE.get(before, "Permission denied."))
    return request.success(
        "Order cancelled successfully.",
        {"order_id": order_id, "order_status": "CANCELLED", "cancelled_at": order.cancelled_at},
    )


def status(request: ApiRequest) -> EmulatorResponse:
    """``POST /api/v3/pg/order/status``: the order's documented fields."""
    order_id = _order_id(request)
    if isinstance(order_id, EmulatorResponse):
        return order_id
    order = request.store.get(order_id)
    if order is None:
        return request.error(404, "Order not found.")
    return request.success("Order status fetched successfully.", status_data(order))


def status_data(order: OrderRecord) -> dict[str, Any]:
    """``return_data`` of a status answer (``null`` where the emulator knows nothing)."""
    return {
        "kwikX_order_id": order.kwikx_order_id,
        "order_id": order.order_id,
        "order_amount": order.order_amount,
        "currency": order.currency,
        "order_status": order.order_status,
        "payment_method": order.payment_method,
        "transaction_id": order.transaction_id,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
    }


_CURRENCY = re.compile(r"[A-Z]{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9]{8,15}")
_URL = re.compile(r"https?://\S+")


def _text(payload: Mapping[str, Any], field: str, label: str | None = None) -> str:
    """A required non-blank string field, or ``ValueError`` naming it."""
    value = payload.get(field)
    name = label or field
    if value is None or value == "":
        raise ValueError(f"The {name} field is required.")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"The {name} must be a non-empty string.")
    return value


def _create_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The create body checked against the guide's table: the record's fields, or
    ``ValueError`` with the message for a 422."""
    if "order_amount" not in payload or payload["order_amount"] in (None, ""):
        raise ValueError("The order_amount field is required.")
    try:
        amount = format_amount(payload["order_amount"])
    except ValueError as error:
        raise ValueError(f"The order_amount {error}.") from None
    currency = _text(payload, "order_currency")
    if not _CURRENCY.fullmatch(currency):
        raise ValueError("The order_currency must be a three-letter currency code, such as INR.")
    service_type = _text(payload, "service_type")
    customer = payload.get("customer")
    if customer is None:
        raise ValueError("The customer field is required.")
    if not isinstance(customer, dict):
        raise ValueError("The customer must be an object with name, email and phone.")
    for part in ("name", "email", "phone"):
        _text(customer, part, f"customer.{part}")
    if not _EMAIL.fullmatch(customer["email"]):
        raise ValueError("The customer.email must be an email address.")
    if not _PHONE.fullmatch(customer["phone"]):
        raise ValueError("The customer.phone must be 8 to 15 digits, optionally after a '+'.")
    return_url = _text(payload, "return_url")
    if not _URL.fullmatch(return_url):
        raise ValueError("The return_url must be an http:// or https:// URL.")
    note = payload.get("order_note")
    if "order_note" in payload and not isinstance(note, str):
        raise ValueError("The order_note must be a string.")
    return {
        "amount": amount,
        "currency": currency,
        "service_type": service_type,
        "customer": dict(customer),
        "return_url": return_url,
        "order_note": note,
    }


def create(request: ApiRequest) -> EmulatorResponse:
    """``POST /api/v3/pg/order/create``: a new ``UN_PAID`` order and its payment link;
    409 when the merchant's ``order_id`` exists."""
    order_id = _order_id(request)
    if isinstance(order_id, EmulatorResponse):
        return order_id
    try:
        fields = _create_fields(request.payload)
    except ValueError as error:
        return request.error(422, str(error))
    record = request.store.new_record(
        order_id,
        base_url=request.base_url,
        order_token=f"tok_{uuid.uuid4().hex}",
        **fields,
    )
    order = request.store.create(record)
    if order is None:
        return request.error(409, "Order with this order_id already exists.")
    logger.info(
        "order %s created (%s %s): checkout %s",
        order.order_id,
        order.currency,
        order.order_amount,
        order.payment_link,
    )
    return request.success(
        "Order created successfully.",
        {
            "kwikX_order_id": order.kwikx_order_id,
            "order_id": order.order_id,
            "order_status": order.order_status,
            "order_token": order.order_token,
            "payment_link": order.payment_link,
            "created_at": order.created_at,
        },
    )


ROUTES: dict[str, Handler] = {
    CREATE_ORDER_PATH: create,
    ORDER_STATUS_PATH: status,
    CANCEL_ORDER_PATH: cancel,
}
"""The API: path to handler. Every route is ``POST`` and authenticated."""
