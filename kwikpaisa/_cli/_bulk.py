"""``kwikpaisa cancel --from FILE`` and ``kwikpaisa status --from FILE``: a batch's input,
output, journal and signals, the same for every batch command.

The batch itself is the one engine behind :meth:`kwikpaisa.AsyncOrders.cancel_many` and
:meth:`~kwikpaisa.AsyncOrders.status_many` (a :class:`~kwikpaisa._bulk.BatchKind` says
which); this module feeds it order ids, writes one JSON line per finished order, keeps
the journal that makes a rerun skip finished orders, draws the progress bar and prints
the summary.

Journal: one JSON line per order with a *final* outcome (everything but ``failed``),
written, flushed and fsync'd as each order finishes, so a batch killed at any point
(Ctrl-C, SIGTERM, a crash, a power cut) loses nothing. A rerun with the same journal
skips those orders; ``failed`` ones are not recorded and are tried again. An order
whose answer was lost when the batch died is simply sent again: KwikPaisa answers
"already cancelled" and nothing is cancelled twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import IO, Any

from .. import _client
from .._bulk import BatchKind, BatchOutcome, order_key, run_batch
from .._client import AsyncKwikPaisa
from ..errors import KwikPaisaError
from ._common import UsageError, client_kwargs, fail, parse_order_id, read_source, usage
from ._exit import ExitCode

__all__ = ["Journal", "read_order_ids", "run_bulk"]

STOP_GRACE_SECONDS = 10.0
"""After Ctrl-C or SIGTERM, orders in flight get this long to finish before being abandoned."""

_Key = tuple[str, str | int]


# -- input --------------------------------------------------------------------------------


def read_order_ids(source: str) -> list[tuple[int, str]]:
    """The order ids in ``source`` (a path, or ``-`` for stdin), as text, with their line
    numbers.

    Either one id per line, or a CSV whose header has an ``order_id`` column (other
    columns are ignored). Blank lines and lines starting with ``#`` are skipped;
    surrounding whitespace is removed; a UTF-8 byte-order mark (spreadsheet exports)
    is accepted.
    """
    name = "standard input" if source == "-" else source
    try:
        text = read_source(source, name).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{name} is not UTF-8 text (byte {error.start}); export the ids as UTF-8"
        ) from None
    return parse_order_ids(text, name=name)


def parse_order_ids(text: str, *, name: str) -> list[tuple[int, str]]:
    """Split a file's text into ``(line number, order id)``: CSV with an ``order_id``
    header, else one id per line. Blank and ``#`` comment lines are skipped."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        return []
    header = _csv_cells(lines[0][1])
    columns = [cell.strip().lower() for cell in header]
    if "order_id" in columns:
        column = columns.index("order_id")
        found = []
        for number, line in lines[1:]:
            cells = _csv_cells(line)
            cell = cells[column].strip() if column < len(cells) else ""
            if cell:
                found.append((number, cell))
        return found
    if name.lower().endswith(".csv"):
        shown = ", ".join(cell.strip() for cell in header)[:80]
        raise UsageError(
            f"{name} has no order_id column (its header is: {shown}); "
            "name the column of order ids order_id, or give one id per line"
        )
    return [(number, line.strip()) for number, line in lines]


def _csv_cells(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line)), [])


# -- journal ------------------------------------------------------------------------------


