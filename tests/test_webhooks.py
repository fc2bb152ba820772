"""Webhook verification, signed delivery from the emulator, and the docs' receivers.

Expected signatures are computed here with hmac/hashlib, independently of
kwikpaisa.signing. The docs' receivers (plain WSGI, plain ASGI, Flask) are loaded by
name, run, and sent real signed webhooks by the emulator: over a loopback socket and
in-process for WSGI, through httpx.ASGITransport for ASGI; what they did is read from
their database. tests/test_webhook_receivers.py serves all five for real and sends them
concurrent duplicates. The forged and hostile bodies are tests/webhook_probes.py's.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
import re
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import kwikpaisa
import kwikpaisa.errors
import kwikpaisa.webhooks
from kwikpaisa.errors import KwikPaisaError, WebhookVerificationError
from kwikpaisa.testing import (
    DEFAULT_SECRET_KEY,
    Emulator,
    deliver_webhook,
    deliver_webhook_async,
    sign_webhook,
)
from kwikpaisa.webhooks import EVENT_TYPES, WebhookEvent, verify

from .conftest import hmac_hex, seeded_emulator
from .readme_examples import doc_text
from .receiver_servers import actions, load_receiver, serve_wsgi
from .webhook_probes import (
    HOSTILE_BODIES,
    bad_signatures,
    forged_big_body,
    nested_body,
    signed_headers,
)

SECRET = "sk_test_Wh00k-Secret-9f2c"
NOW = 1_778_659_835
EXAMPLE_BODY = {
    "event": "payment.success",
    "data": {"order_id": "6116229263036", "amount": "105.00", "currency": "INR", "status": "PAID"},
}
# The canonical form of EXAMPLE_BODY, written out by hand.
EXAMPLE_PAYLOAD = (
    b'{"data":{"amount":"105.00","currency":"INR","order_id":"6116229263036","status":"PAID"},'
    b'"event":"payment.success"}'
)


def signed(
    body: bytes = EXAMPLE_PAYLOAD, timestamp: int | str = NOW, secret: str = SECRET
) -> dict[str, str]:
    return signed_headers(body, timestamp, secret)


def rejection(body: bytes, headers: Any, **options: Any) -> WebhookVerificationError:
    options.setdefault("now", NOW)
    with pytest.raises(WebhookVerificationError) as info:
        verify(body, headers, options.pop("secret", SECRET), **options)
    return info.value


# -- the worked vector and the documented example ----------------------------------


def test_worked_vector_from_the_api_guide_verifies_then_is_not_an_event() -> None:
    payload = b'{"amount":"100","order_id":"123456"}'
    signature = hmac_hex("YOUR_SECRET_KEY", b'{"amount":"100","order_id":"123456"}1778659835')
    headers = {"X-TIMESTAMP": "1778659835", "X-SIGNATURE": signature}
    # The signature is right (no bad_signature); the body simply has no event.
    error = rejection(payload, headers, secret="YOUR_SECRET_KEY", now=1778659835)
    assert error.reason == "bad_body"
    assert "'event'" in error.message
    # One byte off in the signature and it is the signature that fails.
    wrong = {**headers, "X-SIGNATURE": signature[:-1] + ("0" if signature[-1] != "0" else "1")}
    assert rejection(payload, wrong, secret="YOUR_SECRET_KEY").reason == "bad_signature"


def test_documented_example_event_verifies() -> None:
    event = verify(EXAMPLE_PAYLOAD, signed(), SECRET, now=NOW)
    assert event == WebhookEvent(
        event="payment.success", data=EXAMPLE_BODY["data"], timestamp=NOW, raw=EXAMPLE_PAYLOAD
    )
    assert event.data["amount"] == "105.00"


def test_verifies_the_raw_bytes_not_a_canonical_form_of_them() -> None:
    # KwikPaisa signs what it sends; a body that is not canonical still verifies when the
    # signature was made over exactly those bytes.
    raw = (
        b'{"event": "payout.reversed",  "data": {"order_id": 7, "note": "caf\xc3\xa9 https://x/y"}}'
    )
    event = verify(raw, signed(raw), SECRET, now=NOW)
    assert event.event == "payout.reversed"
    assert event.data == {"order_id": 7, "note": "café https://x/y"}
    assert event.raw == raw


def test_reserialised_body_is_refused_with_a_hint() -> None:
    received = json.dumps(json.loads(EXAMPLE_PAYLOAD)).encode()  # spaces: what json.dumps does
    error = rejection(received, signed(EXAMPLE_PAYLOAD))
    assert error.reason == "bad_signature"
    assert "re-serialised" in error.message
    assert "raw request body" in error.message


def test_every_documented_event_name_verifies_and_unknown_names_too() -> None:
    assert len(EVENT_TYPES) == 8
    for name in [*sorted(EVENT_TYPES), "payment.something_new"]:
        body = json.dumps({"event": name, "data": {"order_id": "1"}}).encode()
        assert verify(body, signed(body), SECRET, now=NOW).event == name


# -- headers -----------------------------------------------------------------------


def _header_shapes() -> list[Any]:
    base = signed()
    environ = {f"HTTP_{name.replace('-', '_')}": value for name, value in base.items()}
    return [
        base,
        {name.lower(): value for name, value in base.items()},
        {"x-Timestamp": base["X-TIMESTAMP"], "X-Signature": base["X-SIGNATURE"]},
        httpx.Headers(base),
        {**environ, "REQUEST_METHOD": "POST", "wsgi.input": object()},
        {name: f"  {value} " for name, value in base.items()},
    ]


@pytest.mark.parametrize(
    "headers",
    _header_shapes(),
    ids=["as-sent", "lower", "mixed", "httpx.Headers", "wsgi-environ", "padded"],
)
def test_header_names_are_case_insensitive_in_any_mapping(headers: Any) -> None:
    assert verify(EXAMPLE_PAYLOAD, headers, SECRET, now=NOW).timestamp == NOW


def test_werkzeug_headers_object_works() -> None:
    from werkzeug.datastructures import Headers

    assert verify(EXAMPLE_PAYLOAD, Headers(signed()), SECRET, now=NOW).event == "payment.success"


def test_upper_case_hex_is_the_same_signature() -> None:
    headers = signed()
    headers["X-SIGNATURE"] = headers["X-SIGNATURE"].upper()
    assert verify(EXAMPLE_PAYLOAD, headers, SECRET, now=NOW).event == "payment.success"


@pytest.mark.parametrize("drop", ["X-TIMESTAMP", "X-SIGNATURE"])
def test_missing_header(drop: str) -> None:
    headers = {k: v for k, v in signed().items() if k != drop}
    error = rejection(EXAMPLE_PAYLOAD, headers)
    assert error.reason == "missing_header"
    assert drop in error.message
    assert "proxy" in error.message


def test_empty_headers_are_missing() -> None:
    error = rejection(EXAMPLE_PAYLOAD, {"X-TIMESTAMP": " ", "X-SIGNATURE": ""})
    assert error.reason == "missing_header"
    assert "missing the X-TIMESTAMP and X-SIGNATURE headers" in error.message


def test_two_different_values_for_one_header_are_refused() -> None:
    headers = {**signed(), "x-signature": "0" * 64}
    assert rejection(EXAMPLE_PAYLOAD, headers).reason == "bad_signature"
    headers = {**signed(), "x-timestamp": str(NOW + 1)}
    error = rejection(EXAMPLE_PAYLOAD, headers)
    assert error.reason == "bad_timestamp"
    assert "exactly one" in error.message


@pytest.mark.parametrize("value", ["abc", "1778659835.0", "-1778659835", "１２３", "9" * 19])
def test_bad_timestamp(value: str) -> None:
    error = rejection(EXAMPLE_PAYLOAD, signed(timestamp=value))
    assert error.reason == "bad_timestamp"
    assert "UNIX time in whole seconds" in error.message


# -- signature ---------------------------------------------------------------------


def test_tampered_body_is_refused() -> None:
    tampered = EXAMPLE_PAYLOAD.replace(b"105.00", b"1.00")
    error = rejection(tampered, signed(EXAMPLE_PAYLOAD))
    assert error.reason == "bad_signature"
    assert "do not act" in error.message


def test_wrong_secret_is_refused_and_the_message_says_what_to_check() -> None:
    error = rejection(EXAMPLE_PAYLOAD, signed(secret="sk_test_someone_else"))
    assert error.reason == "bad_signature"
    assert "secret key is this environment's" in error.message
    assert "as received" in error.message


def test_signature_covers_the_timestamp() -> None:
    headers = signed()
    headers["X-TIMESTAMP"] = str(NOW + 1)  # still fresh, but not what was signed
    assert rejection(EXAMPLE_PAYLOAD, headers).reason == "bad_signature"


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(kwikpaisa.signing.hmac, "compare_digest", spy)
    headers = signed()
    verify(EXAMPLE_PAYLOAD, headers, SECRET, now=NOW)
    assert seen == [(headers["X-SIGNATURE"].encode(), headers["X-SIGNATURE"].encode())]


@pytest.mark.parametrize(
    "spoil",
    ["tamper", "wrong-secret", "stale", "future", "missing", "bad-ts", "reserialised"],
)
def test_messages_never_carry_the_secret_or_the_expected_signature(spoil: str) -> None:
    body, headers, now = EXAMPLE_PAYLOAD, signed(), NOW
    if spoil == "tamper":
        body = body.replace(b"PAID", b"FAILED")
    elif spoil == "wrong-secret":
        headers = signed(secret="sk_test_someone_else")
    elif spoil == "stale":
        now = NOW + 10_000
    elif spoil == "future":
        now = NOW - 10_000
    elif spoil == "missing":
        headers = {"X-TIMESTAMP": headers["X-TIMESTAMP"]}
    elif spoil == "bad-ts":
        headers = {**headers, "X-TIMESTAMP": "soon"}
    else:
        body = json.dumps(EXAMPLE_BODY, indent=1).encode()
    expected_signature = hmac_hex(SECRET, body + headers["X-TIMESTAMP"].encode())
    error = rejection(body, headers, now=now)
    for text in (str(error), repr(error), error.message):
        assert SECRET not in text
        assert expected_signature not in text


# -- timestamps --------------------------------------------------------------------


def test_replayed_old_timestamp_is_stale_and_says_how_old() -> None:
    error = rejection(EXAMPLE_PAYLOAD, signed(), now=NOW + 3600)
    assert error.reason == "stale"
    assert "3600 s ago" in error.message
    assert "300 s tolerance" in error.message
    assert "replay" in error.message


def test_future_timestamp_is_refused() -> None:
    error = rejection(EXAMPLE_PAYLOAD, signed(), now=NOW - 901, tolerance=900)
    assert error.reason == "future"
    assert "901 s in the future" in error.message
    assert "clock" in error.message


def test_milliseconds_timestamp_gets_its_own_hint() -> None:
    ms = NOW * 1000
    error = rejection(EXAMPLE_PAYLOAD, signed(timestamp=ms))
    assert error.reason == "future"
    assert "milliseconds" in error.message


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_tolerance_boundary_is_inclusive(offset: int) -> None:
    assert verify(EXAMPLE_PAYLOAD, signed(), SECRET, now=NOW + offset).timestamp == NOW


@pytest.mark.parametrize(("offset", "reason"), [(301, "stale"), (-301, "future")])
def test_one_second_past_tolerance_is_refused(offset: int, reason: str) -> None:
    assert rejection(EXAMPLE_PAYLOAD, signed(), now=NOW + offset).reason == reason


def test_zero_tolerance_and_custom_tolerance() -> None:
    assert verify(EXAMPLE_PAYLOAD, signed(), SECRET, tolerance=0, now=NOW).timestamp == NOW
    assert rejection(EXAMPLE_PAYLOAD, signed(), tolerance=0, now=NOW + 1).reason == "stale"
    assert verify(EXAMPLE_PAYLOAD, signed(), SECRET, tolerance=7200, now=NOW + 3600)


def test_now_defaults_to_the_current_time() -> None:
    body = sign_webhook("payment.failed", {"order_id": "1"}, secret_key=SECRET)
    assert verify(body.body, body.headers, SECRET).event == "payment.failed"
    old = sign_webhook("payment.failed", {"order_id": "1"}, secret_key=SECRET, age=3600)
    assert rejection(old.body, old.headers, now=None).reason == "stale"


# -- body ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not json", "not UTF-8 JSON"),
        (b'{"event": "payment.success", "data": "\xff"}', "not UTF-8 JSON"),
        (b'[{"event": "payment.success"}]', "JSON array"),
        (b'{"data": {}}', "'event'"),
        (b'{"event": "", "data": {}}', "'event'"),
        (b'{"event": 5, "data": {}}', "'event'"),
        (b'{"event": "payment.success"}', "'data' object"),
        (b'{"event": "payment.success", "data": [1]}', "'data' object"),
    ],
)
def test_signed_but_unusable_body(body: bytes, words: str) -> None:
    error = rejection(body, signed(body))
    assert error.reason == "bad_body"
    assert words in error.message


def test_str_body_is_a_type_error_naming_the_fix() -> None:
    with pytest.raises(TypeError, match=r"raw request body as bytes, not str.*get_data\(\)"):
        verify(EXAMPLE_PAYLOAD.decode(), signed(), SECRET, now=NOW)  # type: ignore[arg-type]


def test_parsed_json_body_is_a_type_error_naming_the_fix() -> None:
    with pytest.raises(TypeError, match=r"not parsed JSON \(dict\).*before json.loads"):
        verify(EXAMPLE_BODY, signed(), SECRET, now=NOW)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_bodies_are_bytes_too() -> None:
    for body in (bytearray(EXAMPLE_PAYLOAD), memoryview(EXAMPLE_PAYLOAD)):
        event = verify(body, signed(), SECRET, now=NOW)  # type: ignore[arg-type]
        assert event.raw == EXAMPLE_PAYLOAD
        assert type(event.raw) is bytes


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="headers must be a mapping"):
        verify(EXAMPLE_PAYLOAD, "X-SIGNATURE: x", SECRET)  # type: ignore[arg-type]
    with pytest.raises(kwikpaisa.ConfigurationError, match="secret_key is empty"):
        verify(EXAMPLE_PAYLOAD, signed(), "")
    with pytest.raises(kwikpaisa.ConfigurationError, match="whitespace"):
        verify(EXAMPLE_PAYLOAD, signed(), SECRET + "\n")
    for tolerance in (-1, 1.5, True):
        with pytest.raises(ValueError, match="tolerance must be a whole number"):
            verify(EXAMPLE_PAYLOAD, signed(), SECRET, tolerance=tolerance)  # type: ignore[arg-type]


# -- forged and hostile deliveries: cheap to refuse, and only ever refused ---------------


def test_default_body_limit_is_one_mib_as_documented() -> None:
    assert kwikpaisa.webhooks.DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    default = inspect.signature(verify).parameters["max_body_bytes"].default
    assert default == kwikpaisa.webhooks.DEFAULT_MAX_BODY_BYTES
    page = doc_text("docs/webhooks.md")
    assert f"max_body_bytes={default}" in page
    assert "`max_body_bytes` (default 1 MiB)" in page


def test_body_over_the_limit_is_refused_before_any_hashing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = signed()
    big = forged_big_body(10 * 1024 * 1024)
    big_headers = signed(big)
    hashed: list[int] = []
    real_new = hmac.new

    def counting_new(key: bytes, msg: bytes | None = None, digestmod: Any = None) -> Any:
        hashed.append(len(msg or b""))
        return real_new(key, msg, digestmod)

    monkeypatch.setattr(kwikpaisa.signing.hmac, "new", counting_new)
    limit = len(EXAMPLE_PAYLOAD)
    # At the limit it verifies (one HMAC); one byte over, it is refused though the signature
    # fits, and nothing is hashed.
    assert verify(EXAMPLE_PAYLOAD, headers, SECRET, now=NOW, max_body_bytes=limit)
    assert len(hashed) == 1
    hashed.clear()
    error = rejection(EXAMPLE_PAYLOAD, headers, max_body_bytes=limit - 1)
    assert error.reason == "too_large"
    assert f"{limit} bytes, more than max_body_bytes ({limit - 1})" in error.message
    assert "raise max_body_bytes" in error.message
    for body in (big, bytearray(big), memoryview(big)):
        assert rejection(body, big_headers).reason == "too_large"  # type: ignore[arg-type]
    assert hashed == []


def test_forged_10_mb_body_costs_no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the limit raised, a forged 10 MB body is refused after one HMAC: it allocates
    about one copy of itself (the signed message), where parsing it costs a dozen."""
    body = forged_big_body(10 * 1024 * 1024)
    headers = {"X-TIMESTAMP": str(NOW), "X-SIGNATURE": "0" * 64}
    tracemalloc.start()
    try:
        error = rejection(body, headers, max_body_bytes=len(body))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.reason == "bad_signature"
    assert peak < 1.5 * len(body)


