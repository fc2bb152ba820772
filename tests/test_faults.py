"""The fault matrix: every way KwikPaisa (or the network) can misbehave, against the emulator.

Each fault is checked for the exact exception class, a message a person can act
on, the attempt count, and the emulator's own count of cancels (nothing lost,
nothing cancelled twice). Faults that exist both in-process and on a socket run
both ways (``way_in``); the sync and the async client are both exercised.
"""

from __future__ import annotations

import contextlib
import socket
import sys
from collections.abc import Callable
from typing import Any

import pytest

from kwikpaisa import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CancelledOrder,
    EndpointNotFoundError,
    KwikPaisa,
    NotFoundError,
    OrderNotCancellableError,
    OrderNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from kwikpaisa._constants import MAX_RESPONSE_BYTES
from kwikpaisa.testing import Emulator, Fault

from .conftest import IN_PROCESS_URL, cancel_with, seeded_emulator

Cancel = Callable[..., CancelledOrder]


@pytest.fixture(params=["sync", "async"])
def cancel(request: pytest.FixtureRequest, client_options: dict[str, Any]) -> Cancel:
    """``cancel(order_id, **per_call)`` through a fresh sync or async client (closed after)."""

    def run(order_id: object, **per_call: Any) -> CancelledOrder:
        return cancel_with(str(request.param), client_options, order_id, **per_call)

    return run


@pytest.fixture(params=["sync", "async"])
def cancel_in_process(request: pytest.FixtureRequest, emulator: Emulator) -> Cancel:
    """Like ``cancel``, always in-process: a hang raises the read timeout at once, so a
    test whose later attempt must succeed never races a clock."""
    options = {
        "api_key": emulator.api_key,
        "secret_key": emulator.secret_key,
        "base_url": IN_PROCESS_URL,
        "transport": emulator.transport(),
    }

    def run(order_id: object, **per_call: Any) -> CancelledOrder:
        return cancel_with(str(request.param), options, order_id, **per_call)

    return run


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- connection refused -----------------------------------------------------------


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_connection_refused_is_retried_then_names_the_address(
    flavour: str, fast_retries: list[float]
) -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}"
    options = {"api_key": "pk_test_x", "secret_key": "sk_test_x", "base_url": base_url}
    with pytest.raises(APIConnectionError) as caught:
        cancel_with(flavour, options, "ord_1")
    err = caught.value
    assert type(err) is APIConnectionError
    assert err.attempts == 3
    assert len(fast_retries) == 2
    assert err.order_id == "ord_1"
    assert err.request_url == base_url + "/api/v3/pg/order/cancel"
    text = str(err)
    assert "Could not connect to KwikPaisa" in text
    assert base_url in text
    assert "check the network and base_url" in text
    assert "after 3 attempts" in text


def test_connection_refused_without_retries_is_one_attempt(fast_retries: list[float]) -> None:
    with KwikPaisa(
        "pk_test_x", "sk_test_x", base_url=f"http://127.0.0.1:{_closed_port()}", max_retries=0
    ) as kp, pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1")
    assert caught.value.attempts == 1
    assert fast_retries == []
    assert "after" not in str(caught.value)


# -- connection reset mid-response --------------------------------------------------


def test_reset_before_processing_is_retried_and_cancels_once(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.reset())
    order = cancel("ord_1")
    assert order.status == "CANCELLED"
    assert order.attempts == 2
    assert order.already_cancelled is False
    assert emulator.cancel_count("ord_1") == 1
    assert len(fast_retries) == 1


def test_reset_on_every_attempt_says_the_order_may_be_cancelled(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.reset(), times=3)
    with pytest.raises(APIConnectionError) as caught:
        cancel("ord_1")
    err = caught.value
    assert type(err) is APIConnectionError
    assert err.attempts == 3
    assert "connection to KwikPaisa broke" in str(err)
    assert "the order may have been cancelled: repeat the call to confirm" in str(err)
    assert "after 3 attempts" in str(err)
    assert emulator.cancel_count("ord_1") == 0
    assert emulator.order_status("ord_1") == "UN_PAID"
    assert emulator.requests_received == 3


