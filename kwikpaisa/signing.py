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
import math
import re
import time
from collections.abc import Callable, Generator
from decimal import Decimal
from typing import Any

import httpx

from ._constants import HEADER_API_KEY, HEADER_SIGNATURE, HEADER_TIMESTAMP, MAX_TIMESTAMP_DIGITS
from ._environment import mask_key

__all__ = [
    "MaskedHeaders",
    "SigningAuth",
    "canonical_payload",
    "compute_signature",
    "masked_request",
    "parse_timestamp",
    "signature_matches",
    "signing_string",
]

CANONICAL_BODY_EXTENSION = "kwikpaisa_canonical_body"
"""Request extension set (to ``True``) by a sender whose body came from
:func:`canonical_payload`: :class:`SigningAuth` then signs it as it is, without
parsing and re-serialising it first."""

_encode_string: Callable[[str], str] = json.encoder.encode_basestring
_MAX_ARRAY_INDEX = 2**32 - 2
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_payload(obj: Any) -> bytes:
    """Return the bytes KwikPaisa signs for the JSON value ``obj``.

    Byte for byte what KwikPaisa's reference implementation produces (JavaScript's
    ``JSON.stringify`` of the object with its keys sorted recursively): compact, ``/``
    not escaped, non-ASCII text as UTF-8, arrays in their order, and

    * object keys in JavaScript's order: keys that are array indexes (``"0"``,
      ``"42"``) first, numerically, then the rest sorted by UTF-16 code units;
    * numbers as JavaScript writes them: ``1.0`` is ``1``, ``1e-07`` is ``1e-7``,
      ``1e20`` is ``100000000000000000000``.

    NaN and infinities raise ``ValueError``: JSON has no such numbers. Object keys
    must be strings; anything not JSON raises ``TypeError``.
    """
    parts: list[str] = []
    _write(obj, parts)
    text = "".join(parts)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _escape_lone_surrogates(text).encode("utf-8")


def _escape_lone_surrogates(text: str) -> str:
    """As JavaScript: a surrogate pair is one character; a lone surrogate becomes ``\\udXXX``."""
    paired = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", paired)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_js_number(value))
    elif isinstance(value, dict):
        keys = sorted(value, key=_js_key_order)
        out.append("{")
        for position, key in enumerate(keys):
            if position:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _js_key_order(key: object) -> tuple[int, int, bytes]:
    """JavaScript's property order for a key-sorted object."""
    if not isinstance(key, str):
        raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
    if key.isascii() and key.isdigit() and (key == "0" or key[0] != "0"):
        index = int(key)
        if index <= _MAX_ARRAY_INDEX:
            return (0, index, b"")
    return (1, 0, key.encode("utf-16-be", "surrogatepass"))


def _js_number(value: float) -> str:
    """A float as JavaScript's ``Number.prototype.toString`` writes it."""
    if value != value or value in (math.inf, -math.inf):
        raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")
    if value == 0:
        return "0"
    shortest = float.__repr__(value)  # the same shortest round-trip digits JavaScript uses
    mantissa, _, exponent = shortest.partition("e")
    if exponent and not -7 < int(exponent) < 21:
        power = int(exponent)
        return f"{mantissa.removesuffix('.0')}e{'+' if power > 0 else '-'}{abs(power)}"
    plain = format(Decimal(shortest), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def signing_string(payload: bytes, timestamp: int | str) -> bytes:
    """Return the exact message that is signed: ``payload`` followed by ``timestamp``."""
    return payload + str(timestamp).encode("ascii")


def compute_signature(payload: bytes, timestamp: int | str, secret_key: str) -> str:
    """Return ``X-SIGNATURE``: lowercase hex HMAC-SHA256 of ``payload + timestamp``."""
    return hmac.new(
        secret_key.encode("utf-8"), signing_string(payload, timestamp), hashlib.sha256
    ).hexdigest()


def signature_matches(
    payload: bytes, timestamp: int | str, signature: str, secret_key: str
) -> bool:
    """True when ``signature`` is exactly :func:`compute_signature`'s, compared in constant
    time (``signature`` may be any text: it is what a peer sent)."""
    expected = compute_signature(payload, timestamp, secret_key)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


def parse_timestamp(text: str) -> int | None:
    """A signed timestamp (``X-TIMESTAMP``) as an int, or ``None`` unless it is UNIX time
    written as ASCII digits only (at most 18 of them)."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_TIMESTAMP_DIGITS:
        return int(text)
    return None


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


class MaskedHeaders(httpx.Headers):
    """Request headers whose text form (``repr``) masks ``X-SIGNATURE`` and ``X-API-KEY``,
    as httpx masks ``Authorization``. The headers of a request attached to an error
    (see :func:`masked_request`) hold only the masked API key, so their items, values
    and ``raw`` show no more than the ``repr`` does."""

    def __repr__(self) -> str:
        shown = [(name, _masked_value(name, value)) for name, value in self.multi_items()]
        as_dict = dict(shown)
        return f"Headers({as_dict if len(as_dict) == len(shown) else shown!r})"


def _masked_value(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered == HEADER_SIGNATURE.lower():
        return "[masked]"
    if lowered == HEADER_API_KEY.lower():
        return _masked_key(value)
    return value


def _masked_key(api_key: str) -> str:
    """:func:`mask_key` in ASCII, as a header value must be (``pk_test_...abcd``);
    masking a masked key changes nothing."""
    return mask_key(api_key).replace("…", "...")


def masked_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` to attach to an error: method, URL, body and headers, with
    ``X-API-KEY`` replaced by its masked form (``pk_test_...abcd``) and both it and
    ``X-SIGNATURE`` masked in any text form. ``request`` itself (which a retry sends
    again) is left as it is."""
    api_key_header = HEADER_API_KEY.lower().encode("ascii")
    headers = MaskedHeaders(
        [
            (
                name,
                _masked_key(value.decode("latin-1")).encode("ascii", "replace")
                if name.lower() == api_key_header
                else value,
            )
            for name, value in request.headers.raw
        ]
    )
    try:
        content = request.content
    except httpx.RequestNotRead:  # a streamed body: not kept
        content = b""
    copy = httpx.Request(
        request.method, request.url, content=content, extensions=dict(request.extensions)
    )
    copy.headers = headers
    return copy


def _with_body(request: httpx.Request, body: bytes) -> httpx.Request:
    headers = httpx.Headers(request.headers)
    headers.pop("Content-Length", None)
    return httpx.Request(
        request.method, request.url, headers=headers, content=body, extensions=request.extensions
    )
