"""Orders expire on the emulator's own clock without being touched, and the
``payment.expired`` webhook goes out on time: as a ``ManualClock`` advances, and by
itself on the real clock."""

from __future__ import annotations

import math
import threading

import httpx
import pytest

from kwikpaisa.testing import Emulator, ManualClock
from kwikpaisa.webhooks import verify

START = 1_778_659_835.0


class Inbox:
    """An in-process webhook receiver: verifies each delivery, records its event."""

    def __init__(self, secret_key: str, now: ManualClock | None = None) -> None:
        self.secret_key = secret_key
        self.now = now
        self.events: list[tuple[str, dict[str, object], int]] = []
        self.expired = threading.Event()
        """Set when a ``payment.expired`` event arrives."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.now() if self.now is not None else None
        event = verify(request.content, request.headers, self.secret_key, now=now)
        self.events.append((event.event, dict(event.data), event.timestamp))
        if event.event == "payment.expired":
            self.expired.set()
        return httpx.Response(200)


def sandbox(inbox: Inbox, **options: object) -> Emulator:
    return Emulator(
        webhook_url="https://merchant.example/webhooks",
        webhook_transport=httpx.MockTransport(inbox),
        **options,  # type: ignore[arg-type]
    )


def test_advancing_the_clock_expires_and_sends_the_webhook_untouched() -> None:
    clock = ManualClock(START)
    inbox = Inbox("sk_test_emulator", now=clock)
    with sandbox(inbox, clock=clock, expire_after=900) as emu:
        emu.add_order("ord_slow", amount="499.00")
        emu.add_order("ord_paid")
        emu.pay("ord_paid")
        assert clock.advance(899) == START + 899
        emu.wait_for_deliveries()  # reads no order: only what the clock fired is sent
        assert [e[0] for e in inbox.events] == ["payment.success"]
        clock.advance(1)
        deliveries = emu.wait_for_deliveries()
    assert inbox.events[1] == (
        "payment.expired",
        {"order_id": "ord_slow", "amount": "499.00", "currency": "INR", "status": "EXPIRED"},
        int(START + 900),  # on time, by the emulator's clock
    )
    assert [(d.event, d.order_id, d.at) for d in deliveries][1:] == [
        ("payment.expired", "ord_slow", START + 900)
    ]
    assert len(inbox.events) == 2  # the paid order never expires


def test_one_clock_drives_every_emulator_on_it() -> None:
    clock = ManualClock(START)
    inboxes = [Inbox("sk_test_emulator", now=clock) for _ in range(2)]
    emulators = [sandbox(inbox, clock=clock, expire_after=60) for inbox in inboxes]
    for emu in emulators:
        emu.add_order("ord_1")
    clock.advance(60)
    for emu in emulators:
        emu.wait_for_deliveries()
        emu.close()
    assert [[e[0] for e in inbox.events] for inbox in inboxes] == [["payment.expired"]] * 2


def test_a_clock_reads_the_same_until_advanced() -> None:
    clock = ManualClock(START)
    emu = Emulator(clock=clock)
    order = emu.add_order("ord_1")
    assert clock() == clock.now == START
    assert order.created == START
    assert order.created_at == "13-05-2026 01:40 PM"
    assert clock.advance(-30) == START - 30  # back, for clock-skew tests
    assert repr(clock) == "ManualClock(1778659805.000)"


@pytest.mark.parametrize("bad", [math.nan, math.inf, "10", True])
def test_advance_needs_a_finite_number_of_seconds(bad: object) -> None:
    with pytest.raises(ValueError, match="seconds must be a finite number of seconds"):
        ManualClock(START).advance(bad)  # type: ignore[arg-type]


def test_a_manual_clock_starts_at_the_real_time_so_signed_requests_pass() -> None:
    clock = ManualClock()
    emu = Emulator(clock=clock)
    emu.add_order("ord_1")
    with emu.client() as kp:
        assert kp.orders.status("ord_1").status == "UN_PAID"


def test_on_the_real_clock_orders_expire_by_themselves() -> None:
    """Nothing touches the order: the emulator's own timer expires it and sends the
    webhook (the test waits for that event, whatever the machine's speed)."""
    inbox = Inbox("sk_test_emulator")
    with sandbox(inbox, expire_after=0.05) as emu:
        emu.add_order("ord_left")
        assert inbox.expired.wait(30), "no payment.expired was sent"
    assert [(e[0], e[1]["order_id"]) for e in inbox.events] == [("payment.expired", "ord_left")]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0])
def test_expire_after_must_be_a_finite_positive_number(bad: float) -> None:
    with pytest.raises(ValueError, match="expire_after must be a finite number of seconds > 0"):
        Emulator(expire_after=bad)
