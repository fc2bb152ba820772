"""One call of any operation across its attempts: the decisions, with no I/O.

The sync and async clients run the same loop shape around this object: send,
hand the outcome here, then return, raise or sleep and go again. What differs
between operations (wording, error classes, whether a lost answer may be
repeated, what a later answer then means) comes from its :class:`Operation`.
"""

from __future__ import annotations

import ssl
from typing import Any, Generic, TypeVar

import httpx

from ._logging import logger
from ._operation import Operation
from ._reasons import exception_reason
from ._response import interpret_response
from ._retry import calculate_retry_delay, parse_retry_after, should_retry_status
from .errors import APIConnectionError, APIError, APITimeoutError, KwikPaisaError
from .signing import masked_request as masked_copy

__all__ = ["Call", "Step", "request_sent"]

R = TypeVar("R")


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


def request_sent(exc: httpx.RequestError) -> bool:
    """False when a failed exchange never handed the request to KwikPaisa (no connection,
    no free connection, or a proxy that refused the tunnel); else it may have acted."""
    return not isinstance(
        exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.ProxyError
    )


class Step(Generic[R]):
    """What to do after an attempt: return ``result``, raise ``error``, or wait ``delay`` s."""

    __slots__ = ("delay", "error", "pause_all", "reason", "result")

    def __init__(
        self,
        *,
        result: R | None = None,
        error: KwikPaisaError | None = None,
        delay: float | None = None,
        pause_all: float | None = None,
        reason: KwikPaisaError | None = None,
    ) -> None:
        self.result = result
        self.error = error
        self.delay = delay
        self.reason = reason
        """With ``delay``: the failure being retried."""
        self.pause_all = pause_all
        """Seconds KwikPaisa asked every caller to hold off (a 429, or ``Retry-After``),
        whether or not this call retries; a batch pauses all its tasks for that long."""


