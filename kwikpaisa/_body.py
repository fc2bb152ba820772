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

__all__ = ["parse_body"]

# "\ud800"-style escapes: JSON may encode a lone surrogate, which no UTF-8 output can hold.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: too large for a float
        raise ValueError(f"{text[:20]} does not fit a float")
    return value


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
    except (ValueError, RecursionError):  # RecursionError: nesting, not a ValueError
        return content.decode("utf-8", errors="replace")
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
