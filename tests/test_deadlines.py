"""total_timeout holds whatever the peer does: trickling headers or body, a TLS handshake or
a connect that never completes; sync and async; on the SDK's own clients and a caller's.

The trickling peers move the clock the client reads its deadlines from (no test waits
for the peer's 0.3 s). The TLS and connect probes cannot move it (one blocking step),
so they use a real deadline of a fraction of a second and assert only what ended the call.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kwikpaisa import APITimeoutError, AsyncKwikPaisa, KwikPaisa
from kwikpaisa._constants import DEFAULT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT

from .slow_peers import (
    TRICKLE_STEP,
    AsyncNeverAnswers,
    AsyncTricklingTransport,
    LoopbackServer,
    SilentServer,
    TrickleClock,
    TricklingServer,
    TricklingTransport,
    UnacceptedPort,
    read_request,
)

KEYS = {"api_key": "pk_test_deadline0001", "secret_key": "sk_test_deadline"}
SENT = "the order may have been cancelled"
NOT_SENT = "no attempt reached KwikPaisa, so nothing was done"
CUT_SHORT = "the last one cut short before a complete answer"


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> TrickleClock:
    """The clock the client reads deadlines from; retry waits move it instead of sleeping."""
    clock = TrickleClock()
    real_async_sleep = asyncio.sleep

    async def async_sleep(seconds: float) -> None:
        clock.advance(seconds)
        await real_async_sleep(0)

    monkeypatch.setattr("kwikpaisa._client._monotonic", clock)
    monkeypatch.setattr("kwikpaisa._client._sleep", clock.advance)
    monkeypatch.setattr("kwikpaisa._client._async_sleep", async_sleep)
    return clock


def cancel(flavour: str, make_http: Callable[[], Any] | None = None, **options: Any) -> Any:
    """Cancel 'ord_1' with a fresh client of ``flavour`` (``make_http()``: its http_client)."""
    if flavour == "sync":
        http = make_http() if make_http else None
        try:
            with KwikPaisa(**KEYS, http_client=http, **options) as kp:
                return kp.orders.cancel("ord_1")
        finally:
            if http is not None:
                http.close()

    async def go() -> Any:
        http = make_http() if make_http else None
        try:
            async with AsyncKwikPaisa(**KEYS, http_client=http, **options) as kp:
                return await kp.orders.cancel("ord_1")
        finally:
            if http is not None:
                await http.aclose()

    return asyncio.run(go())


def held_to(clock: TrickleClock, total: float) -> None:
    """The call ended within two trickle steps of its deadline, by the client's clock: the
    read under way when time ran out, and one last look, without waiting, at what had
    already arrived (so an answer that came in time is never thrown away)."""
    assert clock.last_read - clock.start <= total + 2 * TRICKLE_STEP


# -- the SDK's own clients ---------------------------------------------------------------


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_answer_ends_at_total_timeout(
    flavour: str, part: str, clock: TrickleClock
) -> None:
    # timeout=2 never fires: a byte comes every 0.3 s. Only the deadline can end this.
    with TricklingServer(clock, part) as server, pytest.raises(APITimeoutError) as caught:
        cancel(flavour, base_url=server.url, timeout=2, total_timeout=3)
    message = str(caught.value)
    assert f"total_timeout=3 s ran out after 1 attempt, {CUT_SHORT}" in message
    assert SENT in message  # the request went out: KwikPaisa may have acted
    assert caught.value.attempts == 1
    assert server.connections == 1
    held_to(clock, 3)
    assert server.sent < server.give_up_after


def test_defaults_bound_a_trickling_answer(flavour: str, clock: TrickleClock) -> None:
    with (
        TricklingServer(clock, "headers", give_up_after=400) as server,
        pytest.raises(APITimeoutError, match=CUT_SHORT),
    ):
        cancel(flavour, base_url=server.url)
    held_to(clock, DEFAULT_TOTAL_TIMEOUT)


class Silent(httpx.BaseTransport):
    """A peer that never answers, honouring each read timeout it is given: it moves the
    clock by that timeout and times out (a real silent peer, without the wait)."""

    def __init__(self, clock: TrickleClock) -> None:
        self.clock = clock
        self.reads: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        read = request.extensions["timeout"]["read"]
        self.reads.append(read)
        self.clock.advance(read)
        raise httpx.ReadTimeout("timed out", request=request)


def test_with_default_settings_a_silent_peer_holds_a_call_at_most_the_default_deadline(
    clock: TrickleClock,
) -> None:
    silent = Silent(clock)
    with (
        KwikPaisa(**KEYS, base_url="http://peer.localhost", transport=silent) as kp,
        pytest.raises(APITimeoutError) as caught,
    ):
        kp.orders.cancel("ord_1")
    assert clock.now - clock.start <= DEFAULT_TOTAL_TIMEOUT <= 60
    # Two full attempts fit; the third gets what is left.
    assert silent.reads[:2] == [DEFAULT_TIMEOUT, DEFAULT_TIMEOUT]
    assert len(silent.reads) == 3
    assert silent.reads[2] < DEFAULT_TIMEOUT
    assert caught.value.attempts == 3
    assert f"total_timeout={DEFAULT_TOTAL_TIMEOUT:g} s ran out after 3 attempts" in str(
        caught.value
    )


def test_a_tls_handshake_that_never_completes_ends_at_total_timeout(flavour: str) -> None:
    with SilentServer() as server, pytest.raises(APITimeoutError) as caught:
        cancel(flavour, base_url=server.https_url, timeout=30, total_timeout=0.3)
    message = str(caught.value)
    assert f"total_timeout=0.3 s ran out after 1 attempt, {CUT_SHORT}; {NOT_SENT}" in message
    assert server.connections == 1


def test_a_connect_that_never_completes_ends_at_total_timeout(flavour: str) -> None:
    with UnacceptedPort() as port, pytest.raises(APITimeoutError) as caught:
        cancel(flavour, base_url=port.url, timeout=30, total_timeout=0.3)
    message = str(caught.value)
    assert f"total_timeout=0.3 s ran out after 1 attempt, {CUT_SHORT}; {NOT_SENT}" in message


# -- a caller's own http_client / transport ------------------------------------------------


def test_a_callers_own_httpx_client_is_held_to_the_deadline(
    flavour: str, clock: TrickleClock
) -> None:
    make = httpx.Client if flavour == "sync" else httpx.AsyncClient
    with TricklingServer(clock, "headers") as server, pytest.raises(APITimeoutError) as caught:
        cancel(flavour, make, base_url=server.url, timeout=2, total_timeout=3)
    assert CUT_SHORT in str(caught.value)
    held_to(clock, 3)


def test_a_callers_in_process_transport_is_held_to_the_deadline_between_chunks(
    flavour: str, clock: TrickleClock
) -> None:
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport = (
        TricklingTransport(clock) if flavour == "sync" else AsyncTricklingTransport(clock)
    )
    with pytest.raises(APITimeoutError) as caught:
        cancel(
            flavour,
            base_url="http://peer.localhost",
            transport=transport,
            timeout=2,
            total_timeout=3,
        )
    assert CUT_SHORT in str(caught.value)
    held_to(clock, 3)


def test_an_async_callers_transport_that_never_answers_is_cancelled_at_the_deadline() -> None:
    never = AsyncNeverAnswers()
    with pytest.raises(APITimeoutError) as caught:
        cancel("async", base_url="http://peer.localhost", transport=never, total_timeout=0.3)
    # A foreign transport cannot say whether the request went out: assume it did.
    assert f"{CUT_SHORT}; {SENT}" in str(caught.value)
    assert never.requests == 1


def test_a_trickling_proxy_is_held_to_the_deadline(
    clock: TrickleClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sync client's proxy comes from the environment (httpx mounts a transport for it).
    with TricklingServer(clock, "headers") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with pytest.raises(APITimeoutError) as caught:
            cancel(
                "sync",
                base_url="http://kwikpaisa.test",
                allow_insecure_http=True,
                timeout=2,
                total_timeout=3,
            )
    assert CUT_SHORT in str(caught.value)
    assert proxy.connections == 1
    held_to(clock, 3)


def test_a_create_cut_short_by_the_deadline_says_what_a_create_may_have_done(
    clock: TrickleClock,
) -> None:
    from decimal import Decimal

    from kwikpaisa import Customer
    from kwikpaisa.resources.orders import CREATE

    with (
        TricklingServer(clock, "body") as server,
        KwikPaisa(**KEYS, base_url=server.url, timeout=2, total_timeout=3) as kp,
        pytest.raises(APITimeoutError) as caught,
    ):
        kp.orders.create(
            order_id="ord_deadline_1",
            amount=Decimal("105.00"),
            currency="INR",
            service_type="DIGITAL",
            customer=Customer(name="Ajay", email="ajay@example.com", phone="9876543210"),
            return_url="https://merchant.example/return",
        )
    message = str(caught.value)
    assert "Gave up trying to create order 'ord_deadline_1'" in message
    assert CUT_SHORT in message
    assert CREATE.wording.lost_advice in message
    held_to(clock, 3)


def test_after_the_deadline_a_read_takes_one_last_look_and_no_more() -> None:
    # What already arrived when time ran out is still read (without waiting), once; a
    # write or a second read after the deadline fails at once.
    import httpcore

    from kwikpaisa._deadline import LAST_LOOK, Deadline

    with pytest.raises(httpcore.WriteTimeout):
        Deadline(100.0, lambda: 100.5).fit(5.0, httpcore.WriteTimeout)
    deadline = Deadline(100.0, lambda: 100.5)
    assert deadline.fit(5.0, httpcore.ReadTimeout, last_look=True) == (LAST_LOOK, True)
    assert not deadline.expired
    with pytest.raises(httpcore.ReadTimeout):
        deadline.fit(5.0, httpcore.ReadTimeout, last_look=True)
    assert deadline.expired


class _AnswersThenTimePasses(LoopbackServer):
    """Sends one complete cancel answer for the request, then moves the client's clock
    past its deadline: the answer is in the socket before the time is up."""

    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self._clock = clock

    def serve(self, connection: socket.socket) -> None:
        if not read_request(connection):
            return
        body = (
            b'{"code": "200", "status": "success", "message": "Order cancelled successfully.",'
            b' "return_data": {"order_id": "ord_1", "order_status": "CANCELLED"}}'
        )
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        self._clock[0] += 11
        self.stop.wait(5)


def test_an_answer_that_arrived_in_time_is_kept_over_a_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whether the client was already waiting when the answer came, or reads it only after
    # the clock passed the deadline, the complete answer is the result, never a timeout.
    now = [1000.0]
    monkeypatch.setattr("kwikpaisa._client._monotonic", lambda: now[0])
    with (
        _AnswersThenTimePasses(now) as server,
        KwikPaisa(**KEYS, base_url=server.url, total_timeout=10) as kp,
    ):
        order = kp.orders.cancel("ord_1")
    assert order.status == "CANCELLED"
    assert now[0] >= 1011  # the deadline had passed when the call returned
