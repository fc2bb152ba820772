"""Every operation of the effective spec reaches apps, whatever the spec holds: a method
on its resource of both clients, its declared policy resolvable, and the generated call
path (typed request, typed result, errors by status, the safe retry policy). No test here
counts operations or reads KwikPaisa's document."""

from __future__ import annotations

import asyncio
import inspect
from datetime import datetime
from decimal import Decimal

import attrs
import httpx
import pytest

from kwikpaisa import (
    APITimeoutError,
    AsyncKwikPaisa,
    KwikPaisa,
    NotFoundError,
    OrderNotFoundError,
    ServerError,
)
from kwikpaisa._operation import generic_operation
from kwikpaisa.errors import error_class_for_status, refinement
from kwikpaisa.testing import Emulator
from kwikpaisa_generated.models import OrderStatusRequest
from kwikpaisa_generated.operations import OPERATIONS, ORDERS_STATUS, OperationSpec

KEYS = {"api_key": "pk_test_1234567890abcd", "secret_key": "sk_test_x"}
NAMES = [f"{spec.resource}.{spec.name}" for spec in OPERATIONS]

# The status operation as a generated method would run it, with no declared policy:
# the defaults every new operation gets.
UNDECLARED: OperationSpec[object] = attrs.evolve(
    ORDERS_STATUS, hand_written=False, retry_lost=False, errors={}, wording={}
)


@pytest.mark.parametrize("spec", OPERATIONS, ids=NAMES)
def test_every_operation_is_a_method_of_its_resource_on_both_clients(
    spec: OperationSpec[object],
) -> None:
    with KwikPaisa(**KEYS) as kp:
        assert callable(getattr(getattr(kp, spec.resource), spec.name))
    client = AsyncKwikPaisa(**KEYS)
    assert inspect.iscoroutinefunction(getattr(getattr(client, spec.resource), spec.name))
    asyncio.run(client.close())


@pytest.mark.parametrize("spec", OPERATIONS, ids=NAMES)
def test_every_declared_error_class_refines_its_status(spec: OperationSpec[object]) -> None:
    for status, cls in generic_operation(spec).errors.items():
        assert issubclass(cls, error_class_for_status(status))


def test_an_error_class_the_overlay_names_wrongly_fails_naming_it() -> None:
    with pytest.raises(ValueError, match=r"'OrderGoneError'.*kwikpaisa\.errors"):
        refinement("OrderGoneError")


def test_a_generated_call_returns_the_typed_result_with_formats_read() -> None:
    emulator = Emulator()
    emulator.add_order("ord_1", "UN_PAID", amount="105.00")
    with emulator.client() as kp:
        result = kp._call_generated(
            UNDECLARED,
            OrderStatusRequest(order_id="ord_1"),
            timeout=None,
            max_retries=None,
            total_timeout=None,
        )
    assert type(result).__name__ == "OrderStatusResult"
    assert result.order_id == "ord_1"
    assert result.order_amount == Decimal("105.00")
    assert isinstance(result.created_at, datetime)
    assert result.created_at.utcoffset() is not None
    assert result.raw["return_data"]["order_status"] == "UN_PAID"
    assert result.attempts == 1


def test_a_generated_call_raises_the_plain_class_of_its_status() -> None:
    with Emulator().client() as kp, pytest.raises(NotFoundError) as caught:
        kp._call_generated(
            UNDECLARED,
            OrderStatusRequest(order_id="ord_missing"),
            timeout=None,
            max_retries=None,
            total_timeout=None,
        )
    assert not isinstance(caught.value, OrderNotFoundError)
    assert "ord_missing" in str(caught.value)


def test_a_generated_call_checks_the_order_id_before_the_network() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    with KwikPaisa(**KEYS, transport=transport) as kp, pytest.raises(ValueError, match="order_id"):
        kp._call_generated(
            UNDECLARED,
            OrderStatusRequest(order_id=""),
            timeout=None,
            max_retries=None,
            total_timeout=None,
        )
    assert sent == []


def _scripted(*steps: object) -> tuple[httpx.MockTransport, list[int]]:
    """A transport answering each attempt with the next step (an exception is raised)."""
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        step = steps[len(calls)]
        calls.append(1)
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, httpx.Response)
        return step

    return httpx.MockTransport(answer), calls


SUCCESS = {"status": "success", "return_data": {"order_id": "ord_1", "order_status": "PAID"}}


def _run(transport: httpx.MockTransport) -> object:
    with KwikPaisa(**KEYS, transport=transport, max_retries=2) as kp:
        return kp._call_generated(
            UNDECLARED,
            OrderStatusRequest(order_id="ord_1"),
            timeout=None,
            max_retries=None,
            total_timeout=None,
        )


@pytest.mark.usefixtures("fast_retries")
def test_an_undeclared_operation_retries_what_never_reached_kwikpaisa_and_429s() -> None:
    transport, calls = _scripted(
        httpx.ConnectError("refused"),
        httpx.Response(429, json={"status": False, "code": 429, "message": "Slow down."}),
        httpx.Response(200, json=SUCCESS),
    )
    assert getattr(_run(transport), "order_status", None) == "PAID"
    assert len(calls) == 3


@pytest.mark.usefixtures("fast_retries")
@pytest.mark.parametrize(
    ("lost", "error"),
    [
        (httpx.ReadTimeout("no answer"), APITimeoutError),
        (httpx.Response(503, json={"status": False, "code": 503}), ServerError),
    ],
    ids=["timeout-after-sending", "5xx"],
)
def test_an_undeclared_operation_never_repeats_a_request_that_may_have_acted(
    lost: object, error: type[Exception]
) -> None:
    transport, calls = _scripted(lost, httpx.Response(200, json=SUCCESS))
    with pytest.raises(error, match="check before repeating"):
        _run(transport)
    assert len(calls) == 1


def test_the_emulator_answers_an_operation_it_lacks_with_a_501_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refund = attrs.evolve(UNDECLARED, name="refund", path="/api/v3/pg/order/refund")
    monkeypatch.setattr("kwikpaisa.testing._emulator.OPERATIONS", (*OPERATIONS, refund))
    emulator = Emulator()
    body = b'{"order_id":"ord_1"}'
    headers = {name.lower(): value for name, value in emulator.signed_headers(body).items()}
    answer = emulator.handle("POST", "/api/v3/pg/order/refund", headers, body)
    assert answer.status == 501
    assert b"does not implement orders.refund (POST /api/v3/pg/order/refund)" in answer.body
    # A path no operation of the spec has stays a plain 404.
    assert emulator.handle("POST", "/api/v3/pg/order/nope", headers, body).status == 404
