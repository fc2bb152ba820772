"""Clock skew: a 401 whose Date header shows the local clock off by over a minute says so."""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from typing import Any

import pytest

from kwikpaisa import (
    AuthenticationError,
    OrderNotFoundError,
)
from kwikpaisa.testing import Emulator, Fault

from .conftest import Reach, cancel_with, interpret_cancel, seeded_emulator

_SKEW = re.compile(r"Your clock is (\d+) s (ahead of|behind) KwikPaisa's")


def _shifted(shift: float, **options: Any) -> Emulator:
    """An emulator whose clock (and Date header) is ``shift`` seconds from ours."""
    return seeded_emulator(clock=lambda: time.time() + shift, **options)


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(("shift", "direction"), [(-600, "ahead of"), (900, "behind")])
def test_stale_timestamp_401_names_the_skew(
    shift: int, direction: str, flavour: str, reach: Reach, fast_retries: list[float]
) -> None:
    emu = _shifted(shift)
    with pytest.raises(AuthenticationError) as caught:
        cancel_with(flavour, reach(emu), "ord_1")
    err = caught.value
    assert err.status_code == 401
    assert err.server_message == "Request timestamp expired."
    assert err.attempts == 1
    assert fast_retries == []
    text = str(err)
    found = _SKEW.search(text)
    assert found, text
    assert found[2] == direction
    assert abs(int(found[1]) - abs(shift)) <= 2
    assert "synchronise the clock (NTP)" in text
    assert err.clock_skew_seconds is not None
    assert err.clock_skew_seconds == pytest.approx(-shift, abs=2)
    assert emu.cancel_count("ord_1") == 0


def test_skew_under_a_minute_is_not_mentioned(reach: Reach) -> None:
    # A wrong secret gives a 401 whatever the clock; 30 s of skew is not worth a word.
    emu = _shifted(30)
    options = {**reach(emu), "secret_key": "sk_test_wrong"}
    with pytest.raises(AuthenticationError) as caught:
        cancel_with("sync", options, "ord_1")
    assert caught.value.server_message == "Invalid signature."
    assert "Your clock" not in str(caught.value)
    assert caught.value.clock_skew_seconds is None


def test_skew_within_the_servers_window_still_works(reach: Reach) -> None:
    # 120 s off is inside the emulator's 300 s window: the call succeeds.
    emu = _shifted(-120)
    assert cancel_with("sync", reach(emu), "ord_1").status == "CANCELLED"


def test_skew_is_a_hint_on_any_401(reach: Reach) -> None:
    emu = _shifted(-120)
    options = {**reach(emu), "secret_key": "sk_test_wrong"}
    with pytest.raises(AuthenticationError) as caught:
        cancel_with("sync", options, "ord_1")
    found = _SKEW.search(str(caught.value))
    assert found
    assert found[2] == "ahead of"


def test_narrow_server_window(reach: Reach) -> None:
    emu = _shifted(-90, timestamp_tolerance=60)
    with pytest.raises(AuthenticationError) as caught:
        cancel_with("sync", reach(emu), "ord_1")
    assert _SKEW.search(str(caught.value))


def test_skew_is_not_mentioned_for_other_errors(reach: Reach) -> None:
    emu = _shifted(-120)
    with pytest.raises(OrderNotFoundError) as caught:
        cancel_with("sync", reach(emu), "ord_missing")
    assert "clock" not in str(caught.value)


def test_401_in_a_failure_body_under_200_also_names_the_skew(reach: Reach) -> None:
    emu = _shifted(-3600)
    emu.inject(Fault.failure_body(401, "Request timestamp expired."))
    with pytest.raises(AuthenticationError) as caught:
        cancel_with("sync", reach(emu), "ord_1")
    found = _SKEW.search(str(caught.value))
    assert found
    assert abs(int(found[1]) - 3600) <= 2


@pytest.mark.parametrize(
    "headers", [{}, {"date": "yesterday-ish"}, {"date": ""}], ids=["none", "garbage", "empty"]
)
def test_no_usable_date_header_means_no_skew_claim(headers: dict[str, str]) -> None:
    outcome = interpret_cancel(
        401,
        headers,
        b'{"status": false, "code": 401, "message": "Request timestamp expired."}',
        order_id="ord_1",
        attempts=1,
    )
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.clock_skew_seconds is None
    assert "clock" not in str(outcome.error)


def test_skew_is_measured_against_the_date_header() -> None:
    now = 1_800_000_000.0
    outcome = interpret_cancel(
        401,
        {"date": formatdate(now - 125, usegmt=True)},
        b'{"status": false, "code": 401, "message": "Request timestamp expired."}',
        order_id="ord_1",
        attempts=1,
        now=lambda: now,
    )
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.clock_skew_seconds == 125.0
    assert "Your clock is 125 s ahead of KwikPaisa's" in str(outcome.error)


def test_date_in_minus_zero_zone_is_read_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # "-0000" parses to a naive time; it is UTC whatever the local zone is.
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        now = 1_800_000_000.0
        date = formatdate(now - 125, usegmt=True).replace("GMT", "-0000")
        outcome = interpret_cancel(
            401,
            {"date": date},
            b'{"status": false, "code": 401, "message": "Request timestamp expired."}',
            order_id="ord_1",
            attempts=1,
            now=lambda: now,
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert isinstance(outcome.error, AuthenticationError)
    assert outcome.error.clock_skew_seconds == 125.0
