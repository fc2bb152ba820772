"""``cancel_many`` on both clients: per-order outcomes, a batch-wide back-off, against the
emulator. Every test runs for ``AsyncOrders.cancel_many`` and its sync twin
``Orders.cancel_many`` (the same engine, each attempt sent by the sync client in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import kwikpaisa
from kwikpaisa import AsyncKwikPaisa, CancelledOrder, CancelOutcome, KwikPaisa
from kwikpaisa._bulk import FINAL_OUTCOMES, OUTCOMES, BackoffGate
from kwikpaisa._constants import DEFAULT_CONCURRENCY
from kwikpaisa._sync_bulk import _ThreadedAttempts
from kwikpaisa.testing import Emulator, Fault

from .readme_examples import doc_text

# The big batch: 2,000 orders by default; KWIKPAISA_BULK_TEST_SIZE=20000 for a longer run.
BIG_BATCH = int(os.environ.get("KWIKPAISA_BULK_TEST_SIZE", "2000"))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture(params=["async", "sync"])
def flavour(request: pytest.FixtureRequest) -> str:
    """Run a test on ``AsyncKwikPaisa.orders.cancel_many`` and on ``KwikPaisa``'s."""
    return str(request.param)


def cancel_many(
    flavour: str, options: dict[str, object], order_ids: list[Any], **kwargs: Any
) -> list[CancelOutcome]:
    """``cancel_many`` through a fresh client of the ``flavour`` given (closed after)."""
    if flavour == "sync":
        with KwikPaisa(**options) as client:  # type: ignore[arg-type]
            outcomes: list[CancelOutcome] = client.orders.cancel_many(order_ids, **kwargs)
            return outcomes

    async def main() -> list[CancelOutcome]:
        async with AsyncKwikPaisa(**options) as kp:  # type: ignore[arg-type]
            result: list[CancelOutcome] = await kp.orders.cancel_many(order_ids, **kwargs)
            return result

    result: list[CancelOutcome] = run(main())
    return result


def build_batch(emulator: Emulator, size: int) -> tuple[list[str | int], dict[str | int, str]]:
    """``size`` ids of every kind, shuffled deterministically, with the outcome each must get."""
    ids: list[str | int] = []
    expected: dict[str | int, str] = {}
    for n in range(size):
        kind = n % 20
        order_id: str | int = f"bulk_{n:05d}"
        if kind == 0:
            expected[order_id] = "not_found"  # never added
        elif kind == 1:
            emulator.add_order(order_id, "PAID")
            expected[order_id] = "not_cancellable"
        elif kind == 2:
            emulator.add_order(order_id, "EXPIRED")
            expected[order_id] = "not_cancellable"
        elif kind == 3:
            emulator.add_order(order_id, "CANCELLED")
            expected[order_id] = "already_cancelled"
        elif kind == 4:
            order_id = 10_000_000 + n  # a JSON number
            emulator.add_order(order_id, "UN_PAID")
            expected[order_id] = "cancelled"
        elif kind == 5:
            emulator.add_order(order_id, "PENDING")
            expected[order_id] = "cancelled"
        else:
            emulator.add_order(order_id, "UN_PAID")
            expected[order_id] = "cancelled"
        ids.append(order_id)
    for bad in ("", "  padded ", "x" * 200, "nul\x00id", 0, 2**60):  # never sent
        ids.append(bad)
        expected[bad] = "failed"
    # Duplicates, late in the input: cancelled once, each reported as a duplicate.
    ids += ids[7:40:3]
    return ids, expected