def test_forged_deeply_nested_body_is_a_bad_signature() -> None:
    body = nested_body(100_000)
    for name, signature in bad_signatures(body, NOW, SECRET).items():
        headers = {"X-TIMESTAMP": str(NOW), "X-SIGNATURE": signature}
        assert rejection(body, headers).reason == "bad_signature", name


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_signed_body_raises_only_bad_body(name: str) -> None:
    body = HOSTILE_BODIES[name]
    error = rejection(body, signed_headers(body, NOW, SECRET))
    assert error.reason == "bad_body"
    assert "do not act on it" in error.message
    assert len(error.message) < 300


@pytest.mark.parametrize("name", list(bad_signatures(EXAMPLE_PAYLOAD, NOW, SECRET)))
def test_bad_signatures_are_refused(name: str) -> None:
    signature = bad_signatures(EXAMPLE_PAYLOAD, NOW, SECRET)[name]
    error = rejection(EXAMPLE_PAYLOAD, {"X-TIMESTAMP": str(NOW), "X-SIGNATURE": signature})
    assert error.reason == "bad_signature"
    assert "do not act on this webhook" in error.message
    if len(signature) != 64 or not all(c in "0123456789abcdef" for c in signature):
        assert "is not 64 hexadecimal digits" in error.message
        assert f"has {len(signature)} characters" in error.message


