"""orders.create and orders.status against the emulator: sync and async, in-process and over
a socket; amounts never floats; a create whose answer is lost is reported once, as created."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from kwikpaisa import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncKwikPaisa,
    CreatedOrder,
    Customer,
    KwikPaisa,
    Order,
    OrderExistsError,
    OrderNotFoundError,
    ServerError,
)
from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import Emulator, Fault

CUSTOMER = Customer(name="Ajay", email="a@example.com", phone="9876543210")
RETURN_URL = "https://merchant.example/return"


def create_args(order_id: str | int = "ord_new", **changes: Any) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "amount": Decimal("105.00"),
        "currency": "INR",
        "service_type": "DIGITAL",
        "customer": CUSTOMER,
        "return_url": RETURN_URL,
        "note": None,
        **changes,
    }


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(flavour: str, options: dict[str, Any], method: str, *args: Any, **kwargs: Any) -> Any:
    """``kp.orders.<method>(*args, **kwargs)`` through a fresh sync or async client."""
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return getattr(kp.orders, method)(*args, **kwargs)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as kp:
            return await getattr(kp.orders, method)(*args, **kwargs)

    return asyncio.run(go())


def test_create_then_status_then_cancel(
    flavour: str, client_options: dict[str, Any], emulator: Emulator
) -> None:
    created = run(flavour, client_options, "create", **create_args(6116229263099))
    assert isinstance(created, CreatedOrder)
    assert created.order_id == 6116229263099  # the JSON type kept
    assert created.status == "UN_PAID"
    assert created.payment_link is not None
    assert created.payment_link.startswith(emulator.base_url + "/")
    assert created.already_created is False
    assert emulator.create_count(6116229263099) == 1
    record = emulator.order(6116229263099)
    assert record is not None
    assert record.order_amount == "105.00"

    order = run(flavour, client_options, "status", 6116229263099)
    assert isinstance(order, Order)
    assert order.order_id == 6116229263099
    assert order.amount == Decimal("105.00")
    assert order.currency == "INR"
    assert order.status == "UN_PAID"
    assert order.kwikx_order_id == created.kwikx_order_id
    assert order.created_at is not None
    assert order.created_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert order.paid_at is None

    emulator.pay(6116229263099, method="UPI")
    paid = run(flavour, client_options, "status", 6116229263099)
    assert paid.status == "PAID"
    assert paid.is_paid
    assert paid.payment_method == "UPI"
    assert paid.transaction_id
    assert paid.paid_at is not None
    assert paid.paid_at.utcoffset() == timedelta(hours=5, minutes=30)


def test_status_of_an_unknown_order(flavour: str, client_options: dict[str, Any]) -> None:
    with pytest.raises(OrderNotFoundError, match="KwikPaisa has no order 'ord_nope'"):
        run(flavour, client_options, "status", "ord_nope")


def test_unknown_status_is_kept_as_data(client_options: dict[str, Any], emulator: Emulator) -> None:
    emulator.fail("ord_1")
    order = run("sync", client_options, "status", "ord_1")
    assert order.status == "FAILED"
    assert not order.is_paid


REPEAT = (
    "repeat the create with the same order_id, amount and currency (a repeat returns the "
    "existing order with already_created=True, never a second order)"
)


def test_a_repeated_create_in_a_new_call_returns_the_existing_order(
    flavour: str, client_options: dict[str, Any], emulator: Emulator
) -> None:
    first = run(flavour, client_options, "create", **create_args("ord_again"))
    again = run(flavour, client_options, "create", **create_args("ord_again", amount="105"))
    assert first.already_created is False
    assert again.already_created is True
    assert again.attempts == 1  # the 409 came on the first attempt of the new call
    assert again.order_id == "ord_again"
    assert again.status == "UN_PAID"
    assert again.kwikx_order_id == first.kwikx_order_id
    assert emulator.create_count("ord_again") == 1  # created once, never twice
    assert emulator.create_requests("ord_again") == 2


def test_a_repeat_reports_what_the_order_has_become(
    client_options: dict[str, Any], emulator: Emulator
) -> None:
    run("sync", client_options, "create", **create_args("ord_later"))
    emulator.pay("ord_later")
    again = run("sync", client_options, "create", **create_args("ord_later"))
    assert again.already_created is True
    assert again.status == "PAID"


@pytest.mark.parametrize(
    ("existing", "held"),
    [({"amount": "100.00"}, "100.00 INR"), ({"amount": "105.00", "currency": "USD"}, "105.00 USD")],
    ids=["amount", "currency"],
)
def test_a_create_meeting_another_purchase_names_both_amounts_and_currencies(
    flavour: str,
    client_options: dict[str, Any],
    emulator: Emulator,
    existing: dict[str, str],
    held: str,
) -> None:
    emulator.add_order("ord_taken", **existing)
    with pytest.raises(OrderExistsError) as caught:
        run(flavour, client_options, "create", **create_args("ord_taken"))
    err = caught.value
    assert err.status_code == 409
    assert err.earlier_attempt_unanswered is False
    message = str(err)
    assert f"Order 'ord_taken' already exists for {held}, not 105.00 INR as asked" in message
    assert "if this is a different purchase, use a new order_id" in message
    assert err.existing is not None
    assert f"{err.existing.amount} {err.existing.currency}" == held
    assert emulator.create_count("ord_taken") == 0


def _advises_new_id_only_for_another_purchase(message: str) -> None:
    lowered = message.lower()
    if "new order_id" in lowered:
        assert "if this is a different purchase, use a new order_id" in lowered, message
        assert lowered.count("new order_id") == 1, message


@pytest.mark.parametrize(
    ("faults", "options", "error", "said"),
    [
        ([Fault.reset(process_first=True)], {}, APIConnectionError, "The connection"),
        ([Fault.hang(process_first=True)], {"timeout": 2}, APITimeoutError, "Timed out waiting"),
        ([Fault.http_status(503, process_first=True)], {}, ServerError, "HTTP 503"),
        ([Fault.truncated_json()], {}, APIError, "without a readable result"),
        (
            [Fault.raw(200, b"[" + b"0," * 2**20 + b"0]", process_first=True)],
            {},
            APIConnectionError,
            "larger than",
        ),
        (
            [Fault.hang(process_first=True)],
            {"max_retries": 2, "total_timeout": 0.2},
            APITimeoutError,
            "total_timeout=0.2 s ran out after 1 attempt",
        ),
    ],
    ids=["reset", "timeout", "503", "unreadable", "too-large", "deadline"],
)
def test_every_lost_create_says_what_a_repeat_does_and_a_repeat_does_it(
    flavour: str,
    emulator: Emulator,
    fast_retries: list[float],
    faults: list[Fault],
    options: dict[str, Any],
    error: type[Exception],
    said: str,
) -> None:
    emulator.inject(*faults)
    client = {
        "api_key": emulator.api_key,
        "secret_key": emulator.secret_key,
        "base_url": "http://emulator.localhost",
        "transport": emulator.transport(),
        "max_retries": 0,
        **options,
    }
    with pytest.raises(error) as caught:
        run(flavour, client, "create", **create_args("ord_lost"))
    message = str(caught.value)
    assert said in message
    assert f"the order may have been created: {REPEAT}" in message or (
        f"it may or may not have been created: {REPEAT}" in message
    )
    _advises_new_id_only_for_another_purchase(message)

    # The repeat, in a new call, does exactly that.
    client["transport"] = emulator.transport()
    again = run(flavour, client, "create", **create_args("ord_lost"))
    assert again.already_created is True
    assert again.order_id == "ord_lost"
    assert emulator.create_count("ord_lost") == 1


@pytest.mark.parametrize(
    "fault",
    [
        Fault.reset(process_first=True),
        Fault.hang(process_first=True),
        Fault.http_status(503, process_first=True),
    ],
    ids=["reset", "hang", "503"],
)
def test_a_create_whose_answer_is_lost_is_reported_once_as_created(
    flavour: str,
    client_options: dict[str, Any],
    emulator: Emulator,
    fast_retries: list[float],
    fault: Fault,
) -> None:
    emulator.inject(fault)
    options = {**client_options, "timeout": 2}
    created = run(flavour, options, "create", **create_args("ord_lost"))
    assert created.already_created is True
    assert created.order_id == "ord_lost"
    assert created.status == "UN_PAID"
    assert created.attempts == 2
    assert emulator.create_count("ord_lost") == 1  # created once, never twice
    assert emulator.create_requests("ord_lost") == 2


def test_a_lost_create_meeting_a_different_order_raises(
    client_options: dict[str, Any], emulator: Emulator, fast_retries: list[float]
) -> None:
    # Someone else's order holds the id, and our first attempt's answer was lost.
    emulator.add_order("ord_taken", amount="999.00")
    emulator.inject(Fault.reset())
    with pytest.raises(OrderExistsError) as caught:
        run("sync", client_options, "create", **create_args("ord_taken"))
    assert caught.value.earlier_attempt_unanswered is True
    assert "already exists for 999.00 INR, not 105.00 INR" in str(caught.value)


@pytest.mark.parametrize(
    ("status_fault", "known", "cause"),
    [
        (
            Fault.http_status(503),
            "but reading it back to compare it failed: KwikPaisa failed to process the status "
            "request for order 'ord_1' (HTTP 503",
            ServerError,
        ),
        (
            Fault.http_status(404),
            "but KwikPaisa's status API does not find it",
            OrderNotFoundError,
        ),
    ],
    ids=["503", "404"],
)
def test_a_conflict_whose_order_cannot_be_read_back_says_what_is_known(
    flavour: str,
    client_options: dict[str, Any],
    emulator: Emulator,
    status_fault: Fault,
    known: str,
    cause: type[Exception],
) -> None:
    emulator.inject(Fault.http_status(409, message="Order already exists."), status_fault)
    options = {**client_options, "max_retries": 0}
    with pytest.raises(OrderExistsError) as caught:
        run(flavour, options, "create", **create_args("ord_1"))
    err = caught.value
    assert isinstance(err.__cause__, cause)
    assert err.existing is None
    message = str(err)
    assert "Order 'ord_1' already exists (KwikPaisa answered 409), " + known in message
    assert f"It may be this purchase's order from an earlier attempt: {REPEAT}" in message
    _advises_new_id_only_for_another_purchase(message)
    assert emulator.requests_received == 2  # the create, then the one status read


def test_the_read_back_fits_in_what_is_left_of_total_timeout(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each request takes 11 s on a fake clock: the create's 409 uses up total_timeout=10.
    # In-process, where the 11 s and the answer are one step. (Over a socket the clock
    # would jump before the answer is on the wire, and an answer that comes after the
    # deadline is rightly cut short; test_deadlines holds a socket answer that arrived in
    # time to being kept.)
    client_options = {
        "api_key": emulator.api_key,
        "secret_key": emulator.secret_key,
        "base_url": "http://emulator.localhost",
        "transport": emulator.transport(),
    }
    now = [1000.0]
    monkeypatch.setattr("kwikpaisa._client._monotonic", lambda: now[0])
    inner = emulator.handle

    def slow(*args: Any, **kwargs: Any) -> Any:
        now[0] += 11
        return inner(*args, **kwargs)

    monkeypatch.setattr(emulator, "handle", slow)
    with pytest.raises(OrderExistsError) as caught:
        run("sync", client_options, "create", **create_args("ord_1"), total_timeout=10)
    assert "but no time was left within total_timeout to read it back" in str(caught.value)
    assert emulator.requests_received == 1  # no status request past the deadline


def test_create_that_never_gets_an_answer_says_it_may_exist(
    client_options: dict[str, Any], emulator: Emulator, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.reset(), times=3)
    with pytest.raises(APIConnectionError, match="the order may have been created"):
        run("sync", client_options, "create", **create_args("ord_x"))


def test_status_is_retried_like_a_read(
    client_options: dict[str, Any], emulator: Emulator, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503), Fault.reset())
    order = run("sync", client_options, "status", "ord_1")
    assert order.status == "UN_PAID"
    assert order.attempts == 3


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("105.00"), b"105"), (Decimal("105.50"), b"105.5"), (7, b"7"), ("0.05", b"0.05")],
)
def test_amount_is_sent_as_the_json_number_javascript_prints(
    emulator: Emulator, amount: object, text: bytes
) -> None:
    with emulator.client() as kp:
        kp.orders.create(**create_args("ord_amount", amount=amount))
    record = emulator.order("ord_amount")
    assert record is not None
    assert Decimal(record.order_amount) == Decimal(text.decode())
    assert canonical_payload({"order_amount": float(Decimal(text.decode()))}) == (
        b'{"order_amount":' + text + b"}"
    )


@pytest.mark.parametrize(
    ("change", "error", "names"),
    [
        ({"amount": 105.0}, TypeError, "floats cannot hold money"),
        ({"amount": Decimal("0")}, ValueError, "greater than zero"),
        ({"amount": "-5"}, ValueError, "greater than zero"),
        ({"amount": Decimal("1.005")}, ValueError, "more than two decimal places"),
        ({"amount": "ten"}, ValueError, "not a number"),
        ({"currency": "inr"}, ValueError, "three-letter ISO code"),
        ({"service_type": ""}, ValueError, "service_type is empty"),
        ({"customer": {"name": "A"}}, TypeError, "kwikpaisa.Customer"),
        ({"customer": Customer(name="A", email="nope", phone="9876543210")}, ValueError, "email"),
        ({"customer": Customer(name="A", email="a@b.in", phone="98-76")}, ValueError, "phone"),
        ({"customer": Customer(name=" ", email="a@b.in", phone="9876543210")}, ValueError, "name"),
        ({"return_url": "/return"}, ValueError, "absolute http"),
        ({"note": 5}, TypeError, "note must be a str"),
        ({"order_id": ""}, ValueError, "order_id is empty"),
    ],
)
def test_create_refuses_bad_input_before_the_network(
    emulator: Emulator, change: dict[str, Any], error: type[Exception], names: str
) -> None:
    with emulator.client() as kp, pytest.raises(error, match=names):
        kp.orders.create(**create_args(**change))
    assert emulator.requests_received == 0


def test_note_is_sent_when_given(emulator: Emulator) -> None:
    with emulator.client() as kp:
        kp.orders.create(**create_args("ord_note", note="Gift wrap"))
    record = emulator.order("ord_note")
    assert record is not None
    assert record.order_note == "Gift wrap"


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_status_many_reports_each_order_through_the_batch_engine(
    reach: Any, emulator: Emulator, fast_retries: list[float], flavour: str
) -> None:
    from kwikpaisa import StatusOutcome

    emulator.pay("ord_2")
    emulator.inject(Fault.http_status(429, retry_after=1))
    ids: list[str | int] = ["ord_1", "ord_2", "ord_9", "ord_1", ""]

    async def go() -> list[StatusOutcome]:
        async with AsyncKwikPaisa(**reach(emulator)) as kp:
            return await kp.orders.status_many(ids)

    if flavour == "sync":
        with KwikPaisa(**reach(emulator)) as client:
            outcomes = client.orders.status_many(ids)
    else:
        outcomes = asyncio.run(go())
    # The 429's pause was waited (by every task that met the closed gate), nothing else.
    assert fast_retries
    assert all(0.9 < delay <= 1 for delay in fast_retries)
    assert [o.outcome for o in outcomes] == ["found", "found", "not_found", "duplicate", "failed"]
    assert outcomes[1].order is not None
    assert outcomes[1].order.status == "PAID"
    assert outcomes[3].duplicate_of == 0
    assert outcomes[4].error_type == "ValueError"
    assert [o.ok for o in outcomes] == [True, True, False, True, False]
    assert outcomes[0].to_json()["order_status"] == "UN_PAID"
