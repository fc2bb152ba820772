"""Forged and hostile webhooks, for holding verify() and every receiver to them.

Each probe is plain bytes and headers, signed (when it is signed at all) with the standard
library's hmac, never with the SDK's own signing:

* :func:`forged_big_body`: a JSON-shaped body of any size under a signature that does not
  fit (refusing it must cost one HMAC at most, never a parse);
* :func:`nested_body`: an event whose ``data`` nests arrays ``depth`` deep (json.loads
  raises RecursionError on it, which is not a ValueError);
* :data:`HOSTILE_BODIES`: correctly signed bodies that are not a usable event;
* :func:`bad_signatures`: ``X-SIGNATURE`` values that must be refused for one body.
"""

from __future__ import annotations

import json

from .conftest import hmac_hex


def signed_headers(body: bytes, timestamp: int | str, secret: str) -> dict[str, str]:
    """The headers KwikPaisa sends with ``body``: its timestamp and true signature."""
    ts = str(timestamp)
    return {"X-TIMESTAMP": ts, "X-SIGNATURE": hmac_hex(secret, body + ts.encode())}


def forged_big_body(size: int) -> bytes:
    """A well-formed, canonical-looking JSON event of about ``size`` bytes (never less)."""
    item = b'{"amount":"105.00","order_id":"6116229263036","status":"PAID"}'
    count = max(1, size // (len(item) + 1) + 1)
    return b'{"data":{"items":[' + b",".join([item] * count) + b']},"event":"payment.success"}'


def nested_body(depth: int) -> bytes:
    """An event whose ``data`` holds arrays nested ``depth`` deep."""
    return b'{"data":{"x":' + b"[" * depth + b"]" * depth + b'},"event":"payment.success"}'


HOSTILE_BODIES: dict[str, bytes] = {
    "nested 100000 deep": nested_body(100_000),
    "nested objects": b'{"event":"payment.success","data":'
    + b'{"a":' * 50_000
    + b"1"
    + b"}" * 50_001,
    "invalid UTF-8": b'{"event":"payment.success","data":{"note":"\xff\xfe"}}',
    "UTF-8 byte order mark": b'\xef\xbb\xbf{"event":"payment.success","data":{}}',
    "UTF-16": json.dumps({"event": "payment.success", "data": {}}).encode("utf-16"),
    "NaN": b'{"event":"payment.success","data":{"amount":NaN}}',
    "Infinity": b'{"event":"payment.success","data":{"amount":-Infinity}}',
    "number out of range": b'{"event":"payment.success","data":{"amount":1e400}}',
    "integer of 10000 digits": b'{"event":"payment.success","data":{"amount":1'
    + b"0" * 10_000
    + b"}}",
    "integer of 100 digits": b'{"event":"payment.success","data":{"amount":' + b"9" * 100 + b"}}",
    "truncated": b'{"event":"payment.success","data":{"order_id":"1"',
    "empty": b"",
    "a list": b'[{"event":"payment.success","data":{}}]',
    "a string": b'"payment.success"',
    "null": b"null",
    "event is a number": b'{"event":5,"data":{}}',
    "event is an object": b'{"event":{"name":"payment.success"},"data":{}}',
    "data is a string": b'{"event":"payment.success","data":"{}"}',
    "data is null": b'{"event":"payment.success","data":null}',
}
"""Bodies that are correctly signed (by whoever holds the key) but not a usable event."""


def bad_signatures(body: bytes, timestamp: int | str, secret: str) -> dict[str, str]:
    """``X-SIGNATURE`` values that do not verify ``body`` at ``timestamp`` under ``secret``."""
    true = hmac_hex(secret, body + str(timestamp).encode())
    flipped = true[:-1] + ("0" if true[-1] != "0" else "1")
    return {
        "one digit off": flipped,
        "another key": hmac_hex(secret + "x", body + str(timestamp).encode()),
        "another timestamp": hmac_hex(secret, body + str(int(timestamp) + 1).encode()),
        "the body alone": hmac_hex(secret, body),
        "all zeros": "0" * 64,
        "too short": true[:63],
        "too long": true + "0",
        "not hex": "g" * 64,
        "base64 of the digest": "q1c3Yo2bKVhZ0/UFiXbsS7+e3K8xaJ9R1qmq9DzyPdY=",
        "non-ASCII": "é" * 64,
        "sha256= prefix": "sha256=" + true,
    }
