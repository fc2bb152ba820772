"""Webhook delivery: a background worker that POSTs signed events to the merchant.

Events are signed as KwikPaisa signs them (:func:`kwikpaisa.testing.sign_webhook`,
with the emulator's secret key and clock), sent one at a time in the order they
happened, and retried with backoff after anything but a 2xx answer or a failed
request (a timeout, a refused connection). Every attempt is recorded. On request
each event is sent twice, events are sent out of order, or the first attempts of
each event count as failed whatever the receiver answers, so a receiver can be
tested for idempotency. Nothing here ever blocks an API answer or the checkout page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from ._webhooks import sign_webhook

__all__ = ["DEFAULT_WEBHOOK_BACKOFF", "Delivery", "WebhookSender"]

logger = logging.getLogger("kwikpaisa.emulator")

DEFAULT_WEBHOOK_BACKOFF: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
"""Seconds before each retry of a failed delivery; one retry per entry, then give up."""
DEFAULT_WEBHOOK_TIMEOUT = 5.0
"""Seconds a receiver has to answer one delivery attempt."""
SHUFFLE_HOLD = 2.0
"""With ``shuffle``, the longest an event waits for a later one to overtake it (seconds)."""


@attrs.frozen(kw_only=True)
class Delivery:
    """One delivery attempt of one webhook event."""

    event: str
    """``payment.success``, ``payment.failed`` or ``payment.expired``."""
    order_id: str | int
    attempt: int
    """1 for the first attempt of this copy, 2 for its first retry, ..."""
    status: int | None
    """The receiver's HTTP status, or ``None`` when the request failed (see ``error``)."""
    error: str | None
    """Why the attempt failed (timeout, connection refused, or failed on purpose by
    ``webhook_fail_first``), else ``None``."""
    at: float
    """The emulator's clock when the attempt was made."""
    copy: int = 1
    """1, or 2 for the second copy of an event sent twice (``webhook_duplicates``)."""

    @property
    def ok(self) -> bool:
        """The attempt succeeded: the receiver answered 2xx (and it was not failed on
        purpose)."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


@attrs.frozen
class _Job:
    event: str
    data: Mapping[str, Any]
    order_id: str | int
    copy: int


class WebhookSender:
    """Sends webhook events on one background thread, started on the first event."""

    def __init__(
        self,
        url: str,
        secret_key: str,
        clock: Callable[[], float],
        *,
        backoff: Sequence[float] = DEFAULT_WEBHOOK_BACKOFF,
        timeout: float = DEFAULT_WEBHOOK_TIMEOUT,
        duplicates: bool = False,
        shuffle: bool = False,
        fail_first: int = 0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook_url must be an http:// or https:// URL, not {url!r}")
        if any(delay < 0 for delay in backoff):
            raise ValueError(f"webhook backoff delays must be >= 0 seconds, not {backoff!r}")
        if isinstance(fail_first, bool) or not isinstance(fail_first, int) or fail_first < 0:
            raise ValueError(f"webhook_fail_first must be a whole number >= 0, not {fail_first!r}")
        if fail_first > len(backoff):
            raise ValueError(
                f"webhook_fail_first={fail_first} would fail every attempt: the backoff "
                f"schedule {tuple(backoff)!r} allows {len(backoff)} retries; fail at most "
                f"{len(backoff)}, or give a longer webhook_backoff"
            )
        self.url = url
        self._secret_key = secret_key
        self._clock = clock
        self.backoff = tuple(backoff)
        self.timeout = timeout
        self.duplicates = duplicates
        self.shuffle = shuffle
        self.fail_first = fail_first
        self._transport = transport
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._held: _Job | None = None
        self._held_since = 0.0
        self._pending = 0
        self._flushing = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._deliveries: list[Delivery] = []

    def __repr__(self) -> str:
        return f"WebhookSender(url={self.url!r}, pending={self.pending})"

    @property
    def deliveries(self) -> list[Delivery]:
        """Every attempt so far, in the order they were made."""
        with self._cond:
            return list(self._deliveries)

    @property
    def pending(self) -> int:
        """Events queued or being delivered."""
        with self._cond:
            return self._pending

    def send(self, event: str, data: Mapping[str, Any], order_id: str | int) -> None:
        """Queue ``event`` for delivery (twice with ``duplicates``); returns at once."""
        copies = 2 if self.duplicates else 1
        with self._cond:
            for copy in range(1, copies + 1):
                self._queue.append(_Job(event, dict(data), order_id, copy))
            self._pending += copies
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(
                    target=self._run, name="kwikpaisa-emulator-webhooks", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def wait(self, timeout: float) -> None:
        """Wait until every event queued so far has been delivered or given up on
        (held-back events are let go at once); ``TimeoutError`` after ``timeout`` s."""
        with self._cond:
            self._flushing += 1
            self._cond.notify_all()
            try:
                drained = self._cond.wait_for(lambda: self._pending == 0, timeout)
            finally:
                self._flushing -= 1
            if not drained:
                raise TimeoutError(
                    f"{self._pending} webhook event(s) still undelivered after {timeout} s"
                )

    def close(self) -> None:
        """Stop the worker; events not yet delivered are dropped. Sending again later
        starts a new worker."""
        with self._cond:
            thread = self._thread
            self._stopping.set()
            self._cond.notify_all()
        if thread is not None:
            thread.join()
        with self._cond:
            self._thread = None
            self._queue.clear()
            self._held = None
            self._pending = 0
            self._cond.notify_all()

    # -- the worker -----------------------------------------------------------------

    def _run(self) -> None:
        with httpx.Client(
            transport=self._transport, timeout=self.timeout, follow_redirects=False
        ) as client:
            while True:
                batch = self._next_batch()
                if not batch:
                    return
                for job in batch:
                    if not self._stopping.is_set():
                        self._deliver(client, job)
                with self._cond:
                    if not self._stopping.is_set():
                        self._pending -= len(batch)
                    self._cond.notify_all()

    def _next_batch(self) -> list[_Job]:
        """The next events to send, in sending order; empty when stopping. With
        ``shuffle`` an event is held back until the next one has gone out first."""
        with self._cond:
            while not self._stopping.is_set():
                if self._queue:
                    job = self._queue.popleft()
                    if self.shuffle and self._held is None:
                        self._held, self._held_since = job, time.monotonic()
                        continue
                    held, self._held = self._held, None
                    return [job] if held is None else [job, held]
                if self._held is not None:
                    waited = time.monotonic() - self._held_since
                    if self._flushing or waited >= SHUFFLE_HOLD:
                        held, self._held = self._held, None
                        return [held]
                    self._cond.wait(SHUFFLE_HOLD - waited)
                else:
                    self._cond.wait()
            return []

    def _deliver(self, client: httpx.Client, job: _Job) -> None:
        for attempt in range(1, len(self.backoff) + 2):
            signed = sign_webhook(
                job.event, job.data, secret_key=self._secret_key, now=self._clock()
            )
            status: int | None = None
            error: str | None = None
            try:
                answer = client.post(self.url, content=signed.body, headers=signed.headers)
                status = answer.status_code
            except Exception as failure:  # whatever the receiver does, the worker carries on
                error = f"{type(failure).__name__}: {failure}"
            if error is None and attempt <= self.fail_first:
                error = f"failed on purpose (attempt {attempt} of the first {self.fail_first})"
            record = Delivery(
                event=job.event,
                order_id=job.order_id,
                attempt=attempt,
                status=status,
                error=error,
                at=self._clock(),
                copy=job.copy,
            )
            with self._cond:
                self._deliveries.append(record)
            logger.info(
                "webhook %s for order %s, attempt %d: %s",
                job.event,
                job.order_id,
                attempt,
                _outcome(status, error),
            )
            if record.ok or attempt > len(self.backoff):
                return
            if self._stopping.wait(self.backoff[attempt - 1]):
                return


def _outcome(status: int | None, error: str | None) -> str:
    """One attempt's outcome for the log: the receiver's status, why it failed, or both."""
    parts = [str(status)] if status is not None else []
    return ", ".join([*parts, *([error] if error else [])])
