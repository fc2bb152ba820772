"""The one request path: cancel walks through the generated client, kp.post, total_timeout,
errors named by HTTP status and carrying the request and response."""

from __future__ import annotations

import asyncio
import importlib
import sys
from types import FrameType
from typing import Any

import httpx
import pytest

from kwikpaisa import (
    APIConnectionError,
    APITimeoutError,
    AsyncKwikPaisa,
    ConflictError,
    KwikPaisa,
    NotFoundError,
    OrderNotCancellableError,
    OrderNotFoundError,
    ServerError,
)
from kwikpaisa.testing import Emulator, Fault, FaultKind

from .conftest import IN_PROCESS_URL, Reach

CANCEL_PATH = "/api/v3/pg/order/cancel"


# -- cancel goes through kwikpaisa_generated -----------------------------------------


def test_cancel_is_built_and_read_by_the_generated_endpoint(emulator: Emulator) -> None:
    called: set[tuple[str, str]] = set()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if module.startswith("kwikpaisa_generated"):
                called.add((module, frame.f_code.co_name))

    with emulator.client() as kp:
        kp.orders.cancel("ord_2")  # warm: the generated package loads on first use
        called.clear()
        sys.setprofile(profile)
        try:
            order = kp.orders.cancel("ord_1")
        finally:
            sys.setprofile(None)
    endpoint = "kwikpaisa_generated.api.order_cancel.cancel_hosted_checkout_order"
    assert (endpoint, "build_request") in called
    assert ("kwikpaisa_generated.models.cancel_order_request", "to_dict") in called
    success_model = importlib.import_module(endpoint).SUCCESS
    assert (success_model.__module__, "from_dict") in called
    assert order.status == "CANCELLED"


# -- errors named by HTTP status, refined by the operation ---------------------------


def test_order_errors_subclass_the_http_ones() -> None:
    assert issubclass(OrderNotFoundError, NotFoundError)
    assert issubclass(OrderNotCancellableError, ConflictError)


def test_api_error_carries_the_request_and_response_with_the_signature_masked(
    emulator: Emulator,
) -> None:
    with emulator.client() as kp, pytest.raises(OrderNotFoundError) as caught:
        kp.orders.cancel("ord_missing")
    err = caught.value
    assert err.request is not None
    assert err.response is not None
    assert err.request.method == "POST"
    assert str(err.request.url) == IN_PROCESS_URL + CANCEL_PATH
    assert err.request.content == b'{"order_id":"ord_missing"}'
    signature = err.request.headers["X-SIGNATURE"]
    assert len(signature) == 64
    for text in (repr(err.request.headers), str(err.request.headers), repr(err)):
        assert signature not in text
    assert "[masked]" in repr(err.request.headers)
    assert err.response.status_code == 404
    assert err.response.json() == err.body


def test_connection_errors_carry_the_request(fast_retries: list[float]) -> None:
    kp = KwikPaisa("pk_test_k", "sk_test_s", base_url="http://127.0.0.1:9", max_retries=0)
    with kp, pytest.raises(APIConnectionError) as caught:
        kp.orders.cancel("ord_1")
    assert caught.value.request is not None
    assert caught.value.request.url.path == CANCEL_PATH


# -- kp.post: the escape hatch ---------------------------------------------------------


