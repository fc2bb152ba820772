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
``duplicate``
    the id appeared earlier in the same input (``"123"`` and ``123`` differ); it was
    sent once, for its first occurrence, and :attr:`CancelOutcome.duplicate_of` says
    which. Not a failure of its own: the first occurrence's outcome says how the order
    ended.

Every order id given gets one outcome, in input order. ``cancelled``,
``already_cancelled``, ``not_found`` and ``not_cancellable`` are *final*: repeating
the cancel cannot change them.
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
    "duplicate_outcome",
    "order_key",
]

OutcomeName = Literal[
    "cancelled", "already_cancelled", "not_found", "not_cancellable", "failed", "duplicate"
]
OUTCOMES: tuple[OutcomeName, ...] = (
    "cancelled",
    "already_cancelled",
    "not_found",
    "not_cancellable",
    "failed",
)
"""Every outcome of an order that was sent (or invalid), in the order summaries list them;
``duplicate`` is apart: it stands for an earlier line."""
SUCCESSFUL_OUTCOMES: frozenset[str] = frozenset({"cancelled", "already_cancelled"})
"""Outcomes that leave the order cancelled."""
FINAL_OUTCOMES: frozenset[str] = frozenset(OUTCOMES) - {"failed"}
"""Outcomes a repeat cannot change (a journal records only these)."""

@attrs.frozen(kw_only=True)
class CancelOutcome:
    """How one order of a batch ended. Never an exception: branch on :attr:`outcome`."""

    order_id: str | int
    """The order id as given."""
    outcome: OutcomeName
    """``cancelled``, ``already_cancelled``, ``not_found``, ``not_cancellable``, ``failed``
    or ``duplicate``."""
    error_type: str | None = None
    """Name of the error behind a failed outcome (``"OrderNotFoundError"``, ``"ValueError"``
    for an invalid id, ...), or ``None`` when the order ended cancelled
    (``cancelled``, ``already_cancelled``) or is a ``duplicate``."""
    message: str | None = None
    """What went wrong and what to do, or a note (``already_cancelled`` before the batch,
    ``duplicate``); ``None`` when the cancel simply succeeded."""
    attempts: int = 0
    """HTTP attempts made for this order (0 when the id was invalid and never sent)."""
    finished_at: datetime
    """When the outcome was known (timezone-aware, UTC)."""
    order: CancelledOrder | None = attrs.field(default=None, repr=False)
    """The cancelled order KwikPaisa returned, when this call cancelled it."""
    duplicate_of: int | None = None
    """For a ``duplicate``: the position (0-based) of the id's first occurrence in the
    input, whose outcome is the order's. ``None`` otherwise."""

    @property
    def ok(self) -> bool:
        """False for an order that did not end cancelled (``not_found``,
        ``not_cancellable``, ``failed``). True for ``cancelled`` and ``already_cancelled``,
        and for a ``duplicate``, which is no failure of its own."""
        return self.outcome in SUCCESSFUL_OUTCOMES or self.outcome == "duplicate"

    @property
    def final(self) -> bool:
        """True for the outcomes a repeat cannot change, the ones a journal keeps
        (not ``failed``, which is worth retrying later, nor ``duplicate``)."""
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
            "duplicate_of": self.duplicate_of,
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
        if error.order_status == "CANCELLED":  # cancelled before: a success, not an error
            return CancelOutcome(
                order_id=order_id,
                outcome="already_cancelled",
                message="the order was already cancelled before this call (KwikPaisa "
                "answered HTTP 409 with status CANCELLED)",
                attempts=attempts,
                finished_at=finished_at,
            )
        name = "not_cancellable"
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


def duplicate_outcome(
    order_id: str | int, *, first: CancelOutcome, position: int, where: str
) -> CancelOutcome:
    """The outcome of a repeated id: sent once, for its first occurrence at ``position``
    (``where`` names that occurrence for people: ``order_ids[0]``, ``line 3``)."""
    return CancelOutcome(
        order_id=order_id,
        outcome="duplicate",
        message=f"a duplicate of {where}: the order was sent once, and that outcome "
        f"({first.outcome}) is this order's",
        attempts=0,
        finished_at=first.finished_at,
        duplicate_of=position,
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


def _checked(order_ids: Iterable[str | int]) -> tuple[list[str | int], list[int | None]]:
    """The ids as a list, and for each the position of its first occurrence when it is a
    duplicate (``None`` for a first occurrence)."""
    if isinstance(order_ids, str | bytes):
        raise TypeError(
            "order_ids must be a list (or other iterable) of order ids, not a single "
            f"{type(order_ids).__name__}: wrap it as [order_id]"
        )
    first_at: dict[tuple[str, str | int], int] = {}
    ids: list[str | int] = []
    firsts: list[int | None] = []
    for position, order_id in enumerate(order_ids):
        if isinstance(order_id, bool) or not isinstance(order_id, str | int):
            raise TypeError(
                f"order_ids[{position}] is a {type(order_id).__name__}; every order id "
                "must be a str or an int"
            )
        ids.append(order_id)
        first = first_at.setdefault(order_key(order_id), position)
        firsts.append(None if first == position else first)
    return ids, firsts


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
    ids, firsts = _checked(order_ids)
    repeats: dict[int, list[int]] = {}
    for position, first in enumerate(firsts):
        if first is not None:
            repeats.setdefault(first, []).append(position)
    unique = [(position, ids[position]) for position, first in enumerate(firsts) if first is None]
    gate = BackoffGate(sleep)
    finished: dict[int, CancelOutcome] = {}
    pending = iter(unique)
    halted = False  # on_outcome raised: the others take no new order either

    def report(index: int, outcome: CancelOutcome) -> None:
        nonlocal halted
        finished[index] = outcome
        if on_outcome is not None:
            try:
                on_outcome(outcome)
            except BaseException:
                halted = True
                raise

    async def worker() -> None:
        for index, order_id in pending:
            if halted or (stop is not None and stop.is_set()):
                return
            outcome = await _cancel_one(
                client, order_id, gate=gate, sleep=sleep, timeout=timeout, max_retries=max_retries
            )
            report(index, outcome)
            for position in repeats.get(index, ()):
                repeat = duplicate_outcome(
                    ids[position], first=outcome, position=index, where=f"order_ids[{index}]"
                )
                report(position, repeat)

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
