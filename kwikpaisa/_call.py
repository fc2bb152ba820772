"""One cancel call across its attempts: the decisions, with no I/O.

The sync and async clients run the same loop shape around this object: send,
hand the outcome here, then return, raise or sleep and go again.
"""

from __future__ import annotations

import ssl

import httpx

from ._logging import logger
from ._models import CancelledOrder
from ._response import interpret_cancel_response
from ._retry import calculate_retry_delay, parse_retry_after, should_retry_status
from .errors import (
    APIConnectionError,
    APITimeoutError,
    KwikPaisaError,
    OrderNotCancellableError,
)

__all__ = ["CancelCall", "Step"]


def _certificate_rejected(exc: BaseException) -> bool:
    """True when a connection failed because the server's certificate did not verify."""
    cause: BaseException | None = exc
    for _ in range(8):
        if cause is None:
            return False
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


class Step:
    """What to do after an attempt: return ``result``, raise ``error``, or wait ``delay`` s."""

    __slots__ = ("delay", "error", "pause_all", "result")

    def __init__(
        self,
        *,
        result: CancelledOrder | None = None,
        error: KwikPaisaError | None = None,
        delay: float | None = None,
        pause_all: float | None = None,
    ) -> None:
        self.result = result
        self.error = error
        self.delay = delay
        self.pause_all = pause_all
        """Seconds KwikPaisa asked every caller to hold off (a 429, or ``Retry-After``),
        whether or not this call retries; a batch pauses all its tasks for that long."""


class CancelCall:
    """Tracks one cancel call: attempts made, and whether KwikPaisa may already have acted."""

    __slots__ = ("attempts", "max_retries", "may_have_reached", "order_id", "url")

    def __init__(self, order_id: str | int, *, max_retries: int, url: str | None = None) -> None:
        self.order_id = order_id
        self.max_retries = max_retries
        self.url = url
        """Where the cancel is sent (named by connection errors)."""
        self.attempts = 0
        self.may_have_reached = False
        """True once an attempt may have been processed by KwikPaisa without us
        learning the outcome (a timeout after sending, a broken connection, a 5xx)."""

    def start_attempt(self) -> int:
        self.attempts += 1
        return self.attempts

    def _retry_or(
        self, error: KwikPaisaError, retry_after: float | None = None, *, rate_limited: bool = False
    ) -> Step:
        delay = calculate_retry_delay(self.attempts, retry_after)
        pause_all = delay if rate_limited or retry_after is not None else None
        if self.attempts <= self.max_retries:
            logger.info(
                "Retrying the cancel of order %r in %.2f s; attempt %d of %d failed: %s",
                self.order_id,
                delay,
                self.attempts,
                self.max_retries + 1,
                error.message,
            )
            return Step(delay=delay, pause_all=pause_all)
        return Step(error=error, pause_all=pause_all)

    def on_response(self, status_code: int, headers: httpx.Headers, content: bytes) -> Step:
        """Decide what a complete HTTP answer means."""
        outcome = interpret_cancel_response(
            status_code, headers, content, order_id=self.order_id, attempts=self.attempts
        )
        if outcome.result is not None:
            return Step(result=outcome.result)
        error = outcome.error
        assert error is not None
        if (
            isinstance(error, OrderNotCancellableError)
            and self.may_have_reached
            and error.order_status == "CANCELLED"
        ):
            # An earlier attempt cancelled it; this retry only saw the result.
            return Step(result=self._already_cancelled(error))
        if (
            isinstance(error, OrderNotCancellableError)
            and self.may_have_reached
            and error.order_status is None
        ):
            # KwikPaisa did not say why: the lost earlier attempt may be the reason.
            error.message += (
                "; an earlier attempt of this call may have cancelled it: check the order's status"
            )
            error.args = (error.message,)
        if outcome.answer_lost:
            self.may_have_reached = True
            return self._retry_or(error)
        if should_retry_status(outcome.status):
            if outcome.status != 429:
                self.may_have_reached = True
            wait = parse_retry_after(outcome.retry_after, date=headers.get("date"))
            return self._retry_or(error, wait, rate_limited=outcome.status == 429)
        return Step(error=error)

    def on_redirect(self, status_code: int, location: str | None) -> Step:
        """A 3xx: never followed for a signed request, never retried."""
        target = location or "(no Location header)"
        return Step(
            error=self._connection_error(
                f"KwikPaisa answered the cancel of order {self.order_id!r} with a redirect "
                f"(HTTP {status_code}) to {target}; signed requests are not redirected: "
                "check base_url (it must be the API's https:// address)"
            )
        )

    def on_too_large(self, limit: int) -> Step:
        """A response body over ``limit`` bytes: not read, not trusted."""
        self.may_have_reached = True
        return self._retry_or(
            self._connection_error(
                f"KwikPaisa's answer to the cancel of order {self.order_id!r} was larger than "
                f"{limit} bytes and was not read; the order may have been cancelled: "
                "repeat the call to confirm"
            )
        )

    def on_transport_error(self, exc: httpx.RequestError) -> Step:
        """Decide what a failed exchange (no complete HTTP answer) means."""
        sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if sent:
            self.may_have_reached = True
        at = f" at {self.url}" if self.url else ""
        if _certificate_rejected(exc):
            # Not retried: an untrusted certificate does not fix itself.
            return Step(
                error=self._connection_error(
                    f"Could not connect to KwikPaisa{at} to cancel order {self.order_id!r}: "
                    f"the server's TLS certificate is not trusted ({exc}); check base_url, or "
                    "pass verify=ssl_context with the CA that signed it"
                )
            )
        if isinstance(exc, httpx.TimeoutException):
            phase = "connecting" if not sent else "waiting for the answer"
            advice = (
                "the order may have been cancelled: repeat the call to confirm"
                if sent
                else "check the network, or raise timeout="
            )
            if isinstance(exc, httpx.PoolTimeout):
                phase = "waiting for a free connection in the pool"
                advice = "too many calls share this client at once: run fewer, or raise timeout="
            return self._retry_or(
                self._connection_error(
                    f"Timed out {phase} to cancel order {self.order_id!r}{at}; {advice}",
                    cls=APITimeoutError,
                )
            )
        reason = str(exc) or type(exc).__name__
        if sent:
            what = "The connection to KwikPaisa broke"
            advice = "the order may have been cancelled: repeat the call to confirm"
        else:
            what = "Could not connect to KwikPaisa"
            advice = "check the network and base_url"
        return self._retry_or(
            self._connection_error(
                f"{what}{at} to cancel order {self.order_id!r} ({reason}); {advice}"
            )
        )

    def _connection_error(
        self, message: str, *, cls: type[APIConnectionError] = APIConnectionError
    ) -> APIConnectionError:
        """An error for this call with no usable answer, naming the attempts it took."""
        return cls(
            message + self._after(),
            order_id=self.order_id,
            attempts=self.attempts,
            request_url=self.url,
        )

    def _after(self) -> str:
        return f" (after {self.attempts} attempts)" if self.attempts > 1 else ""

    def _already_cancelled(self, error: OrderNotCancellableError) -> CancelledOrder:
        body = error.body if isinstance(error.body, dict) else {}
        return CancelledOrder(
            order_id=self.order_id,
            status="CANCELLED",
            cancelled_at=None,
            message=error.server_message,
            raw=body,
            already_cancelled=True,
            attempts=self.attempts,
        )
