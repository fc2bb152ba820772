"""Batches on the sync client: ``KwikPaisa.orders.cancel_many`` and ``status_many``.

The batch engine is :func:`kwikpaisa._bulk.run_batch`, unchanged: the same outcomes,
duplicates, ``on_outcome`` calls (so the same journal semantics) and batch-wide 429
back-off as the async client's batches. Only how one attempt is sent differs. The engine
runs on a private event loop, and each attempt is sent by the sync client itself
(:meth:`KwikPaisa._attempt`) in a worker thread, at most ``concurrency`` threads at a time.

Why threads and the sync client, rather than an ``AsyncKwikPaisa`` built from the same
settings: everything the app gave its sync client keeps applying to its batches (its
``http_client``, its ``transport`` such as the emulator's, its proxies and its connection
pool), because the requests go through that very client. A sync client is thread-safe.
The cost is a thread per order in flight, which is nothing at the concurrencies a web app
or a management command uses (default 32); for tens of thousands of orders at high
concurrency the async client's batches use less CPU (docs/performance.md).

The loop runs in the calling thread (so ``on_outcome`` is called there), or, when that
thread already runs an event loop, in a thread of its own, waited for.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ._bulk import BatchKind, BatchOutcome, StopSignal, _check_concurrency, run_batch

if TYPE_CHECKING:
    import httpx

    from ._call import Call, Step
    from ._call_options import TimeoutTypes
    from ._operation import Operation

__all__ = ["SyncAttempts", "run_sync_batch"]

R = TypeVar("R")
O = TypeVar("O", bound=BatchOutcome)  # noqa: E741 (the outcome type)
T = TypeVar("T")


class SyncAttempts(Protocol):
    """What a batch needs of a sync client (:class:`~kwikpaisa.KwikPaisa`): build a call's
    request, and send one attempt of it."""

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

    def _attempt(self, call: Call[R], request: httpx.Request) -> Step[R]: ...


class _ThreadedAttempts:
    """What the batch engine needs of a client, served by a sync :class:`KwikPaisa`:
    requests are built by it, and each attempt is sent by it in a worker thread."""

    def __init__(self, client: SyncAttempts, threads: ThreadPoolExecutor) -> None:
        self._client = client
        self._threads = threads

    def _prepare(
        self, operation: Operation[R], fields: Mapping[str, Any], **options: Any
    ) -> tuple[Call[R], httpx.Request]:
        return self._client._prepare(operation, fields, **options)

    async def _attempt(self, call: Call[R], request: httpx.Request) -> Step[R]:
        # The caller's context variables (logging or tracing context) go along.
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._threads, context.run, self._client._attempt, call, request
        )


def run_sync_batch(
    client: SyncAttempts,
    kind: BatchKind[R, O],
    order_ids: Iterable[str | int],
    *,
    concurrency: int,
    timeout: TimeoutTypes | None,
    max_retries: int | None,
    on_outcome: Callable[[O], object] | None,
    stop: StopSignal | None,
    sleep: Callable[[float], Awaitable[object]],
) -> list[O]:
    """Run ``kind``'s batch through the sync ``client``, waiting with ``sleep``; see
    ``Orders.cancel_many``."""
    threads = ThreadPoolExecutor(
        max_workers=_check_concurrency(concurrency), thread_name_prefix="kwikpaisa-batch"
    )
    try:
        return _run_to_end(
            lambda: run_batch(
                _ThreadedAttempts(client, threads),
                kind,
                order_ids,
                concurrency=concurrency,
                timeout=timeout,
                max_retries=max_retries,
                on_outcome=on_outcome,
                stop=stop,
                sleep=sleep,
            )
        )
    finally:
        # Normally every attempt has ended. After an error (on_outcome raised, Ctrl-C),
        # attempts still in flight end on their own (each bounded by its timeout), as an
        # async batch's cancelled requests do; nothing new starts.
        threads.shutdown(wait=False, cancel_futures=True)


def _run_to_end(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` on a new event loop: here, or in a thread when one runs here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    results: list[T] = []
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            results.append(asyncio.run(main()))
        except BaseException as error:  # handed to the caller's thread below
            errors.append(error)

    worker = threading.Thread(target=in_thread, name="kwikpaisa-batch-loop")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return results[0]
