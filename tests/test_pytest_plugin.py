"""The pytest plugin users get by installing the SDK, run as a user's own test suite."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from .readme_examples import example

pytest_plugins = ("pytester",)

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


def test_the_documented_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_documented=example("pytest-plugin").code)
    pytester.runpytest().assert_outcomes(passed=1)


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
