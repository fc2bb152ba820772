"""pytest fixtures for testing your own code against the bundled KwikPaisa emulator.

Installing the SDK registers this module as a pytest plugin (the ``kwikpaisa`` entry
point in the ``pytest11`` group), so any test can ask for:

``kwikpaisa_emulator``
    a fresh in-process :class:`~kwikpaisa.testing.Emulator`, configured by the test's
    ``@pytest.mark.kwikpaisa(...)`` marker (no orders without one).
``kwikpaisa_client`` / ``kwikpaisa_async_client``
    a :class:`~kwikpaisa.KwikPaisa` / :class:`~kwikpaisa.AsyncKwikPaisa` wired to that
    emulator in-process, closed after the test.
``kwikpaisa_emulator_server``
    the same emulator served on an ephemeral loopback port; yields its base URL.
``kwikpaisa_clock``
    a :class:`~kwikpaisa.testing.ManualClock`; asking for it puts ``kwikpaisa_emulator``
    on it, so ``kwikpaisa_clock.advance(seconds)`` fires due expiries and webhooks.
``kwikpaisa_emulator_factory``
    ``make(**options)``: more emulators, configured as the marker configures one, all
    closed after the test.

The marker (on a test, a class, or a module's ``pytestmark``; the closest wins per
option) takes :class:`~kwikpaisa.testing.Emulator`'s keyword options (``webhook_url``,
``expire_after``, ``clock``, ``webhook_duplicates``, ...) and ``orders`` (ids, or a
mapping of id to status or to :meth:`~kwikpaisa.testing.Emulator.add_order` options)
and ``faults`` (:class:`~kwikpaisa.testing.Fault` objects for the first requests).

Each fixture also sets ``KWIKPAISA_API_KEY`` and ``KWIKPAISA_SECRET_KEY`` to the
emulator's keys, and ``KWIKPAISA_BASE_URL`` (for the test only), so code under test
that builds its own ``KwikPaisa()`` from the environment reaches the emulator: over
the socket when the test uses ``kwikpaisa_emulator_server``. Without it the variable
names the in-process address, which only the fixtures' clients can use: such code
never reaches KwikPaisa (it fails to connect).

Importing :mod:`kwikpaisa` does not load this module; ``pytest -p no:kwikpaisa``
turns the plugin off.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pytest

from ._client import AsyncKwikPaisa, KwikPaisa
from ._constants import (
    ENV_ALLOW_INSECURE_HTTP,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_ENVIRONMENT,
    ENV_SECRET_KEY,
)
from .testing import Emulator, Fault, ManualClock

__all__ = [
    "IN_PROCESS_BASE_URL",
    "MARKER",
    "kwikpaisa_async_client",
    "kwikpaisa_client",
    "kwikpaisa_clock",
    "kwikpaisa_emulator",
    "kwikpaisa_emulator_factory",
    "kwikpaisa_emulator_server",
    "make_emulator",
]

IN_PROCESS_BASE_URL = "http://emulator.localhost"
"""The base URL of clients wired to the emulator in-process (never resolved)."""

MARKER = "kwikpaisa"
"""The marker that configures ``kwikpaisa_emulator``: ``@pytest.mark.kwikpaisa(...)``."""

_EXTRA_OPTIONS = ("orders", "faults")
_EMULATOR_OPTIONS = tuple(
    name
    for name, parameter in inspect.signature(Emulator).parameters.items()
    if parameter.kind is not inspect.Parameter.VAR_KEYWORD
)

EmulatorFactory = Callable[..., Emulator]
"""``kwikpaisa_emulator_factory``: ``make(**options) -> Emulator``."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the test's kwikpaisa_emulator: orders=, faults=, "
        "and Emulator's options (webhook_url=, expire_after=, clock=, webhook_duplicates=, ...)",
    )


def make_emulator(
    *,
    orders: Iterable[str | int] | Mapping[str | int, str | Mapping[str, Any]] = (),
    faults: Iterable[Fault] = (),
    **options: Any,
) -> Emulator:
    """An :class:`~kwikpaisa.testing.Emulator` made with ``options``, seeded with
    ``orders`` and with ``faults`` injected for its first API requests.

    ``orders`` is an iterable of ids (each ``UN_PAID``) or a mapping of id to a status
    (``{"ord_2": "PAID"}``) or to :meth:`~kwikpaisa.testing.Emulator.add_order`'s options
    (``{"ord_3": {"amount": "499.00"}}``). An unknown option is a ``TypeError`` naming it.
    """
    unknown = sorted(set(options) - set(_EMULATOR_OPTIONS))
    if unknown:
        known = ", ".join([*_EXTRA_OPTIONS, *_EMULATOR_OPTIONS])
        raise TypeError(f"unknown kwikpaisa emulator option(s) {', '.join(unknown)}; use {known}")
    emulator = Emulator(**options)
    try:
        _seed(emulator, orders)
        fault_list = list(faults)
        bad = [fault for fault in fault_list if not isinstance(fault, Fault)]
        if bad:
            raise TypeError(f"faults must be kwikpaisa.testing.Fault objects, not {bad[0]!r}")
        emulator.inject(*fault_list)
    except BaseException:
        emulator.close()
        raise
    return emulator


