"""Verify the webhooks KwikPaisa sends before acting on them.

KwikPaisa POSTs JSON events (``payment.success``, ``payout.failed``, ...) with
``X-TIMESTAMP`` and ``X-SIGNATURE`` headers, signed like API requests:
lowercase hex HMAC-SHA256 of ``body + timestamp`` under the merchant's secret
key. :func:`verify` checks the signature over the raw body exactly as received,
refuses timestamps outside a tolerance (replays, delayed deliveries, wrong
clocks) and returns a :class:`WebhookEvent`; anything else raises
:class:`WebhookVerificationError`, whose ``reason`` says why. Refusing a forged
delivery is cheap: a body over ``max_body_bytes`` is refused before any hashing,
and a bad signature is refused after one HMAC over the body, without parsing it::

    from kwikpaisa.webhooks import WebhookVerificationError, verify

    try:
        event = verify(raw_body, request_headers, secret_key)
    except WebhookVerificationError:
        ...  # answer 400 and do nothing
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Mapping
from typing import Any

import attrs

from ._constants import (
    ENV_SECRET_KEY,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    MILLISECONDS_FROM,
    TIMESTAMP_TOLERANCE,
    WEBHOOK_MAX_BODY_BYTES,
)
from ._validation import validate_credential
from .errors import WebhookVerificationError as WebhookVerificationError
from .signing import parse_timestamp, signature_matches

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "WebhookEvent",
    "WebhookVerificationError",
    "verify",
]

DEFAULT_TOLERANCE = TIMESTAMP_TOLERANCE
"""Seconds a webhook's timestamp may differ from the receiver's clock (either way)."""

DEFAULT_MAX_BODY_BYTES = WEBHOOK_MAX_BODY_BYTES
"""The largest webhook body :func:`verify` accepts by default: 1 MiB (1048576 bytes).
KwikPaisa's events are a few hundred bytes; a receiver can also stop reading a request
body once it is longer than this."""

_SIGNATURE_LENGTH = 64  # hex digits of an HMAC-SHA256
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# How much of a refused body is looked at for the "re-serialised" hint: a constant cost.
_HINT_WINDOW = 4096
# Byte sequences that KwikPaisa's compact, UTF-8 JSON never contains outside its strings,
# and that json.dumps, pretty-printers and ASCII-escaping re-serialisers produce.
_RESERIALISED_MARKS = (b'": ', b', "', b"\n", b"\r", b"\t", b"{ ", b"[ ")
# Integer literals longer than this are refused: JavaScript (KwikPaisa's JSON) writes
# every integer beyond 21 digits in exponent form, and long ones are slow to convert.
_MAX_INTEGER_DIGITS = 64
# What json.loads' types are called in JSON, for messages.
_JSON_TYPES: dict[type, str] = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}

EVENT_TYPES = frozenset(
    {
        "payment.success",
        "payment.failed",
        "payment.processing",
        "payment.expired",
        "payout.success",
        "payout.failed",
        "payout.processing",
        "payout.reversed",
    }
)
"""The event names KwikPaisa documents. :func:`verify` accepts other names too, so a
receiver keeps working when KwikPaisa adds one; ignore the events you do not handle."""


@attrs.frozen
class WebhookEvent:
    """A verified webhook: authentic (signed with your secret key) and recent."""

    event: str
    """The event name, for example ``"payment.success"`` or ``"payout.reversed"``."""
    data: dict[str, Any]
    """The event's ``data`` object as sent (``order_id``, ``amount``, ``status``, ...)."""
    timestamp: int
    """When KwikPaisa signed it: UNIX time in seconds, from ``X-TIMESTAMP``."""
    raw: bytes = attrs.field(repr=False)
    """The body exactly as received and verified."""

    @property
    def idempotency_key(self) -> str:
        """A durable key for acting once on this event: the same for every delivery of it.

        ``"<event>:<order_id>"`` (``"payment.success:6116229263036"``), or
        ``"<event>:<payout_id>"`` for an event about a payout. KwikPaisa's events carry no
        event id, and a redelivery may be signed again with a new ``X-TIMESTAMP``, so
        neither can be the key. What a receiver acts on is what the event says about one
        order (or payout): it was paid, it failed, it expired; acting on that twice is the
        harm, and a repeat of it adds nothing. An id sent as a number and as a string gives
        the same key. A body with neither id is keyed by its SHA-256, so a repeat of the
        same bytes is still caught.

        Store it under a UNIQUE constraint in the transaction that acts on the event (see
        docs/webhooks.md): a repeated delivery then fails the insert and does nothing.
        """
        for field in ("order_id", "payout_id"):
            value = self.data.get(field)
            if (isinstance(value, str) and value) or (
                isinstance(value, int) and not isinstance(value, bool)
            ):
                return f"{self.event}:{value}"
        return f"{self.event}:sha256:{hashlib.sha256(self.raw).hexdigest()}"


