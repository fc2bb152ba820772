"""Many orders at once: one batch engine, per-order outcomes and a batch-wide back-off.

:func:`run_batch` serves every batch operation (``cancel_many`` and ``status_many`` on
both clients, ``kwikpaisa cancel --from`` and ``kwikpaisa status --from``).
A :class:`BatchKind` says what is specific to one: its operation and how a result or an
error becomes an outcome. Each order runs the same per-attempt decisions as the single
call (:class:`~kwikpaisa._call.Call`) with two differences that matter for a batch:

* a 429, or any answer carrying ``Retry-After``, pauses **every** task of the
  batch (:class:`BackoffGate`), instead of each task retrying on its own clock
  and the batch hammering a gateway that asked it to slow down;
* nothing is raised for one order: each ends as an outcome (:class:`CancelOutcome`,
  :class:`StatusOutcome`).

Cancel outcomes
---------------
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

Status outcomes
---------------
``found`` (the order, with its status, in :attr:`StatusOutcome.order`), ``not_found``,
``failed`` and ``duplicate``, with the same meanings; ``found`` and ``not_found`` are final.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar

import attrs

from ._call_options import check_retries as _check_retries
from ._call_options import make_timeout as _make_timeout
from ._constants import DEFAULT_CONCURRENCY
from ._models import CancelledOrder, Order
from ._operation import Operation
from ._validation import validate_order_id
from .errors import OrderNotCancellableError, OrderNotFoundError
from .resources.order_hooks import CANCEL, STATUS

if TYPE_CHECKING:
    import httpx

    from ._call import Call, Step
    from ._call_options import TimeoutTypes

__all__ = [
    "BATCHES",
    "CANCEL_BATCH",
    "FINAL_OUTCOMES",
    "OUTCOMES",
    "STATUS_BATCH",
    "SUCCESSFUL_OUTCOMES",
    "BackoffGate",
    "BatchClient",
    "BatchKind",
    "BatchOutcome",
    "CancelOutcome",
    "OutcomeName",
    "StatusOutcome",
    "StopSignal",
    "order_key",
    "run_batch",
]

R = TypeVar("R")
O = TypeVar("O", bound="BatchOutcome")  # noqa: E741 (the outcome type)

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
"""Every outcome of a cancel that was sent (or invalid), in the order summaries list them;
``duplicate`` is apart: it stands for an earlier line."""
SUCCESSFUL_OUTCOMES: frozenset[str] = frozenset({"cancelled", "already_cancelled"})
"""Outcomes that leave the order cancelled."""
FINAL_OUTCOMES: frozenset[str] = frozenset(OUTCOMES) - {"failed"}
"""Outcomes a repeat cannot change (a journal records only these)."""

StatusOutcomeName = Literal["found", "not_found", "failed", "duplicate"]
STATUS_OUTCOMES: tuple[StatusOutcomeName, ...] = ("found", "not_found", "failed")


class BatchClient(Protocol):
    """What the engine needs of a client: an :class:`~kwikpaisa.AsyncKwikPaisa`, or a sync
    :class:`~kwikpaisa.KwikPaisa` whose attempts run in threads (``kwikpaisa._sync_bulk``)."""

    def _prepare(
        self,
        operation: Operation[R],
        fields: Mapping[str, Any],
        *,
        order_id: str | int | None,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        total_timeout: float | None,
    ) -> tuple[Call[R], httpx.Request]: ...

    async def _attempt(self, call: Call[R], request: httpx.Request) -> Step[R]: ...


class StopSignal(Protocol):
    """Set to start no new order: an ``asyncio.Event``, or a ``threading.Event`` for the
    sync client's batches."""

    def is_set(self) -> bool: ...


