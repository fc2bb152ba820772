"""The async client's edges: one client per event loop, said up front as a KwikPaisaError;
connection failures worded exactly as the sync client words them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from kwikpaisa import (
    APIConnectionError,
    AsyncKwikPaisa,
    EventLoopError,
    KwikPaisa,
    KwikPaisaError,
)
from kwikpaisa.testing import Emulator

from .conftest import Reach
from .slow_peers import read_request

# -- one client per event loop ---------------------------------------------------------


def test_a_second_event_loop_is_refused_before_any_request(
    reach: Reach, emulator: Emulator
) -> None:
    kp = AsyncKwikPaisa(**reach(emulator), max_retries=0)

    async def first_loop() -> list[str]:
        # One loop may use the client for any number of calls and batches.
        first = await kp.orders.status("ord_1")
        outcomes = await kp.orders.status_many(["ord_1", "ord_2"])
        return [first.status, *(o.outcome for o in outcomes)]

    assert asyncio.run(first_loop()) == ["UN_PAID", "found", "found"]
    sent = emulator.requests_received
    for call in (
        lambda: kp.orders.status("ord_1"),
        lambda: kp.orders.cancel("ord_1"),
        lambda: kp.post("/api/v3/pg/order/status", {"order_id": "ord_1"}),
        lambda: kp.orders.status_many(["ord_1", "ord_2"]),
        lambda: kp.orders.cancel_many(["ord_1"]),
    ):
        with pytest.raises(EventLoopError) as caught:
            asyncio.run(call())  # type: ignore[arg-type]
        assert isinstance(caught.value, KwikPaisaError)
        assert isinstance(caught.value, RuntimeError)  # as asyncio's own loop errors are
        assert "one client per event loop" in str(caught.value)
        assert "first used in another event loop" in str(caught.value)
    assert emulator.requests_received == sent  # refused up front, nothing sent
    assert emulator.cancel_count("ord_1") == 0

    # The rule is per client: a new client in the new loop works.
    async def new_client() -> str:
        async with AsyncKwikPaisa(**reach(emulator)) as other:
            return (await other.orders.status("ord_1")).status

    assert asyncio.run(new_client()) == "UN_PAID"


# -- connection errors: the same words, sync and async ---------------------------------


@contextlib.contextmanager
def misbehaving_server(behave: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server that reads each request and then runs ``behave`` on the socket;
    yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                read_request(conn)
                behave(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        listener.close()
        thread.join(5)


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _close_mid_body(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b'{"code": "20')


def _not_http(conn: socket.socket) -> None:
    conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")


@contextlib.contextmanager
def refusing_address() -> Iterator[str]:
    """A loopback address where nothing listens."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"http://127.0.0.1:{port}"


CASES: dict[str, tuple[Callable[[], contextlib.AbstractContextManager[str]], str]] = {
    "refused": (refusing_address, "([Errno 111] Connection refused)"),
    "reset": (lambda: misbehaving_server(_reset), "([Errno 104] Connection reset by peer)"),
    "closed": (
        lambda: misbehaving_server(lambda conn: None),
        "(Server disconnected without sending a response.)",
    ),
    "closed-mid-body": (
        lambda: misbehaving_server(_close_mid_body),
        "(peer closed connection without sending complete message body",
    ),
    "not-http": (lambda: misbehaving_server(_not_http), "(illegal status line"),
}


def _message(flavour: str, base_url: str) -> str:
    options: dict[str, Any] = {
        "api_key": "pk_test_abcdefgh1234",
        "secret_key": "sk_test_s",
        "base_url": base_url,
        "max_retries": 0,
        "timeout": 10,
    }
    try:
        if flavour == "sync":
            with KwikPaisa(**options) as kp:
                kp.orders.status("ord_1")
        else:
            if flavour == "async-httpx-transport":
                options["transport"] = httpx.AsyncHTTPTransport()

            async def go() -> None:
                async with AsyncKwikPaisa(**options) as kp:
                    await kp.orders.status("ord_1")

            asyncio.run(go())
    except APIConnectionError as err:
        return str(err)
    raise AssertionError("no connection error")


FLAVOURS = ("sync", "async", "async-httpx-transport")


def test_async_connection_errors_say_what_sync_ones_say() -> None:
    for case, (server, reason) in CASES.items():
        with server() as base_url:
            messages = {flavour: _message(flavour, base_url) for flavour in FLAVOURS}
        assert reason in messages["sync"], case
        assert messages["async"] == messages["sync"], case
        assert messages["async-httpx-transport"] == messages["sync"], case


def test_the_reason_is_the_network_s_not_what_the_caller_was_handling() -> None:
    # A call made inside an ``except`` block: Python links the caller's exception to the
    # innermost network error as its context; it must not become the reason.
    for flavour in FLAVOURS:
        with refusing_address() as base_url:
            try:
                raise ValueError("the caller's own unrelated detail")
            except ValueError:
                message = _message(flavour, base_url)
        assert "unrelated detail" not in message, flavour
        assert "([Errno 111] Connection refused)" in message, flavour


def test_a_reset_mid_answer_names_the_reset_not_just_readerror() -> None:
    def reset_mid_answer(conn: socket.socket) -> None:
        _close_mid_body(conn)
        _reset(conn)

    with misbehaving_server(reset_mid_answer) as base_url:
        message = _message("async", base_url)
    assert "(ReadError)" not in message
    assert "Connection reset by peer" in message or "peer closed connection" in message