# -- a lost success: KwikPaisa acted, the answer never arrived ------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http_status(500, process_first=True),
        Fault.http_status(503, process_first=True),
        Fault.reset(process_first=True),
        Fault.empty(200, process_first=True),
        Fault.truncated_json(200, process_first=True),
        Fault.wrong_shape(200, process_first=True),
    ],
    ids=["500", "503", "reset", "empty", "truncated-json", "wrong-shape"],
)
def test_a_lost_success_comes_back_as_already_cancelled(
    fault: Fault, emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(fault)
    order = cancel("ord_1")
    assert order.already_cancelled is True
    assert order.status == "CANCELLED"
    assert order.order_id == "ord_1"
    assert order.attempts == 2
    assert order.cancelled_at is None  # the lost answer carried it
    assert order.message == "Order already cancelled."
    assert emulator.cancel_count("ord_1") == 1  # cancelled once, reported once
    assert emulator.order_status("ord_1") == "CANCELLED"


def test_a_hang_after_processing_comes_back_as_already_cancelled(
    emulator: Emulator, cancel_in_process: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.hang(process_first=True))
    order = cancel_in_process("ord_1")
    assert order.already_cancelled is True
    assert order.attempts == 2
    assert emulator.cancel_count("ord_1") == 1


def test_a_hang_before_processing_is_retried_and_cancels(
    emulator: Emulator, cancel_in_process: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.hang())
    order = cancel_in_process("ord_1")
    assert order.already_cancelled is False
    assert order.attempts == 2
    assert emulator.cancel_count("ord_1") == 1


# -- a server that never answers ----------------------------------------------------


def test_hang_times_out_retries_and_raises_timeout(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    # Over the socket the hang is real; every attempt is meant to time out, so a short
    # timeout keeps the test fast and a slow machine cannot change the outcome.
    emulator.inject(Fault.hang(seconds=30), times=2)
    with pytest.raises(APITimeoutError) as caught:
        cancel("ord_1", timeout=0.3, max_retries=1)
    err = caught.value
    assert isinstance(err, APIConnectionError)
    assert err.attempts == 2
    text = str(err)
    assert "Timed out waiting for the answer to cancel order 'ord_1'" in text
    assert "the order may have been cancelled: repeat the call to confirm" in text
    assert "after 2 attempts" in text
    assert emulator.cancel_count("ord_1") == 0


# -- 5xx and 429 ------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_then_success(
    status: int, emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(status))
    order = cancel("ord_1")
    assert order.attempts == 2
    assert order.already_cancelled is False
    assert emulator.cancel_count("ord_1") == 1


def test_500_502_503_then_success(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(500), Fault.http_status(502), Fault.http_status(503))
    order = cancel("ord_1", max_retries=3)
    assert order.attempts == 4
    assert order.already_cancelled is False
    assert len(fast_retries) == 3
    assert emulator.cancel_count("ord_1") == 1


def test_500_502_503_exhaust_the_default_retries(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(500), Fault.http_status(502), Fault.http_status(503))
    with pytest.raises(ServerError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.status_code == 503
    assert err.attempts == 3
    assert err.server_message == "Service temporarily unavailable."
    text = str(err)
    assert "KwikPaisa failed to process the cancel of order 'ord_1'" in text
    assert "HTTP 503: Service temporarily unavailable." in text
    assert "repeat the call later" in text
    assert "after 3 attempts" in text
    assert emulator.cancel_count("ord_1") == 0
    assert emulator.requests_received == 3


def test_429_with_retry_after_waits_as_asked(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=2))
    order = cancel("ord_1")
    assert order.attempts == 2
    assert order.already_cancelled is False
    assert fast_retries == [2.0]
    assert emulator.cancel_count("ord_1") == 1


def test_429_every_time_raises_rate_limit_error(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=1), times=3)
    with pytest.raises(RateLimitError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.status_code == 429
    assert err.attempts == 3
    assert err.headers.get("retry-after") == "1"
    assert "rate limiting" in str(err)
    assert "slow down, or allow more retries" in str(err)
    assert fast_retries == [1.0, 1.0]
    assert emulator.cancel_count("ord_1") == 0


def test_429_then_409_for_an_order_cancelled_before_is_an_error(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    # A 429 means KwikPaisa did not act: the 409 that follows is the truth.
    emulator.inject(Fault.http_status(429, retry_after=0))
    with pytest.raises(OrderNotCancellableError) as caught:
        cancel("ord_cancelled")
    assert caught.value.attempts == 2
    assert caught.value.order_status == "CANCELLED"


# -- bodies that are not KwikPaisa's ------------------------------------------------


def test_html_error_page_is_retried(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.html_page(502))
    order = cancel("ord_1")
    assert order.attempts == 2
    assert emulator.cancel_count("ord_1") == 1


def test_html_error_page_every_time_says_so(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.html_page(502), times=3)
    with pytest.raises(ServerError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.status_code == 502
    assert err.attempts == 3
    assert "HTTP 502: an HTML page instead of JSON" in str(err)
    assert "<html" not in str(err)
    assert emulator.cancel_count("ord_1") == 0


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        (Fault.empty, "HTTP 200: empty body"),
        (Fault.truncated_json, 'HTTP 200: unreadable body: {"code": "200", "status": "succ'),
        (Fault.wrong_shape, "HTTP 200: a JSON list this SDK does not recognise"),
    ],
    ids=["empty", "truncated-json", "wrong-shape"],
)
def test_unreadable_success_every_time_raises_api_error(
    fault: Callable[..., Fault],
    detail: str,
    emulator: Emulator,
    cancel: Cancel,
    fast_retries: list[float],
) -> None:
    emulator.inject(fault(200, process_first=True), times=3)
    with pytest.raises(APIError) as caught:
        cancel("ord_1")
    err = caught.value
    assert type(err) is APIError
    assert err.status_code == 200
    assert err.attempts == 3
    text = str(err)
    assert detail in text
    assert "without a readable result" in text
    assert "the order may have been cancelled: repeat the call to confirm" in text
    assert "after 3 attempts" in text
    # Processed by the first attempt, refused (409) by the others: one cancel.
    assert emulator.cancel_count("ord_1") == 1


def test_empty_error_body_keeps_the_status_class(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.empty(404))
    # Still a NotFoundError; without KwikPaisa's error body it is not a missing order.
    with pytest.raises(EndpointNotFoundError) as caught:
        cancel("ord_1")
    assert isinstance(caught.value, NotFoundError)
    assert caught.value.attempts == 1
    assert "HTTP 404: empty body" in str(caught.value)
    assert emulator.cancel_count("ord_1") == 0


def test_failure_body_under_http_200_is_an_error_of_its_code(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.failure_body(409, "Order already paid; it cannot be cancelled."))
    with pytest.raises(OrderNotCancellableError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.status_code == 200
    assert err.code == 409
    assert err.order_status == "PAID"
    assert err.attempts == 1
    assert "Order 'ord_1' cannot be cancelled" in str(err)
    assert "HTTP 200: Order already paid" in str(err)
    assert fast_retries == []
    assert emulator.cancel_count("ord_1") == 0


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, OrderNotFoundError),
        (422, UnprocessableEntityError),
    ],
)
def test_failure_body_codes_map_to_classes(
    code: int, cls: type[APIError], emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.failure_body(code, "Refused."))
    with pytest.raises(cls) as caught:
        cancel("ord_1")
    assert caught.value.status_code == 200
    assert caught.value.attempts == 1
    assert fast_retries == []