@pytest.mark.parametrize(
    "received",
    [
        json.dumps(EXAMPLE_BODY).encode(),  # json.dumps' spaces
        json.dumps(EXAMPLE_BODY, indent=2).encode(),  # pretty-printed
        json.dumps(
            {"event": "payment.success", "data": {"note": "café"}}, separators=(",", ":")
        ).encode(),  # compact, but non-ASCII as \u escapes
    ],
    ids=["spaces", "indented", "ascii-escaped"],
)
def test_reserialised_bodies_get_the_hint_without_a_parse(received: bytes) -> None:
    error = rejection(received, signed(b"something else"))
    assert "looks re-serialised" in error.message
    assert "raw request body" in error.message


def test_a_compact_body_under_the_wrong_key_gets_the_key_hint() -> None:
    for body in (EXAMPLE_PAYLOAD, '{"data":{"note":"café"},"event":"x"}'.encode()):
        error = rejection(body, signed(body, secret="sk_test_someone_else"))
        assert "re-serialised" not in error.message
        assert "secret key is this environment's" in error.message


def test_max_body_bytes_must_be_a_positive_whole_number() -> None:
    for bad in (0, -1, 1.5, True, "1024", None):
        with pytest.raises(ValueError, match=r"max_body_bytes must be a whole number of bytes"):
            verify(EXAMPLE_PAYLOAD, signed(), SECRET, max_body_bytes=bad)  # type: ignore[arg-type]