def _seed(
    emulator: Emulator,
    orders: Iterable[str | int] | Mapping[str | int, str | Mapping[str, Any]],
) -> None:
    if isinstance(orders, str | bytes):
        raise TypeError(f"orders must be a list or a mapping of order ids, not {orders!r}")
    if not isinstance(orders, Mapping):
        for order_id in orders:
            emulator.add_order(order_id)
        return
    for order_id, spec in orders.items():
        if isinstance(spec, str):
            emulator.add_order(order_id, spec)
        elif isinstance(spec, Mapping):
            emulator.add_order(order_id, **spec)
        else:
            raise TypeError(
                f"orders[{order_id!r}] must be a status or a mapping of add_order options, "
                f"not {spec!r}"
            )


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test's ``kwikpaisa`` marker options, the closest marker winning per option."""
    options: dict[str, Any] = {}
    for mark in reversed(list(request.node.iter_markers(MARKER))):
        if mark.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes keyword options only "
                f"(orders=..., webhook_url=...), not {mark.args!r}",
                pytrace=False,
            )
        options.update(mark.kwargs)
    return options


def _point_environment_at(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, base_url: str
) -> None:
    monkeypatch.setenv(ENV_API_KEY, emulator.api_key)
    monkeypatch.setenv(ENV_SECRET_KEY, emulator.secret_key)
    monkeypatch.setenv(ENV_BASE_URL, base_url)
    monkeypatch.delenv(ENV_ENVIRONMENT, raising=False)
    monkeypatch.delenv(ENV_ALLOW_INSECURE_HTTP, raising=False)


@pytest.fixture
def kwikpaisa_clock() -> ManualClock:
    """A :class:`~kwikpaisa.testing.ManualClock` at the real time; when a test asks for
    it, ``kwikpaisa_emulator`` runs on it."""
    return ManualClock()


@pytest.fixture
def kwikpaisa_emulator_factory() -> Iterator[EmulatorFactory]:
    """``make(**options)``: a new emulator per call, with the marker's options
    (``orders=``, ``faults=``, and :class:`~kwikpaisa.testing.Emulator`'s); every one is
    closed after the test."""
    made: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emulator = make_emulator(**options)
        made.append(emulator)
        return emulator

    yield make
    for emulator in made:
        emulator.close()


@pytest.fixture
def kwikpaisa_emulator(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    kwikpaisa_emulator_factory: EmulatorFactory,
) -> Emulator:
    """A fresh in-process KwikPaisa emulator, configured by the test's
    ``@pytest.mark.kwikpaisa(...)`` (on ``kwikpaisa_clock`` when the test asks for it);
    the ``KWIKPAISA_*`` variables name its keys. Closed after the test."""
    options = _marker_options(request)
    if "kwikpaisa_clock" in request.fixturenames:
        if "clock" in options:
            pytest.fail(
                f"the test asks for kwikpaisa_clock and its @pytest.mark.{MARKER} gives "
                "clock=: use one (kwikpaisa_clock is the emulator's clock when asked for)",
                pytrace=False,
            )
        options["clock"] = request.getfixturevalue("kwikpaisa_clock")
    try:
        emulator = kwikpaisa_emulator_factory(**options)
    except (TypeError, ValueError, KeyError) as error:
        pytest.fail(f"@pytest.mark.{MARKER}: {error}", pytrace=False)
    _point_environment_at(monkeypatch, emulator, IN_PROCESS_BASE_URL)
    return emulator


@pytest.fixture
def kwikpaisa_client(kwikpaisa_emulator: Emulator) -> Iterator[KwikPaisa]:
    """A :class:`~kwikpaisa.KwikPaisa` wired to ``kwikpaisa_emulator`` in-process."""
    with KwikPaisa(
        kwikpaisa_emulator.api_key,
        kwikpaisa_emulator.secret_key,
        base_url=IN_PROCESS_BASE_URL,
        transport=kwikpaisa_emulator.transport(),
    ) as client:
        yield client


@pytest.fixture
def kwikpaisa_async_client(kwikpaisa_emulator: Emulator) -> Iterator[AsyncKwikPaisa]:
    """An :class:`~kwikpaisa.AsyncKwikPaisa` wired to ``kwikpaisa_emulator`` in-process;
    closed after the test.

    A plain (synchronous) fixture, so it serves any async test runner: the client has
    no sockets and works from whichever event loop the test runs on. The test itself
    needs a runner: ``@pytest.mark.anyio`` (anyio's plugin, installed with httpx),
    pytest-asyncio's ``@pytest.mark.asyncio`` (or ``asyncio_mode = "auto"``), or
    ``asyncio.run(...)`` inside a plain test.
    """
    client = AsyncKwikPaisa(
        kwikpaisa_emulator.api_key,
        kwikpaisa_emulator.secret_key,
        base_url=IN_PROCESS_BASE_URL,
        transport=kwikpaisa_emulator.transport(),
    )
    yield client
    asyncio.run(client.close())


@pytest.fixture
def kwikpaisa_emulator_server(
    kwikpaisa_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``kwikpaisa_emulator`` served on an ephemeral loopback port: yields its base URL,
    also set as ``KWIKPAISA_BASE_URL``. Stopped after the test."""
    with kwikpaisa_emulator.serve() as base_url:
        monkeypatch.setenv(ENV_BASE_URL, base_url)
        yield base_url
