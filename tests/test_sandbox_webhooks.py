"""Webhooks from the sandbox: signed as KwikPaisa signs them, delivered by a background
worker to a real loopback receiver, retried, duplicated and reordered on request."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from kwikpaisa.testing import Emulator
from kwikpaisa.webhooks import WebhookVerificationError, verify

from .emulator_helpers import Receiver, create, webhook_receiver

NO_WAIT = (0.0, 0.0, 0.0)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver(Emulator().secret_key) as got:
        yield got


def sandbox(receiver: Receiver, **options: object) -> Emulator:
    options.setdefault("webhook_backoff", NO_WAIT)
    return Emulator(webhook_url=receiver.url, **options)  # type: ignore[arg-type]


def test_pay_sends_a_verified_payment_success(receiver: Receiver) -> None:
    with sandbox(receiver) as emu:
        emu.add_order(6116229263036, amount=105)
        emu.pay(6116229263036)
        deliveries = emu.wait_for_deliveries()
    assert [event.event for event in receiver.events] == ["payment.success"]
    assert receiver.events[0].data == {
        "order_id": "6116229263036",
        "amount": "105.00",
        "currency": "INR",
        "status": "PAID",
    }
    body, headers = receiver.requests[0]
    assert body == (
        b'{"data":{"amount":"105.00","currency":"INR","order_id":"6116229263036",'
        b'"status":"PAID"},"event":"payment.success"}'
    )
    assert "X-API-KEY" not in headers
    assert [(d.event, d.order_id, d.attempt, d.status, d.error) for d in deliveries] == [
        ("payment.success", 6116229263036, 1, 200, None)
    ]


def test_each_outcome_has_its_event(receiver: Receiver) -> None:
    with sandbox(receiver) as emu:
        for order_id in ("a", "b", "c", "d"):
            emu.add_order(order_id)
        emu.pay("a")
        emu.fail("b")
        emu.expire("c")
        emu.set_status("d", "PAID")
        emu.wait_for_deliveries()
    assert [(e.event, e.data["order_id"], e.data["status"]) for e in receiver.events] == [
        ("payment.success", "a", "PAID"),
        ("payment.failed", "b", "FAILED"),
        ("payment.expired", "c", "EXPIRED"),
        ("payment.success", "d", "PAID"),
    ]


def test_the_page_sends_the_webhook(receiver: Receiver) -> None:
    emu = sandbox(receiver)
    with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
        link = create(http, emu, "ord_page").json()["return_data"]["payment_link"]
        assert http.post(link, data={"action": "pay", "method": "UPI"}).status_code == 303
        emu.wait_for_deliveries()
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.success", "ord_page")
    ]


def test_expiry_on_the_clock_sends_payment_expired(receiver: Receiver) -> None:
    now = [1_778_659_835.0]
    receiver.now = now[0] + 600  # the receiver's clock agrees with the emulator's
    with sandbox(receiver, clock=lambda: now[0], expire_after=600) as emu:
        emu.add_order("slow")
        now[0] += 600
        assert emu.order_status("slow") == "EXPIRED"
        emu.wait_for_deliveries()
    assert [(e.event, e.data["status"]) for e in receiver.events] == [
        ("payment.expired", "EXPIRED")
    ]
    assert receiver.events[0].timestamp == int(now[0])


def test_a_failed_delivery_is_retried_until_2xx(receiver: Receiver) -> None:
    receiver.answers = [500, 503]
    with sandbox(receiver) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(d.attempt, d.status, d.ok) for d in deliveries] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert len(receiver.requests) == 3
    assert [e.event for e in receiver.events] == ["payment.success"]


def test_delivery_gives_up_after_the_backoff_schedule(receiver: Receiver) -> None:
    receiver.answers = [500] * 10
    with sandbox(receiver, webhook_backoff=(0.0, 0.0)) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [d.attempt for d in deliveries] == [1, 2, 3]
    assert len(receiver.requests) == 3


def test_an_unreachable_receiver_is_recorded_as_an_error() -> None:
    with webhook_receiver("unused") as gone:
        url = gone.url
    with Emulator(webhook_url=url, webhook_backoff=(0.0,)) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(d.attempt, d.status) for d in deliveries] == [(1, None), (2, None)]
    assert all(d.error and "ConnectError" in d.error for d in deliveries)


def test_a_receiver_that_does_not_answer_in_time_is_retried() -> None:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) == 1:
            raise httpx.ReadTimeout("receiver too slow", request=request)
        return httpx.Response(200)

    with Emulator(
        webhook_url="http://merchant.localhost/hook",
        webhook_backoff=(0.0,),
        webhook_transport=httpx.MockTransport(handler),
    ) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(d.attempt, d.status) for d in deliveries] == [(1, None), (2, 200)]
    assert deliveries[0].error == "ReadTimeout: receiver too slow"


def test_duplicates_send_every_event_twice(receiver: Receiver) -> None:
    with sandbox(receiver, webhook_duplicates=True) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.success", "a"),
        ("payment.success", "a"),
    ]
    assert [(d.copy, d.status) for d in deliveries] == [(1, 200), (2, 200)]


def test_shuffle_sends_events_out_of_order(receiver: Receiver) -> None:
    with sandbox(receiver, webhook_shuffle=True) as emu:
        for order_id in ("a", "b", "c"):
            emu.add_order(order_id)
        emu.pay("a")
        emu.pay("b")
        emu.fail("c")
        emu.flush_webhooks()
    # Each event waits for the next to overtake it; the last one goes on the flush.
    assert [e.data["order_id"] for e in receiver.events] == ["b", "a", "c"]


def test_delivery_does_not_block_the_api(receiver: Receiver) -> None:
    gate = threading.Event()
    entered = threading.Event()

    def slow_receiver(request: httpx.Request) -> httpx.Response:
        entered.set()
        gate.wait(10)
        return httpx.Response(200)

    emu = Emulator(
        webhook_url="http://merchant.localhost/hook",
        webhook_transport=httpx.MockTransport(slow_receiver),
    )
    try:
        with httpx.Client(transport=emu.transport(), base_url="http://emulator.localhost") as http:
            emu.add_order("a")
            emu.pay("a")
            assert entered.wait(10)
            # The receiver is still holding the delivery: the API and the page answer anyway.
            assert create(http, emu, "ord_next").status_code == 200
            assert http.get(emu.checkout_url("ord_next")).status_code == 200
            assert emu.deliveries == []
    finally:
        gate.set()
        emu.wait_for_deliveries()
        emu.close()
    assert [d.status for d in emu.deliveries] == [200]


def test_wait_for_deliveries_times_out_while_a_receiver_hangs() -> None:
    gate = threading.Event()

    def stuck(request: httpx.Request) -> httpx.Response:
        gate.wait(10)
        return httpx.Response(200)

    emu = Emulator(
        webhook_url="http://merchant.localhost/hook", webhook_transport=httpx.MockTransport(stuck)
    )
    try:
        emu.add_order("a")
        emu.pay("a")
        with pytest.raises(TimeoutError, match="1 webhook event"):
            emu.wait_for_deliveries(timeout=0.05)
    finally:
        gate.set()
        emu.close()


def test_close_stops_the_worker_and_a_new_event_restarts_it(receiver: Receiver) -> None:
    emu = sandbox(receiver)
    emu.add_order("a")
    emu.add_order("b")
    emu.pay("a")
    emu.wait_for_deliveries()
    emu.close()
    assert not any(t.name == "kwikpaisa-emulator-webhooks" for t in threading.enumerate())
    emu.pay("b")
    emu.wait_for_deliveries()
    emu.close()
    assert [e.data["order_id"] for e in receiver.events] == ["a", "b"]


def test_no_webhook_url_no_worker() -> None:
    emu = Emulator()
    emu.add_order("a")
    emu.pay("a")
    assert emu.wait_for_deliveries(timeout=0.01) == []
    assert emu.webhook_url is None


def test_webhooks_are_signed_with_the_emulators_secret() -> None:
    with (
        webhook_receiver("sk_test_other") as receiver,
        Emulator(secret_key="sk_test_other", webhook_url=receiver.url) as emu,
    ):
        emu.add_order("a")
        emu.pay("a")
        emu.wait_for_deliveries()
        assert "sk_test_other" not in repr(emu)
        assert "sk_test_other" not in repr(emu._webhooks)
    body, headers = receiver.requests[0]
    assert verify(body, headers, "sk_test_other").event == "payment.success"
    with pytest.raises(WebhookVerificationError):
        verify(body, headers, Emulator().secret_key)


def test_a_receiver_failing_in_any_way_is_recorded_and_the_worker_goes_on() -> None:
    calls: list[int] = []

    def broken(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("receiver exploded")
        return httpx.Response(204)

    with Emulator(
        webhook_url="http://merchant.localhost/hook",
        webhook_backoff=(0.0,),
        webhook_transport=httpx.MockTransport(broken),
    ) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(d.attempt, d.status, d.error) for d in deliveries] == [
        (1, None, "RuntimeError: receiver exploded"),
        (2, 204, None),
    ]


@pytest.mark.parametrize("url", ["merchant.example/hook", "ftp://merchant.example/hook"])
def test_webhook_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="webhook_url must be an http"):
        Emulator(webhook_url=url)


@pytest.mark.parametrize(
    ("settle", "event"),
    [("pay", "payment.success"), ("fail", "payment.failed"), ("expire", "payment.expired")],
)
def test_deliver_webhook_for_an_order_sends_exactly_what_the_emulator_sends(
    settle: str, event: str
) -> None:
    sent: list[httpx.Request] = []

    def inbox(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(inbox)
    with Emulator(
        clock=lambda: 1_778_659_835.0,
        webhook_url="https://merchant.example/webhooks",
        webhook_transport=transport,
    ) as emu:
        emu.add_order(6116229263036, amount=105)
        getattr(emu, settle)(6116229263036)
        emu.wait_for_deliveries()
        emu.deliver_webhook(
            "https://merchant.example/webhooks", order_id=6116229263036, transport=transport
        )
    own, by_hand = sent
    assert by_hand.content == own.content
    assert by_hand.headers["X-SIGNATURE"] == own.headers["X-SIGNATURE"]
    assert verify(by_hand.content, by_hand.headers, emu.secret_key, now=1_778_659_835.0).event == (
        event
    )
    assert b'"amount":"105.00"' in by_hand.content


def test_deliver_webhook_names_the_argument_it_needs() -> None:
    emu = Emulator()
    emu.add_order("ord_open")
    url = "https://merchant.example/webhooks"
    with pytest.raises(ValueError, match="'ord_open' is UN_PAID: the emulator sends no webhook"):
        emu.deliver_webhook(url, order_id="ord_open")
    with pytest.raises(TypeError, match=r"data=\.\.\. or order_id=\.\.\., not both"):
        emu.deliver_webhook(url, "payment.success", {"order_id": "x"}, order_id="ord_open")
    with pytest.raises(TypeError, match="needs the event name with data"):
        emu.deliver_webhook(url, data={"order_id": "x"})
    sent: list[bytes] = []
    transport = httpx.MockTransport(lambda r: sent.append(r.content) or httpx.Response(200))
    emu.deliver_webhook(url, "payment.processing", order_id="ord_open", transport=transport)
    assert sent == [
        b'{"data":{"amount":"100.00","currency":"INR","order_id":"ord_open","status":"UN_PAID"},'
        b'"event":"payment.processing"}'
    ]


def test_fail_first_counts_the_first_attempts_as_failed_whatever_the_answer(
    receiver: Receiver,
) -> None:
    with sandbox(receiver, webhook_fail_first=2) as emu:
        emu.add_order("a")
        emu.pay("a")
        deliveries = emu.wait_for_deliveries()
    assert [(d.attempt, d.status, d.ok) for d in deliveries] == [
        (1, 200, False),
        (2, 200, False),
        (3, 200, True),
    ]
    assert deliveries[0].error == "failed on purpose (attempt 1 of the first 2)"
    # The receiver really got every attempt: the same event, signed afresh each time.
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.success", "a")
    ] * 3


@pytest.mark.parametrize(
    ("fail_first", "backoff", "message"),
    [
        (-1, NO_WAIT, "webhook_fail_first must be a whole number >= 0, not -1"),
        (1.5, NO_WAIT, "webhook_fail_first must be a whole number >= 0, not 1.5"),
        (4, NO_WAIT, "webhook_fail_first=4 would fail every attempt: .* allows 3 retries"),
    ],
)
def test_fail_first_must_leave_an_attempt_to_succeed(
    fail_first: object, backoff: tuple[float, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Emulator(
            webhook_url="https://merchant.example/webhooks",
            webhook_backoff=backoff,
            webhook_fail_first=fail_first,  # type: ignore[arg-type]
        )