# -- acting once: the key -------------------------------------------------------------


def test_idempotency_key_is_the_same_for_every_delivery_of_an_event() -> None:
    first = verify(EXAMPLE_PAYLOAD, signed(), SECRET, now=NOW)
    again = verify(EXAMPLE_PAYLOAD, signed(timestamp=NOW + 60), SECRET, now=NOW + 60)
    assert first.idempotency_key == again.idempotency_key == "payment.success:6116229263036"
    # The same order's id as a JSON number, in another key order: the same event.
    as_number = b'{"event":"payment.success","data":{"status":"PAID","order_id":6116229263036}}'
    assert verify(as_number, signed(as_number), SECRET, now=NOW).idempotency_key == (
        first.idempotency_key
    )


def test_idempotency_key_tells_events_and_orders_apart() -> None:
    def key(event: str, data: dict[str, Any]) -> str:
        delivery = sign_webhook(event, data, secret_key=SECRET, now=NOW)
        return verify(delivery.body, delivery.headers, SECRET, now=NOW).idempotency_key

    keys = [
        key("payment.failed", {"order_id": "ord_1", "status": "FAILED"}),
        key("payment.success", {"order_id": "ord_1", "status": "PAID"}),
        key("payment.success", {"order_id": "ord_2", "status": "PAID"}),
        key("payout.success", {"payout_id": "ord_1"}),
        key("payout.reversed", {"payout_id": "ord_1"}),
        key("payment.success", {"order_id": True}),
        key("payment.success", {"order_id": ""}),
    ]
    assert keys[:5] == [
        "payment.failed:ord_1",
        "payment.success:ord_1",
        "payment.success:ord_2",
        "payout.success:ord_1",
        "payout.reversed:ord_1",
    ]
    # No usable id: keyed by the body's SHA-256, so only the same bytes collide.
    assert keys[5].startswith("payment.success:sha256:")
    assert keys[6].startswith("payment.success:sha256:")
    assert len(set(keys)) == len(keys)