def post_with(flavour: str, options: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return kp.post(*args, **kwargs)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.post(*args, **kwargs)

    return asyncio.run(go())


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_post_is_signed_and_returns_the_parsed_body(
    flavour: str, client_options: dict[str, Any], emulator: Emulator
) -> None:
    body = post_with(flavour, client_options, CANCEL_PATH, {"order_id": 6116229263036})
    assert body["status"] == "success"
    assert body["return_data"]["order_id"] == 6116229263036
    assert emulator.order_status(6116229263036) == "CANCELLED"


def test_post_raises_the_generic_http_classes(flavour: str, client_options: dict[str, Any]) -> None:
    with pytest.raises(NotFoundError) as missing:
        post_with(flavour, client_options, CANCEL_PATH, {"order_id": "ord_missing"})
    assert type(missing.value) is NotFoundError
    assert "POST /api/v3/pg/order/cancel" in str(missing.value)
    with pytest.raises(ConflictError) as conflict:
        post_with(flavour, client_options, CANCEL_PATH, {"order_id": "ord_paid"})
    assert type(conflict.value) is ConflictError
    assert conflict.value.order_status == "PAID"


def test_post_detects_a_failure_body_under_http_200(
    flavour: str, client_options: dict[str, Any], emulator: Emulator
) -> None:
    emulator.inject(
        Fault(
            kind=FaultKind.STATUS,
            status=200,
            body=b'{"status": false, "code": 404, "message": "Order not found."}',
        )
    )
    with pytest.raises(NotFoundError) as caught:
        post_with(flavour, client_options, CANCEL_PATH, {"order_id": "ord_1"})
    assert caught.value.status_code == 200


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.http_status(503), ServerError), (Fault.reset(), APIConnectionError)],
    ids=["503", "lost-answer"],
)
def test_post_retries_a_lost_answer_only_when_idempotent(
    flavour: str,
    reach: Reach,
    fast_retries: list[float],
    fault: Fault,
    error: type[Exception],
) -> None:
    emu = Emulator()
    emu.add_order("ord_1")
    emu.inject(fault)
    with pytest.raises(error) as caught:
        post_with(flavour, reach(emu), CANCEL_PATH, {"order_id": "ord_1"})
    assert emu.requests_received == 1
    assert "check before repeating" in str(caught.value)

    emu.add_order("ord_2")
    emu.inject(fault)
    post_with(flavour, reach(emu), CANCEL_PATH, {"order_id": "ord_2"}, idempotent=True)
    assert emu.requests_received == 3


def test_post_retries_429_and_unsent_attempts_even_when_not_idempotent(
    flavour: str, client_options: dict[str, Any], emulator: Emulator, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=1))
    body = post_with(flavour, client_options, CANCEL_PATH, {"order_id": "ord_1"})
    assert body["status"] == "success"
    assert emulator.requests_received == 2

    options = {**client_options, "base_url": "http://127.0.0.1:9", "max_retries": 1}
    options.pop("transport", None)
    with pytest.raises(APIConnectionError) as caught:
        post_with(flavour, options, CANCEL_PATH, {"order_id": "ord_1"})
    assert caught.value.attempts == 2


@pytest.mark.parametrize(
    ("path", "body", "error", "names"),
    [
        ("api/v3/x", {}, ValueError, "path must be an API path"),
        ("https://evil.example/api", {}, ValueError, "path must be an API path"),
        ("//evil.example/api", {}, ValueError, "path must be an API path"),
        ("/api/v3/x?debug=1", {}, ValueError, "no query"),
        ("/api/v3/x", [1, 2], TypeError, "body must be a dict"),
        ("/api/v3/x", {"amount": float("nan")}, ValueError, "not JSON compliant"),
    ],
)
def test_post_refuses_bad_input_before_the_network(
    emulator: Emulator, path: str, body: object, error: type[Exception], names: str
) -> None:
    with emulator.client() as kp, pytest.raises(error, match=names):
        kp.post(path, body)  # type: ignore[arg-type]
    assert emulator.requests_received == 0


