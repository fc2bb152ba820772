"""Whatever comes back, every operation, batch and command ends in a result or a
``KwikPaisaError``: never a RecursionError, ValueError, UnicodeError or traceback."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest

import kwikpaisa._cli
from kwikpaisa import (
    APIError,
    AsyncKwikPaisa,
    Customer,
    KwikPaisa,
    KwikPaisaError,
    Order,
)
from kwikpaisa._body import parse_body
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa._retry import parse_http_date
from kwikpaisa.testing import Emulator, Fault

from .conftest import IN_PROCESS_URL, seeded_emulator
from .hostile_bodies import (
    HOSTILE_BODIES,
    LONE_SURROGATES,
    HostileTransport,
    answered_with_result,
    success,
)

PROBES = sorted(HOSTILE_BODIES)
OPERATIONS = ("create", "status", "cancel")
CUSTOMER = Customer(name="Ajay", email="ajay@example.com", phone="9876543210")


def _call(kp: KwikPaisa, operation: str) -> Any:
    if operation == "create":
        return kp.orders.create(
            order_id="ord_new",
            amount="105.00",
            service_type="DIGITAL",
            customer=CUSTOMER,
            return_url="https://merchant.example/return",
        )
    return getattr(kp.orders, operation)("ord_1")


async def _acall(kp: AsyncKwikPaisa, operation: str) -> Any:
    if operation == "create":
        return await kp.orders.create(
            order_id="ord_new",
            amount="105.00",
            service_type="DIGITAL",
            customer=CUSTOMER,
            return_url="https://merchant.example/return",
        )
    return await getattr(kp.orders, operation)("ord_1")


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", [200, 404, 500])
@pytest.mark.parametrize("probe", PROBES)
def test_every_operation_meets_every_probe_with_a_result_or_a_kwikpaisa_error(
    probe: str, status: int, operation: str
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(status, HOSTILE_BODIES[probe]))
    with emu.client(max_retries=0) as kp:
        if status == 200 and answered_with_result(probe, operation):
            _call(kp, operation)
        else:
            with pytest.raises(APIError) as caught:  # a KwikPaisaError, not another exception
                _call(kp, operation)
            assert caught.value.status_code == status
            assert repr(caught.value).startswith(type(caught.value).__name__)
    assert emu.pending_faults == 0


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("probe", PROBES)
def test_the_async_client_meets_every_probe_the_same_way(probe: str, operation: str) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))

    async def go() -> Any:
        async with emu.async_client(max_retries=0) as kp:
            return await _acall(kp, operation)

    if answered_with_result(probe, operation):
        asyncio.run(go())
    else:
        with pytest.raises(APIError):
            asyncio.run(go())


@pytest.mark.parametrize(
    ("probe", "field"),
    [
        ("amount-huge-string", "order_amount"),
        ("amount-three-places", "order_amount"),
        ("amount-exponent", "order_amount"),
        ("amount-negative", "order_amount"),
        ("amount-nan-text", "order_amount"),
        ("amount-other-digits", "order_amount"),
        ("amount-list", "order_amount"),
        ("amount-bool", "order_amount"),
        ("status-list", "order_status"),
        ("status-number", "order_status"),
        ("status-blank", "order_status"),
    ],
)
def test_an_amount_or_status_that_cannot_be_trusted_is_an_error_naming_the_field(
    probe: str, field: str
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))
    with emu.client(max_retries=0) as kp, pytest.raises(APIError) as caught:
        kp.orders.status("ord_1")
    message = str(caught.value)
    assert f"with a result this SDK cannot trust (HTTP 200: {field} " in message
    assert len(message) < 400  # a 10,000-digit amount is cut, not echoed


def test_an_untrusted_amount_is_retried_like_a_lost_answer(fast_retries: list[float]) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES["amount-huge-string"]))
    with emu.client() as kp:
        order = kp.orders.status("ord_1")
    assert order.amount == Decimal("100.00")  # the emulator's honest second answer
    assert order.attempts == 2


def test_an_untrusted_amount_on_every_attempt_ends_in_one_error_after_the_retries(
    fast_retries: list[float],
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES["amount-nan-text"]), times=3)
    with emu.client(max_retries=2) as kp, pytest.raises(APIError) as caught:
        kp.orders.status("ord_1")
    assert caught.value.attempts == 3
    assert "order_amount 'NaN' is not an amount" in str(caught.value)


def test_a_create_whose_answer_is_untrusted_is_created_once_and_reported_created(
    fast_retries: list[float],
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES["status-list"], process_first=True))
    with emu.client() as kp:
        created = _call(kp, "create")
    assert created.already_created
    assert emu.order("ord_new") is not None


def test_amounts_are_read_only_when_they_are_money() -> None:
    honest = {"105.00": "105.00", "0.5": "0.5", 105: "105", 105.5: "105.5", "9" * 13: "9" * 13}
    dishonest = ["105.001", "1" * 14, "0x10", " 105", "105.", 1e16, -1, 10**13]
    emu = seeded_emulator()
    with emu.client(max_retries=0) as kp:
        for value, amount in honest.items():
            emu.inject(Fault.raw(200, success({"order_amount": value, "order_status": "PAID"})))
            assert kp.orders.status("ord_1").amount == Decimal(amount), value
        for value in dishonest:
            emu.inject(Fault.raw(200, success({"order_amount": value, "order_status": "PAID"})))
            with pytest.raises(APIError, match=r"order_amount .* is not an amount"):
                kp.orders.status("ord_1")


def test_lone_surrogates_become_replacement_characters_that_print() -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, LONE_SURROGATES))
    with emu.client(max_retries=0) as kp:
        order = kp.orders.status("ord_1")
    assert order.payment_method == "UPI\ufffd"
    json.dumps(order.raw, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate


def test_lone_surrogates_are_replaced_and_pairs_and_encodings_kept() -> None:
    assert parse_body(b'["\\ud83d\\ude00", "\\udc00"]') == ["\U0001f600", "\ufffd"]
    assert parse_body(b'{"\\ud800": {"k": ["\\ud800"]}}') == {"\ufffd": {"k": ["\ufffd"]}}
    # What json.loads reads from bytes is still read: a UTF-8 BOM, UTF-16.
    assert parse_body(b'\xef\xbb\xbf{"a": "\\udfff"}') == {"a": "\ufffd"}
    assert parse_body('{"a": "é"}'.encode("utf-16-le")) == {"a": "é"}


@pytest.mark.parametrize("date", ["Mon, 01 Jan 2020 00:00:00 +99999999999999999999", "x" * 9000])
def test_a_hostile_date_header_is_unreadable_not_an_overflow(date: str) -> None:
    assert parse_http_date(date) is None


def test_a_hostile_date_on_a_401_still_gives_the_authentication_error() -> None:
    emu = seeded_emulator()
    emu.inject(Fault.http_status(401))
    with emu.client() as kp:
        kp._http._transport = _DateTransport(kp._http._transport)  # type: ignore[attr-defined]
        with pytest.raises(KwikPaisaError) as caught:
            kp.orders.status("ord_1")
    assert caught.value.__class__.__name__ == "AuthenticationError"


class _DateTransport:
    """Replaces the Date header of every answer with one whose zone overflows."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def handle_request(self, request: Any) -> Any:
        response = self._inner.handle_request(request)
        response.headers["Date"] = "Mon, 01 Jan 2020 00:00:00 +99999999999999999999"
        return response

    def close(self) -> None:
        self._inner.close()


