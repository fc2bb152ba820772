"""What the emulator answers: the response record and KwikPaisa's JSON envelopes."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import attrs

from ._faults import FaultKind

__all__ = ["EmulatorResponse", "Headers", "error_answer", "json_answer", "success_answer"]

Headers = tuple[tuple[str, str], ...]


@attrs.frozen
class EmulatorResponse:
    """What the emulator answers: status, headers, body, and how to deliver it."""

    status: int
    headers: Headers
    body: bytes
    action: FaultKind | None = None
    """``RESET`` or ``HANG`` when the answer must not arrive intact; ``LATENCY`` to delay it."""
    delay: float = 0.0


def date_header(clock: Callable[[], float]) -> Headers:
    """``Date`` from the emulator's clock, so clock-skew tests see a shifted server."""
    return (("Date", formatdate(clock(), usegmt=True)),)


def json_answer(
    clock: Callable[[], float], status: int, body: object, extra: Headers = ()
) -> EmulatorResponse:
    """``body`` as JSON under ``status``."""
    headers = (("Content-Type", "application/json"), *date_header(clock), *extra)
    return EmulatorResponse(status, headers, json.dumps(body).encode())


def error_answer(
    clock: Callable[[], float], status: int, message: str, extra: Headers = ()
) -> EmulatorResponse:
    """KwikPaisa's error body: ``{"status": false, "code": N, "message": ...}``."""
    return json_answer(clock, status, {"status": False, "code": status, "message": message}, extra)


def success_answer(
    clock: Callable[[], float], message: str, return_data: dict[str, Any]
) -> EmulatorResponse:
    """KwikPaisa's success envelope (HTTP 200, ``code`` a string, ``status`` "success")."""
    body = {"code": "200", "status": "success", "message": message, "return_data": return_data}
    return json_answer(clock, 200, body)


def html_answer(
    clock: Callable[[], float], status: int, page: str, extra: Headers = ()
) -> EmulatorResponse:
    """A server-rendered HTML page."""
    headers = (
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        *date_header(clock),
        *extra,
    )
    return EmulatorResponse(status, headers, page.encode("utf-8"))