def test_big_batch_gives_exactly_the_right_outcome_per_id(
    flavour: str,
    client_options: dict[str, object],
    emulator: Emulator,
    way_in: str,
    fast_retries: list[float],
) -> None:
    size = BIG_BATCH if way_in == "in-process" else min(BIG_BATCH, 300)
    ids, expected = build_batch(emulator, size)
    faults = {"429": 0, "503": 0}

    def inject_now_and_then(outcome: CancelOutcome) -> None:
        # Spread faults through the batch: one every 25 finished orders.
        finished = sum(seen.values())
        if finished % 25 == 0:
            status = 429 if finished % 50 == 0 else 503
            faults[str(status)] += 1
            emulator.inject(Fault.http_status(status, retry_after=0 if status == 429 else None))

    seen: Counter[str] = Counter()

    def on_outcome(outcome: CancelOutcome) -> None:
        seen[outcome.outcome] += 1
        inject_now_and_then(outcome)

    received_before = emulator.requests_received
    outcomes = cancel_many(
        flavour, {**client_options, "max_retries": 4}, ids, concurrency=8, on_outcome=on_outcome
    )

    # One outcome per id given, in input order; repeats point back at their first position.
    assert [(type(o.order_id), o.order_id) for o in outcomes] == [(type(i), i) for i in ids]
    firsts = {o.order_id: o for o in outcomes[:-11]}
    assert {order_id: o.outcome for order_id, o in firsts.items()} == expected
    for position, repeat in enumerate(outcomes[-11:], len(ids) - 11):
        assert (repeat.outcome, repeat.ok, repeat.error_type) == ("duplicate", True, None)
        assert repeat.duplicate_of == ids.index(ids[position])
    assert sum(seen.values()) == len(outcomes)
    assert faults["429"] > 0
    assert faults["503"] > 0
    assert emulator.pending_faults <= 1  # every fault but perhaps the last was met and retried
    # Every attempt reached the emulator; every injected fault cost exactly one extra attempt.
    attempts = sum(o.attempts for o in outcomes)
    assert attempts == emulator.requests_received - received_before
    met = faults["429"] + faults["503"] - emulator.pending_faults
    assert attempts == sum(1 for o in outcomes if o.attempts) + met
    for order_id, outcome in expected.items():
        if outcome == "cancelled":
            assert emulator.cancel_count(order_id) == 1, order_id
        elif outcome != "failed":
            assert emulator.cancel_count(order_id) == 0, order_id
    assert emulator.total_cancels == Counter(expected.values())["cancelled"]


def test_outcomes_carry_what_happened(
    flavour: str, emulator: Emulator, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503, process_first=True))  # cancels, then loses the answer
    opts = {"api_key": emulator.api_key, "secret_key": emulator.secret_key}
    before = datetime.now(UTC)
    [lost] = cancel_many(
        flavour,
        {**opts, "base_url": "http://emulator.localhost", "transport": emulator.transport()},
        ["ord_1"],
    )
    outcomes = cancel_many(
        flavour,
        {**opts, "base_url": "http://emulator.localhost", "transport": emulator.transport()},
        ["ord_2", "ord_cancelled", "ord_9", "ord_paid", "ord_expired", "  "],
    )
    ok, before_batch, missing, paid, expired, invalid = outcomes

    assert lost.outcome == "already_cancelled"  # the retry saw what the first attempt did
    assert lost.ok
    assert lost.final
    assert lost.attempts == 2
    assert lost.error_type is None
    assert isinstance(lost.order, CancelledOrder)
    assert lost.order.already_cancelled
    assert emulator.cancel_count("ord_1") == 1

    assert ok.outcome == "cancelled"
    assert ok.ok
    assert ok.attempts == 1
    assert ok.order is not None
    assert ok.order.status == "CANCELLED"
    assert ok.error_type is None
    assert ok.message is None
    assert before <= ok.finished_at <= datetime.now(UTC)
    assert ok.finished_at.tzinfo is UTC

    # Cancelled before the batch: the batch's goal holds; no error, a note says why.
    assert before_batch.outcome == "already_cancelled"
    assert before_batch.ok
    assert before_batch.error_type is None
    assert "already cancelled before this call" in (before_batch.message or "")
    assert before_batch.order is None

    assert missing.outcome == "not_found"
    assert not missing.ok
    assert missing.final
    assert missing.error_type == "OrderNotFoundError"
    assert missing.message == "KwikPaisa has no order 'ord_9' (HTTP 404: Order not found.)"
    assert (paid.outcome, expired.outcome) == ("not_cancellable", "not_cancellable")
    assert "ord_paid" in (paid.message or "")

    assert invalid.outcome == "failed"
    assert not invalid.final
    assert invalid.attempts == 0
    assert invalid.error_type == "ValueError"
    assert "order_id is empty" in (invalid.message or "")


def test_outcome_json_line_shape(flavour: str, emulator: Emulator) -> None:
    [outcome] = cancel_many(
        flavour,
        {
            "api_key": emulator.api_key,
            "secret_key": emulator.secret_key,
            "base_url": "http://emulator.localhost",
            "transport": emulator.transport(),
        },
        [6116229263036],
    )
    line = outcome.to_json()
    assert list(line) == [
        "order_id",
        "outcome",
        "error",
        "message",
        "attempts",
        "timestamp",
        "duplicate_of",
    ]
    assert line["order_id"] == 6116229263036
    assert (line["outcome"], line["error"], line["message"], line["attempts"]) == (
        "cancelled",
        None,
        None,
        1,
    )
    assert line["timestamp"].endswith("Z")
    parsed = datetime.fromisoformat(line["timestamp"])
    assert parsed == outcome.finished_at.replace(microsecond=parsed.microsecond)


