"""Signing against fixed vectors, computed independently of the SDK's code."""

from __future__ import annotations

import json

import httpx
import pytest

from kwikpaisa.signing import (
    SigningAuth,
    canonical_payload,
    compute_signature,
    parse_timestamp,
    signature_matches,
    signing_string,
)

from .conftest import hmac_hex


def test_worked_example_from_the_guide() -> None:
    payload = canonical_payload({"order_id": "123456", "amount": "100"})
    assert payload == b'{"amount":"100","order_id":"123456"}'
    assert signing_string(payload, 1778659835) == b'{"amount":"100","order_id":"123456"}1778659835'
    expected = hmac_hex("YOUR_SECRET_KEY", b'{"amount":"100","order_id":"123456"}1778659835')
    assert compute_signature(payload, 1778659835, "YOUR_SECRET_KEY") == expected
    assert compute_signature(payload, "1778659835", "YOUR_SECRET_KEY") == expected


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        # nested objects are sorted too; arrays keep their order
        (
            {"b": {"z": 1, "a": [3, 1, {"y": 2, "x": 1}]}, "a": 0},
            b'{"a":0,"b":{"a":[3,1,{"x":1,"y":2}],"z":1}}',
        ),
        # slashes are never escaped
        ({"url": "https://x/y"}, b'{"url":"https://x/y"}'),
        # non-ASCII stays UTF-8, as JSON.stringify leaves it
        ({"name": "कविता ₹100 café"}, '{"name":"कविता ₹100 café"}'.encode()),
        # integer ids stay numbers; string ids stay strings
        ({"order_id": 6116229263036}, b'{"order_id":6116229263036}'),
        ({"order_id": "6116229263036"}, b'{"order_id":"6116229263036"}'),
        # control characters are escaped the way JSON.stringify does
        ({"t": "a\nb\u0001"}, b'{"t":"a\\nb\\u0001"}'),
        ({"ok": True, "none": None, "n": -1.5}, b'{"n":-1.5,"none":null,"ok":true}'),
        # JavaScript's object order: array-index keys first, numerically
        ({"b": 1, "10": 2, "9": 3, "01": 4}, b'{"9":3,"10":2,"01":4,"b":1}'),
        # then UTF-16 code units: an emoji (D83D DE00) sorts before U+E000
        ({"\ue000": 1, "\U0001f600": 2}, '{"\U0001f600":2,"\ue000":1}'.encode()),
        # numbers as JavaScript writes them
        (
            [1.0, -0.0, 1e-7, 1e-6, 1e21, 1.2345678901234568e20],
            b"[1,0,1e-7,0.000001,1e+21,123456789012345680000]",
        ),
        # a lone surrogate is escaped, as JSON.stringify does
        ({"t": "x\ud800"}, b'{"t":"x\\ud800"}'),
    ],
)
def test_canonical_payload_vectors(obj: object, expected: bytes) -> None:
    assert canonical_payload(obj) == expected


def test_integer_and_string_ids_sign_differently() -> None:
    a = compute_signature(canonical_payload({"order_id": 123}), 1, "s")
    b = compute_signature(canonical_payload({"order_id": "123"}), 1, "s")
    assert a != b


def test_nan_is_rejected() -> None:
    with pytest.raises(ValueError, match="JSON"):
        canonical_payload({"x": float("nan")})


def test_signature_is_lowercase_hex() -> None:
    sig = compute_signature(b"{}", 1, "secret")
    assert len(sig) == 64
    assert sig == sig.lower()
    int(sig, 16)


def test_signature_matches_only_the_exact_signature() -> None:
    payload, secret = b'{"order_id":"ord_1"}', "sk_test_x"
    good = compute_signature(payload, 1700000000, secret)
    assert signature_matches(payload, 1700000000, good, secret)
    assert signature_matches(payload, "1700000000", good, secret)
    for wrong in (good.upper(), good[:-1], good + "0", "", "\udc80", "ü" * 64):
        assert not signature_matches(payload, 1700000000, wrong, secret)
    assert not signature_matches(payload, 1700000001, good, secret)
    assert not signature_matches(payload + b" ", 1700000000, good, secret)
    assert not signature_matches(payload, 1700000000, good, "sk_test_y")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700000000", 1700000000),
        ("0", 0),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, None),
        ("", None),
        (" 1", None),
        ("-1", None),
        ("1.5", None),
        ("١٢٣", None),
        ("9" * 5000, None),
    ],
)
def test_parse_timestamp(text: str, expected: int | None) -> None:
    assert parse_timestamp(text) == expected


def test_auth_signs_the_exact_bytes_sent_and_canonicalises_other_bodies() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = SigningAuth("pk_test_abc", "sk_test_secret")
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as http:
        http.post("http://127.0.0.1/x", content=b'{ "b": 1, "a": "x/y" }')
    (request,) = seen
    assert request.content == b'{"a":"x/y","b":1}'
    assert request.headers["content-length"] == str(len(request.content))
    ts = request.headers["X-TIMESTAMP"]
    assert ts.isdigit()
    assert request.headers["X-API-KEY"] == "pk_test_abc"
    assert request.headers["X-SIGNATURE"] == hmac_hex(
        "sk_test_secret", request.content + ts.encode()
    )
    assert json.loads(request.content) == {"a": "x/y", "b": 1}


def test_auth_repr_hides_keys() -> None:
    assert "sk_test_secret" not in repr(SigningAuth("pk_test_abc", "sk_test_secret"))
