"""``kwikpaisa <name> --field value`` for an operation without a command of its own: the
command comes from the generated operation table (here a status lookup declared as a
plain generated operation), over a real loopback emulator."""

from __future__ import annotations

import json

import attrs
import pytest

from kwikpaisa._cli import main
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import Emulator
from kwikpaisa_generated.operations import OPERATIONS, ORDERS_STATUS

LOOKUP = attrs.evolve(
    ORDERS_STATUS, name="look_up", hand_written=False, retry_lost=False, errors={}, wording={}
)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, served: str) -> pytest.MonkeyPatch:
    monkeypatch.setattr("kwikpaisa._cli._operations.OPERATIONS", (*OPERATIONS, LOOKUP))
    monkeypatch.setenv("KWIKPAISA_API_KEY", emulator.api_key)
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", emulator.secret_key)
    monkeypatch.setenv("KWIKPAISA_BASE_URL", served)
    return monkeypatch


@pytest.mark.usefixtures("cli")
def test_a_generated_command_prints_the_typed_result_as_json(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.pay("ord_1", method="UPI")
    assert main(["look-up", "--order_id", "ord_1"]) == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["order_id"] == "ord_1"
    assert data["order_status"] == "PAID"
    assert data["order_amount"] == "100.00"
    assert data["paid_at"].endswith("+05:30")
    assert "raw" not in data


@pytest.mark.usefixtures("cli")
def test_a_generated_command_sends_int_prefixed_values_as_numbers(
    emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_order(6116229263036)
    assert main(["look-up", "--order-id", "int:6116229263036"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["order_id"] == 6116229263036


@pytest.mark.usefixtures("cli")
def test_a_generated_command_maps_errors_to_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["look-up", "--order_id", "ord_9"]) == ExitCode.NOT_FOUND
    assert "NotFoundError" in capsys.readouterr().err


@pytest.mark.usefixtures("cli")
def test_a_generated_command_requires_the_required_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["look-up"])
    assert stopped.value.code == 2
    assert "--order_id" in capsys.readouterr().err
