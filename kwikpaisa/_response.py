"""Reading KwikPaisa's answer: the operation's typed result, or the right typed error.

Pure functions of (status, headers, body): no I/O, shared by the sync and async clients
and by every operation (each brings its wording, error refinements and result reader).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._body import UnreadableBody, parse_body
from ._constants import CLOCK_SKEW_WARNING_SECONDS
from ._fields import UnusableField
from ._retry import parse_http_date
from .errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    EndpointNotFoundError,
    error_class_for_status,
)

if TYPE_CHECKING:
    from ._operation import CallState, Wording

__all__ = ["Interpretation", "interpret_response"]

R = TypeVar("R")

_SNIPPET = 80


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
            why = f" ({body.reason})" if isinstance(body, UnreadableBody) and body.reason else ""
            detail = f"unreadable body{why}: {cut}"
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


def _is_kwikpaisa_error(body: Any) -> bool:
    """True for KwikPaisa's error body (``{"status": false, "code": 404, "message": ...}``);
    a web server's or proxy's own 404 page has neither ``status`` nor ``code``."""
    return _is_failure(body) or _body_code(body) is not None


def _clock_skew(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    date = headers.get("date")
    server = parse_http_date(date) if date else None
    if server is None:
        return None
    skew = now() - server
    return skew if abs(skew) > CLOCK_SKEW_WARNING_SECONDS else None


_TEMPLATES: dict[int, str] = {
    400: "KwikPaisa could not read {the_request} {detail}; {bad_request_advice}",
    401: "KwikPaisa rejected the request's authentication {detail}; check that the API key "
    "and secret key are a matching pair for this environment",
    403: "KwikPaisa denied access for {subject} {detail}; sandbox and production keys "
    "differ: check the keys belong to this environment",
    422: "KwikPaisa refused {the_request} {detail}",
    429: "KwikPaisa is rate limiting requests {detail}; slow down, or allow more retries",
}
_NOTHING_THERE = (
    "Nothing answered {the_call} at {url} as KwikPaisa does {detail}: the server there has "
    "no such path (a 404 without KwikPaisa's error body), so no KwikPaisa API is at that "
    "address; check base_url: it is KwikPaisa's address, such as "
    "https://sandbox.kwikpaisa.com, to which the SDK adds /api/v3/pg/order/..."
)
_SERVER_TEMPLATE = "KwikPaisa failed to process {the_call} {detail}; {server_advice}"
_OTHER_TEMPLATE = "KwikPaisa answered {the_call} with an error {detail}"
_FAILURE_WITHOUT_CODE = "KwikPaisa reported that {the_call} failed {detail}"
_UNRECOGNISED_SUCCESS = (
    "KwikPaisa answered {the_call} without a readable result {detail}; {lost_advice}"
)
_UNUSABLE_FIELD = (
    "KwikPaisa answered {the_call} with a result this SDK cannot trust {detail}; {lost_advice}"
)


class Interpretation(Generic[R]):
    """What one response means: a result, or an error plus whether to retry it."""

    __slots__ = ("answer_lost", "error", "result", "retry_after", "status")

    def __init__(
        self,
        *,
        result: R | None = None,
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


def _template(wording: Wording, status: int) -> str:
    if status == 404:
        return wording.not_found
    if status == 409:
        return wording.conflict
    return _TEMPLATES.get(status, _SERVER_TEMPLATE if status >= 500 else _OTHER_TEMPLATE)


def interpret_response(
    call: CallState[R],
    status_code: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    now: Callable[[], float] = time.time,
) -> Interpretation[R]:
    """Turn one HTTP answer into the operation's typed result or an ``APIError``.

    The body is trusted over the status line: a failure body under HTTP 200 is an
    error, and a 2xx without a success body (or one that does not fit the generated
    response model) is not a success.
    """
    operation = call.operation
    body = parse_body(content)
    unusable: UnusableField | None = None
    if 200 <= status_code < 300 and _is_success(body):
        try:
            parsed = call.parse_success(body)
            # A field money or a decision depends on that cannot be trusted is not a
            # result: the answer is unreadable, like one that does not fit the model.
            return Interpretation(result=operation.read(parsed, body, call))
        except UnusableField as problem:
            unusable = problem
        except (TypeError, ValueError, KeyError, AttributeError):
            pass

    wording = operation.wording
    effective = status_code
    if 200 <= status_code < 300:
        code = _body_code(body)
        if _is_failure(body) and code is not None and code >= 400:
            effective = code
            template = _template(wording, code)
        elif _is_failure(body):
            template = _FAILURE_WITHOUT_CODE
        elif unusable is not None:
            template = _UNUSABLE_FIELD
        else:
            template = _UNRECOGNISED_SUCCESS
    elif status_code == 404 and not _is_kwikpaisa_error(body):
        template = _NOTHING_THERE
    else:
        template = _template(wording, status_code)

    server_message = body.get("message") if isinstance(body, dict) else None
    order_status = _order_status(body) or _status_from_message(server_message)
    reasons = wording.conflict_reasons
    message = call.describe(
        template,
        detail=_describe(status_code, body)
        if unusable is None
        else f"(HTTP {status_code}: {unusable})",
        why=reasons.get(order_status or "", reasons.get("", "")),
        url=call.url or "base_url",
    )
    cls = (
        operation.errors.get(effective) or error_class_for_status(effective)
        if effective >= 400
        else APIError
    )
    if template is _NOTHING_THERE:
        cls = EndpointNotFoundError
    skew = _clock_skew(headers, now) if issubclass(cls, AuthenticationError) else None
    if skew is not None:
        direction = "ahead of" if skew > 0 else "behind"
        message += (
            f". Your clock is {abs(skew):.0f} s {direction} KwikPaisa's: signed timestamps "
            "that far off are rejected, so synchronise the clock (NTP)"
        )
    if call.attempts > 1:
        message += f" (after {call.attempts} attempts)"
    request = call.masked_request()
    error = cls(
        message,
        status_code=status_code,
        code=body.get("code") if isinstance(body, dict) else None,
        server_message=server_message if isinstance(server_message, str) else None,
        order_id=call.order_id,
        body=body,
        headers=headers,
        attempts=call.attempts,
        request=request,
        response=httpx.Response(status_code, headers=headers, content=content, request=request)
        if request is not None
        else None,
    )
    if isinstance(error, AuthenticationError):
        error.clock_skew_seconds = skew
    if isinstance(error, ConflictError):
        error.order_status = order_status
    return Interpretation(
        error=error,
        status=effective,
        retry_after=headers.get("retry-after"),
        answer_lost=template in (_UNRECOGNISED_SUCCESS, _UNUSABLE_FIELD),
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
