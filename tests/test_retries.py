"""Retry policy: what is retried, how long the SDK waits, per-call overrides, fresh signatures.

Waits are recorded by the ``fast_retries`` fixture (sleeps are instant), so the
delays the policy asks for are asserted exactly without waiting for them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import time
from email.utils import formatdate
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from kwikpaisa import (
    APITimeoutError,
    AsyncKwikPaisa,
    Environment,
    KwikPaisa,
    OrderNotCancellableError,
    ServerError,
)
from kwikpaisa import _constants as constants
from kwikpaisa._retry import (
    RETRYABLE_STATUSES,
    calculate_retry_delay,
    parse_retry_after,
    should_retry_status,
)
from kwikpaisa.signing import compute_signature
from kwikpaisa.testing import Emulator, Fault

from .conftest import Reach, seeded_emulator
from .readme_examples import doc_text

ROOT = Path(__file__).resolve().parent.parent

# -- the policy as pure functions ------------------------------------------------


def test_retried_and_never_retried_statuses() -> None:
    assert frozenset({429, 500, 502, 503, 504}) == RETRYABLE_STATUSES
    for status in (429, 500, 502, 503, 504):
        assert should_retry_status(status)
    for status in (200, 301, 400, 401, 403, 404, 409, 422):
        assert not should_retry_status(status)


def test_backoff_is_exponential_capped_and_jittered_down() -> None:
    for retry in range(1, 10):
        full = min(0.5 * 2 ** (retry - 1), 8.0)
        assert calculate_retry_delay(retry, None, rand=lambda: 0.0) == full
        assert calculate_retry_delay(retry, None, rand=lambda: 1.0) == pytest.approx(full * 0.75)
    assert calculate_retry_delay(1, None, rand=lambda: 0.0) == constants.INITIAL_RETRY_DELAY
    assert calculate_retry_delay(30, None, rand=lambda: 0.0) == constants.MAX_RETRY_DELAY


def test_retry_after_wins_over_backoff_up_to_the_cap() -> None:
    assert calculate_retry_delay(1, 3.0) == 3.0
    assert calculate_retry_delay(5, 0.0) == 0.0
    assert calculate_retry_delay(1, 600.0) == constants.MAX_RETRY_AFTER


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2", 2.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=lambda: now) == 30.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=lambda: now) is None


def test_parse_retry_after_date_in_minus_zero_zone_is_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # "-0000" gives a naive datetime; it must be read as UTC whatever the local zone is.
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        now = 1_800_000_000.0
        header = formatdate(now + 20, usegmt=False).rsplit(" ", 1)[0] + " -0000"
        assert parse_retry_after(header, now=lambda: now) == 20.0
    finally:
        monkeypatch.undo()
        time.tzset()


# -- the policy through a client ---------------------------------------------------


def test_backoff_delays_between_attempts(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503), times=6)
    order = kp.orders.cancel("ord_1", max_retries=6)
    assert order.attempts == 7
    assert len(fast_retries) == 6
    for retry, delay in enumerate(fast_retries, start=1):
        full = min(0.5 * 2 ** (retry - 1), 8.0)
        assert full * 0.75 <= delay <= full, (retry, delay)
    assert emulator.cancel_count("ord_1") == 1


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("3", 3.0, 3.0),
        ("0.25", 0.25, 0.25),
        ("3600", 60.0, 60.0),
        ("not-a-number", 0.375, 0.5),
        ("-1", 0.375, 0.5),
    ],
)
def test_retry_after_through_the_client(
    header: str,
    low: float,
    high: float,
    emulator: Emulator,
    kp: KwikPaisa,
    fast_retries: list[float],
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=header))
    kp.total_timeout = None  # the cap itself, not the deadline (which a 60 s wait outlasts)
    assert kp.orders.cancel("ord_1").attempts == 2
    assert len(fast_retries) == 1
    assert low <= fast_retries[0] <= high


def test_retry_after_http_date_through_the_client(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503, retry_after=formatdate(time.time() + 10, usegmt=True)))
    assert kp.orders.cancel("ord_1").attempts == 2
    assert 8.0 <= fast_retries[0] <= 10.0


def test_retry_after_http_date_far_ahead_is_capped(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=formatdate(time.time() + 7200, usegmt=True)))
    kp.total_timeout = None  # the cap itself, not the deadline (which a 60 s wait outlasts)
    kp.orders.cancel("ord_1")
    assert fast_retries == [constants.MAX_RETRY_AFTER]


def test_per_call_max_retries_overrides_the_client(
    emulator: Emulator, client_options: dict[str, Any], fast_retries: list[float]
) -> None:
    with KwikPaisa(**client_options, max_retries=5) as kp:
        emulator.inject(Fault.http_status(503))
        with pytest.raises(ServerError) as caught:
            kp.orders.cancel("ord_1", max_retries=0)
        assert caught.value.attempts == 1
        assert fast_retries == []
        emulator.inject(Fault.http_status(503), times=4)
        assert kp.orders.cancel("ord_1").attempts == 5
        assert emulator.cancel_count("ord_1") == 1


def test_client_max_retries_zero_means_one_attempt(
    emulator: Emulator, client_options: dict[str, Any], fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(500))
    with KwikPaisa(**client_options, max_retries=0) as kp, pytest.raises(ServerError) as caught:
        kp.orders.cancel("ord_1")
    assert caught.value.attempts == 1
    assert fast_retries == []


def test_async_per_call_max_retries(
    emulator: Emulator, client_options: dict[str, Any], fast_retries: list[float]
) -> None:
    async def go() -> None:
        async with AsyncKwikPaisa(**client_options) as kp:
            emulator.inject(Fault.http_status(502), times=3)
            order = await kp.orders.cancel("ord_1", max_retries=3)
            assert order.attempts == 4
            emulator.inject(Fault.http_status(502))
            with pytest.raises(ServerError) as caught:
                await kp.orders.cancel("ord_2", max_retries=0)
            assert caught.value.attempts == 1

    asyncio.run(go())
    assert len(fast_retries) == 3


@pytest.mark.parametrize("bad", [-1, 1.5, "2", True])
def test_bad_max_retries_is_refused_before_any_request(bad: object, emulator: Emulator) -> None:
    kp = emulator.client()
    with pytest.raises(ValueError, match="max_retries must be a whole number >= 0"):
        kp.orders.cancel("ord_1", max_retries=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_retries must be a whole number >= 0"):
        KwikPaisa(emulator.api_key, emulator.secret_key, max_retries=bad)  # type: ignore[arg-type]
    assert emulator.requests_received == 0


@pytest.mark.parametrize("bad", [0, -5, "5", True, float("nan")])
def test_bad_timeout_is_refused_before_any_request(bad: object, emulator: Emulator) -> None:
    kp = emulator.client()
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        kp.orders.cancel("ord_1", timeout=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        KwikPaisa(emulator.api_key, emulator.secret_key, timeout=bad)  # type: ignore[arg-type]
    assert emulator.requests_received == 0


def test_per_call_timeout_shortens_the_wait(
    emulator: Emulator, served: str, fast_retries: list[float]
) -> None:
    # The client default is 20 s; only the per-call 0.3 s can end this in time.
    emulator.inject(Fault.hang(seconds=5))
    with KwikPaisa(emulator.api_key, emulator.secret_key, base_url=served) as kp:
        with pytest.raises(APITimeoutError) as caught:
            kp.orders.cancel("ord_1", timeout=0.3, max_retries=0)
        assert caught.value.attempts == 1
        assert kp.timeout == httpx.Timeout(constants.DEFAULT_TIMEOUT, connect=5.0)


def test_per_call_timeout_reaches_every_attempt(emulator: Emulator) -> None:
    # What httpx is told, recorded in-process: no clock to wait on.
    seen: list[dict[str, float | None]] = []
    inner = emulator.transport()

    class Recording(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.extensions["timeout"])
            return inner.handle_request(request)

    with KwikPaisa(
        emulator.api_key, emulator.secret_key, base_url="http://emulator.localhost",
        timeout=0.2, transport=Recording(),
    ) as kp:  # fmt: skip
        kp.orders.cancel("ord_1", timeout=5, max_retries=0)  # longer than the client's
        kp.orders.cancel("ord_2")  # the client's own
    assert seen == [
        {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0},
        {"connect": 0.2, "read": 0.2, "write": 0.2, "pool": 0.2},
    ]


def test_async_per_call_timeout(emulator: Emulator, served: str, fast_retries: list[float]) -> None:
    emulator.inject(Fault.hang(seconds=5))

    async def go() -> None:
        async with AsyncKwikPaisa(emulator.api_key, emulator.secret_key, base_url=served) as kp:
            with pytest.raises(APITimeoutError):
                await kp.orders.cancel("ord_1", timeout=0.3, max_retries=0)

    asyncio.run(go())


def test_timeout_object_is_used_as_given(emulator: Emulator) -> None:
    custom = httpx.Timeout(12.0, connect=2.0)
    kp = KwikPaisa(emulator.api_key, emulator.secret_key, timeout=custom)
    assert kp.timeout is custom
    short = KwikPaisa(emulator.api_key, emulator.secret_key, timeout=2)
    assert short.timeout == httpx.Timeout(2.0, connect=2.0)


# -- retrying never turns a success into a failure ---------------------------------


def test_first_attempt_409_on_a_cancelled_order_stays_an_error(
    kp: KwikPaisa, fast_retries: list[float]
) -> None:
    with pytest.raises(OrderNotCancellableError) as caught:
        kp.orders.cancel("ord_cancelled")
    err = caught.value
    assert err.attempts == 1
    assert err.status_code == 409
    assert err.order_status == "CANCELLED"
    assert "it is already cancelled" in str(err)
    assert fast_retries == []


def test_lost_success_for_an_integer_order_id(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(502, process_first=True))
    order = kp.orders.cancel(6116229263036)
    assert order.already_cancelled is True
    assert order.order_id == 6116229263036
    assert emulator.cancel_count(6116229263036) == 1


def test_409_after_a_lost_attempt_for_a_paid_order_stays_an_error(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503))
    with pytest.raises(OrderNotCancellableError) as caught:
        kp.orders.cancel("ord_paid")
    assert caught.value.attempts == 2
    assert caught.value.order_status == "PAID"
    assert "(after 2 attempts)" in str(caught.value)


def test_409_after_a_lost_attempt_counts_as_cancelled_even_if_it_was_before(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    # Documented limit: after an attempt that may have reached KwikPaisa, a CANCELLED
    # order is reported as cancelled by this call; the SDK cannot tell who cancelled it.
    emulator.inject(Fault.http_status(503))
    order = kp.orders.cancel("ord_cancelled")
    assert order.already_cancelled is True
    assert order.attempts == 2


def test_a_success_is_never_repeated(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    order = kp.orders.cancel("ord_1")
    assert order.attempts == 1
    assert order.already_cancelled is False
    assert emulator.requests_received == 1
    assert fast_retries == []


# -- every attempt is signed afresh ------------------------------------------------


class _Clock:
    """A clock both the emulator and the SDK's signer read; retries move it on."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_each_attempt_has_a_fresh_timestamp_and_signature(
    flavour: str, reach: Reach, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attempts 400 s apart (beyond the emulator's 300 s window): a reused timestamp
    would be refused with 401, so success proves each attempt was signed again."""
    clock = _Clock()
    emu = seeded_emulator(clock=clock)
    monkeypatch.setattr("kwikpaisa.signing.time", SimpleNamespace(time=clock))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.now += 400

    async def async_sleep(seconds: float) -> None:
        sleep(seconds)

    monkeypatch.setattr("kwikpaisa._client._sleep", sleep)
    monkeypatch.setattr("kwikpaisa._client._async_sleep", async_sleep)
    sent: list[tuple[str, str, bytes]] = []  # (X-TIMESTAMP, X-SIGNATURE, body) as sent

    def record(request: httpx.Request) -> None:
        headers = request.headers
        sent.append((headers["X-TIMESTAMP"], headers["X-SIGNATURE"], request.content))

    async def arecord(request: httpx.Request) -> None:
        record(request)

    emu.inject(Fault.http_status(503), Fault.http_status(500))
    options = reach(emu)
    transport = options.pop("transport", None)
    if flavour == "sync":
        http = httpx.Client(transport=transport, event_hooks={"request": [record]})
        with KwikPaisa(**options, http_client=http) as kp:
            order = kp.orders.cancel("ord_1")
        http.close()
    else:

        async def go() -> Any:
            async with (
                httpx.AsyncClient(transport=transport, event_hooks={"request": [arecord]}) as h,
                AsyncKwikPaisa(**options, http_client=h) as kp,
            ):
                return await kp.orders.cancel("ord_1")

        order = asyncio.run(go())

    assert order.attempts == 3
    assert order.already_cancelled is False
    assert len(waits) == 2
    assert len(sent) == 3
    stamps = [int(timestamp) for timestamp, _, _ in sent]
    assert stamps[1] - stamps[0] == 400
    assert stamps[2] - stamps[1] == 400
    assert len({signature for _, signature, _ in sent}) == 3
    for timestamp, signature, body in sent:
        assert body == b'{"order_id":"ord_1"}'
        assert signature == compute_signature(body, timestamp, emu.secret_key)
    assert emu.cancel_count("ord_1") == 1


# -- retries are logged -------------------------------------------------------------


def test_retries_are_logged_at_info(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    emulator.inject(Fault.http_status(503))
    with caplog.at_level(logging.INFO, logger="kwikpaisa"):
        kp.orders.cancel("ord_1")
    retries = [r for r in caplog.records if r.levelno == logging.INFO and r.name == "kwikpaisa"]
    assert len(retries) == 1
    text = retries[0].getMessage()
    assert "Retrying the cancel of order 'ord_1' in " in text
    assert "attempt 1 of 3 failed" in text
    assert "HTTP 503" in text


# -- the documented defaults are the real ones ---------------------------------------


def test_the_retries_page_states_the_real_defaults() -> None:
    section = doc_text("docs/retries.md")

    def number(value: float) -> str:
        return f"{value:g}"

    stated = {
        "timeout per attempt": f"{number(constants.DEFAULT_TIMEOUT)} s",
        "connect timeout": f"{number(constants.DEFAULT_CONNECT_TIMEOUT)} s",
        "deadline over a whole call": f"{number(constants.DEFAULT_TOTAL_TIMEOUT)} s",
        "max_retries": f"{constants.DEFAULT_MAX_RETRIES}",
        "first backoff": f"{number(constants.INITIAL_RETRY_DELAY)} s",
        "backoff cap": f"{number(constants.MAX_RETRY_DELAY)} s",
        "Retry-After cap": f"{number(constants.MAX_RETRY_AFTER)} s",
        "clock skew reported beyond": f"{constants.CLOCK_SKEW_WARNING_SECONDS} s",
        "largest answer read": f"{constants.MAX_RESPONSE_BYTES // 1024 // 1024} MiB",
    }
    for name, value in stated.items():
        row = re.search(rf"^\| {re.escape(name)} \| `?([^|`]+?)`? \|", section, re.M)
        assert row, f"docs/retries.md table has no row {name!r}"
        assert row[1] == value, f"docs/retries.md says {name} = {row[1]}, the code says {value}"
    retried = ", ".join(str(s) for s in sorted(RETRYABLE_STATUSES))
    assert retried in section
    assert "400, 401, 403, 404, 409, 422" in section
    assert "KWIKPAISA_LOG" in section


def test_the_readme_states_the_real_client_defaults() -> None:
    readme = doc_text("README.md")

    def row(setting: str) -> str:
        match = re.search(rf"^\| {re.escape(setting)} \|.*\| ([^|]+) \|$", readme, re.M)
        assert match, f"README's settings table has no row {setting!r}"
        return match[1].strip()

    timeout, connect = constants.DEFAULT_TIMEOUT, constants.DEFAULT_CONNECT_TIMEOUT
    assert row("timeout per attempt") == f"{timeout:g} s ({connect:g} s to connect)"
    assert row("retries after the first attempt") == str(constants.DEFAULT_MAX_RETRIES)
    total = constants.DEFAULT_TOTAL_TIMEOUT
    assert row("deadline over a whole call, retries included") == f"{total:g} s"
    assert row("environment") == f"`{Environment.SANDBOX.value}`"


@pytest.mark.parametrize("cls", [KwikPaisa, AsyncKwikPaisa])
def test_clients_default_to_the_constants(cls: type[KwikPaisa | AsyncKwikPaisa]) -> None:
    params = inspect.signature(cls.__init__).parameters
    # The values themselves are held to the docs by test_the_retries_page_states_the_real_defaults.
    assert params["timeout"].default == constants.DEFAULT_TIMEOUT
    assert params["max_retries"].default == constants.DEFAULT_MAX_RETRIES
    assert params["total_timeout"].default == constants.DEFAULT_TOTAL_TIMEOUT
    assert params["verify"].default is True
    client = cls("pk_test_x", "sk_test_x")
    assert client.environment is Environment.SANDBOX
    assert client.base_url == "https://sandbox.kwikpaisa.com"
    assert client.max_retries == constants.DEFAULT_MAX_RETRIES
    assert client.total_timeout == constants.DEFAULT_TOTAL_TIMEOUT
    assert client.timeout == httpx.Timeout(
        constants.DEFAULT_TIMEOUT, connect=constants.DEFAULT_CONNECT_TIMEOUT
    )
    if isinstance(client, KwikPaisa):
        client.close()
    else:
        asyncio.run(client.close())


def test_readme_error_table_matches_the_exit_codes() -> None:
    from kwikpaisa import errors
    from kwikpaisa._cli._exit import exit_code_for

    section = doc_text("README.md")
    rows = re.findall(r"^\| (`[^|]+`) \| [^|]+ \| [^|]+ \| (\d+) \|$", section, re.M)
    assert len(rows) >= 14
    for names, code in rows:
        for name in re.findall(r"`(\w+)`", names):
            cls = getattr(errors, name, None) or {"TypeError": TypeError,
                                                  "ValueError": ValueError}[name]  # fmt: skip
            if issubclass(cls, errors.APIError):
                error: BaseException = cls("m", status_code=500)
            elif cls is errors.WebhookVerificationError:
                error = cls("m", reason="bad_signature")
            else:
                error = cls("m")
            assert exit_code_for(error) == int(code), f"README says {name} exits {code}"


def test_409_without_a_status_after_a_lost_attempt_says_it_may_be_this_call(
    emulator: Emulator, kp: KwikPaisa, fast_retries: list[float]
) -> None:
    # KwikPaisa's OpenAPI 409 says only "Permission denied.": the SDK cannot tell.
    emulator.inject(Fault.http_status(503), Fault.http_status(409, message="Permission denied."))
    with pytest.raises(OrderNotCancellableError) as caught:
        kp.orders.cancel("ord_1")
    err = caught.value
    assert err.order_status is None
    assert err.attempts == 2
    assert "an earlier attempt of this call may have cancelled it" in str(err)
    assert "check the order's status" in str(err)
    emulator.inject(Fault.http_status(409, message="Permission denied."))
    with pytest.raises(OrderNotCancellableError) as first:
        kp.orders.cancel("ord_2")
    assert "earlier attempt" not in str(first.value)


def test_retry_after_date_is_measured_from_the_servers_date_header() -> None:
    now = 1_800_000_000.0
    date = formatdate(now + 200, usegmt=True)  # the server's clock is 200 s ahead
    retry_after = formatdate(now + 205, usegmt=True)
    assert parse_retry_after(retry_after, now=lambda: now, date=date) == 5.0
    assert parse_retry_after(retry_after, now=lambda: now, date="garbage") == 205.0
    assert parse_retry_after(retry_after, now=lambda: now) == 205.0


def test_retry_after_date_from_a_skewed_server_through_the_client(
    reach: Reach, fast_retries: list[float]
) -> None:
    # A server 200 s ahead (inside its 300 s window) asks for a retry 5 s from its now.
    emu = seeded_emulator(clock=lambda: time.time() + 200)
    emu.inject(Fault.http_status(503, retry_after=formatdate(emu.clock() + 5, usegmt=True)))
    with KwikPaisa(**reach(emu)) as kp:
        assert kp.orders.cancel("ord_1").attempts == 2
    assert len(fast_retries) == 1
    assert 3.0 <= fast_retries[0] <= 6.0
