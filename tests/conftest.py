"""Shared fixtures: an emulator, and clients wired to it in-process and over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kwikpaisa import AsyncKwikPaisa, CancelledOrder, KwikPaisa
from kwikpaisa.testing import Emulator

# The base URL clients use for the emulator's in-process transport (never resolved).
IN_PROCESS_URL = "http://emulator.localhost"

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


def hmac_hex(secret: str, message: bytes) -> str:
    """The reference signature: lowercase hex HMAC-SHA256 of ``message`` under ``secret``,
    computed with the standard library alone (never with the SDK's own signing)."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Gate:
    """Holds every request to ``emulator`` after the first ``after`` until ``release`` is
    set (at most 60 s): "slow" without a clock, whatever the machine's speed. ``holding``
    is set once a request is held."""

    def __init__(self, emulator: Emulator, after: int) -> None:
        self.release = threading.Event()
        self.holding = threading.Event()
        self._count = 0
        self._lock = threading.Lock()
        inner = emulator.handle

        def handle(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self._count += 1
                held = self._count > after
            if held:
                self.holding.set()
                self.release.wait(60)
            return inner(*args, **kwargs)

        emulator.handle = handle  # type: ignore[method-assign]


def seeded_emulator(**options: object) -> Emulator:
    emu = Emulator(**options)  # type: ignore[arg-type]
    for order_id, status in SEED_ORDERS.items():
        emu.add_order(order_id, status)
    return emu


# Markers by test module (registered in pyproject.toml). A new test module gets its
# markers here; until then it is unmarked (and so runs in `make test-fast`), except
# that any test run over a real socket (``way_in`` "socket") is integration and slow.
MODULE_MARKERS: dict[str, tuple[str, ...]] = {
    "test_bulk": ("unit",),
    "test_client": ("unit",),
    "test_clock_skew": ("unit",),
    "test_emulator": ("unit",),
    "test_faults": ("unit",),
    "test_input_validation": ("unit",),
    "test_hostile": ("unit",),
    "test_create_input": ("unit",),
    "test_low_level": ("unit",),
    "test_hot_path": ("unit",),
    "test_properties": ("unit", "slow"),
    "test_retries": ("unit",),
    "test_secrets": ("unit",),
    "test_settings": ("unit",),
    "test_signing": ("unit",),
    "test_webhooks": ("unit",),
    "test_concurrency": ("integration", "slow"),
    "test_conformance": ("integration", "slow"),
    "test_signing_js": ("integration",),
    "test_transport_safety": ("integration",),
    "test_proxies": ("integration",),
    "test_deadlines": ("integration",),
    "test_cli": ("cli", "slow"),
    "test_cli_bulk": ("cli", "slow"),
    "test_cli_sign": ("cli",),
    "test_demo": ("cli", "slow"),
    "test_pytest_plugin": ("integration", "slow"),
    "test_readme": ("docs", "slow"),
    "test_upgrade": ("integration", "slow"),
    "test_webhook_receivers": ("integration", "slow"),
    "test_cli_operations": ("cli",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        names = set(MODULE_MARKERS.get(module, ()))
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("way_in") == "socket":
            names |= {"integration", "slow"}
        for name in sorted(names):
            item.add_marker(name)


@pytest.fixture(autouse=True)
def _no_kwikpaisa_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real KWIKPAISA_* settings."""
    for name in (
        "KWIKPAISA_API_KEY",
        "KWIKPAISA_SECRET_KEY",
        "KWIKPAISA_ENVIRONMENT",
        "KWIKPAISA_BASE_URL",
        "KWIKPAISA_LOG",
        "KWIKPAISA_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    # Nor a developer's proxy settings (tests that want a proxy set them).
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


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


Reach = Callable[[Emulator], dict[str, Any]]


@pytest.fixture
def reach(way_in: str) -> Iterator[Reach]:
    """``reach(emu)``: keyword arguments for KwikPaisa/AsyncKwikPaisa reaching ``emu``
    ``way_in`` (``transport`` in-process; a loopback server, stopped after the test, else)."""
    with contextlib.ExitStack() as servers:

        def options(emu: Emulator) -> dict[str, Any]:
            base = {"api_key": emu.api_key, "secret_key": emu.secret_key}
            if way_in == "in-process":
                return {**base, "base_url": IN_PROCESS_URL, "transport": emu.transport()}
            return {**base, "base_url": servers.enter_context(emu.serve())}

        yield options


@pytest.fixture
def client_options(reach: Reach, emulator: Emulator) -> dict[str, Any]:
    """Keyword arguments for KwikPaisa/AsyncKwikPaisa reaching the ``emulator`` fixture."""
    return reach(emulator)


def cancel_with(
    flavour: str, options: dict[str, Any], order_id: object, **per_call: Any
) -> CancelledOrder:
    """Cancel through a fresh sync or async client built from ``options`` (closed after)."""
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return kp.orders.cancel(order_id, **per_call)  # type: ignore[arg-type]

    async def go() -> CancelledOrder:
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.orders.cancel(order_id, **per_call)  # type: ignore[arg-type]

    return asyncio.run(go())


@pytest.fixture
def kp(client_options: dict[str, object]) -> Iterator[KwikPaisa]:
    """A sync client on the emulator, both ways in."""
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


def interpret_cancel(
    status: int,
    headers: dict[str, str],
    body: bytes,
    *,
    order_id: str | int = "ord_1",
    attempts: int = 1,
    **options: Any,
) -> Any:
    """Read one answer to a cancel, as attempt ``attempts`` of a call, with no I/O."""
    from kwikpaisa._call import Call
    from kwikpaisa._response import interpret_response
    from kwikpaisa.resources.orders import CANCEL

    call = Call(CANCEL, order_id, max_retries=2)
    call.attempts = attempts
    return interpret_response(call, status, headers, body, **options)
