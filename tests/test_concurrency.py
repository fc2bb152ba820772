"""Concurrency: one client shared by many threads or tasks cancels every order exactly once.

Sizes: 32 threads and 256 concurrent async cancels (the issue's numbers). For a
heavier run set ``KWIKPAISA_CONCURRENCY_SCALE`` (a multiplier on orders per worker).
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kwikpaisa import AsyncKwikPaisa, CancelledOrder, KwikPaisa
from kwikpaisa._constants import DEFAULT_MAX_CONNECTIONS
from kwikpaisa.testing import Emulator, EmulatorServer, Fault

from .conftest import Gate

SCALE = int(os.environ.get("KWIKPAISA_CONCURRENCY_SCALE", "1"))
THREADS = 32
ORDERS_PER_THREAD = 8 * SCALE
ASYNC_CANCELS = 256 * SCALE


def _orders(emu: Emulator, count: int) -> list[str | int]:
    """``count`` cancellable orders, a quarter of them integer ids."""
    ids: list[str | int] = [
        (9_000_000 + n) if n % 4 == 0 else f"ord_c_{n}" for n in range(count)
    ]
    for order_id in ids:
        emu.add_order(order_id)
    return ids


@pytest.fixture
def setup(way_in: str) -> Iterator[tuple[Emulator, dict[str, Any], EmulatorServer | None]]:
    """An emulator, client options reaching it ``way_in``, and its server (socket only)."""
    emu = Emulator()
    options: dict[str, Any] = {"api_key": emu.api_key, "secret_key": emu.secret_key}
    if way_in == "in-process":
        yield emu, {**options, "base_url": "http://emulator.localhost",
                    "transport": emu.transport()}, None  # fmt: skip
        return
    server = EmulatorServer(emu)
    server.start()
    try:
        yield emu, {**options, "base_url": server.base_url}, server
    finally:
        server.stop()


def _wait_for_no_connections(server: EmulatorServer | None) -> None:
    """The server sees every client connection closed (it notices within moments)."""
    if server is None:
        return
    deadline = time.monotonic() + 10
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.open_connections == 0, f"{server.open_connections} connections left open"


def _assert_each_cancelled_once(
    emu: Emulator, ids: list[str | int], results: list[CancelledOrder]
) -> None:
    assert len(results) == len(ids)
    assert sorted(map(str, (r.order_id for r in results))) == sorted(map(str, ids))
    for order_id, result in zip(ids, results, strict=True):
        assert result.order_id == order_id
        assert type(result.order_id) is type(order_id)
        assert result.status == "CANCELLED"
        assert emu.cancel_count(order_id) == 1, order_id
        assert emu.order_status(order_id) == "CANCELLED"
    assert emu.total_cancels == len(ids)


def test_one_sync_client_shared_by_32_threads(
    setup: tuple[Emulator, dict[str, Any], EmulatorServer | None],
) -> None:
    emu, options, server = setup
    ids = _orders(emu, THREADS * ORDERS_PER_THREAD)
    start = threading.Barrier(THREADS)
    kp = KwikPaisa(**options)

    def worker(mine: list[str | int]) -> list[CancelledOrder]:
        start.wait()
        return [kp.orders.cancel(order_id) for order_id in mine]

    gc.collect()  # garbage of earlier tests is not this test's leak
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with kp, ThreadPoolExecutor(THREADS) as pool:
            chunks = [ids[t::THREADS] for t in range(THREADS)]
            per_thread = list(pool.map(worker, chunks))
        gc.collect()
    results = {str(r.order_id): r for rs in per_thread for r in rs}
    _assert_each_cancelled_once(emu, ids, [results[str(i)] for i in ids])
    assert all(r.attempts == 1 and not r.already_cancelled for r in results.values())
    assert emu.requests_received == len(ids)
    assert kp._http.is_closed
    _wait_for_no_connections(server)
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks


def test_one_async_client_with_256_concurrent_cancels(
    setup: tuple[Emulator, dict[str, Any], EmulatorServer | None],
) -> None:
    emu, options, server = setup
    ids = _orders(emu, ASYNC_CANCELS)
    peak = 0

    async def go() -> list[CancelledOrder]:
        nonlocal peak
        async with AsyncKwikPaisa(**options) as kp:
            tasks = [asyncio.create_task(kp.orders.cancel(order_id)) for order_id in ids]
            while not all(task.done() for task in tasks):
                if server is not None:
                    peak = max(peak, server.open_connections)
                await asyncio.sleep(0.005)
            results = await asyncio.gather(*tasks)
        assert kp._http.is_closed
        return list(results)

    gc.collect()  # garbage of earlier tests is not this test's leak
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        results = asyncio.run(go())
        gc.collect()
    _assert_each_cancelled_once(emu, ids, results)
    assert all(r.attempts == 1 and not r.already_cancelled for r in results)
    assert emu.requests_received == len(ids)
    assert peak <= DEFAULT_MAX_CONNECTIONS
    _wait_for_no_connections(server)
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks


def test_threads_with_faults_still_cancel_each_order_once(
    setup: tuple[Emulator, dict[str, Any], EmulatorServer | None], fast_retries: list[float]
) -> None:
    emu, options, server = setup
    ids = _orders(emu, THREADS * 4)
    # Faults land on whichever requests come next (one order may meet several): 503s,
    # and lost successes. Every fault costs exactly one retry; none may cost an order.
    emu.inject(Fault.http_status(503), times=20)
    emu.inject(Fault.reset(process_first=True), times=10)
    emu.inject(Fault.http_status(502, process_first=True), times=10)
    with KwikPaisa(**options, max_retries=40) as kp, ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(kp.orders.cancel, ids))
    _assert_each_cancelled_once(emu, ids, results)
    assert 1 <= sum(r.already_cancelled for r in results) <= 20
    assert all(r.attempts >= 2 for r in results if r.already_cancelled)
    assert sum(r.attempts - 1 for r in results) == 40
    assert len(fast_retries) == 40
    assert emu.requests_received == len(ids) + 40
    assert emu.pending_faults == 0
    _wait_for_no_connections(server)


def test_async_tasks_with_faults_still_cancel_each_order_once(
    setup: tuple[Emulator, dict[str, Any], EmulatorServer | None], fast_retries: list[float]
) -> None:
    emu, options, server = setup
    ids = _orders(emu, 128)
    emu.inject(Fault.http_status(500), Fault.http_status(503, process_first=True), times=15)

    async def go() -> list[CancelledOrder]:
        async with AsyncKwikPaisa(**options, max_retries=30) as kp:
            return list(await asyncio.gather(*(kp.orders.cancel(i) for i in ids)))

    results = asyncio.run(go())
    _assert_each_cancelled_once(emu, ids, results)
    assert 1 <= sum(r.already_cancelled for r in results) <= 15
    assert all(r.attempts >= 2 for r in results if r.already_cancelled)
    assert sum(r.attempts - 1 for r in results) == 30
    assert emu.requests_received == len(ids) + 30
    _wait_for_no_connections(server)


def test_cancelled_async_calls_leave_no_connections_open() -> None:
    """Callers that give up (asyncio timeouts) on hanging requests leak nothing."""
    emu = Emulator()
    ids = _orders(emu, 16)
    emu.inject(Fault.hang(seconds=1.0), times=8)
    server = EmulatorServer(emu)
    server.start()
    try:

        async def go() -> list[Any]:
            async with AsyncKwikPaisa(
                emu.api_key, emu.secret_key, base_url=server.base_url
            ) as kp:

                async def one(order_id: str | int) -> Any:
                    try:
                        return await asyncio.wait_for(kp.orders.cancel(order_id), 0.5)
                    except TimeoutError as exc:
                        return exc

                return list(await asyncio.gather(*(one(i) for i in ids)))

        outcomes = asyncio.run(go())
        gave_up = [o for o in outcomes if isinstance(o, TimeoutError)]
        done = [o for o in outcomes if isinstance(o, CancelledOrder)]
        # The 8 hanging calls give up; the others normally finish (a busy machine may
        # make one give up after KwikPaisa acted, so count loosely but exactly-once).
        assert len(gave_up) >= 8
        assert len(gave_up) + len(done) == len(ids)
        assert len(done) <= sum(emu.cancel_count(i) for i in ids) <= 8
        assert all(emu.cancel_count(i) <= 1 for i in ids)
        _wait_for_no_connections(server)
    finally:
        server.stop()


def test_waiting_too_long_for_a_pooled_connection_says_so(fast_retries: list[float]) -> None:
    import httpx

    from kwikpaisa import APITimeoutError

    emu = Emulator()
    ids = _orders(emu, 2)
    gate = Gate(emu, after=0)  # the first request holds the only connection until released
    server = EmulatorServer(emu)
    server.start()
    try:

        async def go() -> BaseException | None:
            limits = httpx.Limits(max_connections=1)
            async with (
                httpx.AsyncClient(limits=limits) as http,
                AsyncKwikPaisa(
                    emu.api_key, emu.secret_key, base_url=server.base_url, http_client=http
                ) as kp,
            ):
                holder = asyncio.create_task(kp.orders.cancel(ids[0]))
                assert await asyncio.to_thread(gate.holding.wait, 60)
                try:
                    await kp.orders.cancel(ids[1], timeout=0.2, max_retries=0)
                except APITimeoutError as exc:
                    error: BaseException | None = exc
                else:
                    error = None
                gate.release.set()
                await holder
                return error

        error = asyncio.run(go())
    finally:
        gate.release.set()
        server.stop()
    assert isinstance(error, APITimeoutError)
    assert "waiting for a free connection in the pool" in str(error)
    assert "run fewer, or raise timeout=" in str(error)
    assert emu.cancel_count(ids[1]) == 0