def test_public_names_and_defaults() -> None:
    assert CancelOutcome.__module__ == "kwikpaisa"
    assert "CancelOutcome" in kwikpaisa.__all__
    for orders in (kwikpaisa.AsyncOrders, kwikpaisa.Orders):
        for batch in (orders.cancel_many, orders.status_many):
            signature = inspect.signature(batch)
            assert signature.parameters["concurrency"].default == DEFAULT_CONCURRENCY
    # The sync batches take the same options as the async ones, in the same order.
    for name in ("cancel_many", "status_many"):
        sync = inspect.signature(getattr(kwikpaisa.Orders, name)).parameters
        assert list(sync) == list(
            inspect.signature(getattr(kwikpaisa.AsyncOrders, name)).parameters
        )
    assert set(OUTCOMES) - FINAL_OUTCOMES == {"failed"}


def test_the_bulk_page_states_the_real_batch_defaults() -> None:
    from kwikpaisa._cli._orders import MAX_CONCURRENCY

    readme = doc_text("docs/bulk.md")
    assert f"`concurrency` at a time (default {DEFAULT_CONCURRENCY})" in readme
    assert f"`--concurrency N` (default {DEFAULT_CONCURRENCY}, at most {MAX_CONCURRENCY})" in readme


def in_process(emulator: Emulator, **extra: object) -> dict[str, object]:
    return {
        "api_key": emulator.api_key,
        "secret_key": emulator.secret_key,
        "base_url": "http://emulator.localhost",
        "transport": emulator.transport(),
        **extra,
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"concurrency": 0}, ValueError, "concurrency must be a whole number >= 1, got 0"),
        ({"concurrency": -3}, ValueError, "got -3"),
        ({"concurrency": True}, ValueError, "got True"),
        ({"concurrency": 2.5}, ValueError, "got 2.5"),
        ({"max_retries": -1}, ValueError, "max_retries must be a whole number >= 0"),
        ({"timeout": 0}, ValueError, "timeout must be a positive number"),
    ],
)
def test_bad_options_fail_before_any_request(
    flavour: str, emulator: Emulator, kwargs: dict[str, Any], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text.replace("(", r"\(").replace(".", r"\.")):
        cancel_many(flavour, in_process(emulator), ["ord_1", "ord_2"], **kwargs)
    assert emulator.requests_received == 0


@pytest.mark.parametrize(
    ("order_ids", "text"),
    [
        ("ord_1", "not a single str: wrap it as"),
        (["ord_1", None], r"order_ids\[1\] is a NoneType"),
        (["ord_1", 1.0], r"order_ids\[1\] is a float"),
        ([True], r"order_ids\[0\] is a bool"),
    ],
)
def test_ids_of_the_wrong_type_fail_before_any_request(
    flavour: str, emulator: Emulator, order_ids: Any, text: str
) -> None:
    with pytest.raises(TypeError, match=text):
        cancel_many(flavour, in_process(emulator), order_ids)
    assert emulator.requests_received == 0


def test_duplicates_are_cancelled_once_and_types_are_kept(flavour: str, emulator: Emulator) -> None:
    emulator.add_order(77, "UN_PAID")
    ids: list[str | int] = ["ord_1", 77, "ord_1", "ord_2", 77, "77", "ord_2"]
    outcomes = cancel_many(flavour, in_process(emulator), ids, concurrency=3)
    # One outcome per id given, in input order: zip(ids, outcomes) lines up.
    assert [(o.order_id, o.outcome, o.duplicate_of) for o in outcomes] == [
        ("ord_1", "cancelled", None),
        (77, "cancelled", None),
        ("ord_1", "duplicate", 0),
        ("ord_2", "cancelled", None),
        (77, "duplicate", 1),
        # "77" is a different request (a JSON string): it finds the order cancelled.
        ("77", "already_cancelled", None),
        ("ord_2", "duplicate", 3),
    ]
    assert outcomes[2].message == (
        "a duplicate of order_ids[0]: the order was sent once, and that outcome (cancelled) "
        "is this order's"
    )
    assert all(o.ok and o.error_type is None for o in outcomes)
    assert not outcomes[2].final  # a journal keeps the first occurrence only
    assert emulator.requests_received == 4
    assert emulator.cancel_count("ord_1") == emulator.cancel_count(77) == 1


