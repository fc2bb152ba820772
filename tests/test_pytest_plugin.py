"""The pytest plugin users get by installing the SDK, run as a user's own test suite."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from .readme_examples import example

pytest_plugins = ("pytester",)


@pytest.fixture(autouse=True)
def _users_settings(request: pytest.FixtureRequest) -> None:
    """A user's suite with pytest-asyncio installed sets its loop scope (else it warns)."""
    if "pytester" in request.fixturenames:
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

USER_TESTS = '''
import asyncio

import httpx

from kwikpaisa import KwikPaisa


def cancel_abandoned(order_id):  # the user's code: builds its own client from the variables
    with KwikPaisa() as kp:
        return kp.orders.cancel(order_id).status


def test_in_process(kwikpaisa_emulator, kwikpaisa_client):
    kwikpaisa_emulator.add_order("ord_1")
    assert kwikpaisa_client.orders.cancel("ord_1").status == "CANCELLED"
    assert kwikpaisa_emulator.cancel_count("ord_1") == 1


def test_async(kwikpaisa_emulator, kwikpaisa_async_client):
    kwikpaisa_emulator.add_order("ord_2")
    order = asyncio.run(kwikpaisa_async_client.orders.cancel("ord_2"))
    assert order.status == "CANCELLED"


def test_own_client_over_the_socket(kwikpaisa_emulator, kwikpaisa_emulator_server, monkeypatch):
    import os

    assert os.environ["KWIKPAISA_BASE_URL"] == kwikpaisa_emulator_server
    assert kwikpaisa_emulator_server.startswith("http://127.0.0.1:")
    kwikpaisa_emulator.add_order("ord_3")
    assert cancel_abandoned("ord_3") == "CANCELLED"
    assert httpx.get(kwikpaisa_emulator_server + "/api/v3/pg/order/cancel").status_code == 405


def test_each_test_gets_a_fresh_emulator(kwikpaisa_emulator):
    assert kwikpaisa_emulator.total_cancels == 0
'''


