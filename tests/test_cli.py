"""The command line as a user runs it: real processes, a real loopback emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from kwikpaisa import KwikPaisa
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import Emulator


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kwikpaisa", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cancel_prints_json(env: dict[str, str], emulator: Emulator) -> None:
    done = run("cancel", "ord_123", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["order_id"] == "ord_123"
    assert data["status"] == "CANCELLED"
    assert data["cancelled_at"].endswith("+05:30")
    assert emulator.cancel_count("ord_123") == 1


def test_cancel_int_prefix_sends_a_number(env: dict[str, str]) -> None:
    done = run("cancel", "int:6116229263036", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["order_id"] == 6116229263036


@pytest.mark.parametrize(
    ("order_id", "code", "text"),
    [
        ("ord_9", ExitCode.NOT_FOUND, "OrderNotFoundError: KwikPaisa has no order 'ord_9'"),
        ("ord_paid", ExitCode.NOT_CANCELLABLE, "OrderNotCancellableError: Order 'ord_paid' cannot"),
        ("   ", ExitCode.USAGE, "order_id is empty"),
    ],
)
def test_cancel_failures_are_one_line_with_distinct_codes(
    env: dict[str, str], order_id: str, code: int, text: str
) -> None:
    done = run("cancel", order_id, env=env)
    assert done.returncode == code
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert text in lines[0]


def test_cancel_without_keys_is_a_configuration_error(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "KWIKPAISA_SECRET_KEY"}
    done = run("cancel", "ord_1", env=env)
    assert done.returncode == ExitCode.CONFIGURATION
    assert "KWIKPAISA_SECRET_KEY" in done.stderr


def test_cancel_with_wrong_secret_is_an_authentication_error(env: dict[str, str]) -> None:
    done = run("cancel", "ord_1", env={**env, "KWIKPAISA_SECRET_KEY": "sk_test_wrong_one"})
    assert done.returncode == ExitCode.AUTHENTICATION
    assert "sk_test_wrong_one" not in done.stderr


def test_cancel_connection_refused_is_a_connection_error(env: dict[str, str]) -> None:
    done = run("cancel", "ord_1", "--max-retries", "0", "--base-url", "http://127.0.0.1:9", env=env)
    assert done.returncode == ExitCode.CONNECTION
    assert "Could not connect" in done.stderr


def test_console_script_is_installed() -> None:
    bindir = os.path.dirname(sys.executable)
    done = subprocess.run(
        [os.path.join(bindir, "kwikpaisa"), "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    for command in ("cancel", "emulator", "sign"):
        assert command in done.stdout


def start_emulator(*args: str) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kwikpaisa", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("KwikPaisa emulator listening on http://127.0.0.1:"), first
    banner = first
    while "Ctrl-C to stop" not in banner:
        banner += proc.stdout.readline()
    return proc, first.rsplit(" ", 1)[1].strip(), banner


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_emulator_command_serves_and_stops_cleanly(sig: signal.Signals) -> None:
    proc, base_url, banner = start_emulator("--order", "ord_1", "--order", "ord_2:PAID")
    try:
        with KwikPaisa("pk_test_emulator", "sk_test_emulator", base_url=base_url) as kp:
            assert kp.orders.cancel("ord_1").status == "CANCELLED"
            with pytest.raises(Exception, match="ord_2"):
                kp.orders.cancel("ord_2")
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "KWIKPAISA_API_KEY=pk_test_emulator" in banner
    assert "KWIKPAISA_SECRET_KEY=sk_test_emulator" in banner
    assert "KwikPaisa emulator stopped" in out


def test_emulator_command_takes_custom_keys() -> None:
    proc, base_url, _ = start_emulator(
        "--api-key", "pk_test_custom", "--secret-key", "sk_c", "--order", "z"
    )
    try:
        with KwikPaisa("pk_test_custom", "sk_c", base_url=base_url) as kp:
            assert kp.orders.cancel("z").order_id == "z"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)


def test_emulator_command_rejects_unknown_status() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kwikpaisa", "emulator", "--port", "0", "--order", "a:SHIPPED"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown order status 'SHIPPED'" in done.stderr


_SERVER_MACHINERY = ("kwikpaisa.testing", "http.server", "socketserver", "wsgiref")


@pytest.mark.parametrize(
    ("module", "heavy"),
    [
        ("kwikpaisa", (*_SERVER_MACHINERY, "kwikpaisa._cli", "kwikpaisa_generated", "argparse")),
        (
            "kwikpaisa.webhooks",
            (*_SERVER_MACHINERY, "kwikpaisa._cli", "kwikpaisa_generated", "argparse"),
        ),
        # The command line starts without the emulator or the batch machinery.
        ("kwikpaisa._cli", (*_SERVER_MACHINERY, "kwikpaisa._bulk", "asyncio")),
    ],
)
def test_importing_kwikpaisa_loads_no_emulator_or_server_machinery(
    module: str, heavy: tuple[str, ...]
) -> None:
    code = f"import sys, {module}\nprint([m for m in {heavy!r} if m in sys.modules])\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