# -- the public surface --------------------------------------------------------------


def test_event_is_frozen_and_its_repr_leaves_out_the_raw_body() -> None:
    event = verify(EXAMPLE_PAYLOAD, signed(), SECRET, now=NOW)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.event = "payment.failed"  # type: ignore[misc]
    assert "payment.success" in repr(event)
    assert "raw" not in repr(event)


def test_error_is_the_sdk_error_shown_under_its_public_path() -> None:
    assert kwikpaisa.webhooks.WebhookVerificationError is WebhookVerificationError
    assert kwikpaisa.WebhookVerificationError is WebhookVerificationError
    error = rejection(EXAMPLE_PAYLOAD, {})
    assert isinstance(error, KwikPaisaError)
    assert type(error).__module__ == "kwikpaisa.errors"
    assert repr(error).startswith("WebhookVerificationError(")


def test_every_reason_is_produced_and_documented() -> None:
    """Each ``reason`` the docs' table lists comes out of verify() for some delivery."""
    bad_body = b'{"event":"payment.success"}'
    produced = {
        rejection(EXAMPLE_PAYLOAD, {}).reason,
        rejection(EXAMPLE_PAYLOAD, {**signed(), "X-TIMESTAMP": "soon"}).reason,
        rejection(EXAMPLE_PAYLOAD, signed(timestamp=NOW - 3600)).reason,
        rejection(EXAMPLE_PAYLOAD, signed(timestamp=NOW + 3600)).reason,
        rejection(EXAMPLE_PAYLOAD, signed(secret="sk_test_other")).reason,
        rejection(bad_body, signed(bad_body)).reason,
        rejection(EXAMPLE_PAYLOAD, signed(), max_body_bytes=10).reason,
    }
    table = doc_text("docs/webhooks.md").split("| `reason` |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    assert produced == documented == set(WEBHOOK_REASONS)


WEBHOOK_REASONS = (
    "too_large",
    "missing_header",
    "bad_timestamp",
    "stale",
    "future",
    "bad_signature",
    "bad_body",
)


def test_bare_import_loads_webhooks_only_when_used() -> None:
    code = (
        "import sys, kwikpaisa\n"
        "before = 'kwikpaisa.webhooks' in sys.modules\n"
        "verify = kwikpaisa.webhooks.verify\n"
        "print(before, verify.__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "kwikpaisa.webhooks"]
    with pytest.raises(AttributeError, match="has no attribute 'webhook'"):
        kwikpaisa.webhook  # type: ignore[attr-defined]  # noqa: B018


# -- building and delivering signed webhooks ------------------------------------------


def test_sign_webhook_matches_an_independent_signature() -> None:
    delivery = sign_webhook("payment.success", EXAMPLE_BODY["data"], secret_key=SECRET, now=NOW)
    assert delivery.body == EXAMPLE_PAYLOAD
    assert delivery.timestamp == NOW
    assert delivery.headers["X-TIMESTAMP"] == str(NOW)
    assert delivery.headers["X-SIGNATURE"] == hmac_hex(SECRET, EXAMPLE_PAYLOAD + b"1778659835")
    assert delivery.headers["Content-Type"] == "application/json"


def test_sign_webhook_spoilers() -> None:
    data = EXAMPLE_BODY["data"]
    honest = sign_webhook("payment.success", data, secret_key=SECRET, now=NOW)
    tampered = sign_webhook("payment.success", data, secret_key=SECRET, now=NOW, tamper=True)
    assert tampered.headers == honest.headers
    assert json.loads(tampered.body)["data"]["amount"] == "1.00"
    custom = sign_webhook(
        "payment.success", data, secret_key=SECRET, now=NOW, tamper=lambda b: b + b" "
    )
    assert custom.body == honest.body + b" "
    no_amount = sign_webhook("payment.failed", {"status": "FAILED"}, secret_key=SECRET, tamper=True)
    assert json.loads(no_amount.body)["data"]["status"] == "PAID"
    old = sign_webhook("payment.success", data, secret_key=SECRET, now=NOW, age=3600)
    assert old.timestamp == NOW - 3600
    fixed = sign_webhook("payment.success", data, secret_key=SECRET, timestamp=12345)
    assert fixed.headers["X-TIMESTAMP"] == "12345"


def test_emulator_delivers_an_order_status_and_checks_its_arguments() -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    emu = seeded_emulator()
    with emu.client() as kp:
        kp.orders.cancel("ord_1")
    transport = httpx.MockTransport(receiver)
    response = emu.deliver_webhook(
        "http://merchant.test/hook", "payment.failed", order_id="ord_1", transport=transport
    )
    assert response.status_code == 204
    sent = received[0]
    event = verify(sent.content, sent.headers, emu.secret_key)
    assert event.data == {
        "order_id": "ord_1",
        "amount": "100.00",
        "currency": "INR",
        "status": "CANCELLED",
    }
    with pytest.raises(ValueError, match="no order 'nope'"):
        emu.deliver_webhook("http://merchant.test/hook", "payment.failed", order_id="nope")
    with pytest.raises(TypeError, match=r"data=\.\.\. or order_id"):
        emu.deliver_webhook("http://merchant.test/hook", "payment.failed")


def test_emulator_deliveries_use_its_clock() -> None:
    emu = Emulator(clock=lambda: NOW)
    captured: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: captured.append(r) or httpx.Response(200))
    emu.deliver_webhook(
        "http://m.test/", "payout.success", {"payout_id": "p1"}, transport=transport
    )
    assert captured[0].headers["X-TIMESTAMP"] == str(NOW)
    assert verify(captured[0].content, captured[0].headers, DEFAULT_SECRET_KEY, now=NOW)


# -- the docs' receivers, end to end --------------------------------------------------


# What each delivery proves: the spoiler, and the status the docs' receivers answer.
DELIVERIES: list[tuple[str, dict[str, Any], int]] = [
    ("genuine", {}, 200),
    ("tampered body", {"tamper": True}, 400),
    ("replayed old timestamp", {"age": 3600}, 400),
    ("future timestamp", {"age": -3600}, 400),
    ("wrong secret", {"secret_key": "sk_test_not_the_merchants"}, 400),
    ("the genuine one again", {}, 200),
]


# What the emulator sends for the seeded order ord_expired (as its own deliveries would).
EXPIRED_ORDER_EVENT_DATA = {
    "order_id": "ord_expired",
    "amount": "100.00",
    "currency": "INR",
    "status": "EXPIRED",
}


def _check_receiver(
    name: str,
    directory: Path,
    deliver: Callable[..., httpx.Response],
    caplog: pytest.LogCaptureFixture,
) -> None:
    for what, spoiler, status in DELIVERIES:
        with caplog.at_level(logging.WARNING, logger="webhooks"):
            caplog.clear()
            response = deliver("payment.expired", order_id="ord_expired", **spoiler)
        assert response.status_code == status, f"{name}: {what} answered {response.status_code}"
        if status != 200:
            assert "rejected a KwikPaisa webhook" in caplog.text, f"{name}: {what} not logged"
            assert DEFAULT_SECRET_KEY not in caplog.text
        # Acted on once: by the first genuine delivery, never by a spoiled one or a repeat.
        assert actions(directory) == [("ord_expired", "EXPIRED")], f"{name}: after {what}"


def _deliver_raw(url: str, transport: Any, **kwargs: Any) -> httpx.Response:
    with httpx.Client(transport=transport) as client:
        return client.request(url=url, **kwargs)


@pytest.mark.parametrize(
    ("example", "path"), [("webhook-wsgi", "/"), ("webhook-flask", "/kwikpaisa/webhook")]
)
def test_docs_wsgi_receivers_end_to_end(
    example: str,
    path: str,
    way_in: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    namespace = load_receiver(example, monkeypatch, tmp_path)
    app = namespace["app"]
    emu = seeded_emulator()

    @contextmanager
    def reach() -> Iterator[tuple[str, Any]]:
        if way_in == "socket":
            with serve_wsgi(app) as base_url:
                yield base_url + path, None
        else:
            yield "http://receiver.test" + path, httpx.WSGITransport(app=app)

    with reach() as (url, transport):

        def deliver(event: str, **options: Any) -> httpx.Response:
            if transport is not None:
                options["transport"] = transport
            return emu.deliver_webhook(url, event, **options)

        _check_receiver(example, tmp_path, deliver, caplog)
        # No signature headers at all, and a non-POST, are refused too.
        bare = _deliver_raw(
            url,
            transport,
            method="POST",
            content=EXAMPLE_PAYLOAD,
            headers={"Content-Type": "application/json"},
        )
        assert bare.status_code == 400
        assert "missing_header" in bare.text
        assert _deliver_raw(url, transport, method="GET").status_code == 405
        # A body with non-ASCII text crosses the wire and verifies byte for byte.
        data = {"order_id": "ord_₹", "note": "café", "url": "https://x/y", "status": "PAID"}
        assert deliver("payment.success", data=data).status_code == 200
    assert actions(tmp_path) == [("ord_expired", "EXPIRED"), ("ord_₹", "PAID")]


def test_docs_asgi_receiver_end_to_end(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    namespace = load_receiver("webhook-asgi", monkeypatch, tmp_path)
    app = namespace["app"]
    emu = seeded_emulator()
    url = "http://receiver.test/kwikpaisa/webhook"

    async def deliver_async(event: str, **options: Any) -> httpx.Response:
        data = options.pop("data", None) or {
            **EXPIRED_ORDER_EVENT_DATA,
            "order_id": options.pop("order_id"),
            "status": emu.order_status("ord_expired"),
        }
        options.setdefault("secret_key", emu.secret_key)
        return await deliver_webhook_async(
            url, event, data, transport=httpx.ASGITransport(app=app), **options
        )

    def deliver(event: str, **options: Any) -> httpx.Response:
        return asyncio.run(deliver_async(event, **options))

    _check_receiver("webhook-asgi", tmp_path, deliver, caplog)

    async def bare_and_get() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            bare = await client.post(url, content=EXAMPLE_PAYLOAD)
            get = await client.get(url)
        return bare, get

    bare, get = asyncio.run(bare_and_get())
    assert bare.status_code == 400
    assert "missing_header" in bare.text
    assert get.status_code == 405
    assert actions(tmp_path) == [("ord_expired", "EXPIRED")]


def test_docs_asgi_receiver_reads_a_body_sent_in_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A minimal ASGI call: the body arrives in three messages, as servers may send it."""
    app = load_receiver("webhook-asgi", monkeypatch, tmp_path)["app"]
    data = {"order_id": "ord_chunks", "status": "PAID"}
    delivery = sign_webhook("payment.success", data, secret_key=DEFAULT_SECRET_KEY)
    body = delivery.body
    messages = [
        {"type": "http.request", "body": body[:5], "more_body": True},
        {"type": "http.request", "body": body[5:20], "more_body": True},
        {"type": "http.request", "body": body[20:], "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(k.lower().encode(), v.encode()) for k, v in delivery.headers.items()],
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"ok\n"
    assert actions(tmp_path) == [("ord_chunks", "PAID")]


def test_module_level_deliver_over_a_socket() -> None:
    """deliver_webhook without the emulator object, over loopback, to a receiver we write."""
    got: list[WebhookEvent] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            got.append(verify(body, environ, SECRET))
        except WebhookVerificationError as error:
            start_response("401 Unauthorized", [])
            return [error.reason.encode()]
        start_response("200 OK", [])
        return [b""]

    with serve_wsgi(app) as url:
        ok = deliver_webhook(url, "payout.reversed", {"payout_id": "p9"}, secret_key=SECRET)
        bad = deliver_webhook(url, "payout.reversed", {"payout_id": "p9"}, secret_key="sk_other")
    assert ok.status_code == 200
    assert got[0].data == {"payout_id": "p9"}
    assert (bad.status_code, bad.text) == (401, "bad_signature")
    assert len(got) == 1


def test_docs_receiver_verifies_and_deduplicates_a_full_journey(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The docs' WSGI receiver, served for real, gets every event of a sandbox journey twice
    (the emulator resends on request, as KwikPaisa may) and acts on each once."""
    from decimal import Decimal

    from kwikpaisa import Customer

    namespace = load_receiver("webhook-wsgi", monkeypatch, tmp_path)
    with (
        serve_wsgi(namespace["app"]) as base_url,
        Emulator(
            webhook_url=base_url + "/", webhook_duplicates=True, webhook_backoff=(0.0, 0.0)
        ) as emu,
        emu.client() as kp,
    ):
        for order_id in ("ord_pay", "ord_fail", "ord_late"):
            kp.orders.create(
                order_id=order_id,
                amount=Decimal("105.00"),
                service_type="DIGITAL",
                customer=Customer(name="Ajay", email="a@example.com", phone="9876543210"),
                return_url="https://merchant.example/return",
            )
        emu.pay("ord_pay", method="UPI")
        emu.fail("ord_fail")
        emu.expire("ord_late")
        deliveries = emu.wait_for_deliveries()
        statuses = {
            order_id: kp.orders.status(order_id).status
            for order_id in ("ord_pay", "ord_fail", "ord_late")
        }
    assert len(deliveries) == 6
    assert all(delivery.status == 200 for delivery in deliveries)
    assert actions(tmp_path) == [
        ("ord_fail", "FAILED"),
        ("ord_late", "EXPIRED"),
        ("ord_pay", "PAID"),
    ]
    assert statuses == {"ord_pay": "PAID", "ord_fail": "FAILED", "ord_late": "EXPIRED"}
