"""The SDK's exceptions: one hierarchy, rooted at :class:`KwikPaisaError`.

::

    KwikPaisaError
    ├── ConfigurationError          bad or missing settings, found before any request
    ├── EventLoopError              an AsyncKwikPaisa used from a second event loop
    ├── WebhookVerificationError    a webhook that must not be trusted
    ├── APIConnectionError          no usable HTTP response (network, TLS, redirect)
    │   └── APITimeoutError
    └── APIError                    KwikPaisa answered with an error
        ├── BadRequestError             400
        ├── AuthenticationError         401
        ├── PermissionDeniedError       403
        ├── NotFoundError               404
        │   ├── OrderNotFoundError          from an order operation
        │   └── EndpointNotFoundError       not KwikPaisa's answer: check base_url
        ├── ConflictError               409
        │   ├── OrderNotCancellableError    from orders.cancel
        │   └── OrderExistsError            from orders.create
        ├── UnprocessableEntityError    422
        ├── RateLimitError              429
        └── ServerError                 5xx

Classes are named by what HTTP said; an order operation raises the refinement
(``kp.post`` raises the plain class). Branch on the class, or on
:attr:`APIError.status_code`; the message is for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from ._models import Order

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EndpointNotFoundError",
    "EventLoopError",
    "KwikPaisaError",
    "NotFoundError",
    "OrderExistsError",
    "OrderNotCancellableError",
    "OrderNotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "error_class_for_status",
    "refinement",
]


class KwikPaisaError(Exception):
    """Base class of every exception this SDK raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message: str = message
        """A sentence saying what went wrong and what to do about it."""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(KwikPaisaError, ValueError):
    """The client's settings are missing or unusable; raised before any request is sent."""


class EventLoopError(KwikPaisaError, RuntimeError):
    """An :class:`~kwikpaisa.AsyncKwikPaisa` was called from an event loop other than the
    one it was first used in: its connections belong to that loop. Use one client per
    event loop. Raised before any request is sent."""


class WebhookVerificationError(KwikPaisaError):
    """A webhook failed verification (signature, timestamp or body); do not act on it."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason: str = reason
        """Machine-readable cause: ``too_large``, ``missing_header``, ``bad_timestamp``,
        ``stale``, ``future``, ``bad_signature`` or ``bad_body``."""


class APIConnectionError(KwikPaisaError):
    """No usable answer from KwikPaisa: the connection failed, broke, or was redirected.

    If the request was sent, KwikPaisa may have acted on it: the message says so, and
    what a repeat does (create, status and cancel are all safe to repeat: a repeated
    create returns the existing order, a repeated cancel answers "already cancelled").
    """

    def __init__(
        self,
        message: str,
        *,
        order_id: str | int | None = None,
        attempts: int = 1,
        request_url: str | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message)
        self.order_id: str | int | None = order_id
        """The order the call was about, if any."""
        self.attempts: int = attempts
        """How many attempts were made before giving up."""
        self.request_url: str | None = request_url
        """The URL the request was sent to."""
        self.request: httpx.Request | None = request
        """A copy of the request that was sent: its ``X-API-KEY`` holds only the masked key
        (``pk_test_...abcd``), and ``X-SIGNATURE`` is masked in any text form."""


class APITimeoutError(APIConnectionError):
    """KwikPaisa did not answer within the timeout, or the call's ``total_timeout`` ran out."""


