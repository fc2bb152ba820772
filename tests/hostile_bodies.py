"""Answers no honest KwikPaisa sends: probes every operation and batch is held to.

``HOSTILE_BODIES`` maps a name to the exact bytes of an answer: nesting past the JSON
parser's recursion limit, numbers past Python's limits, ``NaN``/``Infinity``, invalid
UTF-8 and lone surrogate escapes, wrong JSON types in each field, and amounts that are
not money. Serve one with the emulator's ``Fault.raw(status, body)``, or, to aim it at
chosen orders of a batch, with :class:`HostileTransport` (an in-process transport that
answers those orders with the body and hands every other request to the emulator, which
verifies its signature for real).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from kwikpaisa.testing import Emulator


def success(return_data: Any, **envelope: Any) -> bytes:
    """A success envelope around ``return_data`` (any JSON value), as KwikPaisa's shape."""
    body = {"code": "200", "status": "success", "message": "ok", "return_data": return_data}
    return json.dumps({**body, **envelope}).encode()


def _nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"a":' * depth + inner + b"}" * depth


HOSTILE_BODIES: dict[str, bytes] = {
    # Structure the parser itself chokes on (RecursionError, not ValueError).
    "nested-arrays": b"[" * 100_000 + b"]" * 100_000,
    "nested-in-return-data": b'{"code":"200","status":"success","return_data":'
    + _nested(5_000)
    + b"}",
    "nested-in-failure": b'{"status":false,"code":404,"message":' + _nested(5_000) + b"}",
    # Numbers.
    "int-past-digit-limit": b'{"code":"200","status":"success","return_data":{"order_id":1'
    + b"0" * 5_000
    + b"}}",
    "float-overflow": success({"order_amount": "x"}).replace(b'"x"', b"1e400"),
    "nan-amount": success({"order_amount": "x"}).replace(b'"x"', b"NaN"),
    "infinity-code": b'{"code":Infinity,"status":"success","return_data":{}}',
    "negative-infinity": success({"order_amount": "x"}).replace(b'"x"', b"-Infinity"),
    # Amounts that are not money.
    "amount-huge-string": success({"order_amount": "1" + "0" * 10_000, "order_status": "PAID"}),
    "amount-three-places": success({"order_amount": "105.001", "order_status": "PAID"}),
    "amount-exponent": success({"order_amount": "1E+5", "order_status": "PAID"}),
    "amount-negative": success({"order_amount": "-105.00", "order_status": "PAID"}),
    "amount-nan-text": success({"order_amount": "NaN", "order_status": "PAID"}),
    "amount-other-digits": success({"order_amount": "१०५.००", "order_status": "PAID"}),
    "amount-list": success({"order_amount": ["105.00"], "order_status": "PAID"}),
    "amount-object": success({"order_amount": {"value": "105.00"}, "order_status": "PAID"}),
    "amount-bool": success({"order_amount": True, "order_status": "PAID"}),
    # Text that is not text.
    "invalid-utf8": b'{"code":"200","status":"success","message":"\xff\xfe\xc3",'
    b'"return_data":{"order_status":"PAID"}}',
    "invalid-utf8-everywhere": b"\xff" * 64,
    # Wrong JSON types where KwikPaisa sends something else.
    "status-list": success({"order_status": ["PAID"], "order_amount": "105.00"}),
    "status-object": success({"order_status": {"PAID": True}}),
    "status-number": success({"order_status": 200}),
    "status-blank": success({"order_status": "   "}),
    "return-data-list": success([1, 2, 3]),
    "return-data-string": success("PAID"),
    "envelope-list": b'["code", "200", "status", "success"]',
    "envelope-string": b'"success"',
    "envelope-number": b"200",
    "message-object": success({"order_status": "PAID"}, message={"text": "ok"}),
    "code-object": b'{"status":false,"code":{"a":1},"message":["x"]}',
    "status-field-nested": b'{"status":' + b"[" * 500 + b"]" * 500 + b',"code":"200"}',
    "dates-wrong-types": success(
        {"order_status": "PAID", "created_at": ["13-05-2026"], "paid_at": 5, "cancelled_at": {}}
    ),
    "ids-wrong-types": success(
        {"order_status": "PAID", "order_id": 1.5, "kwikX_order_id": [1], "payment_link": 7}
    ),
}
"""Every probe, by name. All are answered with an error or, for the last two (whose
wrong-typed fields are read permissively), a result: never another exception."""

# Probes whose wrong types are in fields read permissively (kept in ``raw``): a result.
READ_PERMISSIVELY = frozenset({"dates-wrong-types", "ids-wrong-types", "message-object"})
# Probes whose only fault is the amount, which only status reads (create's and cancel's
# results carry none): a result from those two, an error from status.
AMOUNT_ONLY = frozenset(name for name in HOSTILE_BODIES if name.startswith("amount-"))


def answered_with_result(probe: str, operation: str) -> bool:
    """Whether an HTTP 200 answer of ``probe`` gives ``operation`` a result (else an error)."""
    return probe in READ_PERMISSIVELY or (probe in AMOUNT_ONLY and operation != "status")


LONE_SURROGATES = success(
    {"order_status": "PAID", "order_amount": "105.00", "payment_method": "UPI\\ud800"}
).replace(b"\\\\ud800", b"\\ud800")
"""A status answer whose ``payment_method`` holds a lone surrogate escape (``\\ud800``):
valid JSON, but no UTF-8 output can carry the string it decodes to."""


class HostileTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers requests about ``order_ids`` with ``body`` (HTTP 200); sends every other
    request to ``emulator``'s in-process transport."""

    def __init__(self, emulator: Emulator, order_ids: set[str | int], body: bytes) -> None:
        self._inner = emulator.transport()
        self._order_ids = order_ids
        self._body = body
        self.hostile_answers = 0

    def _hostile(self, request: httpx.Request) -> httpx.Response | None:
        sent = json.loads(request.content)
        if sent.get("order_id") not in self._order_ids:
            return None
        self.hostile_answers += 1
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json"},
            content=self._body,
            request=request,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._hostile(request) or self._inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._hostile(request) or await self._inner.handle_async_request(request)