class Journal:
    """Finished orders of a batch, one JSON line each, durable as soon as written."""

    def __init__(self, path: str, handle: IO[bytes]) -> None:
        self.path = path
        self._handle = handle

    @classmethod
    def open(cls, path: str, kind: BatchKind[Any, Any]) -> tuple[Journal, dict[_Key, str]]:
        """Open (or create) the journal; return it and the outcome of each finished order.

        A last line cut short (the run was killed while writing it) is removed: that
        order is simply done again.
        """
        try:
            handle = open(path, "a+b")  # noqa: SIM115 (kept open for the whole run)
        except OSError as error:
            raise UsageError(f"cannot open journal {path}: {error.strerror or error}") from None
        try:
            _lock(handle, path, kind)
            handle.seek(0)
            data = handle.read()
            complete = data[: data.rfind(b"\n") + 1]
            try:
                finished = _read_journal(complete.decode("utf-8"), path, kind)
            except UnicodeDecodeError:
                raise UsageError(
                    f"{path} is not a journal written by kwikpaisa {kind.name} (not UTF-8 text); "
                    "pass the journal of an earlier run, or a new file, to --journal"
                ) from None
            if len(complete) < len(data):
                handle.truncate(len(complete))
        except BaseException:
            handle.close()
            raise
        return cls(path, handle), finished

    def record(self, outcome: BatchOutcome, line: str) -> None:
        """Add a finished order as ``line``, its JSON line (``failed`` orders are not
        recorded: a rerun tries them again; nor are duplicates: their first line is)."""
        if not outcome.final:
            return
        self._handle.write(line.encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()


def _lock(handle: IO[bytes], path: str, kind: BatchKind[Any, Any]) -> None:
    """One run per journal at a time (where the platform can lock files)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows)
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UsageError(
            f"journal {path} is in use by another kwikpaisa {kind.name} run; wait for it to finish"
        ) from None


def _read_journal(text: str, path: str, kind: BatchKind[Any, Any]) -> dict[_Key, str]:
    finished: dict[_Key, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        entry = _journal_entry(line, kind)
        if entry is None:
            raise UsageError(
                f"{path} line {number} is not a journal entry written by kwikpaisa "
                f"{kind.name}; "
                "pass the journal of an earlier run, or a new file, to --journal"
            )
        key, outcome = entry
        if outcome in kind.outcome_type.FINAL:
            finished[key] = outcome
    return finished


def _journal_entry(line: str, kind: BatchKind[Any, Any]) -> tuple[_Key, str] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    order_id, outcome = entry.get("order_id"), entry.get("outcome")
    if isinstance(order_id, bool) or not isinstance(order_id, str | int):
        return None
    if outcome not in kind.outcomes:
        return None
    return order_key(order_id), str(outcome)


# -- output, progress, summary ------------------------------------------------------------


class _Bar:
    """A rich progress bar on stderr (rich is imported only when one is shown)."""

    def __init__(self, total: int, kind: BatchKind[Any, Any]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn(kind.doing),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[not_ok]} " + kind.not_ok),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            # JSON lines for a terminal are printed above the bar; for a file or pipe,
            # they go straight to stdout.
            redirect_stdout=_isatty(sys.stdout),
            redirect_stderr=False,
        )
        self._task = self._progress.add_task(kind.name, total=total, not_ok=0)
        self._not_ok = 0
        self._progress.start()

    def advance(self, outcome: BatchOutcome) -> None:
        self._not_ok += not outcome.ok
        self._progress.update(self._task, advance=1, not_ok=self._not_ok)

    def stop(self) -> None:
        self._progress.stop()


def _start_bar(total: int, wanted: bool, kind: BatchKind[Any, Any]) -> _Bar | None:
    if not wanted or total == 0:
        return None
    try:
        return _Bar(total, kind)
    except ImportError:
        print(
            "kwikpaisa: no progress bar: install the progress extra "
            "(pip install 'kwikpaisa[progress]')",
            file=sys.stderr,
        )
        return None


class _Report:
    """Everything that happens as an order finishes: output line, journal, counts, bar.

    Lines are written the moment an order finishes, before the journal records it, so a
    batch killed at any point has written every order it journaled; each line carries
    its input ``line``, which gives the file's order back.
    """

    def __init__(self, output: IO[str] | None, journal: Journal | None, lines: list[int]) -> None:
        self._output = output
        self._journal = journal
        self._lines = lines  # the input line of each slot
        self.counts: Counter[str] = Counter()
        self.bar: _Bar | None = None

    def record(self, slot: int, outcome: BatchOutcome) -> None:
        """``slot`` (an input line) finished as ``outcome``."""
        data = {"order_id": outcome.order_id, "line": self._lines[slot], **outcome.to_json()}
        if outcome.duplicate_of is not None:
            data["duplicate_of"] = self._lines[outcome.duplicate_of]
        line = json.dumps(data, ensure_ascii=False) + "\n"
        stream = self._output or sys.stdout  # looked up now: the bar may redirect stdout
        stream.write(line)
        stream.flush()
        if outcome.outcome == "duplicate":
            return
        if self._journal is not None:
            self._journal.record(outcome, line)
        self.counts[outcome.outcome] += 1
        if self.bar is not None:
            self.bar.advance(outcome)


def _summary(
    report: _Report,
    kind: BatchKind[Any, Any],
    *,
    skipped: Counter[str],
    duplicates: int,
    unfinished: int,
    elapsed: float,
    stopped_by: int | None,
) -> str:
    done = sum(report.counts.values())
    rate = f"{done / elapsed:.0f} orders/s" if elapsed > 0 and done else "-"
    lines = [f"kwikpaisa: {done} order{'' if done == 1 else 's'} in {elapsed:.1f} s ({rate})"]
    lines += [f"  {name:<18}{report.counts[name]:>8}" for name in kind.outcomes]
    if skipped:
        detail = ", ".join(f"{skipped[name]} {name}" for name in kind.outcomes if skipped[name])
        lines.append(f"  {'skipped':<18}{sum(skipped.values()):>8}  (in the journal: {detail})")
    if duplicates:
        lines.append(f"  {'duplicates':<18}{duplicates:>8}  (repeated ids, sent once)")
    if stopped_by is not None:
        why = "Ctrl-C" if stopped_by == signal.SIGINT else signal.Signals(stopped_by).name
        lines.append(
            f"  {'not finished':<18}{unfinished:>8}  (stopped by {why}; rerun with the same "
            "--journal to finish them)"
        )
    return "\n".join(lines)


# -- the command --------------------------------------------------------------------------


def run_bulk(args: argparse.Namespace, kind: BatchKind[Any, Any]) -> int:
    """Run ``kwikpaisa cancel --from FILE`` (or ``status``, by ``kind``); return the exit
    code."""
    journal: Journal | None = None
    output: IO[str] | None = None
    try:
        _check_distinct(args)
        entries = read_order_ids(args.from_file)
        finished: dict[_Key, str] = {}
        if args.journal:
            journal, finished = Journal.open(args.journal, kind)
        try:
            client = AsyncKwikPaisa(**client_kwargs(args))
        except (KwikPaisaError, ValueError, TypeError) as error:
            return fail(error)
        if args.output and args.output != "-":
            try:  # appended to, never truncated: a resumed run adds its lines
                output = open(args.output, "a", encoding="utf-8")  # noqa: SIM115
            except OSError as error:
                raise UsageError(f"cannot write {args.output}: {error.strerror or error}") from None
        return _run(args, client, kind, entries, finished, output, journal)
    except UsageError as error:
        return usage(kind.name, str(error))
    finally:
        if output is not None:
            output.close()
        if journal is not None:
            journal.close()


def _check_distinct(args: argparse.Namespace) -> None:
    """The input, the output and the journal must be three different files."""
    files = [
        (option, os.path.realpath(path))
        for option, path in (
            ("--from", args.from_file),
            ("--output", args.output),
            ("--journal", args.journal),
        )
        if path and path != "-"
    ]
    for index, (option, path) in enumerate(files):
        for other, other_path in files[index + 1 :]:
            if path == other_path:
                raise UsageError(f"{option} and {other} name the same file; use separate files")


def _run(
    args: argparse.Namespace,
    client: AsyncKwikPaisa,
    kind: BatchKind[Any, Any],
    entries: list[tuple[int, str]],
    finished: dict[_Key, str],
    output: IO[str] | None,
    journal: Journal | None,
) -> int:
    report = _Report(output, journal, [line for line, _ in entries])
    order_ids: list[str | int] = []
    slot_of: dict[_Key, int] = {}  # first slot of each id sent
    repeats: dict[int, list[int]] = {}  # first slot -> slots repeating it
    invalid: list[tuple[int, BatchOutcome]] = []  # ids that cannot be sent
    skipped: Counter[str] = Counter()
    first_at: dict[_Key, int] = {}
    parsed: dict[int, str | int] = {}  # the order id of each valid slot
    duplicates = 0
    for slot, (_, text) in enumerate(entries):
        try:
            order_id = parse_order_id(text)
        except ValueError as error:
            invalid.append((slot, kind.classify(text, error=error, attempts=0)))
            continue
        parsed[slot] = order_id
        key = order_key(order_id)
        first = first_at.setdefault(key, slot)
        if first != slot:
            duplicates += 1
            repeats.setdefault(first, []).append(slot)
        elif key in finished:
            skipped[finished[key]] += 1  # its repeats too: printed by the run that sent it
        else:
            slot_of[key] = slot
            order_ids.append(order_id)

    def duplicates_of(first: int, outcome: BatchOutcome) -> list[tuple[int, BatchOutcome]]:
        where = f"line {entries[first][0]}"
        return [
            (slot, kind.duplicate(parsed[slot], first=outcome, position=first, where=where))
            for slot in repeats.get(first, ())
        ]

    def record(outcome: BatchOutcome) -> None:
        slot = slot_of[order_key(outcome.order_id)]
        report.record(slot, outcome)
        for repeat, duplicate in duplicates_of(slot, outcome):
            report.record(repeat, duplicate)

    started = time.monotonic()
    wanted = not args.no_progress and _isatty(sys.stderr)
    report.bar = _start_bar(len(order_ids) + len(invalid), wanted, kind)
    stopped_by: int | None = None
    try:
        for slot, outcome in invalid:
            report.record(slot, outcome)
        stopped_by = asyncio.run(_run_all(client, kind, order_ids, args.concurrency, record))
    except OSError as error:
        print(f"kwikpaisa {kind.name}: stopped: cannot write the results: {error}", file=sys.stderr)
        return int(ExitCode.FAILURE)
    finally:
        if report.bar is not None:
            report.bar.stop()
        elapsed = time.monotonic() - started
        unfinished = len(order_ids) + len(invalid) - sum(report.counts.values())
        print(
            _summary(
                report,
                kind,
                skipped=skipped,
                duplicates=duplicates,
                unfinished=unfinished,
                elapsed=elapsed,
                stopped_by=stopped_by,
            ),
            file=sys.stderr,
        )
    if stopped_by is not None:
        return 128 + stopped_by
    every = Counter(report.counts) + skipped
    all_ok = all(name in kind.outcome_type.SUCCESSFUL for name in every)
    return int(ExitCode.OK if all_ok else ExitCode.FAILURE)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


async def _run_all(
    client: AsyncKwikPaisa,
    kind: BatchKind[Any, Any],
    order_ids: list[str | int],
    concurrency: int,
    record: Callable[[BatchOutcome], None],
) -> int | None:
    """Run the batch; on the first SIGINT/SIGTERM stop starting orders, on the second
    (or after ``STOP_GRACE_SECONDS``) abandon those in flight. Return the signal, if any."""
    stop = asyncio.Event()
    async with client:
        batch = asyncio.ensure_future(
            run_batch(
                client,
                kind,
                order_ids,
                concurrency=concurrency,
                on_outcome=record,
                stop=stop,
                sleep=_client._async_sleep,
            )
        )
        received: list[int] = []
        loop = asyncio.get_running_loop()

        def on_signal(signum: int) -> None:
            if received:
                batch.cancel()
                return
            received.append(signum)
            stop.set()
            loop.call_later(STOP_GRACE_SECONDS, batch.cancel)
            print(
                "\nkwikpaisa: stopping: no new orders; letting those in flight finish "
                f"(up to {STOP_GRACE_SECONDS:.0f} s; press Ctrl-C again to abandon them)",
                file=sys.stderr,
                flush=True,
            )

        with _signals_to(loop, on_signal):
            try:
                await batch
            except asyncio.CancelledError:
                if not batch.cancelled():
                    raise
    return received[0] if received else None


@contextlib.contextmanager
def _signals_to(loop: asyncio.AbstractEventLoop, handler: Any) -> Iterator[None]:
    """Route SIGINT and SIGTERM to ``handler`` inside the event loop, where supported."""
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, handler, int(sig))
        except (NotImplementedError, RuntimeError, ValueError):  # not supported here
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
