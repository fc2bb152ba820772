"""Signed webhooks for tests: build one as KwikPaisa would, and POST it to a receiver.

Each delivery can be spoiled on purpose so a test proves the receiver refuses it:
``tamper`` changes the body after signing, ``age`` back-dates the timestamp (a
replay), ``secret_key`` signs with a key the receiver does not have.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from .._constants import HEADER_SIGNATURE, HEADER_TIMESTAMP
from ..signing import canonical_payload, compute_signature

__all__ = ["SignedWebhook", "deliver_webhook", "deliver_webhook_async", "sign_webhook"]

# Seconds a receiver has to answer a delivery.
_TIMEOUT = 10.0

Tamper = bool | Callable[[bytes], bytes]
"""``True`` for a realistic change (a lower amount), or a function from the signed body
to the body that is sent instead."""


@attrs.frozen
class SignedWebhook:
    """A webhook ready to send: the body and headers exactly as they go on the wire."""

    body: bytes
    """The body that is sent (equal to the signed payload unless tampered with)."""
    headers: dict[str, str]
    """``Content-Type``, ``User-Agent``, ``X-TIMESTAMP`` and ``X-SIGNATURE``."""
    timestamp: int
    """The UNIX time in ``X-TIMESTAMP``."""


def sign_webhook(
    event: str,
    data: Mapping[str, Any],
    *,
    secret_key: str,
    timestamp: int | None = None,
    age: float = 0,
    now: float | None = None,
    tamper: Tamper = False,
) -> SignedWebhook:
    """Build the webhook KwikPaisa would send for ``event`` with ``data``.

    The body is the canonical JSON of ``{"event": event, "data": data}``, signed
    with ``secret_key`` at ``timestamp`` (default: ``now`` minus ``age`` seconds;
    ``now`` defaults to the current time). With ``tamper`` the body is changed
    after signing, so the signature no longer fits it.
    """
    if timestamp is None:
        timestamp = int((time.time() if now is None else now) - age)
    body = canonical_payload({"event": event, "data": dict(data)})
    signature = compute_signature(body, timestamp, secret_key)
    if tamper is True:
        body = _lower_the_amount(body)
    elif callable(tamper):
        body = tamper(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "KwikPaisaEmulator-Webhooks",
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature,
    }
    return SignedWebhook(body=body, headers=headers, timestamp=timestamp)


def deliver_webhook(
    url: str,
    event: str,
    data: Mapping[str, Any],
    *,
    secret_key: str,
    timestamp: int | None = None,
    age: float = 0,
    now: float | None = None,
    tamper: Tamper = False,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Response:
    """POST a signed webhook to ``url`` and return the receiver's response.

    Options as :func:`sign_webhook`. ``transport`` delivers without a socket (for
    example ``httpx.WSGITransport(app=app)``); the request sent is ``response.request``.
    """
    signed = sign_webhook(
        event, data, secret_key=secret_key, timestamp=timestamp, age=age, now=now, tamper=tamper
    )
    with httpx.Client(transport=transport, timeout=_TIMEOUT, follow_redirects=False) as client:
        return client.post(url, content=signed.body, headers=signed.headers)


async def deliver_webhook_async(
    url: str,
    event: str,
    data: Mapping[str, Any],
    *,
    secret_key: str,
    timestamp: int | None = None,
    age: float = 0,
    now: float | None = None,
    tamper: Tamper = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.Response:
    """:func:`deliver_webhook` for asyncio (``transport=httpx.ASGITransport(app=app)``
    delivers straight to an ASGI app)."""
    signed = sign_webhook(
        event, data, secret_key=secret_key, timestamp=timestamp, age=age, now=now, tamper=tamper
    )
    async with httpx.AsyncClient(
        transport=transport, timeout=_TIMEOUT, follow_redirects=False
    ) as client:
        return await client.post(url, content=signed.body, headers=signed.headers)


def _lower_the_amount(body: bytes) -> bytes:
    """What an attacker would change: the amount (or, without one, the status)."""
    payload = json.loads(body)
    data = payload["data"]
    if "amount" in data:
        data["amount"] = "1.00" if data["amount"] != "1.00" else "0.01"
    else:
        data["status"] = "PAID" if data.get("status") != "PAID" else "FAILED"
    return canonical_payload(payload)
