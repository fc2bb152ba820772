"""Reading KwikPaisa's answer to a cancel: a typed result, or the right typed error.

Pure functions of (status, headers, body): no I/O, shared by the sync and async clients.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from ._constants import CLOCK_SKEW_WARNING_SECONDS
from ._models import CancelledOrder, parse_kwikpaisa_datetime
from ._retry import parse_http_date
from .errors import (
    APIError,
    AuthenticationError,
    OrderNotCancellableError,
    error_class_for_status,
)

__all__ = ["Interpretation", "interpret_cancel_response", "parse_body"]

_SNIPPET = 80


def parse_body(content: bytes) -> Any:
    """Return the body as JSON when it is JSON, else as text (``None`` when empty)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def _describe(status_code: int, body: Any) -> str:
    """The ``(HTTP 404: Order not found.)`` part of a message."""
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"].strip():
        detail = body["message"].strip()
    elif body is None:
        detail = "empty body"
    elif isinstance(body, str):
        text = " ".join(body.split())
        if text.lower().startswith(("<!doctype", "<html")):
            detail = "an HTML page instead of JSON"
        else:
            cut = text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")
            detail = f"unreadable body: {cut}"
    else:
        detail = f"a JSON {type(body).__name__} this SDK does not recognise"
    return f"(HTTP {status_code}: {detail})"


def _body_code(body: Any) -> int | None:
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code)
    return None


