"""What a call does not redo: work whose result is the same on every call is done once
per client (or once per process), and the calls that reuse it still reach the right place.
"""

from __future__ import annotations

import asyncio
import sys
from types import FrameType
from typing import Any

import httpx
import pytest

from kwikpaisa import NotFoundError
from kwikpaisa._client import _MAX_PARSED_URLS
from kwikpaisa.testing import Emulator
from kwikpaisa.testing._emulator import IN_PROCESS_BASE_URL

CANCEL_URL = IN_PROCESS_BASE_URL + "/api/v3/pg/order/cancel"
STATUS_URL = IN_PROCESS_BASE_URL + "/api/v3/pg/order/status"


@pytest.fixture
def url_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs (text) the SDK parses with ``httpx.URL``, in order."""
    parsed: list[str] = []
    real = httpx.URL

    def counting(url: Any = "", **kwargs: Any) -> httpx.URL:
        if isinstance(url, str):
            parsed.append(url)
        return real(url, **kwargs)

    monkeypatch.setattr(httpx, "URL", counting)
    return parsed


def test_an_operations_url_is_parsed_once_per_client(
    emulator: Emulator, url_parses: list[str]
) -> None:
    with emulator.client() as kp:
        first = kp.orders.cancel("ord_1")
        second = kp.orders.cancel("ord_2")
        status = kp.orders.status("ord_1")
    assert url_parses.count(CANCEL_URL) == 1
    assert url_parses.count(STATUS_URL) == 1
    assert (first.order_id, second.order_id) == ("ord_1", "ord_2")
    assert first.status == second.status == status.status == "CANCELLED"


def test_the_async_client_parses_an_operations_url_once(
    emulator: Emulator, url_parses: list[str]
) -> None:

    async def go() -> list[str]:
        async with emulator.async_client() as kp:
            return [(await kp.orders.cancel(oid)).status for oid in ("ord_1", "ord_2")]

    assert asyncio.run(go()) == ["CANCELLED", "CANCELLED"]
    assert url_parses.count(CANCEL_URL) == 1


def test_kp_post_keeps_a_bounded_number_of_paths_parsed(emulator: Emulator) -> None:
    with emulator.client() as kp:
        for n in range(_MAX_PARSED_URLS + 6):
            with pytest.raises(NotFoundError) as caught:
                kp.post(f"/api/v3/pg/unknown/{n}", {"n": n})
            assert caught.value.request is not None
            assert caught.value.request.url.path == f"/api/v3/pg/unknown/{n}"
        assert len(kp._urls) == _MAX_PARSED_URLS


def test_a_warm_call_does_not_import_its_endpoint_again(emulator: Emulator) -> None:
    entered: set[str] = set()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_globals.get("__name__") == "kwikpaisa_generated.operations":
            entered.add(frame.f_code.co_name)

    with emulator.client() as kp:
        kp.orders.cancel("ord_1")  # the endpoint module loads on first use
        sys.setprofile(profile)
        try:
            order = kp.orders.cancel("ord_2")
        finally:
            sys.setprofile(None)
    assert order.status == "CANCELLED"
    assert "request" in entered  # the generated operation built the request
    assert "_orders_cancel_endpoint" not in entered