def test_failure_body_with_server_code_is_retried(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.failure_body(503, "Service temporarily unavailable."))
    order = cancel("ord_1")
    assert order.attempts == 2
    assert emulator.cancel_count("ord_1") == 1


def test_failure_body_without_a_code_is_an_error_not_a_maybe(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.raw(200, '{"status": false, "message": "Merchant is inactive."}'))
    with pytest.raises(APIError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.attempts == 1
    assert "Merchant is inactive." in str(err)
    assert "may have been cancelled" not in str(err)
    assert emulator.cancel_count("ord_1") == 0


def test_huge_body_is_not_read_and_is_retried(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.huge())
    order = cancel("ord_1")
    assert order.attempts == 2
    assert order.already_cancelled is False
    assert emulator.cancel_count("ord_1") == 1


def test_huge_body_every_time_raises_connection_error(
    emulator: Emulator, cancel: Cancel, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.huge(), times=3)
    with pytest.raises(APIConnectionError) as caught:
        cancel("ord_1")
    err = caught.value
    assert err.attempts == 3
    assert f"larger than {MAX_RESPONSE_BYTES} bytes" in str(err)
    assert "repeat the call to confirm" in str(err)
    assert emulator.cancel_count("ord_1") == 0


def test_undeclared_huge_body_is_cut_off(fast_retries: list[float]) -> None:
    """A streamed answer without Content-Length is read only up to the limit."""
    import httpx

    emu = seeded_emulator()
    inner = emu.transport()
    chunks_read = 0

    class Streaming(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            inner.handle_request(request)  # the emulator really cancels

            def endless() -> Any:
                nonlocal chunks_read
                while True:
                    chunks_read += 1
                    yield b"0" * 65536

            return httpx.Response(200, content=endless())

    with KwikPaisa(
        emu.api_key, emu.secret_key, base_url="http://emulator.localhost", transport=Streaming()
    ) as kp, pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1", max_retries=0)
    assert f"larger than {MAX_RESPONSE_BYTES} bytes" in str(caught.value)
    assert chunks_read <= MAX_RESPONSE_BYTES // 65536 + 2


# -- statuses that are never retried -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls", "phrase"),
    [
        (400, BadRequestError, "check the order id's type and value"),
        (401, AuthenticationError, "check that the API key and secret key are a matching pair"),
        (403, PermissionDeniedError, "sandbox and production keys differ"),
        (404, OrderNotFoundError, "KwikPaisa has no order 'ord_1'"),
        (409, OrderNotCancellableError, "it is already paid, cancelled or expired"),
        (422, UnprocessableEntityError, "KwikPaisa refused the cancel request for order 'ord_1'"),
    ],
)
def test_client_errors_are_never_retried(
    status: int,
    cls: type[APIError],
    phrase: str,
    emulator: Emulator,
    cancel: Cancel,
    fast_retries: list[float],
) -> None:
    emulator.inject(Fault.http_status(status))
    with pytest.raises(cls) as caught:
        cancel("ord_1")
    err = caught.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.attempts == 1
    assert phrase in str(err)
    assert "after" not in str(err)
    assert fast_retries == []
    assert emulator.requests_received == 1
    assert emulator.cancel_count("ord_1") == 0


def test_real_404_and_409_from_the_emulator(emulator: Emulator, cancel: Cancel) -> None:
    with pytest.raises(OrderNotFoundError) as missing:
        cancel("ord_nope")
    assert missing.value.status_code == 404
    assert missing.value.server_message == "Order not found."
    with pytest.raises(OrderNotCancellableError) as paid:
        cancel("ord_paid")
    assert paid.value.order_status == "PAID"
    with pytest.raises(OrderNotCancellableError) as done:
        cancel("ord_cancelled")
    assert done.value.order_status == "CANCELLED"
    assert done.value.attempts == 1
    assert emulator.total_cancels == 0


def test_server_closing_without_an_answer_is_retried(
    emulator: Emulator, fast_retries: list[float]
) -> None:
    import httpx

    inner = emulator.transport()
    calls = 0

    class HangsUp(httpx.BaseTransport):
        """The first exchange is processed, then the server hangs up without answering."""

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal calls
            calls += 1
            response = inner.handle_request(request)
            if calls == 1:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            return response

    with KwikPaisa(
        emulator.api_key, emulator.secret_key, base_url="http://emulator.localhost",
        transport=HangsUp(),
    ) as kp:  # fmt: skip
        order = kp.orders.cancel("ord_1")
    assert order.already_cancelled is True
    assert order.attempts == 2
    assert emulator.cancel_count("ord_1") == 1


def test_compressed_body_is_capped_after_decompression(fast_retries: list[float]) -> None:
    """A small gzip body that inflates past the limit is not read into memory."""
    import gzip

    import httpx

    emu = seeded_emulator()
    inner = emu.transport()
    bomb = gzip.compress(b"0" * (8 * MAX_RESPONSE_BYTES))
    assert len(bomb) < MAX_RESPONSE_BYTES // 10

    class Bomb(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            inner.handle_request(request)
            return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=bomb)

    with KwikPaisa(
        emu.api_key, emu.secret_key, base_url="http://emulator.localhost", transport=Bomb()
    ) as kp, pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1", max_retries=1)
    assert f"larger than {MAX_RESPONSE_BYTES} bytes" in str(caught.value)
    assert caught.value.attempts == 2
    assert emu.cancel_count("ord_1") == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="relies on Linux SYN backlog")
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_connect_timeout_is_retried_and_says_nothing_was_sent(
    flavour: str, fast_retries: list[float]
) -> None:
    """A host that never completes the TCP handshake: a full accept queue drops the SYN."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            options = {
                "api_key": "pk_test_x",
                "secret_key": "sk_test_x",
                "base_url": f"http://127.0.0.1:{port}",
                "timeout": 0.3,  # connect = min(5, 0.3)
            }
            with pytest.raises(APITimeoutError) as caught:
                cancel_with(flavour, options, "ord_1", max_retries=1)
        finally:
            for filler in fillers:
                filler.close()
    err = caught.value
    assert err.attempts == 2
    text = str(err)
    assert "Timed out connecting to cancel order 'ord_1'" in text
    assert "check the network, or raise timeout=" in text
    assert "may have been cancelled" not in text
    assert len(fast_retries) == 1
