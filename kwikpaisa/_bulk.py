"""Cancelling many orders at once: per-order outcomes and a batch-wide back-off.

:func:`cancel_many` (``AsyncOrders.cancel_many``) drives the same per-attempt
decisions as ``orders.cancel`` (:class:`~kwikpaisa._call.Call`) with two
differences that matter for a batch:

* a 429, or any answer carrying ``Retry-After``, pauses **every** task of the
  batch (:class:`BackoffGate`), instead of each task retrying on its own clock
  and the batch hammering a gateway that asked it to slow down;
* nothing is raised for one order: each ends as a :class:`CancelOutcome`.

Outcomes
--------
``cancelled``
    this batch cancelled the order.
``already_cancelled``
    the order is cancelled, but not by this attempt: either an earlier attempt of
    the same call did it (the answer was lost and a retry saw ``CANCELLED``), or it
    was already ``CANCELLED`` before the batch (KwikPaisa's 409 names that status).
    For a clean-up batch both mean the same thing: the order can no longer be paid.
``not_found``
    KwikPaisa has no such order (404).
``not_cancellable``
    the order is paid or expired (409 naming another status, or none).
``failed``
    anything else: no answer after the retries, authentication, 5xx, or an id that
    is not a valid order id (those are never sent). Worth another try later.

Everything but ``failed`` is *final*: repeating the cancel cannot change it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ._client import _check_retries, _make_timeout
from ._constants import DEFAULT_CONCURRENCY
from ._models import CancelledOrder
from ._validation import validate_order_id
from .errors import (
    OrderNotCancellableError,
    OrderNotFoundError,
)
from .resources.orders import CANCEL

if TYPE_CHECKING:
    from ._client import AsyncKwikPaisa, TimeoutTypes

__all__ = [
    "FINAL_OUTCOMES",
    "OUTCOMES",
    "SUCCESSFUL_OUTCOMES",
    "BackoffGate",
    "CancelOutcome",
    "OutcomeName",
    "cancel_many",
    "order_key",
]

OutcomeName = Literal["cancelled", "already_cancelled", "not_found", "not_cancellable", "failed"]
OUTCOMES: tuple[OutcomeName, ...] = (
    "cancelled",
    "already_cancelled",
    "not_found",
    "not_cancellable",
    "failed",
)
"""Every outcome, in the order summaries list them."""
SUCCESSFUL_OUTCOMES: frozenset[str] = frozenset({"cancelled", "already_cancelled"})
"""Outcomes that leave the order cancelled."""
FINAL_OUTCOMES: frozenset[str] = frozenset(OUTCOMES) - {"failed"}
"""Outcomes a repeat cannot change (a journal records only these)."""

@attrs.frozen(kw_only=True)
class CancelOutcome:
    """How one order of a batch ended. Never an exception: branch on :attr:`outcome`."""

    order_id: str | int
    """The order id as given (after de-duplication, its first occurrence)."""
    outcome: OutcomeName
    """``cancelled``, ``already_cancelled``, ``not_found``, ``not_cancellable`` or ``failed``."""
    error_type: str | None = None
    """Name of the error behind the outcome (``"OrderNotFoundError"``, ``"ValueError"``
    for an invalid id, ...), or ``None`` when the cancel simply succeeded."""
    message: str | None = None
    """The error's message, saying what went wrong and what to do, or ``None``."""
    attempts: int = 0
    """HTTP attempts made for this order (0 when the id was invalid and never sent)."""
    finished_at: datetime
    """When the outcome was known (timezone-aware, UTC)."""
    order: CancelledOrder | None = attrs.field(default=None, repr=False)
    """The cancelled order KwikPaisa returned, when this call cancelled it."""

    @property
    def ok(self) -> bool:
        """True when the order ended cancelled (``cancelled`` or ``already_cancelled``)."""
        return self.outcome in SUCCESSFUL_OUTCOMES

    @property
    def final(self) -> bool:
        """False only for ``failed``: the one outcome worth retrying later."""
        return self.outcome in FINAL_OUTCOMES

    def to_json(self) -> dict[str, Any]:
        """The outcome as one JSON-ready object (the command line's output line)."""
        return {
            "order_id": self.order_id,
            "outcome": self.outcome,
            "error": self.error_type,
            "message": self.message,
            "attempts": self.attempts,
            "timestamp": self.finished_at.isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
        }


def outcome_for(
    order_id: str | int,
    *,
    result: CancelledOrder | None = None,
    error: BaseException | None = None,
    attempts: int,
) -> CancelOutcome:
    """Classify how a cancel ended: a result, or the error it raised."""
    finished_at = datetime.now(UTC)
    if result is not None:
        return CancelOutcome(
            order_id=order_id,
            outcome="already_cancelled" if result.already_cancelled else "cancelled",
            attempts=attempts,
            finished_at=finished_at,
            order=result,
        )
    assert error is not None
    name: OutcomeName
    if isinstance(error, OrderNotFoundError):
        name = "not_found"
    elif isinstance(error, OrderNotCancellableError):
        name = "already_cancelled" if error.order_status == "CANCELLED" else "not_cancellable"
    else:
        name = "failed"
    return CancelOutcome(
        order_id=order_id,
        outcome=name,
        error_type=type(error).__name__,
        message=str(error),
        attempts=attempts,
        finished_at=finished_at,
    )