def test_the_fixtures_work_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_variables_are_restored_after_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", "pk_live_mine")
    pytester.makepyfile(
        test_user="""
        import os

        def test_uses(kwikpaisa_emulator_server):
            assert os.environ["KWIKPAISA_API_KEY"] == "pk_test_emulator"

        def test_after():
            assert os.environ["KWIKPAISA_API_KEY"] == "pk_live_mine"
            assert "KWIKPAISA_BASE_URL" not in os.environ
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("name", "tests"),
    [("pytest-plugin", 1), ("pytest-plugin-marker", 3), ("pytest-plugin-async", 1)],
)
def test_the_documented_example_passes(
    pytester: pytest.Pytester, name: str, tests: int
) -> None:
    pytester.makepyfile(test_documented=example(name).code)
    pytester.runpytest("--strict-markers", "-W", "error").assert_outcomes(passed=tests)


def test_installing_the_sdk_registers_the_plugin_by_entry_point(tmp_path: Path) -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    assert [p.value for p in points if p.name == "kwikpaisa"] == ["kwikpaisa.pytest_plugin"]
    # ... and a separate pytest process picks it up from there (no conftest, no -p).
    code = "import pytest, sys; sys.exit(pytest.main(['--fixtures', '-p', 'no:cacheprovider']))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("kwikpaisa_emulator", "kwikpaisa_client", "kwikpaisa_async_client",
                 "kwikpaisa_emulator_server"):  # fmt: skip
        assert name in done.stdout


ASYNC_TESTS = '''
import pytest


@pytest.mark.anyio
async def test_under_anyio(kwikpaisa_emulator, kwikpaisa_async_client):
    kwikpaisa_emulator.add_order("ord_1")
    assert (await kwikpaisa_async_client.orders.cancel("ord_1")).status == "CANCELLED"


@pytest.mark.asyncio
async def test_under_pytest_asyncio(kwikpaisa_emulator, kwikpaisa_async_client):
    kwikpaisa_emulator.add_order("ord_1")
    assert (await kwikpaisa_async_client.orders.status("ord_1")).status == "UN_PAID"


@pytest.mark.anyio
@pytest.mark.kwikpaisa(orders={"ord_2": "PAID"})
async def test_marker_and_async_together(kwikpaisa_async_client):
    assert (await kwikpaisa_async_client.orders.status("ord_2")).status == "PAID"
'''


def test_the_async_client_works_under_anyio_and_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user_async=ASYNC_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)


CONFIGURED_TESTS = '''
import httpx
import pytest

from kwikpaisa.testing import Emulator, Fault

delivered = []


def inbox(request):
    delivered.append(request.content)
    return httpx.Response(200)


pytestmark = pytest.mark.kwikpaisa(orders=["ord_module"], expire_after=900)


def test_module_marker(kwikpaisa_emulator):
    assert kwikpaisa_emulator.order_status("ord_module") == "UN_PAID"
    assert kwikpaisa_emulator.expire_after == 900


@pytest.mark.kwikpaisa(
    orders={"ord_1": "UN_PAID", "ord_2": "PAID", 6116229263036: {"amount": "499.00"}},
    faults=[Fault.http_status(503)],
)
def test_orders_and_faults(kwikpaisa_emulator, kwikpaisa_client):
    assert kwikpaisa_emulator.order_status("ord_module") is None  # the closest marker wins
    assert kwikpaisa_emulator.order(6116229263036).order_amount == "499.00"
    order = kwikpaisa_client.orders.cancel("ord_1")  # 503 first, then cancelled
    assert order.attempts == 2
    assert kwikpaisa_emulator.order_status("ord_2") == "PAID"


@pytest.mark.kwikpaisa(
    orders=["ord_slow"],
    expire_after=60,
    webhook_url="https://merchant.example/webhooks",
    webhook_transport=httpx.MockTransport(inbox),
)
def test_clock_and_webhooks(kwikpaisa_emulator, kwikpaisa_clock):
    assert kwikpaisa_emulator.clock is kwikpaisa_clock
    kwikpaisa_clock.advance(60)
    kwikpaisa_emulator.wait_for_deliveries()
    assert [b'"event":"payment.expired"' in body for body in delivered] == [True]


@pytest.mark.kwikpaisa(clock=lambda: 1_778_659_835.0)
def test_a_clock_of_your_own(kwikpaisa_emulator):
    assert kwikpaisa_emulator.add_order("ord_x").created_at == "13-05-2026 01:40 PM"


class TestOnAClass:
    pytestmark = pytest.mark.kwikpaisa(orders={"ord_class": "PENDING"})

    @pytest.mark.kwikpaisa(webhook_duplicates=True, webhook_url="https://m.example/h")
    def test_class_and_function_markers_merge(self, kwikpaisa_emulator):
        assert kwikpaisa_emulator.order_status("ord_class") == "PENDING"
        assert kwikpaisa_emulator.webhook_url == "https://m.example/h"


def test_the_factory(kwikpaisa_emulator_factory):
    first = kwikpaisa_emulator_factory(orders=["a"], api_key="pk_test_one")
    second = kwikpaisa_emulator_factory(orders={"b": "PAID"})
    assert isinstance(first, Emulator)
    assert (first.api_key, first.order_status("a"), first.order_status("b")) == (
        "pk_test_one", "UN_PAID", None
    )
    assert second.order_status("b") == "PAID"
'''

BAD_MARKERS = '''
import pytest


@pytest.mark.kwikpaisa(expire=60)
def test_unknown_option(kwikpaisa_emulator):
    pass


@pytest.mark.kwikpaisa(clock=lambda: 0.0)
def test_two_clocks(kwikpaisa_emulator, kwikpaisa_clock):
    pass


@pytest.mark.kwikpaisa(orders={"ord_1": "SHIPPED"})
def test_bad_status(kwikpaisa_emulator):
    pass


@pytest.mark.kwikpaisa("ord_1")
def test_positional(kwikpaisa_emulator):
    pass
'''


def test_the_marker_and_the_factory_configure_emulators(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_configured=CONFIGURED_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=6)


def test_a_bad_marker_is_an_error_naming_what_to_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad=BAD_MARKERS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines_random(
        [
            "*unknown kwikpaisa emulator option(s) expire; use orders, faults, api_key*",
            "*asks for kwikpaisa_clock and its @pytest.mark.kwikpaisa gives clock=*",
            "*unknown order status 'SHIPPED'*",
            "*takes keyword options only*",
        ]
    )
