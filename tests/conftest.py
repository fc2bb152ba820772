"""Shared fixtures: an emulator, and clients wired to it in-process and over loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kwikpaisa import KwikPaisa
from kwikpaisa.testing import Emulator

# Orders every fresh emulator starts with (README examples rely on these too).
SEED_ORDERS: dict[str | int, str] = {
    "ord_123": "UN_PAID",
    "ord_1": "UN_PAID",
    "ord_2": "UN_PAID",
    6116229263036: "UN_PAID",
    "ord_paid": "PAID",
    "ord_cancelled": "CANCELLED",
    "ord_expired": "EXPIRED",
    "ord_pending": "PENDING",
}


def seeded_emulator(**options: object) -> Emulator:
    emu = Emulator(**options)  # type: ignore[arg-type]
    for order_id, status in SEED_ORDERS.items():
        emu.add_order(order_id, status)
    return emu


@pytest.fixture(autouse=True)
def _no_kwikpaisa_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real KWIKPAISA_* settings."""
    for name in (
        "KWIKPAISA_API_KEY",
        "KWIKPAISA_SECRET_KEY",
        "KWIKPAISA_ENVIRONMENT",
        "KWIKPAISA_BASE_URL",
        "KWIKPAISA_LOG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator seeded with SEED_ORDERS."""
    return seeded_emulator()


@pytest.fixture
def served(emulator: Emulator) -> Iterator[str]:
    """The emulator served on an ephemeral loopback port; yields its base URL."""
    with emulator.serve() as base_url:
        yield base_url


@pytest.fixture
def env(emulator: Emulator, served: str) -> dict[str, str]:
    """Process environment for running the command line against the served emulator."""
    return {
        **os.environ,
        "KWIKPAISA_API_KEY": emulator.api_key,
        "KWIKPAISA_SECRET_KEY": emulator.secret_key,
        "KWIKPAISA_BASE_URL": served,
    }


@pytest.fixture(params=["in-process", "socket"])
def way_in(request: pytest.FixtureRequest) -> str:
    """Run a test both through the in-process transport and over a loopback socket."""
    return str(request.param)


@pytest.fixture
def client_options(way_in: str, emulator: Emulator) -> Iterator[dict[str, object]]:
    """Keyword arguments for KwikPaisa/AsyncKwikPaisa reaching the emulator ``way_in``.

    In-process, pass ``transport=emulator.transport()`` yourself only via these options:
    the dict holds ``transport`` for the in-process case and ``base_url`` for both.
    """
    base = {"api_key": emulator.api_key, "secret_key": emulator.secret_key}
    if way_in == "in-process":
        yield {**base, "base_url": "http://emulator.localhost", "transport": emulator.transport()}
    else:
        with emulator.serve() as base_url:
            yield {**base, "base_url": base_url}


@pytest.fixture
def kp(client_options: dict[str, object]) -> Iterator[KwikPaisa]:
    """A sync client on the emulator, both ways in (fast retries)."""
    with KwikPaisa(**client_options) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make retry sleeps instant; returns the list of delays that were asked for."""
    import asyncio

    delays: list[float] = []
    real_async_sleep = asyncio.sleep

    def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    async def fake_async_sleep(seconds: float, *args: object) -> None:
        delays.append(seconds)
        await real_async_sleep(0)

    monkeypatch.setattr("kwikpaisa._client._sleep", fake_sleep)
    monkeypatch.setattr("kwikpaisa._client._async_sleep", fake_async_sleep)
    return delays