def test_empty_batch_sends_nothing(flavour: str, emulator: Emulator) -> None:
    assert cancel_many(flavour, in_process(emulator), []) == []
    assert cancel_many(flavour, in_process(emulator), iter(())) == []
    assert emulator.requests_received == 0


def test_every_attempt_failing_never_raises(
    flavour: str, emulator: Emulator, fast_retries: list[float]
) -> None:
    emulator.inject(Fault.http_status(503), times=10)
    outcomes = cancel_many(
        flavour, in_process(emulator, max_retries=1), ["ord_1", "ord_2", "ord_123"]
    )
    assert [o.outcome for o in outcomes][:2] == ["failed", "failed"]
    for outcome in outcomes:
        if outcome.outcome == "failed":
            assert outcome.error_type == "ServerError"
            assert outcome.attempts == 2
            assert "it may or may not be cancelled" in (outcome.message or "")


def test_no_answer_is_failed_over_a_socket(
    flavour: str, emulator: Emulator, fast_retries: list[float]
) -> None:
    options = {"api_key": emulator.api_key, "secret_key": emulator.secret_key}
    outcomes = cancel_many(
        flavour, {**options, "base_url": "http://127.0.0.1:9", "max_retries": 0}, ["ord_1", "ord_2"]
    )
    assert [(o.outcome, o.error_type) for o in outcomes] == [("failed", "APIConnectionError")] * 2
    assert all("Could not connect" in (o.message or "") for o in outcomes)


def test_on_outcome_is_called_as_orders_finish(flavour: str, emulator: Emulator) -> None:
    streamed: list[CancelOutcome] = []
    outcomes = cancel_many(
        flavour, in_process(emulator), ["ord_1", "ord_9", "ord_paid"], on_outcome=streamed.append
    )
    assert sorted(map(id, streamed)) == sorted(map(id, outcomes))


def test_an_exception_from_on_outcome_stops_the_batch_and_is_raised(
    flavour: str, emulator: Emulator
) -> None:
    for n in range(50):
        emulator.add_order(f"o{n}")
    calls = 0

    def explode(outcome: CancelOutcome) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device"):
        cancel_many(
            flavour,
            in_process(emulator),
            [f"o{n}" for n in range(50)],
            concurrency=2,
            on_outcome=explode,
        )
    assert emulator.total_cancels < 50  # it stopped, at most a worker's order after the error


def test_stop_starts_no_new_orders(flavour: str, emulator: Emulator) -> None:
    ids = [f"s{n}" for n in range(40)]
    for order_id in ids:
        emulator.add_order(order_id)
    streamed: list[CancelOutcome] = []

    def stop_after_five(stop: asyncio.Event | threading.Event) -> Callable[[CancelOutcome], None]:
        def on_outcome(outcome: CancelOutcome) -> None:
            if len(streamed) == 5:
                stop.set()
            streamed.append(outcome)

        return on_outcome

    async def main() -> list[CancelOutcome]:
        stop = asyncio.Event()
        async with AsyncKwikPaisa(**in_process(emulator)) as kp:  # type: ignore[arg-type]
            return await kp.orders.cancel_many(
                ids, concurrency=4, on_outcome=stop_after_five(stop), stop=stop
            )

    if flavour == "sync":
        stop = threading.Event()  # the sync client's batches take a threading.Event
        with KwikPaisa(**in_process(emulator)) as client:  # type: ignore[arg-type]
            outcomes = client.orders.cancel_many(
                ids, concurrency=4, on_outcome=stop_after_five(stop), stop=stop
            )
    else:
        outcomes = run(main())
    assert 6 <= len(outcomes) <= 6 + 3  # the sixth set stop; the other workers' orders finish
    assert all(o.outcome == "cancelled" for o in outcomes)
    finished = {o.order_id for o in outcomes}
    for order_id in ids:
        assert emulator.cancel_count(order_id) == (order_id in finished)
        if order_id not in finished:
            assert emulator.order_status(order_id) == "UN_PAID"


# -- the batch-wide back-off -------------------------------------------------------------


