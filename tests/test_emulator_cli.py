"""``kwikpaisa emulator`` as a sandbox: seeding from a file, webhooks, expiry, and the
checkout link of every order it creates, in its log."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kwikpaisa._cli._emulator import parse_order_spec, read_order_specs
from kwikpaisa.testing import Emulator

from .emulator_helpers import create, status, webhook_receiver

COMMAND = (sys.executable, "-m", "kwikpaisa", "emulator", "--port", "0")


class Running:
    def __init__(self, proc: subprocess.Popen[str], banner: list[str]) -> None:
        self.proc = proc
        self.banner = banner
        self.base_url = banner[0].rsplit(" ", 1)[1].strip()

    def next_line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline()


@pytest.fixture
def run_emulator() -> Iterator[type[Running]]:
    started: list[subprocess.Popen[str]] = []

    class Start(Running):
        def __init__(self, *args: str) -> None:
            proc = subprocess.Popen(
                [*COMMAND, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            started.append(proc)
            assert proc.stdout is not None
            banner = [proc.stdout.readline()]
            while "Ctrl-C to stop" not in banner[-1]:
                banner.append(proc.stdout.readline())
                assert banner[-1], proc.stderr.read() if proc.stderr else ""
            super().__init__(proc, banner)

    yield Start
    for proc in started:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
        assert proc.returncode == 0


def test_parse_order_spec() -> None:
    assert parse_order_spec("ord_1") == ("ord_1", "UN_PAID")
    assert parse_order_spec(" 6116229263036 : paid ") == (6116229263036, "paid")
    assert parse_order_spec("0042") == (42, "UN_PAID")
    assert parse_order_spec("ord_2:EXPIRED") == ("ord_2", "EXPIRED")
    with pytest.raises(ValueError, match="no order id"):
        parse_order_spec(":PAID")


def test_read_order_specs_skips_comments_and_blanks(tmp_path: Path) -> None:
    path = tmp_path / "orders.txt"
    path.write_text("# seeded for the demo\nord_a\n\n  123:PAID\n   # indented comment\nb:x\n")
    assert read_order_specs(str(path)) == ["ord_a", "123:PAID", "b:x"]


def test_orders_from_file_are_seeded(run_emulator: type[Running], tmp_path: Path) -> None:
    path = tmp_path / "orders.txt"
    path.write_text("# orders\nord_a\n6116229263036:PAID\n\nord_c:expired\n")
    running = run_emulator("--orders-from", str(path), "--order", "ord_d")
    assert "# orders: 4 seeded; Ctrl-C to stop\n" in running.banner
    links = [line for line in running.banner if line.startswith("# order ")]
    assert [line.split(":")[0] for line in links] == [
        "# order ord_d UN_PAID",
        "# order ord_a UN_PAID",
        "# order 6116229263036 PAID",
        "# order ord_c EXPIRED",
    ]
    emu = Emulator()  # same default keys as the command
    with httpx.Client(base_url=running.base_url) as http:
        data = status(http, emu, "6116229263036").json()["return_data"]
        assert data["order_id"] == 6116229263036  # an all-digit id is a number
        assert data["order_status"] == "PAID"
        assert status(http, emu, "ord_c").json()["return_data"]["order_status"] == "EXPIRED"
        link = links[1].split(": ", 1)[1].strip()
        assert link.startswith(f"{running.base_url}/checkout/kp_")
        assert "ord_a" in http.get(link).text


def test_orders_from_file_with_a_bad_status_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "orders.txt"
    path.write_text("ord_a:SHIPPED\n")
    done = subprocess.run(
        [*COMMAND, "--orders-from", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown order status 'SHIPPED'" in done.stderr


def test_missing_orders_file_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [*COMMAND, "--orders-from", str(tmp_path / "nope.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "nope.txt" in done.stderr


def test_bad_expire_after_exits_2() -> None:
    done = subprocess.run(
        [*COMMAND, "--expire-after", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "expire_after" in done.stderr


def test_created_orders_are_logged_with_their_checkout_link_and_webhooks_sent(
    run_emulator: type[Running],
) -> None:
    emu = Emulator()
    with webhook_receiver(emu.secret_key) as receiver:
        running = run_emulator("--webhook-url", receiver.url, "--expire-after", "900")
        assert f"# webhooks: {receiver.url}\n" in running.banner
        assert "# unpaid orders expire after 900 s\n" in running.banner
        with httpx.Client(base_url=running.base_url) as http:
            data = create(http, emu, "ord_cli").json()["return_data"]
            line = running.next_line()
            assert line == f"order ord_cli created (INR 105.00): checkout {data['payment_link']}\n"
            r = http.post(data["payment_link"], data={"action": "pay", "method": "UPI"})
            assert r.status_code == 303
            assert receiver.got_one.wait(20)
            assert (
                running.next_line() == "webhook payment.success for order ord_cli, attempt 1: 200\n"
            )
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.success", "ord_cli")
    ]


def test_a_served_emulator_expires_orders_by_itself(run_emulator: type[Running]) -> None:
    """Nobody touches the order: the payment.expired webhook still arrives."""
    with webhook_receiver(Emulator().secret_key) as receiver:
        run_emulator("--webhook-url", receiver.url, "--expire-after", "0.2", "--order", "ord_x")
        assert receiver.got_one.wait(30), "no webhook arrived"
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.expired", "ord_x")
    ]


def test_webhook_duplicates_and_failing_first_attempts_from_the_command_line(
    run_emulator: type[Running],
) -> None:
    emu = Emulator()
    with webhook_receiver(emu.secret_key) as receiver:
        running = run_emulator(
            "--webhook-url", receiver.url, "--webhook-duplicates", "--webhook-shuffle",
            "--webhook-fail-first", "1", "--order", "ord_a",
        )  # fmt: skip
        assert (
            f"# webhooks: {receiver.url} (each event twice; out of order; "
            "the first 1 attempt(s) of each fail)\n"
        ) in running.banner
        link = next(line for line in running.banner if line.startswith("# order ord_a"))
        with httpx.Client() as http:
            paid = http.post(link.split(": ", 1)[1].strip(), data={"action": "pay"})
            assert paid.status_code == 200
        # Two copies, each failed once on purpose and then retried: four requests.
        receiver.wait_for_requests(4)
    assert [(e.event, e.data["order_id"]) for e in receiver.events] == [
        ("payment.success", "ord_a")
    ] * 4
    log = [running.next_line() for _ in range(4)]
    assert "webhook payment.success for order ord_a, attempt 1: 200, failed on purpose" in (
        "".join(log)
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--webhook-duplicates"], "--webhook-duplicates needs --webhook-url URL"),
        (
            ["--webhook-url", "http://127.0.0.1:9/", "--webhook-fail-first", "6"],
            "webhook_fail_first=6 would fail every attempt",
        ),
    ],
)
def test_bad_webhook_options_exit_2(flags: list[str], message: str) -> None:
    done = subprocess.run([*COMMAND, *flags], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