def _order_status(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for container in (body.get("return_data"), body.get("data"), body):
        if isinstance(container, dict):
            status = container.get("order_status")
            if isinstance(status, str) and status:
                return status.upper()
    return None


def _is_success(body: Any) -> bool:
    return isinstance(body, dict) and str(body.get("status")).lower() == "success"


def _is_failure(body: Any) -> bool:
    return isinstance(body, dict) and (
        body.get("status") is False
        or str(body.get("status")).lower() in ("false", "failed", "error")
    )


def _clock_skew(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    date = headers.get("date")
    server = parse_http_date(date) if date else None
    if server is None:
        return None
    skew = now() - server
    return skew if abs(skew) > CLOCK_SKEW_WARNING_SECONDS else None


_TEMPLATES: dict[int, str] = {
    400: "KwikPaisa could not read the cancel request for order {oid} {detail}; "
    "check the order id's type and value",
    401: "KwikPaisa rejected the request's authentication {detail}; check that the API key "
    "and secret key are a matching pair for this environment",
    403: "KwikPaisa denied access for order {oid} {detail}; sandbox and production keys "
    "differ: check the keys belong to this environment",
    404: "KwikPaisa has no order {oid} {detail}",
    409: "Order {oid} cannot be cancelled: {why} {detail}",
    422: "KwikPaisa refused the cancel request for order {oid} {detail}",
    429: "KwikPaisa is rate limiting requests {detail}; slow down, or allow more retries",
}
_WHY_NOT_CANCELLABLE = {
    "PAID": "it is already paid",
    "CANCELLED": "it is already cancelled",
    "EXPIRED": "it has expired",
    "": "it is already paid, cancelled or expired",
}
_SERVER_TEMPLATE = (
    "KwikPaisa failed to process the cancel of order {oid} {detail}; it may or may not be "
    "cancelled: repeat the call later (a repeat answers 'already cancelled' if it was)"
)
_OTHER_TEMPLATE = "KwikPaisa answered the cancel of order {oid} with an error {detail}"
_FAILURE_WITHOUT_CODE = "KwikPaisa reported that the cancel of order {oid} failed {detail}"
_UNRECOGNISED_SUCCESS = (
    "KwikPaisa answered the cancel of order {oid} without a readable result {detail}; "
    "the order may have been cancelled: repeat the call to confirm"
)


class Interpretation:
    """What one response means: a result, or an error plus whether to retry it."""

    __slots__ = ("answer_lost", "error", "result", "retry_after", "status")

    def __init__(
        self,
        *,
        result: CancelledOrder | None = None,
        error: APIError | None = None,
        status: int = 200,
        retry_after: str | None = None,
        answer_lost: bool = False,
    ) -> None:
        self.result = result
        self.error = error
        self.status = status
        """The status that decides retrying: the HTTP status, or the failure code in a
        failure body sent under HTTP 200."""
        self.retry_after = retry_after
        self.answer_lost = answer_lost
        """True for a 2xx without a readable result (empty, truncated, HTML, wrong
        shape): KwikPaisa may have acted, so the call is retried like a lost answer."""


def interpret_cancel_response(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    order_id: str | int,
    attempts: int,
    now: Callable[[], float] = time.time,
) -> Interpretation:
    """Turn one HTTP answer to a cancel into a :class:`CancelledOrder` or an ``APIError``.

    The body is trusted over the status line: a failure body under HTTP 200 is an
    error, and a 2xx without a success body is not a success.
    """
    body = parse_body(content)
    if 200 <= status_code < 300 and _is_success(body):
        data = body.get("return_data")
        data = data if isinstance(data, dict) else {}
        returned_id = data.get("order_id")
        message = body.get("message")
        return Interpretation(
            result=CancelledOrder(
                order_id=returned_id if isinstance(returned_id, str | int) else order_id,
                status=str(data.get("order_status") or "CANCELLED"),
                cancelled_at=parse_kwikpaisa_datetime(data.get("cancelled_at")),
                message=message if isinstance(message, str) else None,
                raw=body,
                attempts=attempts,
            )
        )

    effective = status_code
    if 200 <= status_code < 300:
        code = _body_code(body)
        if _is_failure(body) and code is not None and code >= 400:
            effective = code
            template = _TEMPLATES.get(code, _SERVER_TEMPLATE if code >= 500 else _OTHER_TEMPLATE)
        elif _is_failure(body):
            template = _FAILURE_WITHOUT_CODE
        else:
            template = _UNRECOGNISED_SUCCESS
    elif status_code >= 500:
        template = _SERVER_TEMPLATE
    else:
        template = _TEMPLATES.get(status_code, _OTHER_TEMPLATE)

    server_message = body.get("message") if isinstance(body, dict) else None
    order_status = _order_status(body) or _status_from_message(server_message)
    message = template.format(
        oid=repr(order_id),
        detail=_describe(status_code, body),
        why=_WHY_NOT_CANCELLABLE.get(order_status or "", _WHY_NOT_CANCELLABLE[""]),
    )
    cls = error_class_for_status(effective) if effective >= 400 else APIError
    skew = _clock_skew(headers, now) if cls is AuthenticationError else None
    if skew is not None:
        direction = "ahead of" if skew > 0 else "behind"
        message += (
            f". Your clock is {abs(skew):.0f} s {direction} KwikPaisa's: signed timestamps "
            "that far off are rejected, so synchronise the clock (NTP)"
        )
    if attempts > 1:
        message += f" (after {attempts} attempts)"
    error = cls(
        message,
        status_code=status_code,
        code=body.get("code") if isinstance(body, dict) else None,
        server_message=server_message if isinstance(server_message, str) else None,
        order_id=order_id,
        body=body,
        headers=headers,
        attempts=attempts,
    )
    if isinstance(error, AuthenticationError):
        error.clock_skew_seconds = skew
    if isinstance(error, OrderNotCancellableError):
        error.order_status = order_status
    return Interpretation(
        error=error,
        status=effective,
        retry_after=headers.get("retry-after"),
        answer_lost=template is _UNRECOGNISED_SUCCESS,
    )


_STATUS_WORDS = (
    (re.compile(r"\bCANCELL?ED\b|\b(?i:already (?:been )?cancell?ed)\b"), "CANCELLED"),
    (re.compile(r"\bPAID\b|\b(?i:already paid|is paid)\b"), "PAID"),
    (re.compile(r"\bEXPIRED\b|\b(?i:expired)\b"), "EXPIRED"),
)


def _status_from_message(message: object) -> str | None:
    """Best effort: the order status a 409 message names ("Order already cancelled.")."""
    if not isinstance(message, str):
        return None
    for pattern, status in _STATUS_WORDS:
        if pattern.search(message):
            return status
    return None
