"""What the resources need of a client: the protocols ``kp.orders`` is written against.

The resource classes (``resources/``) call their client through these, never through
``KwikPaisa`` or ``AsyncKwikPaisa`` themselves, so the clients sit above the resources
they mix in and the module graph stays one-way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kwikpaisa_generated.operations import AsyncCaller, SyncCaller

from .resources.order_hooks import CreatingClient

if TYPE_CHECKING:
    from ._bulk import BatchKind, BatchOutcome, StopSignal
    from ._call_options import TimeoutTypes
    from ._operation import Operation

__all__ = ["AsyncClient", "SyncClient"]

R = TypeVar("R")
O = TypeVar("O", bound="BatchOutcome")  # noqa: E741 (the outcome type)


class SyncClient(SyncCaller, CreatingClient, Protocol):
    """What ``Orders`` needs of :class:`~kwikpaisa.KwikPaisa`."""

    def _request(self, operation: Operation[R], fields: Mapping[str, Any], **options: Any) -> R:
        """Run one call of ``operation``: the result, or the error."""

    def _batch(
        self,
        kind: BatchKind[Any, O],
        order_ids: Iterable[str | int],
        *,
        concurrency: int,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        on_outcome: Callable[[O], object] | None,
        stop: StopSignal | None,
    ) -> list[O]:
        """Run a batch of ``kind``'s operation (``cancel_many``, ``status_many``)."""


class AsyncClient(AsyncCaller, CreatingClient, Protocol):
    """What ``AsyncOrders`` needs of :class:`~kwikpaisa.AsyncKwikPaisa`."""

    async def _request(
        self, operation: Operation[R], fields: Mapping[str, Any], **options: Any
    ) -> R:
        """Run one call of ``operation``: the result, or the error."""

    async def _batch(
        self,
        kind: BatchKind[Any, O],
        order_ids: Iterable[str | int],
        *,
        concurrency: int,
        timeout: TimeoutTypes | None,  # noqa: ASYNC109 (per-attempt httpx timeout)
        max_retries: int | None,
        on_outcome: Callable[[O], object] | None,
        stop: StopSignal | None,
    ) -> list[O]:
        """Run a batch of ``kind``'s operation (``cancel_many``, ``status_many``)."""
