"""The facade end to end against the emulator, in-process and over a loopback socket."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

import kwikpaisa
from kwikpaisa import (
    APIError,
    AsyncKwikPaisa,
    AuthenticationError,
    CancelledOrder,
    KwikPaisa,
    OrderNotCancellableError,
    OrderNotFoundError,
)
from kwikpaisa.testing import Emulator, Fault


def test_cancel_returns_a_typed_result(kp: KwikPaisa, emulator: Emulator) -> None:
    order = kp.orders.cancel("ord_123")
    assert isinstance(order, CancelledOrder)
    assert order.order_id == "ord_123"
    assert order.status == "CANCELLED"
    assert order.message == "Order cancelled successfully."
    assert order.already_cancelled is False
    assert order.attempts == 1
    assert order.raw["return_data"]["order_status"] == "CANCELLED"
    assert isinstance(order.cancelled_at, datetime)
    assert order.cancelled_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert emulator.order_status("ord_123") == "CANCELLED"
    assert emulator.cancel_count("ord_123") == 1


def test_integer_ids_are_sent_as_json_numbers(kp: KwikPaisa, emulator: Emulator) -> None:
    order = kp.orders.cancel(6116229263036)
    assert order.order_id == 6116229263036
    assert isinstance(order.order_id, int)
    assert emulator.cancel_count(6116229263036) == 1


def test_pending_orders_can_be_cancelled(kp: KwikPaisa) -> None:
    assert kp.orders.cancel("ord_pending").status == "CANCELLED"


def test_unknown_order_is_order_not_found(kp: KwikPaisa) -> None:
    with pytest.raises(OrderNotFoundError) as info:
        kp.orders.cancel("ord_9")
    err = info.value
    assert str(err) == "KwikPaisa has no order 'ord_9' (HTTP 404: Order not found.)"
    assert err.status_code == 404
    assert err.code == 404
    assert err.order_id == "ord_9"
    assert err.server_message == "Order not found."
    assert err.body == {"status": False, "code": 404, "message": "Order not found."}
    assert err.headers["content-type"] == "application/json"
    assert err.attempts == 1


@pytest.mark.parametrize(
    ("order_id", "status"),
    [("ord_paid", "PAID"), ("ord_cancelled", "CANCELLED"), ("ord_expired", "EXPIRED")],
)
def test_ineligible_orders_are_not_cancellable(
    kp: KwikPaisa, emulator: Emulator, order_id: str, status: str
) -> None:
    with pytest.raises(OrderNotCancellableError) as info:
        kp.orders.cancel(order_id)
    assert info.value.status_code == 409
    assert info.value.order_status == status
    assert f"Order '{order_id}' cannot be cancelled" in str(info.value)
    assert emulator.order_status(order_id) == status
    assert emulator.cancel_count(order_id) == 0


def test_cancelling_twice_is_an_error_the_second_time(kp: KwikPaisa, emulator: Emulator) -> None:
    kp.orders.cancel("ord_1")
    with pytest.raises(OrderNotCancellableError):
        kp.orders.cancel("ord_1")
    assert emulator.cancel_count("ord_1") == 1


def test_wrong_secret_is_an_authentication_error(client_options: dict[str, object]) -> None:
    options = {**client_options, "secret_key": "sk_test_wrong"}
    with (
        KwikPaisa(**options) as kp,  # type: ignore[arg-type]
        pytest.raises(AuthenticationError, match="Invalid signature") as info,
    ):
        kp.orders.cancel("ord_1")
    assert info.value.status_code == 401
    assert "matching pair" in str(info.value)


def test_wrong_api_key_is_an_authentication_error(client_options: dict[str, object]) -> None:
    options = {**client_options, "api_key": "pk_test_someoneelse"}
    with (
        KwikPaisa(**options) as kp,  # type: ignore[arg-type]
        pytest.raises(AuthenticationError, match="Invalid API key"),
    ):
        kp.orders.cancel("ord_1")


def test_failure_body_under_http_200_is_an_error(kp: KwikPaisa, emulator: Emulator) -> None:
    emulator.inject(Fault.failure_body(404, "Order not found."))
    with pytest.raises(OrderNotFoundError) as info:
        kp.orders.cancel("ord_1")
    assert info.value.status_code == 200
    assert info.value.code == 404


def test_unknown_status_still_raises_api_error(kp: KwikPaisa, emulator: Emulator) -> None:
    emulator.inject(Fault.http_status(418, message="I'm a teapot."))
    with pytest.raises(APIError) as info:
        kp.orders.cancel("ord_1")
    assert type(info.value) is APIError
    assert info.value.status_code == 418
    assert "HTTP 418: I'm a teapot." in str(info.value)


def test_bad_order_id_never_reaches_the_network(kp: KwikPaisa, emulator: Emulator) -> None:
    for bad in (None, True, 1.5, "", "  ", 0):
        with pytest.raises((TypeError, ValueError)):
            kp.orders.cancel(bad)  # type: ignore[arg-type]
    assert emulator.requests_received == 0


def test_async_client_cancels(client_options: dict[str, object], emulator: Emulator) -> None:
    async def main() -> tuple[CancelledOrder, BaseException]:
        async with AsyncKwikPaisa(**client_options) as kp:  # type: ignore[arg-type]
            order = await kp.orders.cancel("ord_2")
            try:
                await kp.orders.cancel("ord_9")
            except OrderNotFoundError as exc:
                return order, exc
        raise AssertionError("expected OrderNotFoundError")

    order, error = asyncio.run(main())
    assert order.order_id == "ord_2"
    assert isinstance(error, OrderNotFoundError)
    assert emulator.cancel_count("ord_2") == 1


def test_one_pool_is_reused(served: str, emulator: Emulator) -> None:
    with KwikPaisa(emulator.api_key, emulator.secret_key, base_url=served) as kp:
        pool = kp._http._transport
        kp.orders.cancel("ord_1")
        kp.orders.cancel("ord_2")
        assert kp._http._transport is pool
        connections = pool._pool.connections  # type: ignore[attr-defined]
        assert len(connections) == 1


def test_public_names_show_public_paths() -> None:
    assert kwikpaisa.KwikPaisa.__module__ == "kwikpaisa"
    assert kwikpaisa.OrderNotFoundError.__module__ == "kwikpaisa.errors"
    for name in kwikpaisa.__all__:
        assert hasattr(kwikpaisa, name)
