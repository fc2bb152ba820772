"""``kwikpaisa sign``: every step printed, signatures compared, the secret never shown.

Expected signatures are computed here with hmac/hashlib, independently of
kwikpaisa.signing; the emulator confirms that what the command prints is accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from kwikpaisa._cli import main
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import DEFAULT_SECRET_KEY, Emulator

from .conftest import hmac_hex, seeded_emulator
from .readme_examples import readme_examples

SECRET = "sk_test_Cli-Sign-Secret-77ab"
VECTOR_BODY = '{"order_id": "123456", "amount": "100"}'
VECTOR_PAYLOAD = '{"amount":"100","order_id":"123456"}'
VECTOR_TS = "1778659835"


def sign(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["sign", *args])
    out, err = capsys.readouterr()
    return code, out, err


def fields(text: str) -> dict[str, str]:
    """The text output as label -> value (labels are separated by two or more spaces)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        label, _, value = re.split(r"(\s{2,})", line, maxsplit=1)
        found.setdefault(label, value)
    return found


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", SECRET)


def test_worked_vector_from_the_api_guide(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", "YOUR_SECRET_KEY")
    code, out, err = sign(capsys, "--body", VECTOR_BODY, "--timestamp", VECTOR_TS)
    assert (code, err) == (0, "")
    shown = fields(out)
    assert shown["canonical payload"] == VECTOR_PAYLOAD
    assert shown["timestamp"] == VECTOR_TS
    assert shown["signed string"] == '{"amount":"100","order_id":"123456"}1778659835'
    assert shown["signature"] == hmac_hex(
        "YOUR_SECRET_KEY", b'{"amount":"100","order_id":"123456"}1778659835'
    )
    assert shown["secret key"] == "from $KWIKPAISA_SECRET_KEY (not shown)"
    assert "not in canonical form" in shown["note"]


def test_canonical_body_gets_no_note(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sign(capsys, "--body", VECTOR_PAYLOAD, "--timestamp", VECTOR_TS)
    assert code == 0
    assert "note" not in fields(out)


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_trailing_newline_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, ending: str
) -> None:
    body = tmp_path / "body.json"
    body.write_bytes((VECTOR_PAYLOAD + ending).encode())  # as an editor saves it
    code, out, _ = sign(capsys, "--body-file", str(body), "--timestamp", VECTOR_TS)
    assert code == 0
    note = fields(out)["note"]
    assert note.startswith("the body you gave ends with a trailing newline")
    assert "not in canonical form" not in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = sign(capsys, "--body", VECTOR_BODY, "--timestamp", VECTOR_TS, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["canonical_payload"] == VECTOR_PAYLOAD
    assert result["timestamp"] == VECTOR_TS
    assert result["signed_string"] == VECTOR_PAYLOAD + VECTOR_TS
    assert result["signature"] == hmac_hex(SECRET, (VECTOR_PAYLOAD + VECTOR_TS).encode())
    assert result["secret_key_from"] == "KWIKPAISA_SECRET_KEY"
    assert "match" not in result


def test_nested_non_ascii_and_slashes(capsys: pytest.CaptureFixture[str]) -> None:
    body = '{"z": [3, {"b": 1, "a": "https://x/y"}], "order_id": 6116229263036, "n": "₹ café"}'
    code, out, _ = sign(capsys, "--body", body, "--timestamp", VECTOR_TS, "--json")
    payload = '{"n":"₹ café","order_id":6116229263036,"z":[3,{"a":"https://x/y","b":1}]}'
    result = json.loads(out)
    assert code == 0
    assert result["canonical_payload"] == payload
    assert result["signature"] == hmac_hex(SECRET, (payload + VECTOR_TS).encode("utf-8"))


def test_timestamp_defaults_to_now(capsys: pytest.CaptureFixture[str]) -> None:
    before = int(time.time())
    code, out, _ = sign(capsys, "--body", VECTOR_PAYLOAD, "--json")
    after = int(time.time())
    result = json.loads(out)
    assert code == 0
    assert before <= int(result["timestamp"]) <= after
    assert result["signature"] == hmac_hex(SECRET, (VECTOR_PAYLOAD + result["timestamp"]).encode())


# -- what it prints is what KwikPaisa (the emulator) accepts --------------------------


def test_printed_payload_and_signature_are_accepted_by_the_emulator(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, way_in: str
) -> None:
    emu = seeded_emulator()
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", emu.secret_key)
    code, out, _ = sign(capsys, "--body", '{ "order_id" : "ord_123" }', "--json")
    assert code == 0
    result = json.loads(out)
    headers = {
        "Content-Type": "application/json",
        "X-API-KEY": emu.api_key,
        "X-TIMESTAMP": result["timestamp"],
        "X-SIGNATURE": result["signature"],
    }
    content = result["canonical_payload"].encode("utf-8")
    if way_in == "socket":
        with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
            response = http.post("/api/v3/pg/order/cancel", content=content, headers=headers)
    else:
        transport = emu.transport()
        with httpx.Client(base_url="http://emulator.localhost", transport=transport) as http:
            response = http.post("/api/v3/pg/order/cancel", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert emu.order_status("ord_123") == "CANCELLED"


# -- --signature ----------------------------------------------------------------------


def test_matching_signature(capsys: pytest.CaptureFixture[str]) -> None:
    good = hmac_hex(SECRET, (VECTOR_PAYLOAD + VECTOR_TS).encode())
    code, out, _ = sign(
        capsys, "--body", VECTOR_BODY, "--timestamp", VECTOR_TS, "--signature", good
    )
    assert code == 0
    assert fields(out)["result"] == "match"
    assert "likely cause" not in fields(out)


BODY = '{"order_id": "123456", "meta": {"url": "https://x/y", "b": 2, "a": "é"}}'
PAYLOAD = b'{"meta":{"a":"\xc3\xa9","b":2,"url":"https://x/y"},"order_id":"123456"}'
TS = VECTOR_TS.encode()


def _other_key_signature() -> str:
    return hmac_hex("pk_test_merchant", PAYLOAD + TS)


MISTAKES: list[tuple[str, str, str]] = [
    ("as-written", hmac_hex(SECRET, BODY.encode() + TS), "the body as written"),
    (
        "spaces",
        hmac_hex(
            SECRET,
            b'{"meta": {"a": "\xc3\xa9", "b": 2, "url": "https://x/y"}, "order_id": "123456"}' + TS,
        ),
        "spaces after ',' and ':'",
    ),
    (
        "unsorted",
        hmac_hex(
            SECRET, b'{"order_id":"123456","meta":{"url":"https://x/y","b":2,"a":"\xc3\xa9"}}' + TS
        ),
        "keys are not sorted",
    ),
    (
        "nested-unsorted",
        hmac_hex(
            SECRET, b'{"meta":{"url":"https://x/y","b":2,"a":"\xc3\xa9"},"order_id":"123456"}' + TS
        ),
        "nested object keys",
    ),
    ("slashes", hmac_hex(SECRET, PAYLOAD.replace(b"/", b"\\/") + TS), "escapes '/'"),
    (
        "ascii",
        hmac_hex(SECRET, PAYLOAD.replace("é".encode(), b"\\u00e9") + TS),
        "escapes non-ASCII",
    ),
    ("no-timestamp", hmac_hex(SECRET, PAYLOAD), "without the timestamp"),
    ("timestamp-first", hmac_hex(SECRET, TS + PAYLOAD), "timestamp + payload"),
    ("newline", hmac_hex(SECRET, PAYLOAD + b"\n" + TS), "trailing newline"),
    (
        "order-id-type",
        hmac_hex(SECRET, PAYLOAD.replace(b'"123456"', b"123456") + TS),
        "number vs string",
    ),
    ("upper-hex", hmac_hex(SECRET, PAYLOAD + TS).upper(), "upper-case hex"),
    (
        "base64",
        base64.b64encode(hmac.new(SECRET.encode(), PAYLOAD + TS, hashlib.sha256).digest()).decode(),
        "base64",
    ),
    ("api-key", _other_key_signature(), "signed with the API key"),
    ("unknown", "0" * 64, "none of the usual mistakes"),
]


@pytest.mark.parametrize(("sig", "cause"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_mismatch_names_the_likely_mistake(
    sig: str, cause: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KWIKPAISA_API_KEY", "pk_test_merchant")
    code, out, _ = sign(capsys, "--body", BODY, "--timestamp", VECTOR_TS, "--signature", sig)
    assert code == ExitCode.VERIFICATION == 9
    shown = fields(out)
    assert shown["result"] == "MISMATCH"
    assert shown["your signature"] == sig
    assert cause in shown["likely cause"]


def test_mismatch_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    sig = hmac_hex(SECRET, PAYLOAD)
    code, out, _ = sign(
        capsys, "--body", BODY, "--timestamp", VECTOR_TS, "--signature", sig, "--json"
    )
    result = json.loads(out)
    assert code == 9
    assert result["match"] is False
    assert result["given_signature"] == sig
    assert "without the timestamp" in result["likely_cause"]


def test_order_id_number_signed_as_string(capsys: pytest.CaptureFixture[str]) -> None:
    sig = hmac_hex(SECRET, b'{"order_id":"6116229263036"}' + TS)
    code, out, _ = sign(
        capsys,
        "--body",
        '{"order_id": 6116229263036}',
        "--timestamp",
        VECTOR_TS,
        "--signature",
        sig,
    )
    assert code == 9
    assert "number vs string" in fields(out)["likely cause"]


# -- input and configuration errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--body", "{order_id: 1}"], "--body is not valid JSON"),
        (["--body", "{'order_id': 1}"], "quote it for the shell"),
        (["--body", '{"a": NaN}'], "--body is not valid JSON"),
        (["--body", "{}", "--timestamp", "now"], "--timestamp must be UNIX time"),
        (["--body", "{}", "--timestamp", "1.5"], "--timestamp must be UNIX time"),
    ],
)
def test_bad_input_exits_2(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = sign(capsys, *args)
    assert code == ExitCode.USAGE == 2
    assert out == ""
    assert words in err
    assert err.startswith("kwikpaisa sign: ")


def test_body_and_body_file_are_exclusive_and_one_is_required(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (["--body", "{}", "--body-file", "x"], []):
        with pytest.raises(SystemExit) as info:
            main(["sign", *args])
        assert info.value.code == 2
    capsys.readouterr()


def test_body_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "body.json"
    path.write_text(VECTOR_BODY + "\n", encoding="utf-8")
    code, out, _ = sign(capsys, "--body-file", str(path), "--timestamp", VECTOR_TS, "--json")
    assert code == 0
    assert json.loads(out)["canonical_payload"] == VECTOR_PAYLOAD

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(VECTOR_BODY.encode())))
    code, out, _ = sign(capsys, "--body-file", "-", "--timestamp", VECTOR_TS, "--json")
    assert code == 0
    assert json.loads(out)["signature"] == hmac_hex(SECRET, (VECTOR_PAYLOAD + VECTOR_TS).encode())


def test_unreadable_or_non_utf8_body_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = sign(capsys, "--body-file", str(tmp_path / "missing.json"))
    assert code == 2
    assert "cannot read --body-file" in err
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"n": "caf\xe9"}')
    code, _, err = sign(capsys, "--body-file", str(latin))
    assert code == 2
    assert "not UTF-8" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = sign(capsys, "--body-file", str(broken))
    assert code == 2
    assert f"{broken} is not valid JSON" in err


def test_missing_secret_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KWIKPAISA_SECRET_KEY")
    code, out, err = sign(capsys, "--body", "{}")
    assert code == ExitCode.CONFIGURATION == 3
    assert out == ""
    assert "set KWIKPAISA_SECRET_KEY" in err
    assert "--secret-key-env" in err


def test_secret_from_another_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_KP_SECRET", "sk_other")
    code, out, _ = sign(
        capsys, "--body", "{}", "--timestamp", "1", "--secret-key-env", "MY_KP_SECRET", "--json"
    )
    result = json.loads(out)
    assert code == 0
    assert result["signature"] == hmac_hex("sk_other", b"{}1")
    assert result["secret_key_from"] == "MY_KP_SECRET"


def test_notes_for_padded_secret_and_millisecond_timestamp(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KWIKPAISA_SECRET_KEY", SECRET + "\n")
    code, out, _ = sign(capsys, "--body", "{}", "--timestamp", "1778659835000", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["signature"] == hmac_hex(SECRET + "\n", b"{}1778659835000")
    notes = " ".join(result["notes"])
    assert "whitespace" in notes
    assert "milliseconds" in notes


@pytest.mark.parametrize("mode", ["text", "json", "mismatch", "mismatch-json"])
def test_the_secret_is_never_printed(mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--body", BODY, "--timestamp", VECTOR_TS]
    if mode.startswith("mismatch"):
        args += ["--signature", "0" * 64]
    if mode.endswith("json"):
        args.append("--json")
    _, out, err = sign(capsys, *args)
    assert out
    assert SECRET not in out + err


# -- the installed command and the README ---------------------------------------------


def _run(*args: str, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KWIKPAISA_SECRET_KEY": secret, "PYTHONIOENCODING": "utf-8"}
    bindir = os.path.dirname(sys.executable)
    return subprocess.run(
        [os.path.join(bindir, "kwikpaisa"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_console_script_exit_codes() -> None:
    ok = _run("sign", "--body", VECTOR_BODY, "--timestamp", VECTOR_TS)
    assert ok.returncode == 0, ok.stderr
    assert hmac_hex(SECRET, (VECTOR_PAYLOAD + VECTOR_TS).encode()) in ok.stdout
    bad = _run("sign", "--body", VECTOR_BODY, "--signature", "abc")
    assert bad.returncode == 9
    assert SECRET not in ok.stdout + ok.stderr + bad.stdout + bad.stderr


def _readme_console_blocks() -> dict[str, Any]:
    return {
        name: example
        for name, example in readme_examples().items()
        if example.lang == "console" and "kwikpaisa sign" in example.code
    }


@pytest.mark.parametrize("name", sorted(_readme_console_blocks()))
def test_readme_sign_output_is_what_the_command_prints(name: str) -> None:
    """The README's sign examples show the output for the emulator's key, verbatim."""
    block = _readme_console_blocks()[name].code
    command, _, shown = block.partition("\n")
    assert command.startswith("$ kwikpaisa sign ")
    expected_code = 0
    marker = re.search(r"#\s*exit (\d+)\s*$", command)
    if marker:
        expected_code = int(marker[1])
        command = command[: marker.start()]
    done = _run(*shlex.split(command[2:])[1:], secret=DEFAULT_SECRET_KEY)
    assert done.returncode == expected_code, done.stderr
    assert done.stdout == shown


def test_emulator_key_is_the_one_the_readme_uses() -> None:
    assert Emulator().secret_key == DEFAULT_SECRET_KEY == "sk_test_emulator"