class Call(Generic[R]):
    """Tracks one call: attempts made, and whether KwikPaisa may already have acted."""

    __slots__ = (
        "_subject",
        "attempt_timeout",
        "attempts",
        "deadline",
        "max_retries",
        "may_have_reached",
        "operation",
        "order_id",
        "proxy",
        "request",
        "total_timeout",
        "url",
    )

    def __init__(
        self,
        operation: Operation[R],
        order_id: str | int | None,
        *,
        max_retries: int,
        url: str | None = None,
        subject: str | None = None,
        total_timeout: float | None = None,
        deadline: float | None = None,
        proxy: str | None = None,
    ) -> None:
        self.operation = operation
        self.order_id = order_id
        """The order the call is about (``None`` for ``kp.post``)."""
        self._subject = subject
        self.max_retries = max_retries
        self.url = url
        """Where the request is sent (named by connection errors)."""
        self.proxy = proxy
        """The proxy the request goes through, credentials masked (``None``: none, or
        unknown: a caller's own http client)."""
        self.total_timeout = total_timeout
        self.deadline = deadline
        """``time.monotonic()`` value after which no attempt starts and no wait begins."""
        self.request: httpx.Request | None = None
        """The request being sent (attached to errors)."""
        self.attempt_timeout: dict[str, float | None] = {}
        """With ``total_timeout``: the per-attempt timeout (httpx's form) before the time
        left shortens it."""
        self.attempts = 0
        self.may_have_reached = False
        """True once an attempt may have been processed by KwikPaisa without us
        learning the outcome (a timeout after sending, a broken connection, a 5xx)."""

    @property
    def subject(self) -> str:
        """What messages say the call is about: ``order 'ord_1'``, or a method and path."""
        return self._subject if self._subject is not None else f"order {self.order_id!r}"

    def start_attempt(self) -> int:
        self.attempts += 1
        return self.attempts

    # -- wording ------------------------------------------------------------------

    def describe(self, template: str, **values: str) -> str:
        """``template`` with the operation's phrases and this call's subject filled in."""
        wording = self.operation.wording
        subject = self.subject
        fill = {"subject": subject, "Subject": subject[:1].upper() + subject[1:], **values}
        return template.format(
            the_call=wording.the_call.format(**fill),
            the_request=wording.the_request.format(**fill),
            to_do=wording.to_do.format(**fill),
            lost_advice=wording.lost_advice,
            server_advice=wording.server_advice,
            bad_request_advice=wording.bad_request_advice,
            **fill,
        )

    # -- decisions ----------------------------------------------------------------

    def parse_success(self, body: Any) -> Any:
        """The generated response model of a success (the JSON body for ``kp.post``)."""
        spec = self.operation.spec
        return body if spec is None else spec.parse(body)

    def masked_request(self) -> httpx.Request | None:
        """A copy of the request being sent, for an error: ``X-API-KEY`` masked in its
        values, ``X-SIGNATURE`` too in its text forms (see :func:`masked_request`)."""
        return None if self.request is None else masked_copy(self.request)

    def _retry_or(
        self, error: KwikPaisaError, retry_after: float | None = None, *, rate_limited: bool = False
    ) -> Step[R]:
        delay = calculate_retry_delay(self.attempts, retry_after)
        pause_all = delay if rate_limited or retry_after is not None else None
        if self.attempts <= self.max_retries:
            logger.info(
                "Retrying %s in %.2f s; attempt %d of %d failed: %s",
                self.describe("{the_call}"),
                delay,
                self.attempts,
                self.max_retries + 1,
                error.message,
            )
            return Step(delay=delay, pause_all=pause_all, reason=error)
        return Step(error=error, pause_all=pause_all)

    def _lost(self, error: KwikPaisaError, retry_after: float | None = None) -> Step[R]:
        """The answer may be lost after KwikPaisa acted: retried only if that is safe."""
        self.may_have_reached = True
        if not self.operation.retry_lost:
            return Step(error=error)
        return self._retry_or(error, retry_after)

    def on_response(
        self,
        status_code: int,
        headers: httpx.Headers,
        content: bytes,
    ) -> Step[R]:
        """Decide what a complete HTTP answer means."""
        if status_code == 407:  # only a proxy asks for proxy credentials
            return self._proxy_refused("HTTP 407 Proxy Authentication Required", retry=False)
        try:
            return self._decide(status_code, headers, content)
        except Exception as exc:  # whatever an answer does, the caller gets a KwikPaisaError
            return self._lost(self._unreadable(status_code, exc))

    def _decide(self, status_code: int, headers: httpx.Headers, content: bytes) -> Step[R]:
        outcome = interpret_response(self, status_code, headers, content)
        if outcome.result is not None:
            return Step(result=outcome.result)
        error = outcome.error
        assert error is not None
        if self.may_have_reached:
            error.earlier_attempt_unanswered = True
            if self.operation.after_lost is not None:
                result = self.operation.after_lost(error, self)
                if result is not None:
                    return Step(result=result)
        if outcome.answer_lost:
            return self._lost(error)
        if should_retry_status(outcome.status):
            wait = parse_retry_after(outcome.retry_after, date=headers.get("date"))
            if outcome.status == 429:
                return self._retry_or(error, wait, rate_limited=True)
            return self._lost(error, wait)
        return Step(error=error)

    def _unreadable(self, status_code: int, exc: Exception) -> APIError:
        """An answer that reading failed on in a way no check foresaw (a bug to report):
        an ``APIError`` saying so, with the exception as its cause; treated as lost."""
        request = self.masked_request()
        error = APIError(
            self.describe("KwikPaisa's answer to {the_call} could not be read ")
            + f"(HTTP {status_code}: {type(exc).__name__} while reading it); "
            + self.operation.wording.lost_advice
            + self._after(),
            status_code=status_code,
            order_id=self.order_id,
            attempts=self.attempts,
            request=request,
        )
        error.__cause__ = exc
        return error

    def on_redirect(self, status_code: int, location: str | None) -> Step[R]:
        """A 3xx: never followed for a signed request, never retried."""
        target = location or "(no Location header)"
        return Step(
            error=self._connection_error(
                self.describe("KwikPaisa answered {the_call} with a redirect ")
                + f"(HTTP {status_code}) to {target}; signed requests are not redirected: "
                "check base_url (it must be the API's https:// address)"
            )
        )

    def on_too_large(self, limit: int) -> Step[R]:
        """A response body over ``limit`` bytes: not read, not trusted."""
        return self._lost(
            self._connection_error(
                self.describe("KwikPaisa's answer to {the_call} was larger than ")
                + f"{limit} bytes and was not read; "
                + self.operation.wording.lost_advice
            )
        )

    def on_transport_error(self, exc: httpx.RequestError) -> Step[R]:
        """Decide what a failed exchange (no complete HTTP answer) means."""
        if isinstance(exc, httpx.ProxyError):
            # The proxy refused the tunnel: nothing reached KwikPaisa.
            reason = str(exc) or type(exc).__name__
            return self._proxy_refused(reason, retry=not reason.startswith("407"))
        sent = request_sent(exc)
        at = f" at {self.url}" if self.url else ""
        if self.proxy is not None:
            at += f" through the proxy {self.proxy}"
        to_do = self.describe("{to_do}")
        if _certificate_rejected(exc):
            # Not retried: an untrusted certificate does not fix itself.
            return Step(
                error=self._connection_error(
                    f"Could not connect to KwikPaisa{at} to {to_do}: "
                    f"the server's TLS certificate is not trusted ({exc}); check base_url, or "
                    "pass verify=ssl_context with the CA that signed it"
                )
            )
        lost_advice = self.operation.wording.lost_advice
        if isinstance(exc, httpx.TimeoutException):
            phase = "connecting" if not sent else "waiting for the answer"
            advice = lost_advice if sent else "check the network, or raise timeout="
            if not sent and self.proxy is not None:
                advice = "check the proxy and the network, or raise timeout="
            if isinstance(exc, httpx.PoolTimeout):
                phase = "waiting for a free connection in the pool"
                advice = "too many calls share this client at once: run fewer, or raise timeout="
            error = self._connection_error(
                f"Timed out {phase} to {to_do}{at}; {advice}", cls=APITimeoutError
            )
        else:
            reason = exception_reason(exc)
            if sent:
                what, advice = "The connection to KwikPaisa broke", lost_advice
            else:
                what, advice = "Could not connect to KwikPaisa", "check the network and base_url"
                if self.proxy is not None:
                    advice = "check the proxy setting (proxy=, KWIKPAISA_PROXY, HTTPS_PROXY)"
            error = self._connection_error(f"{what}{at} to {to_do} ({reason}); {advice}")
        return self._lost(error) if sent else self._retry_or(error)

    def _proxy_refused(self, reason: str, *, retry: bool) -> Step[R]:
        """A proxy refused the request (a refused tunnel, or 407): nothing reached
        KwikPaisa, so a repeat is safe; retried unless the proxy wants credentials."""
        at = f" at {self.url}" if self.url else ""
        proxy = f"The proxy {self.proxy}" if self.proxy is not None else "A proxy"
        error = self._connection_error(
            f"{proxy} refused to connect to KwikPaisa{at} to {self.describe('{to_do}')} "
            f"({reason}); check the proxy's address and credentials "
            "(proxy=, KWIKPAISA_PROXY, HTTPS_PROXY)"
        )
        return self._retry_or(error) if retry else Step(error=error)

    def cut_short(self, *, sent: bool) -> Step[R]:
        """``total_timeout`` ran out during an attempt, before a complete answer; ``sent``
        when the request may have reached KwikPaisa."""
        if sent:
            self.may_have_reached = True
        return Step(error=self.deadline_error(None, cut_short=True))

    def deadline_error(
        self, last: KwikPaisaError | None, *, cut_short: bool = False
    ) -> APITimeoutError:
        """``total_timeout`` ran out: no further attempt or wait fits in it, or (with
        ``cut_short``) it ran out during the last attempt, before a complete answer."""
        advice = (
            self.operation.wording.lost_advice
            if self.may_have_reached
            else "no attempt reached KwikPaisa, so nothing was done"
        )
        during = ", the last one cut short before a complete answer" if cut_short else ""
        message = (
            f"Gave up trying to {self.describe('{to_do}')}: total_timeout={self.total_timeout:g} s "
            f"ran out after {self.attempts} attempt{'s' if self.attempts != 1 else ''}{during}; "
            f"{advice}"
        )
        if last is not None:
            message += f". Last failure: {last.message}"
        return APITimeoutError(
            message,
            order_id=self.order_id,
            attempts=self.attempts,
            request_url=self.url,
            request=self.masked_request(),
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
            request=self.masked_request(),
        )

    def _after(self) -> str:
        return f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
