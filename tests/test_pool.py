"""The async client's connection pool (kwikpaisa._pool) and the optional aiohttp client.

Against the emulator's real loopback server: every request in flight gets a connection of
its own, connections are reused and all closed, limits hold, errors are httpx's, and a
batch through the pool ends with the right outcome for every order. A user's own
``http_client``/``transport`` is used as given. ``DefaultAioHttpClient`` works when the
``aiohttp`` extra is installed, and ``import kwikpaisa`` never loads aiohttp.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from kwikpaisa import AsyncKwikPaisa, KwikPaisa
from kwikpaisa._pool import AsyncPoolTransport, _CoalescingStream
from kwikpaisa.testing import Emulator, EmulatorServer

from .readme_examples import example

LATENCY = 0.05


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """A fresh emulator served on loopback, answering after LATENCY seconds."""
    emu = Emulator()
    emu.latency = LATENCY
    srv = EmulatorServer(emu)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _client(server: EmulatorServer, transport: AsyncPoolTransport) -> AsyncKwikPaisa:
    emu = server.emulator
    return AsyncKwikPaisa(
        emu.api_key, emu.secret_key, base_url=server.base_url, transport=transport
    )


def _orders(server: EmulatorServer, count: int, prefix: str = "ord_p") -> list[str]:
    ids = [f"{prefix}_{n}" for n in range(count)]
    for order_id in ids:
        server.emulator.add_order(order_id)
    return ids


def _wait_for_no_connections(server: EmulatorServer) -> None:
    deadline = time.monotonic() + 10
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.open_connections == 0, f"{server.open_connections} connections left open"


def test_each_request_in_flight_has_its_own_connection_and_close_closes_all(
    server: EmulatorServer,
) -> None:
    pool = AsyncPoolTransport(limits=httpx.Limits(max_connections=100))
    ids = _orders(server, 16 + 16)
    seen: dict[str, int] = {}

    async def go() -> None:
        kp = _client(server, pool)
        tasks = [asyncio.create_task(kp.orders.cancel(oid)) for oid in ids[:16]]
        while not all(t.done() for t in tasks):
            seen["peak_pool"] = max(seen.get("peak_pool", 0), pool.connections)
            seen["peak_server"] = max(seen.get("peak_server", 0), server.open_connections)
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        seen["after_burst"] = pool.connections
        seen["idle_after_burst"] = pool.idle_connections
        for oid in ids[16:]:  # one after another: one connection serves them all
            await kp.orders.cancel(oid)
        seen["after_sequential"] = pool.connections
        await kp.close()
        seen["after_close"] = pool.connections

    asyncio.run(go())
    # 16 requests in flight at once: 16 connections, none shared (the server saw 16 too).
    assert seen["peak_pool"] == 16
    assert seen["peak_server"] == 16
    assert seen["after_burst"] == seen["idle_after_burst"] == 16
    assert seen["after_sequential"] == 16  # reused, none opened
    assert seen["after_close"] == 0
    assert all(server.emulator.cancel_count(oid) == 1 for oid in ids)
    _wait_for_no_connections(server)


def test_sequential_requests_reuse_one_connection(server: EmulatorServer) -> None:
    server.emulator.latency = 0.0
    pool = AsyncPoolTransport()
    ids = _orders(server, 10)

    async def go() -> int:
        async with _client(server, pool) as kp:
            for oid in ids:
                await kp.orders.cancel(oid)
            return pool.connections

    assert asyncio.run(go()) == 1
    _wait_for_no_connections(server)


def test_max_connections_holds_and_waiters_are_served(server: EmulatorServer) -> None:
    pool = AsyncPoolTransport(limits=httpx.Limits(max_connections=3))
    ids = _orders(server, 12)
    peak = 0

    async def go() -> list[str]:
        nonlocal peak
        async with _client(server, pool) as kp:
            tasks = [asyncio.create_task(kp.orders.cancel(oid)) for oid in ids]
            while not all(t.done() for t in tasks):
                peak = max(peak, pool.connections, server.open_connections)
                await asyncio.sleep(0.005)
            return [r.status for r in await asyncio.gather(*tasks)]

    assert asyncio.run(go()) == ["CANCELLED"] * len(ids)
    assert peak == 3
    _wait_for_no_connections(server)


def test_no_free_connection_within_the_pool_timeout_is_a_pool_timeout(
    server: EmulatorServer,
) -> None:
    pool = AsyncPoolTransport(limits=httpx.Limits(max_connections=1))
    url = server.base_url + "/api/v3/pg/order/cancel"

    async def go() -> list[object]:
        async with httpx.AsyncClient(transport=pool) as http:
            timeout = httpx.Timeout(5.0, pool=0.01)
            first = asyncio.create_task(http.post(url, content=b"{}", timeout=timeout))
            await asyncio.sleep(0.01)
            second = http.post(url, content=b"{}", timeout=timeout)
            return await asyncio.gather(first, second, return_exceptions=True)

    first, second = asyncio.run(go())
    assert isinstance(first, httpx.Response)
    assert first.status_code == 401  # unsigned: the emulator refuses it, but it answered
    assert isinstance(second, httpx.PoolTimeout)
    _wait_for_no_connections(server)


def test_connection_refused_is_httpx_connect_error_and_leaves_no_connection() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    pool = AsyncPoolTransport()

    async def go() -> None:
        async with httpx.AsyncClient(transport=pool) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://127.0.0.1:{port}/")
            assert pool.connections == 0

    asyncio.run(go())


def test_unsupported_scheme_is_httpx_unsupported_protocol() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(transport=AsyncPoolTransport()) as http:
            with pytest.raises(httpx.UnsupportedProtocol):
                await http.get("ftp://127.0.0.1/")

    asyncio.run(go())


def test_concurrent_cancel_many_through_the_pool_gets_every_outcome(
    server: EmulatorServer,
) -> None:
    emu = server.emulator
    emu.latency = 0.01
    ids = _orders(server, 200)
    emu.add_order("ord_paid", "PAID")
    emu.add_order("ord_was_cancelled", "CANCELLED")
    batch = [*ids, "ord_paid", "ord_was_cancelled", "ord_missing", ids[0], "", 7]

    async def go() -> tuple[list[object], object]:
        async with AsyncKwikPaisa(emu.api_key, emu.secret_key, base_url=server.base_url) as kp:
            transport = kp._http._transport
            outcomes = await kp.orders.cancel_many(batch, concurrency=32)
        return outcomes, transport  # type: ignore[return-value]

    outcomes, transport = asyncio.run(go())
    assert isinstance(transport, AsyncPoolTransport)  # the SDK's own client uses the pool
    assert len(outcomes) == len(batch)  # one outcome per id given, in input order
    repeat = outcomes[len(ids) + 3]
    assert repeat.outcome == "duplicate"  # type: ignore[attr-defined]
    assert repeat.duplicate_of == 0  # type: ignore[attr-defined]
    by_id = {o.order_id: o for o in outcomes if o.outcome != "duplicate"}  # type: ignore[attr-defined]
    assert all(by_id[oid].outcome == "cancelled" for oid in ids)
    assert all(emu.cancel_count(oid) == 1 for oid in ids)
    assert by_id["ord_paid"].outcome == "not_cancellable"
    assert by_id["ord_was_cancelled"].outcome == "already_cancelled"
    assert by_id["ord_missing"].outcome == "not_found"
    assert by_id[""].outcome == "failed"  # an invalid id, never sent
    assert by_id[7].outcome == "not_found"
    _wait_for_no_connections(server)


def test_user_http_client_and_transport_are_used_as_given(server: EmulatorServer) -> None:
    emu = server.emulator
    own = httpx.AsyncClient()
    mine = httpx.AsyncHTTPTransport()
    with_client = AsyncKwikPaisa(emu.api_key, emu.secret_key, base_url=server.base_url,
                                 http_client=own)  # fmt: skip
    with_transport = AsyncKwikPaisa(emu.api_key, emu.secret_key, base_url=server.base_url,
                                    transport=mine)  # fmt: skip
    assert with_client._http is own
    assert not isinstance(own._transport, AsyncPoolTransport)
    assert with_transport._http._transport is mine
    with KwikPaisa(emu.api_key, emu.secret_key, base_url=server.base_url) as sync:
        assert isinstance(sync._http._transport, httpx.HTTPTransport)  # sync: httpx's own

    async def go() -> str:
        (order_id,) = _orders(server, 1)
        result = await with_client.orders.cancel(order_id)
        await with_client.close()
        await with_transport.close()
        assert not own.is_closed  # not ours to close
        await own.aclose()
        return result.status

    assert asyncio.run(go()) == "CANCELLED"


def test_the_pool_verifies_tls_as_the_client_was_told() -> None:
    https = httpcore.Origin(b"https", b"example.com", 443)
    plain = httpcore.Origin(b"http", b"example.com", 80)
    checked = AsyncKwikPaisa("pk_test_x", "sk_test_x")._http._transport
    unchecked = AsyncKwikPaisa("pk_test_x", "sk_test_x", verify=False)._http._transport
    assert isinstance(checked, AsyncPoolTransport)
    assert isinstance(unchecked, AsyncPoolTransport)
    assert checked._ssl_for(plain) is None
    context = checked._ssl_for(https)
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert checked._ssl_for(https) is context  # made once
    off = unchecked._ssl_for(https)
    assert off is not None
    assert off.verify_mode == ssl.CERT_NONE


class _RecordingStream(httpcore.AsyncNetworkStream):
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return b"answer"

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        self.writes.append(buffer)

    async def aclose(self) -> None:
        pass


def test_a_requests_writes_go_out_as_one_send_before_its_answer_is_read() -> None:
    async def go() -> list[bytes]:
        inner = _RecordingStream()
        stream = _CoalescingStream(inner)
        await stream.write(b"POST / HTTP/1.1\r\n\r\n")
        await stream.write(b'{"order_id":"1"}')
        await stream.write(b"")
        assert inner.writes == []
        assert await stream.read(100) == b"answer"
        await stream.write(b"x" * (_CoalescingStream.FLUSH_AT + 1))  # a large body: sent at once
        return inner.writes

    writes = asyncio.run(go())
    assert writes[0] == b'POST / HTTP/1.1\r\n\r\n{"order_id":"1"}'
    assert len(writes) == 2


def test_aiohttp_client_cancels_against_the_emulator(server: EmulatorServer) -> None:
    pytest.importorskip("httpx_aiohttp", reason="the aiohttp extra is not installed")
    from kwikpaisa import DefaultAioHttpClient

    emu = server.emulator
    emu.latency = 0.0
    ids = _orders(server, 40)
    emu.add_order("ord_paid", "PAID")

    async def go() -> tuple[str, list[str]]:
        http = DefaultAioHttpClient()
        async with AsyncKwikPaisa(emu.api_key, emu.secret_key, base_url=server.base_url,
                                  http_client=http) as kp:  # fmt: skip
            one = await kp.orders.cancel(ids[0])
            outcomes = await kp.orders.cancel_many([*ids, "ord_paid", "ord_missing"],
                                                   concurrency=16)  # fmt: skip
        assert http.is_closed  # the SDK's own helper is closed with the client
        await http.aclose()  # closing it again, as older docs said to, is harmless
        return one.status, [o.outcome for o in outcomes]

    status, outcomes = asyncio.run(go())
    assert status == "CANCELLED"
    assert outcomes == ["already_cancelled"] + ["cancelled"] * 39 + [
        "not_cancellable", "not_found",
    ]  # fmt: skip
    assert all(emu.cancel_count(oid) == 1 for oid in ids)
    _wait_for_no_connections(server)


@pytest.mark.slow
def test_the_documented_aiohttp_usage_runs_under_w_error_with_no_warning() -> None:
    """docs/performance.md's example, in a fresh interpreter with every warning an error:
    nothing on stderr (an unclosed aiohttp session warns, from its ``__del__``, at exit)."""
    pytest.importorskip("httpx_aiohttp", reason="the aiohttp extra is not installed")
    emu = Emulator()
    for order_id, status in (("ord_1", "UN_PAID"), ("ord_2", "UN_PAID"), ("ord_paid", "PAID")):
        emu.add_order(order_id, status)
    with emu.serve() as base_url:
        done = subprocess.run(
            [sys.executable, "-W", "error", "-c", example("aiohttp-extra").code],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **os.environ,
                "KWIKPAISA_API_KEY": emu.api_key,
                "KWIKPAISA_SECRET_KEY": emu.secret_key,
                "KWIKPAISA_BASE_URL": base_url,
            },
        )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "['cancelled', 'cancelled', 'not_cancellable']\n"


def test_an_http_client_of_your_own_stays_open(server: EmulatorServer) -> None:
    emu = server.emulator

    async def go() -> bool:
        async with httpx.AsyncClient() as mine:
            async with AsyncKwikPaisa(
                emu.api_key, emu.secret_key, base_url=server.base_url, http_client=mine
            ) as kp:
                await kp.orders.status("ord_1")
            return mine.is_closed

    emu.add_order("ord_1")
    assert asyncio.run(go()) is False


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_kwikpaisa_does_not_import_aiohttp() -> None:
    out = _run(
        "import sys, kwikpaisa\n"
        "kwikpaisa.AsyncKwikPaisa('pk_test_x', 'sk_test_x')\n"
        "print([m for m in ('aiohttp', 'httpx_aiohttp') if m in sys.modules])\n"
    )
    assert out == "[]"


def test_default_aiohttp_client_without_the_extra_says_how_to_get_it() -> None:
    out = _run(
        "import sys\n"
        "sys.modules['httpx_aiohttp'] = None  # as if the extra were not installed\n"
        "import kwikpaisa\n"
        "try:\n"
        "    kwikpaisa.DefaultAioHttpClient()\n"
        "except kwikpaisa.ConfigurationError as error:\n"
        "    print(error)\n"
    )
    assert out == "DefaultAioHttpClient needs the aiohttp extra: pip install 'kwikpaisa[aiohttp]'"
