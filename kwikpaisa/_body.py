"""Reading an answer's bytes as JSON without trusting them.

Whatever a peer sends (nesting deep enough to exhaust the parser's recursion, numbers
past Python's digit limit, ``NaN`` and ``Infinity`` literals, ``1e400``, invalid UTF-8,
lone surrogate escapes), :func:`parse_body` returns a value and never raises: parsed
JSON that is safe to print, store and compare, or the body as text when it is not such
JSON (the caller then reports an unreadable answer).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["UnreadableBody", "parse_body"]

# "\ud800"-style escapes: JSON may encode a lone surrogate, which no UTF-8 output can hold.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class UnreadableBody(str):
    """A body that is not usable JSON, as text (invalid UTF-8 replaced by U+FFFD);
    :attr:`reason` says why when it is more than "not JSON"."""

    reason: str | None

    def __new__(cls, text: str, reason: str | None = None) -> UnreadableBody:
        body = super().__new__(cls, text)
        body.reason = reason
        return body


class _Refused(ValueError):
    """Valid JSON syntax that Python cannot hold faithfully."""


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: too large for a float
        raise _Refused("a number too large for a float")
    return value


def _reason(error: Exception) -> str | None:
    if isinstance(error, RecursionError):
        return "JSON nested too deeply to read"
    if isinstance(error, UnicodeDecodeError):
        return "not valid UTF-8"
    if isinstance(error, _Refused):
        return str(error)
    if "digits" in str(error):  # Python's limit on integer digits
        return "an integer with too many digits"
    return None


# One decoder, built once (json.loads with hooks builds a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)


def parse_body(content: bytes) -> Any:
    """Return the body as JSON when it is usable JSON, else as text (``None`` when empty).

    Not usable, so returned as text: invalid JSON or UTF-8, ``NaN``/``Infinity``,
    numbers too large for a float or past Python's integer digit limit, and nesting
    deeper than the parser's recursion limit. Lone surrogates (``"\\ud800"``) are
    replaced by U+FFFD, so every string can be encoded as UTF-8.
    """
    if not content:
        return None
    try:
        parsed = _DECODER.decode(content.decode(_encoding(content)))
    except (ValueError, RecursionError) as error:  # RecursionError: nesting, not ValueError
        return UnreadableBody(content.decode("utf-8", errors="replace"), _reason(error))
    if _SURROGATE_ESCAPE.search(content):
        parsed = _replace_lone_surrogates(parsed)
    return parsed


def _encoding(content: bytes) -> str:
    """The encoding ``json.loads`` would detect (UTF-8 without looking, for the usual body)."""
    if content[:1] in (b"{", b"[") and content[1:2] != b"\x00":
        return "utf-8"
    return json.detect_encoding(content)


def _clean(text: str) -> str:
    # Valid pairs were joined by the parser; what is left alone becomes U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _replace_lone_surrogates(value: Any) -> Any:
    """``value`` with U+FFFD for each lone surrogate in its strings and keys (iterative:
    the parsed nesting may already be near the recursion limit)."""
    if isinstance(value, str):
        return _clean(value)
    stack: list[Any] = [value]
    while stack:
        container = stack.pop()
        if isinstance(container, list):
            for index, item in enumerate(container):
                if isinstance(item, str):
                    container[index] = _clean(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = _clean(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
                container[_clean(key)] = item
    return value
