"""pytest fixtures for testing your own code against the bundled KwikPaisa emulator.

Installing the SDK registers this module as a pytest plugin (the ``kwikpaisa`` entry
point in the ``pytest11`` group), so any test can ask for:

``kwikpaisa_emulator``
    a fresh in-process :class:`~kwikpaisa.testing.Emulator` (no orders; add them with
    ``add_order``).
``kwikpaisa_client`` / ``kwikpaisa_async_client``
    a :class:`~kwikpaisa.KwikPaisa` / :class:`~kwikpaisa.AsyncKwikPaisa` wired to that
    emulator in-process, closed after the test.
``kwikpaisa_emulator_server``
    the same emulator served on an ephemeral loopback port; yields its base URL.

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
from collections.abc import Iterator

import pytest

from ._client import AsyncKwikPaisa, KwikPaisa
from ._constants import (
    ENV_ALLOW_INSECURE_HTTP,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_ENVIRONMENT,
    ENV_SECRET_KEY,
)
from .testing import Emulator

__all__ = [
    "IN_PROCESS_BASE_URL",
    "kwikpaisa_async_client",
    "kwikpaisa_client",
    "kwikpaisa_emulator",
    "kwikpaisa_emulator_server",
]

IN_PROCESS_BASE_URL = "http://emulator.localhost"
"""The base URL of clients wired to the emulator in-process (never resolved)."""


def _point_environment_at(
    monkeypatch: pytest.MonkeyPatch, emulator: Emulator, base_url: str
) -> None:
    monkeypatch.setenv(ENV_API_KEY, emulator.api_key)
    monkeypatch.setenv(ENV_SECRET_KEY, emulator.secret_key)
    monkeypatch.setenv(ENV_BASE_URL, base_url)
    monkeypatch.delenv(ENV_ENVIRONMENT, raising=False)
    monkeypatch.delenv(ENV_ALLOW_INSECURE_HTTP, raising=False)


@pytest.fixture
def kwikpaisa_emulator(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A fresh in-process KwikPaisa emulator; the ``KWIKPAISA_*`` variables name its keys."""
    emulator = Emulator()
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
    """An :class:`~kwikpaisa.AsyncKwikPaisa` wired to ``kwikpaisa_emulator`` in-process
    (no sockets, so it works from any event loop); closed after the test."""
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