def order_key(order_id: str | int) -> tuple[str, str | int]:
    """The identity duplicates are found by: ``"123"`` and ``123`` are different requests."""
    if isinstance(order_id, int):
        return ("int", int(order_id))
    return ("str", str(order_id))


class BackoffGate:
    """A pause shared by every task of a batch: while closed, no attempt starts.

    ``close_for(seconds)`` closes it (or keeps it closed longer, never shorter);
    ``wait()`` returns once it is open. Requests already sent are not affected.
    """

    def __init__(self, sleep: Callable[[float], Awaitable[object]]) -> None:
        self._sleep = sleep
        self._open_at = 0.0

    def close_for(self, seconds: float) -> None:
        self._open_at = max(self._open_at, time.monotonic() + seconds)

    async def wait(self) -> None:
        while True:
            open_at = self._open_at
            remaining = open_at - time.monotonic()
            if remaining <= 0:
                return
            await self._sleep(remaining)
            if self._open_at == open_at:  # not closed again while we slept
                return


async def _cancel_one(
    client: AsyncKwikPaisa,
    order_id: str | int,
    *,
    gate: BackoffGate,
    sleep: Callable[[float], Awaitable[object]],
    timeout: TimeoutTypes | None,  # noqa: ASYNC109 (per-attempt httpx timeout)
    max_retries: int | None,
) -> CancelOutcome:
    """One order: ``orders.cancel``'s loop, waiting at the shared gate before each attempt."""
    try:
        oid = validate_order_id(order_id)
        call, request = client._prepare(
            CANCEL,
            {"order_id": oid},
            order_id=oid,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=None,
        )
    except (TypeError, ValueError) as error:  # an invalid id: never sent
        return outcome_for(order_id, error=error, attempts=0)
    while True:
        await gate.wait()
        step = await client._attempt(call, request)
        if step.pause_all is not None:
            # KwikPaisa asked to slow down: every task waits at the gate, this one too.
            gate.close_for(step.pause_all)
        if step.result is not None or step.error is not None:
            return outcome_for(
                order_id, result=step.result, error=step.error, attempts=call.attempts
            )
        if step.pause_all is None:
            assert step.delay is not None
            await sleep(step.delay)


def _unique(order_ids: Iterable[str | int]) -> list[str | int]:
    if isinstance(order_ids, str | bytes):
        raise TypeError(
            "order_ids must be a list (or other iterable) of order ids, not a single "
            f"{type(order_ids).__name__}: wrap it as [order_id]"
        )
    seen: set[tuple[str, str | int]] = set()
    unique: list[str | int] = []
    for position, order_id in enumerate(order_ids):
        if isinstance(order_id, bool) or not isinstance(order_id, str | int):
            raise TypeError(
                f"order_ids[{position}] is a {type(order_id).__name__}; every order id "
                "must be a str or an int"
            )
        key = order_key(order_id)
        if key not in seen:
            seen.add(key)
            unique.append(order_id)
    return unique


def _check_concurrency(concurrency: object) -> int:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a whole number >= 1, got {concurrency!r}")
    return concurrency


async def cancel_many(
    client: AsyncKwikPaisa,
    order_ids: Iterable[str | int],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
    max_retries: int | None = None,
    on_outcome: Callable[[CancelOutcome], object] | None = None,
    stop: asyncio.Event | None = None,
    sleep: Callable[[float], Awaitable[object]],
) -> list[CancelOutcome]:
    """Cancel every order in ``order_ids``, ``concurrency`` at a time; see ``AsyncOrders``."""
    workers = _check_concurrency(concurrency)
    if max_retries is not None:
        _check_retries(max_retries)
    if timeout is not None:
        timeout = _make_timeout(timeout)  # checked once, not again for every order
    unique = _unique(order_ids)
    gate = BackoffGate(sleep)
    finished: dict[int, CancelOutcome] = {}
    pending = iter(enumerate(unique))
    halted = False  # on_outcome raised: the others take no new order either

    async def worker() -> None:
        nonlocal halted
        for index, order_id in pending:
            if halted or (stop is not None and stop.is_set()):
                return
            outcome = await _cancel_one(
                client, order_id, gate=gate, sleep=sleep, timeout=timeout, max_retries=max_retries
            )
            finished[index] = outcome
            if on_outcome is not None:
                try:
                    on_outcome(outcome)
                except BaseException:
                    halted = True
                    raise

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(workers, len(unique))):
                group.create_task(worker())
    except BaseExceptionGroup as failure:  # on_outcome raised, or a bug: the first cause
        raise _first_cause(failure) from None
    return [finished[index] for index in sorted(finished)]


def _first_cause(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_cause(first) if isinstance(first, BaseExceptionGroup) else first