# -- total_timeout: a deadline over the whole call --------------------------------------


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry waits advance a fake monotonic clock instead of sleeping."""
    now = [1000.0]
    real_async_sleep = asyncio.sleep

    def sleep(seconds: float) -> None:
        now[0] += seconds

    async def async_sleep(seconds: float) -> None:
        now[0] += seconds
        await real_async_sleep(0)

    monkeypatch.setattr("kwikpaisa._client._sleep", sleep)
    monkeypatch.setattr("kwikpaisa._client._async_sleep", async_sleep)
    monkeypatch.setattr("kwikpaisa._client._monotonic", lambda: now[0])
    return now


def cancel_flavoured(flavour: str, options: dict[str, Any], order_id: str, **per_call: Any) -> Any:
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return kp.orders.cancel(order_id, **per_call)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.orders.cancel(order_id, **per_call)

    return asyncio.run(go())


def test_total_timeout_bounds_retries_and_waits(
    flavour: str, client_options: dict[str, Any], emulator: Emulator, fake_clock: list[float]
) -> None:
    emulator.inject(Fault.http_status(503, retry_after=4), times=10)
    options = {**client_options, "max_retries": 10}
    with pytest.raises(APITimeoutError) as caught:
        cancel_flavoured(flavour, options, "ord_1", total_timeout=10)
    err = caught.value
    # Attempts at t=0 and t=4 and t=8; a third wait of 4 s would end after the deadline.
    assert err.attempts == 3
    assert emulator.requests_received == 3
    assert fake_clock[0] == 1008.0
    message = str(err)
    assert "total_timeout=10 s ran out after 3 attempts" in message
    assert "cancel order 'ord_1'" in message
    assert "the order may have been cancelled" in message
    assert "HTTP 503" in message  # the last failure


def test_client_total_timeout_is_the_default_and_a_call_overrides_it(
    client_options: dict[str, Any], emulator: Emulator, fake_clock: list[float]
) -> None:
    emulator.inject(Fault.http_status(503, retry_after=4), times=10)
    with KwikPaisa(**client_options, max_retries=10, total_timeout=5) as kp:
        assert kp.total_timeout == 5.0
        with pytest.raises(APITimeoutError, match="after 2 attempts"):
            kp.orders.cancel("ord_1")
        with pytest.raises(APITimeoutError, match="after 3 attempts"):
            kp.orders.cancel("ord_1", total_timeout=9)


def test_total_timeout_has_a_default_and_none_turns_it_off() -> None:
    from kwikpaisa._constants import DEFAULT_TOTAL_TIMEOUT

    with KwikPaisa("pk_test_k", "sk_test_s") as kp:
        assert kp.total_timeout == DEFAULT_TOTAL_TIMEOUT
    with KwikPaisa("pk_test_k", "sk_test_s", total_timeout=None) as kp:
        assert kp.total_timeout is None


class RecordingTransport(httpx.BaseTransport):
    """The emulator in-process, remembering each attempt's timeouts."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = emu.transport()
        self.timeouts: list[dict[str, float]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.timeouts.append(dict(request.extensions["timeout"]))
        return self.inner.handle_request(request)


def test_each_attempt_gets_at_most_the_time_left(
    emulator: Emulator, fake_clock: list[float]
) -> None:
    emulator.inject(Fault.http_status(503, retry_after=3))
    transport = RecordingTransport(emulator)
    with KwikPaisa(
        emulator.api_key, emulator.secret_key, base_url=IN_PROCESS_URL, transport=transport
    ) as kp:
        kp.orders.cancel("ord_1", total_timeout=10, timeout=8)
    first, second = transport.timeouts
    assert first == {"connect": 5.0, "read": 8.0, "write": 8.0, "pool": 8.0}
    assert second == {"connect": 5.0, "read": 7.0, "write": 7.0, "pool": 7.0}


@pytest.mark.parametrize("bad", [0, -1, "5", True, float("nan")])
def test_total_timeout_must_be_positive(bad: object) -> None:
    with pytest.raises(ValueError, match="total_timeout must be a positive number"):
        KwikPaisa("pk_test_k", "sk_test_s", total_timeout=bad)  # type: ignore[arg-type]


def test_rate_limit_is_retried_within_the_deadline(
    client_options: dict[str, Any], emulator: Emulator, fake_clock: list[float]
) -> None:
    emulator.inject(Fault.http_status(429, retry_after=30))
    with KwikPaisa(**client_options) as kp, pytest.raises(APITimeoutError) as caught:
        kp.orders.cancel("ord_1", total_timeout=20)
    assert "no attempt reached KwikPaisa, so nothing was done" in str(caught.value)
    assert "HTTP 429" in str(caught.value)
    assert emulator.order_status("ord_1") == "UN_PAID"
