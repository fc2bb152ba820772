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
        ("int:9007199254740993", ExitCode.USAGE, "write 9007199254740993 without int: to send it"),
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


@pytest.mark.parametrize(
    ("change", "args", "text"),
    [
        ({"KWIKPAISA_API_KEY": None}, [], "No KWIKPAISA_API_KEY given: set the KWIKPAISA_API_KEY "
         "environment variable (export KWIKPAISA_API_KEY=...)"),
        ({"KWIKPAISA_SECRET_KEY": " sk "}, [], "KWIKPAISA_SECRET_KEY has leading or trailing"),
        ({}, ["--base-url", "http://10.1.2.3:8080"], "--base-url 'http://10.1.2.3:8080' uses "
         "plain http://"),
        ({}, ["--base-url", "http://10.1.2.3:8080"], "add --allow-insecure-http (or set "
         "KWIKPAISA_ALLOW_INSECURE_HTTP=1)"),
        ({"KWIKPAISA_BASE_URL": None, "KWIKPAISA_ENVIRONMENT": "production"}, [],
         "KWIKPAISA_API_KEY pk_test_…ator is a sandbox key (it starts with 'pk_test_') but the "
         "environment is production; use your production keys, or set "
         "KWIKPAISA_ENVIRONMENT=sandbox"),
        ({"KWIKPAISA_BASE_URL": None}, ["--environment", "production"], "or --environment sandbox"),
    ],
)  # fmt: skip
def test_cli_errors_speak_in_flags_and_variables(
    env: dict[str, str], change: dict[str, str | None], args: list[str], text: str
) -> None:
    env = {**env, **change}
    env = {name: value for name, value in env.items() if value is not None}
    done = run("cancel", "ord_1", *args, env=env)
    assert done.returncode == ExitCode.CONFIGURATION, done.stderr
    assert text in done.stderr
    assert "=..." not in done.stderr.replace("export KWIKPAISA_API_KEY=...", "")
    assert "argument" not in done.stderr


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--timeout", "0"], "--timeout: must be a positive number of seconds, not 0"),
        (["--max-retries", "-1"], "--max-retries: must be 0 or more, not -1"),
    ],
)
def test_bad_timeout_or_retries_flags_are_usage_errors(
    env: dict[str, str], args: list[str], text: str
) -> None:
    done = run("cancel", "ord_1", *args, env=env)
    assert done.returncode == ExitCode.USAGE
    assert text in done.stderr


def test_allow_insecure_http_flag_and_variable(env: dict[str, str]) -> None:
    # The opt-in is accepted (whatever the network then does with the request).
    args = ["cancel", "ord_1", "--base-url", "http://192.0.2.1:9", "--max-retries", "0",
            "--timeout", "0.01"]  # fmt: skip
    done = run(*args, "--allow-insecure-http", env=env)
    assert done.returncode != ExitCode.CONFIGURATION, done.stderr
    assert "Plain http:// to 192.0.2.1 (allow_insecure_http)" in done.stderr
    done = run(*args, env={**env, "KWIKPAISA_ALLOW_INSECURE_HTTP": "1"})
    assert done.returncode != ExitCode.CONFIGURATION, done.stderr
    assert "plain http://" not in done.stderr


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
    # The exit codes are in the top-level help, as the README says.
    for text in ("exit codes", "3 configuration", "6 order not found", "9 a signature"):
        assert text in done.stdout


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
    assert "KwikPaisa emulator stopped" in out
    # Every line after the first is shell: eval'd, it points a client at the emulator.
    shell = banner.split("\n", 1)[1]
    shown = subprocess.run(
        ["sh", "-c", shell + "\nenv"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()
    assert f"KWIKPAISA_BASE_URL={base_url}" in shown
    assert "KWIKPAISA_API_KEY=pk_test_emulator" in shown
    assert "KWIKPAISA_SECRET_KEY=sk_test_emulator" in shown


def test_emulator_on_every_interface_prints_a_url_the_sdk_accepts() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kwikpaisa", "emulator", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = ""
    try:
        while "Ctrl-C to stop" not in banner:
            banner += proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    shell = banner.split("\n", 1)[1]
    env = dict(
        line.split("=", 1)
        for line in subprocess.run(
            ["env", "-i", "sh", "-c", shell + "\nenv"], capture_output=True, text=True,
            timeout=30, check=True,
        ).stdout.splitlines()
    )  # fmt: skip
    assert env["KWIKPAISA_ALLOW_INSECURE_HTTP"] == "1"
    assert "0.0.0.0" not in env["KWIKPAISA_BASE_URL"]
    from kwikpaisa._environment import resolve_settings

    settings = resolve_settings(
        api_key=None, secret_key=None, environment=None, base_url=None, environ=env
    )
    assert settings.base_url == env["KWIKPAISA_BASE_URL"]


def test_a_busy_port_is_named_with_a_way_out() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kwikpaisa", "emulator", "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port 0 for any free port" in done.stderr


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
        (
            "kwikpaisa",
            (
                *_SERVER_MACHINERY,
                "kwikpaisa._cli",
                "kwikpaisa_generated.models",
                "argparse",
                "pytest",
            ),
        ),
        (
            "kwikpaisa.webhooks",
            (*_SERVER_MACHINERY, "kwikpaisa._cli", "kwikpaisa_generated.models", "argparse"),
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
