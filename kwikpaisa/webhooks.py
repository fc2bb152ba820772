"""Verify the webhooks KwikPaisa sends before acting on them.

KwikPaisa POSTs JSON events (``payment.success``, ``payout.failed``, ...) with
``X-TIMESTAMP`` and ``X-SIGNATURE`` headers, signed like API requests:
lowercase hex HMAC-SHA256 of ``body + timestamp`` under the merchant's secret
key. :func:`verify` checks the signature over the raw body exactly as received,
refuses timestamps outside a tolerance (replays, delayed deliveries, wrong
clocks) and returns a :class:`WebhookEvent`; anything else raises
:class:`WebhookVerificationError`, whose ``reason`` says why::

    from kwikpaisa.webhooks import WebhookVerificationError, verify

    try:
        event = verify(raw_body, request_headers, secret_key)
    except WebhookVerificationError:
        ...  # answer 400 and do nothing
"""

from __future__ import annotations

import json
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
)
from ._validation import validate_credential
from .errors import WebhookVerificationError as WebhookVerificationError
from .signing import canonical_payload, parse_timestamp, signature_matches

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "WebhookEvent",
    "WebhookVerificationError",
    "verify",
]

DEFAULT_TOLERANCE = TIMESTAMP_TOLERANCE
"""Seconds a webhook's timestamp may differ from the receiver's clock (either way)."""

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


def verify(
    raw_body: bytes,
    headers: Mapping[str, str],
    secret_key: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Verify one webhook and return its event, or raise :class:`WebhookVerificationError`.

    ``raw_body`` is the request body exactly as received (bytes, before any JSON
    parsing). ``headers`` is any mapping of the request's headers; names are
    matched case-insensitively, and a WSGI ``environ`` works too
    (``HTTP_X_SIGNATURE``). ``secret_key`` is the merchant's secret key for this
    environment. The timestamp may be at most ``tolerance`` seconds away from
    ``now`` (default: the current time), in the past or the future.

    The signature is compared in constant time. Error messages never contain the
    secret key or the expected signature.
    """
    if not isinstance(raw_body, bytes | bytearray | memoryview):
        raise TypeError(_body_type_message(raw_body))
    body = bytes(raw_body)
    if not hasattr(headers, "items"):
        raise TypeError(
            f"headers must be a mapping of header names to values (a dict, the request's "
            f"headers object or a WSGI environ), not {type(headers).__name__}"
        )
    secret = validate_credential(secret_key, argument="secret_key", variable=ENV_SECRET_KEY)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
        raise ValueError(f"tolerance must be a whole number of seconds >= 0, not {tolerance!r}")

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
    # Hex is case-insensitive: the same digest in upper case is the same signature.
    signature = signature.lower()
    if signature_matches(body, timestamp, signature, secret):
        return
    hint = (
        "check that the secret key is this environment's (sandbox and production keys "
        "differ) and that the body is passed exactly as received, as bytes"
    )
    if _signature_fits_reserialised_body(body, timestamp, signature, secret):
        hint = (
            "the signature fits the canonical form of this JSON but not these bytes: "
            "something re-serialised the body before verify(); pass the raw request body"
        )
    raise WebhookVerificationError(
        f"{HEADER_SIGNATURE} does not match the body and {HEADER_TIMESTAMP}: do not act on "
        f"this webhook; {hint}",
        reason="bad_signature",
    )


def _signature_fits_reserialised_body(
    body: bytes, timestamp: str, signature: str, secret: str
) -> bool:
    try:
        canonical = canonical_payload(json.loads(body))
    except ValueError:
        return False
    if canonical == body:
        return False
    return signature_matches(canonical, timestamp, signature, secret)


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
        payload = json.loads(body)
    except ValueError as error:
        raise WebhookVerificationError(
            f"webhook body is correctly signed but is not UTF-8 JSON ({error}); do not act on "
            "it and report it to KwikPaisa",
            reason="bad_body",
        ) from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError(
            f"webhook body is a JSON {type(payload).__name__}, expected an object with "
            "'event' and 'data'; do not act on it",
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
