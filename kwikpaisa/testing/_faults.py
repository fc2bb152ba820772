"""Faults the emulator can inject, to test how a client copes with a bad day."""

from __future__ import annotations

import enum
import json
from typing import Any

import attrs

__all__ = ["Fault", "FaultKind"]


class FaultKind(enum.StrEnum):
    STATUS = "status"  # answer with this status and a KwikPaisa error body (or a given body)
    RESET = "reset"  # break the connection before a complete answer
    HANG = "hang"  # never answer (the client's timeout must fire)
    LATENCY = "latency"  # answer normally, after a delay


@attrs.frozen(kw_only=True)
class Fault:
    """One injected misbehaviour, applied to the next API request(s) (create, status, cancel).

    Build one with the class methods. ``process_first=True`` lets the emulator
    really act on the request (cancel or create the order) before misbehaving, as
    when KwikPaisa acted but the answer was lost: the case where retrying must not
    report a failure.
    """

    kind: FaultKind
    status: int = 200
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = "application/json"
    seconds: float = 0.0
    process_first: bool = False

    @classmethod
    def http_status(
        cls,
        status: int,
        *,
        message: str | None = None,
        retry_after: str | int | None = None,
        process_first: bool = False,
    ) -> Fault:
        """Answer ``status`` with KwikPaisa's error body (and ``Retry-After`` if given)."""
        body = {
            "status": False,
            "code": status,
            "message": message or _REASONS.get(status, "Error."),
        }
        headers = (("Retry-After", str(retry_after)),) if retry_after is not None else ()
        return cls(
            kind=FaultKind.STATUS,
            status=status,
            body=json.dumps(body).encode(),
            headers=headers,
            process_first=process_first,
        )

    @classmethod
    def raw(
        cls,
        status: int,
        body: bytes | str,
        *,
        content_type: str = "application/json",
        process_first: bool = False,
    ) -> Fault:
        """Answer ``status`` with exactly ``body``: HTML pages, truncated or odd JSON."""
        data = body.encode() if isinstance(body, str) else body
        return cls(
            kind=FaultKind.STATUS,
            status=status,
            body=data,
            content_type=content_type,
            process_first=process_first,
        )

    @classmethod
    def html_page(cls, status: int = 502) -> Fault:
        """A proxy's HTML error page instead of JSON."""
        page = f"<!DOCTYPE html><html><body><h1>{status} Bad Gateway</h1></body></html>"
        return cls.raw(status, page, content_type="text/html")

    @classmethod
    def empty(cls, status: int = 200, *, process_first: bool = False) -> Fault:
        """A response with no body at all."""
        return cls.raw(status, b"", process_first=process_first)

    @classmethod
    def truncated_json(cls, status: int = 200, *, process_first: bool = True) -> Fault:
        """A complete HTTP answer whose JSON stops half-way."""
        return cls.raw(status, b'{"code": "200", "status": "succ', process_first=process_first)

    @classmethod
    def wrong_shape(cls, status: int = 200, *, process_first: bool = True) -> Fault:
        """Valid JSON that is not a KwikPaisa body."""
        return cls.raw(status, b'["unexpected", "shape"]', process_first=process_first)

    @classmethod
    def failure_body(cls, code: int, message: str, *, status: int = 200) -> Fault:
        """KwikPaisa's failure body under an HTTP status that claims success."""
        body = {"status": False, "code": code, "message": message}
        return cls.raw(status, json.dumps(body))

    @classmethod
    def huge(cls, size: int = 5 * 1024 * 1024, *, status: int = 200) -> Fault:
        """A body far larger than any real answer."""
        return cls.raw(status, b"[" + b"0," * (size // 2) + b"0]")

    @classmethod
    def redirect(cls, location: str, *, status: int = 302) -> Fault:
        """Answer with a redirect to ``location`` (a signed request must not follow it)."""
        return cls(
            kind=FaultKind.STATUS, status=status, body=b"", headers=(("Location", location),)
        )

    @classmethod
    def reset(cls, *, process_first: bool = False) -> Fault:
        """Start answering, then drop the connection mid-response."""
        return cls(kind=FaultKind.RESET, process_first=process_first)

    @classmethod
    def hang(cls, seconds: float = 60.0, *, process_first: bool = False) -> Fault:
        """Do not answer for ``seconds`` (in-process: raise the read timeout at once)."""
        return cls(kind=FaultKind.HANG, seconds=seconds, process_first=process_first)

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        """Answer normally after ``seconds``."""
        return cls(kind=FaultKind.LATENCY, seconds=seconds)


_REASONS: dict[int, Any] = {
    400: "Invalid payload.",
    401: "Authentication failed.",
    403: "Invalid wallet ID for selected environment.",
    404: "Order not found.",
    409: "Permission denied.",
    422: "Validation failed.",
    429: "Too many requests.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable.",
    504: "Gateway timeout.",
}