def _timestamp(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@attrs.frozen(kw_only=True)
class BatchOutcome:
    """How one order of a batch ended. Never an exception: branch on :attr:`outcome`."""

    SUCCESSFUL: ClassVar[frozenset[str]] = frozenset()
    FINAL: ClassVar[frozenset[str]] = frozenset()

    order_id: str | int
    """The order id as given."""
    outcome: str
    """What happened to the order (the subclass lists the names)."""
    error_type: str | None = None
    """Name of the error behind an unsuccessful outcome (``"OrderNotFoundError"``,
    ``"ValueError"`` for an invalid id, ...), or ``None`` when it succeeded or is a
    ``duplicate``."""
    message: str | None = None
    """What went wrong and what to do, or a note (``duplicate``); ``None`` when the call
    simply succeeded."""
    attempts: int = 0
    """HTTP attempts made for this order (0 when the id was invalid and never sent)."""
    finished_at: datetime
    """When the outcome was known (timezone-aware, UTC)."""
    duplicate_of: int | None = None
    """For a ``duplicate``: the position (0-based) of the id's first occurrence in the
    input, whose outcome is the order's. ``None`` otherwise."""

    @property
    def ok(self) -> bool:
        """True for a successful outcome, and for a ``duplicate`` (no failure of its own)."""
        return self.outcome in self.SUCCESSFUL or self.outcome == "duplicate"

    @property
    def final(self) -> bool:
        """True for the outcomes a repeat cannot change, the ones a journal keeps
        (not ``failed``, which is worth retrying later, nor ``duplicate``)."""
        return self.outcome in self.FINAL

    def to_json(self) -> dict[str, Any]:
        """The outcome as one JSON-ready object (the command line's output line)."""
        return {
            "order_id": self.order_id,
            "outcome": self.outcome,
            "error": self.error_type,
            "message": self.message,
            "attempts": self.attempts,
            "timestamp": _timestamp(self.finished_at),
            "duplicate_of": self.duplicate_of,
        }


@attrs.frozen(kw_only=True)
class CancelOutcome(BatchOutcome):
    """How one order of a cancel batch ended: ``cancelled``, ``already_cancelled``,
    ``not_found``, ``not_cancellable``, ``failed`` or ``duplicate``."""

    SUCCESSFUL: ClassVar[frozenset[str]] = SUCCESSFUL_OUTCOMES
    FINAL: ClassVar[frozenset[str]] = FINAL_OUTCOMES

    outcome: OutcomeName
    order: CancelledOrder | None = attrs.field(default=None, repr=False)
    """The cancelled order KwikPaisa returned, when this call cancelled it."""


@attrs.frozen(kw_only=True)
class StatusOutcome(BatchOutcome):
    """How one order of a status batch ended: ``found`` (see :attr:`order`),
    ``not_found``, ``failed`` or ``duplicate``."""

    SUCCESSFUL: ClassVar[frozenset[str]] = frozenset({"found"})
    FINAL: ClassVar[frozenset[str]] = frozenset({"found", "not_found"})

    outcome: StatusOutcomeName
    order: Order | None = attrs.field(default=None, repr=False)
    """The order as KwikPaisa reported it, when ``found``."""

    def to_json(self) -> dict[str, Any]:
        """The outcome as one JSON line, with the order's status, amount and payment."""
        data = super().to_json()
        order = self.order
        data["order_status"] = order.status if order else None
        data["amount"] = str(order.amount) if order and order.amount is not None else None
        data["currency"] = order.currency if order else None
        data["payment_method"] = order.payment_method if order else None
        data["transaction_id"] = order.transaction_id if order else None
        data["paid_at"] = order.paid_at.isoformat() if order and order.paid_at else None
        return data


def _failure(
    cls: type[O],
    order_id: str | int,
    name: str,
    error: BaseException,
    attempts: int,
    *,
    message: str | None = None,
) -> O:
    return cls(
        order_id=order_id,
        outcome=name,
        error_type=type(error).__name__,
        message=str(error) if message is None else message,
        attempts=attempts,
        finished_at=datetime.now(UTC),
    )


def cancel_outcome(
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
    if isinstance(error, OrderNotCancellableError) and error.order_status == "CANCELLED":
        # Cancelled before: a success, not an error.
        return CancelOutcome(
            order_id=order_id,
            outcome="already_cancelled",
            message="the order was already cancelled before this call (KwikPaisa "
            "answered HTTP 409 with status CANCELLED)",
            attempts=attempts,
            finished_at=finished_at,
        )
    if isinstance(error, OrderNotFoundError):
        return _failure(CancelOutcome, order_id, "not_found", error, attempts)
    if isinstance(error, OrderNotCancellableError):
        return _failure(CancelOutcome, order_id, "not_cancellable", error, attempts)
    return _failure(CancelOutcome, order_id, "failed", error, attempts)


def status_outcome(
    order_id: str | int,
    *,
    result: Order | None = None,
    error: BaseException | None = None,
    attempts: int,
) -> StatusOutcome:
    """Classify how a status request ended: a result, or the error it raised."""
    if result is not None:
        return StatusOutcome(
            order_id=order_id,
            outcome="found",
            attempts=attempts,
            finished_at=datetime.now(UTC),
            order=result,
        )
    assert error is not None
    name = "not_found" if isinstance(error, OrderNotFoundError) else "failed"
    return _failure(StatusOutcome, order_id, name, error, attempts)


@attrs.frozen(kw_only=True)
class BatchKind(Generic[R, O]):
    """What a batch of one operation needs beyond the shared engine."""

    name: str
    """The command (``"cancel"``, ``"status"``)."""
    operation: Operation[R]
    outcome_type: type[O]
    outcomes: tuple[str, ...]
    """Every outcome but ``duplicate``, in the order summaries list them."""
    classify: Callable[..., O]
    """``classify(order_id, result=..., error=..., attempts=...)``: the outcome."""
    doing: str
    """What the progress bar says is going on (``"cancelling"``)."""
    not_ok: str
    """How the progress bar counts unsuccessful orders (``"not cancelled"``)."""

    def duplicate(self, order_id: str | int, *, first: O, position: int, where: str) -> O:
        """The outcome of a repeated id: sent once, for its first occurrence at ``position``
        (``where`` names that occurrence for people: ``order_ids[0]``, ``line 3``)."""
        return self.outcome_type(
            order_id=order_id,
            outcome="duplicate",
            message=f"a duplicate of {where}: the order was sent once, and that outcome "
            f"({first.outcome}) is this order's",
            attempts=0,
            finished_at=first.finished_at,
            duplicate_of=position,
        )


CANCEL_BATCH: BatchKind[CancelledOrder, CancelOutcome] = BatchKind(
    name="cancel",
    operation=CANCEL,
    outcome_type=CancelOutcome,
    outcomes=OUTCOMES,
    classify=cancel_outcome,
    doing="cancelling",
    not_ok="not cancelled",
)
STATUS_BATCH: BatchKind[Order, StatusOutcome] = BatchKind(
    name="status",
    operation=STATUS,
    outcome_type=StatusOutcome,
    outcomes=STATUS_OUTCOMES,
    classify=status_outcome,
    doing="checking",
    not_ok="not found or failed",
)


BATCHES: dict[str, BatchKind[Any, Any]] = {"cancel": CANCEL_BATCH, "status": STATUS_BATCH}
"""Every batch kind, by its command's name."""


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


async def _one(
    client: BatchClient,
    kind: BatchKind[R, O],
    order_id: str | int,
    *,
    gate: BackoffGate,
    sleep: Callable[[float], Awaitable[object]],
    timeout: TimeoutTypes | None,  # noqa: ASYNC109 (per-attempt httpx timeout)
    max_retries: int | None,
) -> O:
    """One order: the single call's loop, waiting at the shared gate before each attempt.

    Never raises for the order (only cancellation passes through): an invalid id, and any
    exception no check foresaw, become its ``failed`` outcome, so the batch goes on.
    """
    try:
        oid = validate_order_id(order_id)
        call, request = client._prepare(
            kind.operation,
            {"order_id": oid},
            order_id=oid,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=None,
        )
    except (TypeError, ValueError) as error:  # an invalid id: never sent
        return kind.classify(order_id, error=error, attempts=0)
    except Exception as error:  # one order's failure never stops the batch
        return _unexpected(kind, order_id, error, attempts=0)
    try:
        while True:
            await gate.wait()
            step = await client._attempt(call, request)
            if step.pause_all is not None:
                # KwikPaisa asked to slow down: every task waits at the gate, this one too.
                gate.close_for(step.pause_all)
            if step.result is not None or step.error is not None:
                return kind.classify(
                    order_id, result=step.result, error=step.error, attempts=call.attempts
                )
            if step.pause_all is None:
                assert step.delay is not None
                await sleep(step.delay)
    except Exception as error:  # one order's failure never stops the batch
        return _unexpected(kind, order_id, error, attempts=call.attempts)


def _unexpected(kind: BatchKind[R, O], order_id: str | int, error: Exception, attempts: int) -> O:
    """The ``failed`` outcome of an order whose call raised what no check foresaw (a bug
    to report); it names the exception and, once sent, that KwikPaisa may have acted."""
    sent = "; it may have reached KwikPaisa: " if attempts else "; it was not sent: "
    message = (
        f"unexpected {type(error).__name__} during the {kind.name} of order {order_id!r} "
        f"({error}){sent}try it again later, and report this to the SDK's maintainers"
    )
    return _failure(kind.outcome_type, order_id, "failed", error, attempts, message=message)


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


async def run_batch(
    client: BatchClient,
    kind: BatchKind[R, O],
    order_ids: Iterable[str | int],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: TimeoutTypes | None = None,  # noqa: ASYNC109 (per-attempt httpx timeout)
    max_retries: int | None = None,
    on_outcome: Callable[[O], object] | None = None,
    stop: StopSignal | None = None,
    sleep: Callable[[float], Awaitable[object]],
) -> list[O]:
    """Run ``kind``'s operation for every order in ``order_ids``, ``concurrency`` at a
    time: one outcome per id, in input order (see ``AsyncOrders.cancel_many``)."""
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
    finished: dict[int, O] = {}
    pending = iter(unique)
    halted = False  # on_outcome raised: the others take no new order either

    def report(index: int, outcome: O) -> None:
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
            outcome = await _one(
                client,
                kind,
                order_id,
                gate=gate,
                sleep=sleep,
                timeout=timeout,
                max_retries=max_retries,
            )
            report(index, outcome)
            for position in repeats.get(index, ()):
                repeat = kind.duplicate(
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