def verify(
    raw_body: bytes,
    headers: Mapping[str, str],
    secret_key: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> WebhookEvent:
    """Verify one webhook and return its event, or raise :class:`WebhookVerificationError`.

    ``raw_body`` is the request body exactly as received (bytes, before any JSON
    parsing). ``headers`` is any mapping of the request's headers; names are
    matched case-insensitively, and a WSGI ``environ`` works too
    (``HTTP_X_SIGNATURE``). ``secret_key`` is the merchant's secret key for this
    environment. The timestamp may be at most ``tolerance`` seconds away from
    ``now`` (default: the current time), in the past or the future. A body longer
    than ``max_body_bytes`` (default :data:`DEFAULT_MAX_BODY_BYTES`, 1 MiB) is refused
    before anything else is done with it.

    The signature is compared in constant time. A body is parsed only once its signature
    fits, so a forged one costs one HMAC over at most ``max_body_bytes``. Whatever the body
    holds (invalid UTF-8, deep nesting, NaN, huge numbers, wrong types), the only error is
    :class:`WebhookVerificationError`. Error messages never contain the secret key or the
    expected signature.
    """
    if not isinstance(raw_body, bytes | bytearray | memoryview):
        raise TypeError(_body_type_message(raw_body))
    if not hasattr(headers, "items"):
        raise TypeError(
            f"headers must be a mapping of header names to values (a dict, the request's "
            f"headers object or a WSGI environ), not {type(headers).__name__}"
        )
    secret = validate_credential(secret_key, argument="secret_key", variable=ENV_SECRET_KEY)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise ValueError(f"tolerance must be a whole number of seconds >= 0, not {tolerance!r}")
    if (
        isinstance(max_body_bytes, bool)
        or not isinstance(max_body_bytes, int)
        or max_body_bytes < 1
    ):
        raise ValueError(
            f"max_body_bytes must be a whole number of bytes >= 1, not {max_body_bytes!r} "
            f"(the default is {DEFAULT_MAX_BODY_BYTES})"
        )
    size = raw_body.nbytes if isinstance(raw_body, memoryview) else len(raw_body)
    if size > max_body_bytes:
        raise WebhookVerificationError(
            f"webhook body is {size} bytes, more than max_body_bytes ({max_body_bytes}): "
            "do not act on it; KwikPaisa's events are far smaller, so this one was not sent "
            "by KwikPaisa (if it was, raise max_body_bytes)",
            reason="too_large",
        )
    body = bytes(raw_body)

    timestamp_text = (_header(headers, HEADER_TIMESTAMP) or "").strip()
    signature = (_header(headers, HEADER_SIGNATURE) or "").strip()
    missing = [
        name
        for name, value in ((HEADER_TIMESTAMP, timestamp_text), (HEADER_SIGNATURE, signature))
        if not value
    ]
    if missing:
        named = " and ".join(missing)
        raise WebhookVerificationError(
            f"webhook is missing the {named} header{'s' if len(missing) > 1 else ''}: it was "
            "not sent by KwikPaisa, or a proxy in front of this receiver dropped "
            f"{'them' if len(missing) > 1 else 'it'}; pass all request headers",
            reason="missing_header",
        )
    timestamp = _parse_timestamp(timestamp_text)
    _check_signature(body, timestamp_text, signature, secret)
    _check_freshness(timestamp, time.time() if now is None else now, tolerance)
    return _parse_event(body, timestamp)


def _body_type_message(raw_body: object) -> str:
    kind = type(raw_body).__name__
    if isinstance(raw_body, str):
        return (
            "raw_body must be the raw request body as bytes, not str: decoding and "
            "re-encoding can change the bytes that were signed; pass request.get_data() "
            "(Flask), await request.body() (Starlette/FastAPI), request.body (Django) or "
            "the bytes read from wsgi.input"
        )
    if isinstance(raw_body, dict | list):
        return (
            f"raw_body must be the raw request body as bytes, not parsed JSON ({kind}): "
            "re-serialising JSON changes the bytes that were signed; pass the body as "
            "received, before json.loads"
        )
    return f"raw_body must be the raw request body as bytes, not {kind}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """One header's value; names match case-insensitively, WSGI environ keys too."""
    wanted = name.lower()
    values: set[str] = set()
    for key, value in headers.items():
        if not isinstance(key, str):
            continue
        normalised = key.lower().replace("_", "-")
        if normalised in (wanted, "http-" + wanted):
            values.add(value if isinstance(value, str) else str(value))
    if len(values) > 1:
        # Two different values under spellings of one name: neither can be trusted.
        raise WebhookVerificationError(
            f"webhook has {len(values)} different {name} headers; send exactly one",
            reason="bad_signature" if name == HEADER_SIGNATURE else "bad_timestamp",
        )
    return values.pop() if values else None


def _parse_timestamp(text: str) -> int:
    timestamp = parse_timestamp(text)
    if timestamp is None:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise WebhookVerificationError(
            f"{HEADER_TIMESTAMP} must be UNIX time in whole seconds (digits only), got "
            f"{shown!r}; the webhook was not sent by KwikPaisa or was altered",
            reason="bad_timestamp",
        )
    return timestamp


def _check_signature(body: bytes, timestamp: str, signature: str, secret: str) -> None:
    if len(signature) != _SIGNATURE_LENGTH or not _HEX_DIGITS.issuperset(signature):
        # Not an HMAC-SHA256 in hex at all: refused without hashing the body.
        raise WebhookVerificationError(
            f"{HEADER_SIGNATURE} is not {_SIGNATURE_LENGTH} hexadecimal digits (an HMAC-SHA256 "
            f"in hex; this one has {len(signature)} characters): do not act on this webhook; "
            "it was not signed by KwikPaisa, or something in front of this receiver changed "
            "the header",
            reason="bad_signature",
        )
    # Hex is case-insensitive: the same digest in upper case is the same signature.
    if signature_matches(body, timestamp, signature.lower(), secret):
        return
    hint = (
        "check that the secret key is this environment's (sandbox and production keys "
        "differ) and that the body is passed exactly as received, as bytes"
    )
    if _looks_reserialised(body):
        hint = (
            "the body looks re-serialised (KwikPaisa sends compact UTF-8 JSON; these bytes "
            "have spaces or line breaks between values, or non-ASCII text as \\u escapes): "
            "pass the raw request body, exactly as received, before any JSON parsing"
        )
    raise WebhookVerificationError(
        f"{HEADER_SIGNATURE} does not match the body and {HEADER_TIMESTAMP}: do not act on "
        f"this webhook; {hint}",
        reason="bad_signature",
    )


def _looks_reserialised(body: bytes) -> bool:
    """A hint, never a verdict: whether the start of ``body`` has what JSON re-serialisers
    write and KwikPaisa's compact UTF-8 JSON does not. Looks at a fixed-size window, so it
    costs the same for any body, and never parses."""
    window = body[:_HINT_WINDOW]
    if not window.lstrip().startswith((b"{", b"[")):
        return False
    if any(mark in window for mark in _RESERIALISED_MARKS):
        return True
    position = window.find(b"\\u")
    while position != -1:
        digits = window[position + 2 : position + 6]
        if (
            len(digits) == 4
            and _HEX_DIGITS.issuperset(digits.decode("ascii", "replace"))
            and (int(digits, 16) >= 0x80)
        ):
            return True  # json.dumps' ensure_ascii: KwikPaisa sends such text as UTF-8
        position = window.find(b"\\u", position + 2)
    return False


def _check_freshness(timestamp: int, now: float, tolerance: int) -> None:
    age = now - timestamp
    if age > tolerance:
        raise WebhookVerificationError(
            f"webhook was signed {age:.0f} s ago, beyond the {tolerance} s tolerance: a replay "
            "or a badly delayed delivery, so do not act on it (if this server's clock is "
            "wrong, fix it with NTP)",
            reason="stale",
        )
    if -age > tolerance:
        hint = "check this server's clock (NTP)"
        if timestamp >= MILLISECONDS_FROM:
            hint = f"{HEADER_TIMESTAMP} looks like milliseconds; KwikPaisa sends seconds"
        raise WebhookVerificationError(
            f"webhook timestamp is {-age:.0f} s in the future, beyond the {tolerance} s "
            f"tolerance: do not act on it; {hint}",
            reason="future",
        )


def _parse_event(body: bytes, timestamp: int) -> WebhookEvent:
    try:
        payload = json.loads(
            body.decode("utf-8"),
            parse_int=_bounded_integer,
            parse_float=_finite_number,
            parse_constant=_no_constant,
        )
    except (ValueError, RecursionError) as error:
        # UnicodeDecodeError is a ValueError; deep nesting raises RecursionError.
        problem = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise WebhookVerificationError(
            f"webhook body is correctly signed but is not UTF-8 JSON ({problem}); do not act "
            "on it and report it to KwikPaisa",
            reason="bad_body",
        ) from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError(
            f"webhook body is a JSON {_JSON_TYPES.get(type(payload), 'value')}, expected an "
            "object with 'event' and 'data'; do not act on it",
            reason="bad_body",
        )
    event = payload.get("event")
    data = payload.get("data")
    if not isinstance(event, str) or not event:
        raise WebhookVerificationError(
            "webhook body has no 'event' name (a non-empty string); do not act on it",
            reason="bad_body",
        )
    if not isinstance(data, dict):
        raise WebhookVerificationError(
            f"webhook {event} has no 'data' object; do not act on it", reason="bad_body"
        )
    return WebhookEvent(event=event, data=data, timestamp=timestamp, raw=body)


def _bounded_integer(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise ValueError(f"an integer has more than {_MAX_INTEGER_DIGITS} digits")
    return int(text)


def _finite_number(text: str) -> float:
    number = float(text)
    if number in (math.inf, -math.inf):
        raise ValueError(f"a number is out of range ({text[:20]}...)")
    return number


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")