class Watch:
    """Watch the batch: which task starts a request, when the batch's gate closes, which
    task waits at it, and for how long. For the sync client's batches a task starts a
    request by handing it to a worker thread (recorded there, on the event loop), and the
    answers are recorded by a sync transport."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | httpx.BaseTransport,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.events: list[tuple[str, object, object]] = []
        watch = self

        class Recording(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                assert isinstance(inner, httpx.AsyncBaseTransport)
                watch.events.append(("start", asyncio.current_task(), None))
                response = await inner.handle_async_request(request)
                watch.events.append(("answer", asyncio.current_task(), response.status_code))
                return response

        class SyncRecording(httpx.BaseTransport):
            def handle_request(self, request: httpx.Request) -> httpx.Response:
                assert isinstance(inner, httpx.BaseTransport)
                response = inner.handle_request(request)
                watch.events.append(("answer", None, response.status_code))
                return response

        async def recording_sleep(seconds: float, *args: object) -> None:
            watch.events.append(("sleep", asyncio.current_task(), seconds))
            await real_sleep(0)

        def recording_close_for(gate: BackoffGate, seconds: float) -> None:
            watch.events.append(("close", asyncio.current_task(), seconds))
            real_close_for(gate, seconds)

        async def recording_attempt(threaded: Any, call: Any, request: Any) -> Any:
            watch.events.append(("start", asyncio.current_task(), None))
            return await real_attempt(threaded, call, request)

        real_sleep = asyncio.sleep
        real_close_for = BackoffGate.close_for
        real_attempt = _ThreadedAttempts._attempt
        monkeypatch.setattr("kwikpaisa._client._async_sleep", recording_sleep)
        monkeypatch.setattr(BackoffGate, "close_for", recording_close_for)
        monkeypatch.setattr(_ThreadedAttempts, "_attempt", recording_attempt)
        self.transport = Recording()
        self.sync_transport = SyncRecording()

    def unpaused_starts_after_close(self, pause: Callable[[float], bool]) -> int:
        """Requests started, after the batch's gate first closed, by a task that had not
        waited a ``pause``-sized sleep since then. Requests already on their way when the
        gate closed are not counted: nothing can call those back."""
        closed = False
        waited: set[object] = set()
        unpaused = 0
        for kind, task, value in self.events:
            if kind == "close":
                closed = True
            elif kind == "sleep" and closed and pause(float(value)):  # type: ignore[arg-type]
                waited.add(task)
            elif kind == "start" and closed and task not in waited:
                unpaused += 1
        return unpaused

    def answers(self) -> list[object]:
        return [value for kind, _, value in self.events if kind == "answer"]

    def sleepers(self, pause: Callable[[float], bool]) -> set[object]:
        return {
            task
            for kind, task, value in self.events
            if kind == "sleep" and pause(float(value))  # type: ignore[arg-type]
        }


@pytest.fixture
def watched(
    way_in: str, flavour: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Watch, dict[str, object]]]:
    """A :class:`Watch` on the batch, and client options (for ``flavour``'s client)
    sending through it ``way_in``."""
    keys = {"api_key": emulator.api_key, "secret_key": emulator.secret_key}
    with contextlib.ExitStack() as stack:
        if way_in == "in-process":
            base_url = "http://emulator.localhost"
            inner: Any = emulator.transport()
        else:
            base_url = stack.enter_context(emulator.serve())
            inner = httpx.HTTPTransport() if flavour == "sync" else httpx.AsyncHTTPTransport()
        watch = Watch(inner, monkeypatch)
        transport = watch.sync_transport if flavour == "sync" else watch.transport
        yield watch, {**keys, "base_url": base_url, "transport": transport}


def back_off_batch(emulator: Emulator, size: int = 80) -> list[str]:
    ids = [f"r{n}" for n in range(size)]
    for order_id in ids:
        emulator.add_order(order_id)
    return ids


def near(target: float) -> Callable[[float], bool]:
    return lambda seconds: target - 2 <= seconds <= target


@pytest.mark.parametrize(
    "fault",
    [Fault.http_status(429, retry_after=30), Fault.http_status(503, retry_after=30)],
    ids=["429", "503-with-retry-after"],
)
def test_retry_after_pauses_every_task_of_the_batch(
    flavour: str, emulator: Emulator, watched: tuple[Watch, dict[str, object]], fault: Fault
) -> None:
    ids = back_off_batch(emulator)
    watch, options = watched
    emulator.inject(fault)
    outcomes = cancel_many(flavour, options, ids, concurrency=8)

    assert all(o.outcome == "cancelled" for o in outcomes)
    assert sum(o.attempts for o in outcomes) == len(ids) + 1
    assert watch.answers().count(fault.status) == 1
    # Once the answer asking for 30 s was read, no task started a request before waiting
    # out the pause.
    assert watch.unpaused_starts_after_close(near(30)) == 0
    assert len(watch.sleepers(near(30))) == 8  # every task waited, not just the one refused


def test_retries_without_retry_after_back_off_alone(
    flavour: str, emulator: Emulator, watched: tuple[Watch, dict[str, object]]
) -> None:
    ids = back_off_batch(emulator)
    watch, options = watched
    emulator.inject(Fault.http_status(503))  # no Retry-After: this order's own backoff
    outcomes = cancel_many(flavour, options, ids, concurrency=8)

    assert all(o.outcome == "cancelled" for o in outcomes)
    sleeps = [value for kind, _, value in watch.events if kind == "sleep"]
    assert len(sleeps) == 1
    assert 0.375 <= float(sleeps[0]) <= 0.5


def test_a_final_429_still_pauses_the_rest(
    flavour: str, emulator: Emulator, watched: tuple[Watch, dict[str, object]]
) -> None:
    ids = back_off_batch(emulator, 40)
    watch, options = watched
    options = {**options, "max_retries": 0}
    emulator.inject(Fault.http_status(429, retry_after=20))
    outcomes = cancel_many(flavour, options, ids, concurrency=4)

    assert Counter(o.outcome for o in outcomes) == {"cancelled": 39, "failed": 1}
    [refused] = [o for o in outcomes if o.outcome == "failed"]
    assert refused.error_type == "RateLimitError"
    assert refused.attempts == 1
    assert watch.unpaused_starts_after_close(near(20)) == 0
    assert len(watch.sleepers(near(20))) >= 3  # the other tasks waited before going on


# -- the sync client's batches: what differs --------------------------------------------


def test_sync_batches_send_through_the_callers_http_client(emulator: Emulator) -> None:
    sent: list[str] = []
    mine = httpx.Client(
        transport=emulator.transport(),
        event_hooks={"request": [lambda request: sent.append(request.url.path)]},
    )
    with mine, KwikPaisa(**{**in_process(emulator), "transport": None}, http_client=mine) as kp:  # type: ignore[arg-type]
        outcomes = kp.orders.cancel_many(["ord_1", "ord_2", "ord_9"], concurrency=2)
        statuses = kp.orders.status_many(["ord_1"])
        assert not mine.is_closed
    assert [o.outcome for o in outcomes] == ["cancelled", "cancelled", "not_found"]
    assert statuses[0].order is not None
    assert statuses[0].order.status == "CANCELLED"
    assert sorted(sent) == ["/api/v3/pg/order/cancel"] * 3 + ["/api/v3/pg/order/status"]
    assert emulator.requests_received == 4


def test_sync_batches_run_from_a_thread_that_runs_an_event_loop(emulator: Emulator) -> None:
    """Called from async code (a sync helper inside an async view), the batch runs its own
    loop in a thread of its own, calls on_outcome there, and returns to the caller."""
    threads: set[str] = set()

    async def main() -> list[CancelOutcome]:
        with KwikPaisa(**in_process(emulator)) as kp:  # type: ignore[arg-type]
            return kp.orders.cancel_many(
                ["ord_1", "ord_9"],
                on_outcome=lambda outcome: threads.add(threading.current_thread().name),
            )

    outcomes = run(main())
    assert [o.outcome for o in outcomes] == ["cancelled", "not_found"]
    assert threads == {"kwikpaisa-batch-loop"}


def test_sync_batches_call_on_outcome_in_the_calling_thread(emulator: Emulator) -> None:
    threads: set[int] = set()
    with KwikPaisa(**in_process(emulator)) as kp:  # type: ignore[arg-type]
        kp.orders.cancel_many(
            ["ord_1", "ord_2", "ord_123"],
            concurrency=3,
            on_outcome=lambda outcome: threads.add(threading.get_ident()),
        )
    assert threads == {threading.get_ident()}


def test_an_error_in_a_sync_batch_on_a_loop_thread_reaches_the_caller(emulator: Emulator) -> None:
    def explode(outcome: CancelOutcome) -> None:
        raise OSError(28, "No space left on device")

    async def main() -> None:
        with KwikPaisa(**in_process(emulator)) as kp:  # type: ignore[arg-type]
            kp.orders.cancel_many(["ord_1"], on_outcome=explode)

    with pytest.raises(OSError, match="No space left on device"):
        run(main())