class APIError(KwikPaisaError):
    """KwikPaisa answered, and the answer is an error (whatever the HTTP status said)."""

    status_code: int
    """HTTP status of the response (may be 200 when the body reported a failure)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | int | None = None,
        server_message: str | None = None,
        order_id: str | int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        attempts: int = 1,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code: str | int | None = code
        """The ``code`` field of KwikPaisa's error body, as sent (a number or a string)."""
        self.server_message: str | None = server_message
        """The ``message`` field of KwikPaisa's error body, if there was one."""
        self.order_id: str | int | None = order_id
        """The order the call was about."""
        self.body: Any = body
        """The response body: parsed JSON when it was JSON, otherwise the text."""
        self.headers: dict[str, str] = dict(headers or {})
        """The response headers."""
        self.attempts: int = attempts
        """How many attempts were made (retries included)."""
        self.request: httpx.Request | None = request
        """A copy of the request that was sent: its ``X-API-KEY`` holds only the masked key
        (``pk_test_...abcd``), and ``X-SIGNATURE`` is masked in any text form."""
        self.response: httpx.Response | None = response
        """The response, already read and closed (its body is :attr:`body`), or ``None``."""
        self.earlier_attempt_unanswered: bool = False
        """True when an earlier attempt of this call may have reached KwikPaisa without its
        answer arriving: this error may describe that attempt's effect (for example a 409
        for an order the earlier attempt created)."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"order_id={self.order_id!r}, message={self.message!r}, attempts={self.attempts})"
        )


class BadRequestError(APIError):
    """400: KwikPaisa could not read the request (invalid JSON or payload)."""


class AuthenticationError(APIError):
    """401: wrong API key or secret, bad signature, stale timestamp, or missing headers."""

    clock_skew_seconds: float | None = None
    """How far the local clock was from KwikPaisa's (local minus server), when the
    response's ``Date`` header showed more than a minute of difference; else ``None``."""


class PermissionDeniedError(APIError):
    """403: these credentials may not do this (for example, keys of the other environment)."""


class NotFoundError(APIError):
    """404: KwikPaisa has nothing at this path, or no such resource."""


class OrderNotFoundError(NotFoundError):
    """404 from an order operation: KwikPaisa has no order with this id for this merchant."""


class EndpointNotFoundError(NotFoundError):
    """404 without KwikPaisa's error body (an HTML page, a proxy's or framework's "Not
    Found"): nothing that speaks KwikPaisa's API is at that URL, so ``base_url`` is
    almost certainly wrong. Never means that an order does not exist."""


class ConflictError(APIError):
    """409: the request conflicts with the resource's state (KwikPaisa: "duplicate request")."""

    order_status: str | None = None
    """The order's status when KwikPaisa's body names it (``"PAID"``, ``"CANCELLED"``,
    ``"EXPIRED"``), else ``None``."""


class OrderNotCancellableError(ConflictError):
    """409 from ``orders.cancel``: the order exists but cannot be cancelled (paid, already
    cancelled or expired); :attr:`order_status` says which, when KwikPaisa said."""


class OrderExistsError(ConflictError):
    """409 from ``orders.create``: an order with this ``order_id`` already exists with a
    different amount or currency, or it could not be read back to compare (the message
    says which). One with the same amount and currency is returned, not raised."""

    existing: Order | None = None
    """The order KwikPaisa holds under this id, as its status API reported it (``None``
    when it could not be read back)."""


class UnprocessableEntityError(APIError):
    """422: the request was read but failed validation or a business rule."""


class RateLimitError(APIError):
    """429: too many requests; retried automatically, honouring ``Retry-After``."""


class ServerError(APIError):
    """5xx: KwikPaisa failed or is temporarily unavailable; retried automatically."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[APIError]:
    """Return the exception class that stands for an HTTP error status."""
    if status_code >= 500:
        return ServerError
    return _STATUS_ERRORS.get(status_code, APIError)


_REFINEMENTS: dict[str, type[APIError]] = {
    cls.__name__: cls
    for cls in (
        *_STATUS_ERRORS.values(),
        ServerError,
        OrderNotFoundError,
        OrderNotCancellableError,
        OrderExistsError,
    )
}


def refinement(name: str) -> type[APIError]:
    """The error class an operation's ``x-kwikpaisa.errors`` names (``"OrderNotFoundError"``)."""
    try:
        return _REFINEMENTS[name]
    except KeyError:
        raise ValueError(
            f"openapi.overlay.yaml names the error class {name!r}, which kwikpaisa.errors "
            f"does not define; use one of {', '.join(sorted(_REFINEMENTS))}"
        ) from None
