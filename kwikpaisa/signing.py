"""Request signing: the canonical payload, the HMAC signature, and the httpx auth.

KwikPaisa signs ``payload + timestamp`` with HMAC-SHA256 under the merchant's
secret key, where *payload* is the JSON body with object keys sorted
recursively, serialised compactly, slashes unescaped and non-ASCII text left as
UTF-8 (JavaScript's ``JSON.stringify`` on the sorted object). The body on the
wire must be exactly the signed bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Generator
from typing import Any

import httpx

from ._constants import HEADER_API_KEY, HEADER_SIGNATURE, HEADER_TIMESTAMP

__all__ = ["SigningAuth", "canonical_payload", "compute_signature", "signing_string"]

CANONICAL_BODY_EXTENSION = "kwikpaisa_canonical_body"
"""Request extension set (to ``True``) by a sender whose body came from
:func:`canonical_payload`: :class:`SigningAuth` then signs it as it is, without
parsing and re-serialising it first."""

_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    sort_keys=True,
    separators=(",", ":"),
)


def canonical_payload(obj: Any) -> bytes:
    """Return the bytes KwikPaisa signs for the JSON value ``obj``.

    Object keys are sorted recursively (arrays keep their order), the output
    is compact, ``/`` is not escaped and non-ASCII text is UTF-8. NaN and
    infinities are rejected with ``ValueError``: JSON has no such numbers.
    """
    return _ENCODER.encode(obj).encode("utf-8")


def signing_string(payload: bytes, timestamp: int | str) -> bytes:
    """Return the exact message that is signed: ``payload`` followed by ``timestamp``."""
    return payload + str(timestamp).encode("ascii")


def compute_signature(payload: bytes, timestamp: int | str, secret_key: str) -> str:
    """Return ``X-SIGNATURE``: lowercase hex HMAC-SHA256 of ``payload + timestamp``."""
    return hmac.new(
        secret_key.encode("utf-8"), signing_string(payload, timestamp), hashlib.sha256
    ).hexdigest()


class SigningAuth(httpx.Auth):
    """Signs every request as KwikPaisa expects; serves sync and async httpx clients.

    It runs on each send, so every attempt of a retried call gets a fresh
    timestamp and signature. It sees the final body: a JSON body that is not
    already canonical (for example one written by the low-level client) is
    replaced by its canonical form before signing, so the bytes sent are always
    exactly the bytes signed (a body marked with :data:`CANONICAL_BODY_EXTENSION`
    is already canonical and is signed as is). Redirects are never followed for
    signed requests.
    """

    requires_request_body = True

    def __init__(self, api_key: str, secret_key: str) -> None:
        self._api_key = api_key
        self._secret_key = secret_key

    def __repr__(self) -> str:
        return "SigningAuth(api_key=..., secret_key=...)"

    def sign(self, request: httpx.Request) -> httpx.Request:
        """Return ``request`` (or a canonical-body copy of it) with fresh signing headers."""
        body = request.content
        if body and not request.extensions.get(CANONICAL_BODY_EXTENSION):
            canonical = canonical_payload(json.loads(body))
            if canonical != body:
                request = _with_body(request, canonical)
                body = canonical
        timestamp = str(int(time.time()))
        request.headers[HEADER_API_KEY] = self._api_key
        request.headers[HEADER_TIMESTAMP] = timestamp
        request.headers[HEADER_SIGNATURE] = compute_signature(body, timestamp, self._secret_key)
        return request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


def _with_body(request: httpx.Request, body: bytes) -> httpx.Request:
    headers = httpx.Headers(request.headers)
    headers.pop("Content-Length", None)
    return httpx.Request(
        request.method, request.url, headers=headers, content=body, extensions=request.extensions
    )