# -- batches -------------------------------------------------------------------------


def _batch(emu: Emulator, transport: Any, operation: str, ids: list[str | int]) -> list[Any]:
    async def go() -> list[Any]:
        async with AsyncKwikPaisa(
            emu.api_key, emu.secret_key, base_url=IN_PROCESS_URL, transport=transport
        ) as kp:
            many = kp.orders.cancel_many if operation == "cancel" else kp.orders.status_many
            return await many(ids, concurrency=4, max_retries=0)

    return asyncio.run(go())


@pytest.mark.parametrize("operation", ["cancel", "status"])
@pytest.mark.parametrize("probe", PROBES)
def test_a_batch_turns_each_probe_into_that_orders_outcome_and_goes_on(
    probe: str, operation: str
) -> None:
    emu = seeded_emulator()
    transport = HostileTransport(emu, {"ord_2"}, HOSTILE_BODIES[probe])
    outcomes = _batch(emu, transport, operation, ["ord_1", "ord_2", "ord_123"])
    assert transport.hostile_answers == 1
    assert [o.order_id for o in outcomes] == ["ord_1", "ord_2", "ord_123"]
    good = "cancelled" if operation == "cancel" else "found"
    assert [outcomes[0].outcome, outcomes[2].outcome] == [good, good]
    if not answered_with_result(probe, operation):
        assert outcomes[1].outcome == "failed"
        assert outcomes[1].error_type == "APIError"
    if operation == "cancel":
        assert emu.order_status("ord_1") == emu.order_status("ord_123") == "CANCELLED"


