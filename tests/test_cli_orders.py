"""``kwikpaisa status`` (one order, or a batch through the shared engine) and
``kwikpaisa create``, as a user runs them: real processes, a real loopback emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import Emulator, Fault

from .test_cli import run


def test_status_prints_the_order(env: dict[str, str], emulator: Emulator) -> None:
    emulator.pay("ord_1", method="UPI")
    done = run("status", "ord_1", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["order_id"] == "ord_1"
    assert data["status"] == "PAID"
    assert data["payment_method"] == "UPI"
    assert data["paid_at"].endswith("+05:30")
    assert data["amount"] == "100.00"


def test_status_of_an_unknown_order_exits_not_found(env: dict[str, str]) -> None:
    done = run("status", "ord_9", env=env)
    assert done.returncode == ExitCode.NOT_FOUND
    assert "OrderNotFoundError: KwikPaisa has no order 'ord_9'" in done.stderr


def test_status_from_a_file_reconciles_every_line(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    emulator.pay("ord_2", method="CARD")
    ids = tmp_path / "ids.txt"
    ids.write_text("# to reconcile\nord_1\nord_2\n\nord_9\nord_1\nint:6116229263036\n")
    journal = tmp_path / "journal.jsonl"
    done = run("status", "--from", str(ids), "--journal", str(journal), env=env)
    assert done.returncode == ExitCode.FAILURE  # ord_9 was not found
    lines = sorted((json.loads(line) for line in done.stdout.splitlines()), key=lambda d: d["line"])
    assert [(d["line"], d["order_id"], d["outcome"], d["order_status"]) for d in lines] == [
        (2, "ord_1", "found", "UN_PAID"),
        (3, "ord_2", "found", "PAID"),
        (5, "ord_9", "not_found", None),
        (6, "ord_1", "duplicate", None),
        (7, 6116229263036, "found", "UN_PAID"),
    ]
    assert lines[1]["payment_method"] == "CARD"
    assert lines[3]["duplicate_of"] == 2
    summary = done.stderr.splitlines()
    assert "  found                    3" in summary
    assert "  not_found                1" in summary

    # A rerun with the journal sends nothing again: every order is final there.
    before = emulator.requests_received
    again = run("status", "--from", str(ids), "--journal", str(journal), env=env)
    assert again.returncode == ExitCode.FAILURE
    assert again.stdout == ""
    assert emulator.requests_received == before
    assert "skipped" in again.stderr


def test_status_refuses_a_cancel_journal(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("ord_1\n")
    journal = tmp_path / "journal.jsonl"
    assert run("cancel", "--from", str(ids), "--journal", str(journal), env=env).returncode == 0
    done = run("status", "--from", str(ids), "--journal", str(journal), env=env)
    assert done.returncode == ExitCode.USAGE
    assert "not a journal entry written by kwikpaisa status" in done.stderr


CREATE = [
    "create",
    "--order-id",
    "ord_cli_1",
    "--amount",
    "105.50",
    "--service-type",
    "DIGITAL",
    "--name",
    "Ajay",
    "--email",
    "a@example.com",
    "--phone",
    "9876543210",
    "--return-url",
    "https://merchant.example/return",
]


def test_create_prints_the_payment_link(env: dict[str, str], emulator: Emulator) -> None:
    done = run(*CREATE, env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["order_id"] == "ord_cli_1"
    assert data["status"] == "UN_PAID"
    assert data["payment_link"].startswith(env["KWIKPAISA_BASE_URL"] + "/checkout/")
    assert data["already_created"] is False
    record = emulator.order("ord_cli_1")
    assert record is not None
    assert record.order_amount == "105.50"
    assert record.currency == "INR"  # the default


def test_a_repeated_create_exits_0_with_already_created(
    env: dict[str, str], emulator: Emulator
) -> None:
    first = run(*CREATE, env=env)
    again = run(*CREATE, env=env)
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert '"already_created": true' in again.stdout
    data = json.loads(again.stdout)
    assert data["already_created"] is True
    assert data["order_id"] == "ord_cli_1"
    assert data["kwikx_order_id"] == json.loads(first.stdout)["kwikx_order_id"]
    assert emulator.create_count("ord_cli_1") == 1


def test_a_create_whose_answer_was_lost_says_to_run_it_again_and_that_works(
    env: dict[str, str], emulator: Emulator
) -> None:
    emulator.inject(Fault.reset(process_first=True))
    lost = run(*CREATE, "--max-retries", "0", env=env)
    assert lost.returncode == ExitCode.CONNECTION
    assert (
        "the order may have been created: repeat the create with the same order_id, amount "
        "and currency (a repeat returns the existing order with already_created=True"
    ) in lost.stderr
    again = run(*CREATE, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["already_created"] is True
    assert emulator.create_count("ord_cli_1") == 1


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        (
            ("--order-id", "ord_1"),
            ExitCode.NOT_CANCELLABLE,
            "OrderExistsError: Order 'ord_1' already exists for 100.00 INR, not 105.50 INR",
        ),
        (("--amount", "10.005"), ExitCode.USAGE, "more than two decimal places"),
        (("--email", "nope"), ExitCode.USAGE, "is not an email address"),
    ],
)
def test_create_failures_are_one_line_with_their_codes(
    env: dict[str, str], change: tuple[str, str], code: int, text: str
) -> None:
    args = list(CREATE)
    args[args.index(change[0]) + 1] = change[1]
    done = run(*args, env=env)
    assert done.returncode == code
    assert done.stdout == ""
    assert text in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