@pytest.mark.parametrize("operation", ["cancel", "status"])
def test_an_unexpected_exception_on_one_order_is_its_failed_outcome(
    operation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (here: the result reader raising what no check foresaw) fails one order only."""
    from kwikpaisa._call import Call

    real = Call.on_response

    def buggy(self: Call[Any], status_code: int, headers: Any, content: bytes) -> Any:
        if self.order_id == "ord_2":
            raise RuntimeError("a bug no check foresaw")
        return real(self, status_code, headers, content)

    monkeypatch.setattr(Call, "on_response", buggy)
    emu = seeded_emulator()
    outcomes = _batch(emu, emu.transport(), operation, ["ord_1", "ord_2", "ord_123"])
    assert [o.outcome for o in outcomes][::2] == (
        ["cancelled", "cancelled"] if operation == "cancel" else ["found", "found"]
    )
    failed = outcomes[1]
    assert failed.outcome == "failed"
    assert failed.error_type == "RuntimeError"
    assert failed.attempts == 1
    assert failed.message is not None
    assert "a bug no check foresaw" in failed.message
    assert "it may have reached KwikPaisa" in failed.message


def test_a_batch_keeps_going_when_preparing_one_order_raises_unexpectedly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = AsyncKwikPaisa._prepare

    def buggy(self: AsyncKwikPaisa, operation: Any, fields: Any, **options: Any) -> Any:
        if fields["order_id"] == "ord_1":
            raise LookupError("no such endpoint")
        return real(self, operation, fields, **options)

    monkeypatch.setattr(AsyncKwikPaisa, "_prepare", buggy)
    emu = seeded_emulator()
    outcomes = _batch(emu, emu.transport(), "cancel", ["ord_1", "ord_2"])
    assert [o.outcome for o in outcomes] == ["failed", "cancelled"]
    assert outcomes[0].attempts == 0
    assert outcomes[0].message is not None
    assert "it was not sent" in outcomes[0].message


# -- the command line ------------------------------------------------------------------


def _cli_env(monkeypatch: pytest.MonkeyPatch, emu: Emulator, base_url: str) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", emu.api_key)
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", emu.secret_key)
    monkeypatch.setenv("KWIKPAISA_BASE_URL", base_url)


@pytest.mark.parametrize("probe", PROBES)
@pytest.mark.parametrize("command", ["status", "cancel"])
def test_the_command_line_prints_one_line_never_a_traceback(
    probe: str, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))
    with emu.serve() as base_url:
        _cli_env(monkeypatch, emu, base_url)
        code = kwikpaisa._cli.main([command, "ord_1", "--max-retries", "0"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if answered_with_result(probe, command):
        assert code == ExitCode.OK
        json.loads(out)
    else:
        assert code == ExitCode.API_ERROR
        assert out == ""
        assert len(err.strip().splitlines()) == 1
        assert err.startswith("kwikpaisa: APIError: ")


def test_the_command_line_prints_text_with_lone_surrogates(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, LONE_SURROGATES))
    with emu.serve() as base_url:
        _cli_env(monkeypatch, emu, base_url)
        code = kwikpaisa._cli.main(["status", "ord_1"])
    out, _ = capsysbinary.readouterr()
    assert code == ExitCode.OK
    assert json.loads(out.decode("utf-8"))["payment_method"] == "UPI\ufffd"


@pytest.mark.parametrize("probe", ["nested-arrays", "status-list", "invalid-utf8", "nan-amount"])
def test_a_command_line_batch_records_every_order_whatever_one_answer_held(
    probe: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
) -> None:
    emu = seeded_emulator()
    (tmp_path / "ids.txt").write_text("ord_1\nord_2\nord_123\n")
    journal = tmp_path / "journal"
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))
    with emu.serve() as base_url:
        _cli_env(monkeypatch, emu, base_url)
        code = kwikpaisa._cli.main(
            [
                "cancel",
                "--from",
                str(tmp_path / "ids.txt"),
                "--journal",
                str(journal),
                "--concurrency",
                "1",
                "--max-retries",
                "0",
            ]
        )
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["outcome"] for line in lines] == ["failed", "cancelled", "cancelled"]
    assert code == ExitCode.FAILURE
    journaled = [json.loads(line)["order_id"] for line in journal.read_text().splitlines()]
    assert journaled == ["ord_2", "ord_123"]


def test_an_unexpected_error_in_a_command_is_one_line_and_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: Any, order_id: object, **options: Any) -> Order:
        raise RuntimeError("something no check foresaw")

    emu = seeded_emulator()
    monkeypatch.setattr("kwikpaisa.resources.orders.Orders.status", broken)
    with emu.serve() as base_url:
        _cli_env(monkeypatch, emu, base_url)
        code = kwikpaisa._cli.main(["status", "ord_1"])
        _, err = capsys.readouterr()
        assert code == ExitCode.FAILURE == 1
        assert "Traceback" not in err
        assert err.strip().splitlines() == [
            "kwikpaisa: unexpected RuntimeError: something no check foresaw (exit code 1; run "
            "with KWIKPAISA_LOG=debug to see where, and report it)"
        ]
        monkeypatch.setenv("KWIKPAISA_LOG", "debug")
        assert kwikpaisa._cli.main(["status", "ord_1"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_help_and_readme_document_exit_code_1() -> None:
    from .readme_examples import doc_text

    epilog = kwikpaisa._cli.build_parser().epilog or ""
    assert "1 a batch with orders not cancelled or not found, or an unexpected error" in epilog
    rows = [line for line in doc_text("README.md").splitlines() if line.endswith("| 1 |")]
    rows = [row for row in rows if "unexpected" in row]
    assert len(rows) == 1
    assert "traceback" in rows[0]


@pytest.mark.parametrize(
    ("probe", "reason"),
    [
        ("nested-arrays", "JSON nested too deeply to read"),
        ("int-past-digit-limit", "an integer with too many digits"),
        ("float-overflow", "a number too large for a float"),
        ("nan-amount", "NaN is not a JSON number"),
        ("infinity-code", "Infinity is not a JSON number"),
        ("invalid-utf8", "not valid UTF-8"),
    ],
)
def test_an_unreadable_answer_says_why(probe: str, reason: str) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))
    with emu.client(max_retries=0) as kp, pytest.raises(APIError) as caught:
        kp.orders.status("ord_1")
    assert f"without a readable result (HTTP 200: unreadable body ({reason}): " in str(caught.value)
    assert isinstance(caught.value.body, str)


@pytest.mark.parametrize("probe", PROBES)
def test_kp_post_meets_every_probe_with_a_dict_or_a_kwikpaisa_error(probe: str) -> None:
    emu = seeded_emulator()
    emu.inject(Fault.raw(200, HOSTILE_BODIES[probe]))
    with emu.client(max_retries=0) as kp:
        try:
            body = kp.post("/api/v3/pg/order/status", {"order_id": "ord_1"})
        except KwikPaisaError as error:
            caught: KwikPaisaError | None = error
        else:
            caught = None
            assert isinstance(body, dict)
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    assert caught is None or isinstance(caught, APIError)
    assert emu.pending_faults == 0


def test_an_unforeseen_failure_reading_an_answer_is_an_api_error_with_its_cause(
    monkeypatch: pytest.MonkeyPatch, fast_retries: list[float]
) -> None:
    """The last line of defence: reading raised what no check foresaw (a bug)."""

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug no check foresaw")

    monkeypatch.setattr("kwikpaisa._call.interpret_response", broken)
    emu = seeded_emulator()
    with emu.client(max_retries=1) as kp, pytest.raises(APIError) as caught:
        kp.orders.status("ord_1")
    assert str(caught.value) == (
        "KwikPaisa's answer to the status request for order 'ord_1' could not be read "
        "(HTTP 200: RuntimeError while reading it); repeat the call (after 2 attempts)"
    )
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert emu.requests_received == 2  # treated as a lost answer: status is safe to repeat
