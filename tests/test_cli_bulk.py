"""``kwikpaisa cancel --from FILE`` as a user runs it: real processes, a real loopback emulator."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kwikpaisa._cli import main
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import Emulator, Fault

from .conftest import Gate

OUTCOME_KEYS = [
    "order_id", "line", "outcome", "error", "message", "attempts", "timestamp", "duplicate_of"
]


def cli(
    *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kwikpaisa", "cancel", *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lines_of(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def summary_counts(stderr: str) -> dict[str, int]:
    """The summary's ``  name   count`` lines."""
    return {
        match[1]: int(match[2])
        for match in re.finditer(r"^  (\w[\w ]*?) +(\d+)\b", stderr, re.MULTILINE)
    }


def test_a_mixed_batch_writes_one_line_per_id_line_in_order_and_exits_1(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "orders.txt").write_text(
        "# abandoned checkouts\nord_1\n  ord_2  \n\nord_paid\nord_cancelled\n  # ord_expired\n"
        "ord_9\nord_1\nint:6116229263036\nint:x\n"
    )
    done = cli("--from", "orders.txt", "--concurrency", "4", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.FAILURE, done.stderr
    lines = lines_of(done.stdout)
    assert all(list(line) == OUTCOME_KEYS for line in lines)
    # One line per id line, naming it; comments and blank lines are skipped.
    lines.sort(key=lambda line: line["line"])
    assert [(line["line"], line["order_id"], line["outcome"]) for line in lines] == [
        (2, "ord_1", "cancelled"),
        (3, "ord_2", "cancelled"),
        (5, "ord_paid", "not_cancellable"),
        (6, "ord_cancelled", "already_cancelled"),
        (8, "ord_9", "not_found"),
        (9, "ord_1", "duplicate"),
        (10, 6116229263036, "cancelled"),  # int: sends a JSON number, as for one order
        (11, "int:x", "failed"),
    ]
    by_line = {line["line"]: line for line in lines}
    assert by_line[11]["error"] == "ValueError"
    assert by_line[11]["attempts"] == 0
    assert by_line[8]["error"] == "OrderNotFoundError"
    assert by_line[8]["message"] == "KwikPaisa has no order 'ord_9' (HTTP 404: Order not found.)"
    assert by_line[6]["error"] is None  # already cancelled is a success: no error
    assert (by_line[9]["error"], by_line[9]["duplicate_of"]) == (None, 2)
    assert "a duplicate of line 2" in by_line[9]["message"]
    assert by_line[2]["error"] is None
    assert by_line[2]["duplicate_of"] is None
    assert by_line[2]["timestamp"].endswith("Z")
    assert emulator.cancel_count("ord_1") == 1
    assert emulator.requests_received == 6  # never a comment, never a repeat
    counts = summary_counts(done.stderr)
    assert counts == {
        "cancelled": 3,
        "already_cancelled": 1,
        "not_found": 1,
        "not_cancellable": 1,
        "failed": 1,
        "duplicates": 1,
    }
    assert "kwikpaisa: 7 orders in " in done.stderr
    assert "orders/s" in done.stderr


def test_duplicates_alone_do_not_fail_a_batch(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    done = cli(
        "--from", "-", env=env, cwd=tmp_path,
        stdin="ord_1\nord_1\nord_cancelled\nint:6116229263036\nord_1\nint:6116229263036\n",
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    lines = sorted(lines_of(done.stdout), key=lambda line: line["line"])
    assert [(line["order_id"], line["outcome"], line["duplicate_of"]) for line in lines] == [
        ("ord_1", "cancelled", None),
        ("ord_1", "duplicate", 1),
        ("ord_cancelled", "already_cancelled", None),
        (6116229263036, "cancelled", None),
        ("ord_1", "duplicate", 1),
        (6116229263036, "duplicate", 4),  # the id as sent, a JSON number
    ]


def test_a_batch_that_all_ends_cancelled_exits_0(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    done = cli(
        "--from", "-", "--output", "out.jsonl", env=env, cwd=tmp_path,
        stdin="ord_1\nord_2\nord_cancelled\nord_pending\n",
    )  # fmt: skip
    assert done.returncode == ExitCode.OK, done.stderr
    assert done.stdout == ""
    lines = lines_of((tmp_path / "out.jsonl").read_text())
    assert Counter(line["outcome"] for line in lines) == {"cancelled": 3, "already_cancelled": 1}
    assert emulator.total_cancels == 3


def test_csv_export_with_an_order_id_column(env: dict[str, str], tmp_path: Path) -> None:
    # A spreadsheet export: byte-order mark, CRLF, quoted cells, other columns, blank cells.
    (tmp_path / "abandoned.csv").write_bytes(
        b'\xef\xbb\xbfcreated_at, Order_ID ,amount\r\n'
        b'"2026-05-13 09:14","ord_1","105.00"\r\n'
        b'2026-05-13 09:15,,1.00\r\n'
        b'2026-05-13 09:16, ord_paid ,2.00\r\n'
        b'\r\n'
        b'2026-05-13 09:17,"ord_2"\r\n'
    )
    done = cli("--from", "abandoned.csv", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.FAILURE, done.stderr
    outcomes = {line["order_id"]: line["outcome"] for line in lines_of(done.stdout)}
    assert outcomes == {"ord_1": "cancelled", "ord_paid": "not_cancellable", "ord_2": "cancelled"}


def test_a_csv_without_an_order_id_column_is_a_usage_error(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "orders.csv").write_text("id,amount\nord_1,1.00\n")
    done = cli("--from", "orders.csv", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert "orders.csv has no order_id column (its header is: id, amount)" in done.stderr
    assert emulator.requests_received == 0


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["--from", "missing.txt"], "cannot read missing.txt: No such file or directory"),
        (["ord_1", "--from", "orders.txt"], "give ORDER_ID or --from FILE, not both"),
        ([], "give the ORDER_ID to cancel, or --from FILE for a batch"),
        (["ord_1", "--journal", "j"], "--journal: only used with --from FILE"),
        (["ord_1", "--concurrency", "2", "--output", "o"], "--concurrency, --output: only used"),
        (["--from", "orders.txt", "--concurrency", "0"], "must be from 1 to 64, not 0"),
        (["--from", "orders.txt", "--concurrency", "x"], "must be a whole number, not 'x'"),
        (["--from", "binary.txt"], "binary.txt is not UTF-8 text (byte 4)"),
        (["--from", "orders.txt", "--journal", "j.txt"], "j.txt line 1 is not a journal"),
        (["--from", "orders.txt", "--journal", "./orders.txt"], "--from and --journal name the"),
        (["--from", "orders.txt", "--output", "orders.txt"], "--from and --output name the same"),
        (["--from", "-", "--output", "o", "--journal", "o"], "--output and --journal name the"),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, args: list[str], text: str
) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\n")
    (tmp_path / "binary.txt").write_bytes(b"ord_\xff\n")
    (tmp_path / "j.txt").write_text("ord_1\n")
    done = cli(*args, env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert text in done.stderr
    assert emulator.requests_received == 0
    # Never mistaken for a journal, never overwritten.
    assert (tmp_path / "orders.txt").read_text() == "ord_1\n"
    assert (tmp_path / "j.txt").read_text() == "ord_1\n"


def test_missing_keys_are_a_configuration_error(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\n")
    env = {k: v for k, v in env.items() if k != "KWIKPAISA_API_KEY"}
    done = cli("--from", "orders.txt", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.CONFIGURATION
    assert "KWIKPAISA_API_KEY" in done.stderr


def test_help_documents_outcomes_and_exit_codes() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kwikpaisa", "cancel", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    for text in ("--from FILE", "--journal FILE", "--concurrency N", "already_cancelled",
                 "1 some did not", "130 / 143", "6 order not found"):  # fmt: skip
        assert text in done.stdout


# -- the journal ----------------------------------------------------------------------------


def test_journal_skips_finished_orders_and_retries_failed_ones(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\nord_2\nord_paid\nord_9\n")
    emulator.inject(Fault.http_status(503), times=2)  # the first order to go fails for good
    first = cli(
        "--from", "orders.txt", "--journal", "j.jsonl", "--max-retries", "1",
        "--concurrency", "1", env=env, cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode == ExitCode.FAILURE
    outcomes = {line["order_id"]: line["outcome"] for line in lines_of(first.stdout)}
    assert outcomes == {"ord_1": "failed", "ord_2": "cancelled", "ord_paid": "not_cancellable",
                        "ord_9": "not_found"}  # fmt: skip
    journal = lines_of((tmp_path / "j.jsonl").read_text())
    assert {line["order_id"] for line in journal} == {"ord_2", "ord_paid", "ord_9"}
    assert lines_of(first.stdout)[1:] == journal  # journal lines are the output lines

    second = cli("--from", "orders.txt", "--journal", "j.jsonl", env=env, cwd=tmp_path)
    assert second.returncode == ExitCode.FAILURE  # ord_paid and ord_9 still did not cancel
    assert [(line["order_id"], line["outcome"]) for line in lines_of(second.stdout)] == [
        ("ord_1", "cancelled")
    ]
    assert summary_counts(second.stderr)["skipped"] == 3
    assert "(in the journal: 1 cancelled, 1 not_found, 1 not_cancellable)" in second.stderr
    assert emulator.cancel_count("ord_1") == emulator.cancel_count("ord_2") == 1

    third = cli("--from", "orders.txt", "--journal", "j.jsonl", env=env, cwd=tmp_path)
    assert third.stdout == ""
    assert third.returncode == ExitCode.FAILURE
    requests = emulator.requests_received
    assert len(lines_of((tmp_path / "j.jsonl").read_text())) == 4
    assert requests == 2 + 3 + 1  # 2 failed attempts, 3 more orders, then ord_1 again


def test_a_resumed_run_appends_to_the_output_file(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\nord_2\n")
    emulator.inject(Fault.http_status(503))  # the first order fails: no retries
    args = ["--from", "orders.txt", "--journal", "j.jsonl", "--output", "results.jsonl"]
    first = cli(*args, "--max-retries", "0", "--concurrency", "1", env=env, cwd=tmp_path)
    assert first.returncode == ExitCode.FAILURE
    second = cli(*args, env=env, cwd=tmp_path)
    assert second.returncode == ExitCode.OK, second.stderr
    results = lines_of((tmp_path / "results.jsonl").read_text())
    # The first run's lines are kept; the rerun adds only the order it sent again.
    assert [(line["order_id"], line["outcome"]) for line in results] == [
        ("ord_1", "failed"), ("ord_2", "cancelled"), ("ord_1", "cancelled"),
    ]


def test_a_torn_last_journal_line_is_redone(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\nord_2\n")
    entry = {"order_id": "ord_1", "outcome": "cancelled", "error": None, "message": None,
             "attempts": 1, "timestamp": "2026-05-13T03:44:00.000Z"}  # fmt: skip
    (tmp_path / "j.jsonl").write_text(json.dumps(entry) + '\n{"order_id": "ord_2", "outc')
    done = cli("--from", "orders.txt", "--journal", "j.jsonl", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr
    assert [line["order_id"] for line in lines_of(done.stdout)] == ["ord_2"]
    journal = lines_of((tmp_path / "j.jsonl").read_text())  # the torn line is gone
    assert [line["order_id"] for line in journal] == ["ord_1", "ord_2"]
    assert emulator.cancel_count("ord_1") == 0  # trusted the journal: not sent again


def test_one_run_per_journal(env: dict[str, str], emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\n")
    with open(tmp_path / "j.jsonl", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = cli("--from", "orders.txt", "--journal", "j.jsonl", env=env, cwd=tmp_path)
    assert done.returncode == ExitCode.USAGE
    assert "journal j.jsonl is in use by another kwikpaisa cancel run" in done.stderr
    assert emulator.requests_received == 0


# -- interruption and resumption ------------------------------------------------------------


def eligible_batch(emulator: Emulator, size: int) -> list[str]:
    """``size`` ids: most unpaid, some paid, unknown and already cancelled."""
    ids = []
    for n in range(size):
        order_id = f"run_{n:04d}"
        if n % 10 == 3:
            emulator.add_order(order_id, "PAID")
        elif n % 10 == 5:
            emulator.add_order(order_id, "CANCELLED")
        elif n % 10 != 7:  # 7: unknown
            emulator.add_order(order_id, "UN_PAID")
        ids.append(order_id)
    return ids


def expected_outcome(order_id: str) -> str:
    return {3: "not_cancellable", 5: "already_cancelled", 7: "not_found"}.get(
        int(order_id[-4:]) % 10, "cancelled"
    )


def wait_for_lines(path: Path, count: int, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n") >= count:
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the batch ended before {count} orders: {proc.communicate()}")
        time.sleep(0.01)
    pytest.fail(f"{path} never reached {count} lines")


def check_resumed(emulator: Emulator, ids: list[str], runs: list[list[dict[str, Any]]]) -> None:
    """Every order ended right, and every eligible one was cancelled exactly once."""
    final: dict[str, str] = {}
    for lines in runs:
        for line in lines:
            final[line["order_id"]] = line["outcome"]
    for order_id in ids:
        expected = expected_outcome(order_id)
        if expected == "cancelled":
            # cancelled by exactly one run; a run that lost the answer (killed) and the
            # next one seeing "already cancelled" are both right
            assert final[order_id] in ("cancelled", "already_cancelled"), order_id
            assert emulator.cancel_count(order_id) == 1, order_id
        else:
            assert final[order_id] == expected, order_id
            assert emulator.cancel_count(order_id) == 0, order_id


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_batch_stopped_midway_resumes_and_cancels_each_order_once(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, sig: signal.Signals
) -> None:
    ids = eligible_batch(emulator, 80)
    (tmp_path / "orders.txt").write_text("\n".join(ids) + "\n")
    gate = Gate(emulator, after=20)  # 20 answer; the next (4 at most, in flight) wait
    args = ["--from", "orders.txt", "--journal", "j.jsonl", "--concurrency", "4"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "kwikpaisa", "cancel", *args, "--output", "run1.jsonl"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_lines(tmp_path / "run1.jsonl", 20, proc)
        proc.send_signal(sig)
        stderr = ""
        if sig != signal.SIGKILL:
            assert proc.stderr is not None
            while "stopping: no new orders" not in stderr:  # the signal was taken
                line = proc.stderr.readline()
                assert line, f"the batch ended without stopping: {stderr}"
                stderr += line
    finally:
        gate.release.set()  # the orders in flight finish (or, killed, reach nobody)
    _, more = proc.communicate(timeout=60)
    stderr += more
    first = lines_of((tmp_path / "run1.jsonl").read_text())
    journal = lines_of((tmp_path / "j.jsonl").read_text())
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        assert len(first) == 20
    else:
        # Stopped cleanly: in-flight orders finished, everything finished is journaled,
        # and the summary so far was printed.
        assert proc.returncode == 128 + sig, stderr
        # Every order started before the signal finished (the gate holds the batch at 24
        # at most); each line names its input line.
        assert 20 <= len(first) <= 24
        assert sorted(line["line"] for line in first) == list(range(1, len(first) + 1))
        label = "Ctrl-C" if sig == signal.SIGINT else "SIGTERM"
        assert f"(stopped by {label}; rerun with the same --journal to finish them)" in stderr
        assert summary_counts(stderr)["not finished"] == len(ids) - len(first)
        assert sorted(line["order_id"] for line in journal) == sorted(
            line["order_id"] for line in first if line["outcome"] != "failed"
        )
    assert len({line["order_id"] for line in journal}) == len(journal)

    second_run = cli(*args, "--output", "run2.jsonl", "--no-progress", env=env, cwd=tmp_path)
    assert second_run.returncode == ExitCode.FAILURE, second_run.stderr  # some are paid
    second = lines_of((tmp_path / "run2.jsonl").read_text())
    journaled = {line["order_id"] for line in journal}
    assert not journaled & {line["order_id"] for line in second}  # nothing finished is redone
    assert journaled | {line["order_id"] for line in second} == set(ids)
    check_resumed(emulator, ids, [first, second])
    final_journal = lines_of((tmp_path / "j.jsonl").read_text())
    assert sorted(line["order_id"] for line in final_journal) == sorted(ids)


@contextlib.contextmanager
def signal_when(ready: Callable[[], bool], sig: signal.Signals, count: int = 1) -> Iterator[None]:
    """Send ``sig`` to this process ``count`` times, once ``ready()`` holds."""
    done = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 60
        while not done.is_set() and time.monotonic() < deadline:
            if ready():
                for _ in range(count):
                    os.kill(os.getpid(), sig)
                    time.sleep(0.2)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def test_second_ctrl_c_abandons_orders_in_flight_and_a_rerun_finishes_them(
    env: dict[str, str],
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ids = eligible_batch(emulator, 30)
    (tmp_path / "orders.txt").write_text("\n".join(ids) + "\n")
    for name in ("KWIKPAISA_API_KEY", "KWIKPAISA_SECRET_KEY", "KWIKPAISA_BASE_URL"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.chdir(tmp_path)
    # Ten orders answer; the next two hang (one after KwikPaisa has cancelled it).
    emulator.inject(Fault.latency(0), times=10)
    emulator.inject(Fault.hang(60, process_first=True), Fault.hang(60))
    args = ["cancel", "--from", "orders.txt", "--journal", "j.jsonl", "--concurrency", "2",
            "--output", "run1.jsonl"]  # fmt: skip

    def ten_answered() -> bool:
        path = tmp_path / "run1.jsonl"
        return path.exists() and path.read_text().count("\n") >= 10

    with signal_when(ten_answered, signal.SIGINT, count=2):
        code = main(args)
    assert code == 130
    stderr = capsys.readouterr().err
    assert "press Ctrl-C again to abandon them" in stderr
    first = lines_of((tmp_path / "run1.jsonl").read_text())
    assert len(first) == 10
    assert summary_counts(stderr)["not finished"] == 20

    args[-1] = "run2.jsonl"
    assert main(args) == ExitCode.FAILURE
    second = lines_of((tmp_path / "run2.jsonl").read_text())
    assert len(second) == 20
    check_resumed(emulator, ids, [first, second])
    # The order KwikPaisa cancelled while its answer hung is found cancelled, not cancelled again.
    assert Counter(line["outcome"] for line in second)["already_cancelled"] >= 1


# -- progress -------------------------------------------------------------------------------


def run_on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal; return (code, stdout, terminal)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, *args],
        env={**env, "TERM": "xterm-256color", "COLUMNS": "120"},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout, _ = proc.communicate(timeout=60)
    os.close(leader)
    return proc.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    pytest.importorskip("rich", reason="the progress bar needs the progress extra (rich)")
    ids = eligible_batch(emulator, 40)
    (tmp_path / "orders.txt").write_text("\n".join(ids) + "\n")
    code, stdout, terminal = run_on_a_terminal(
        ["-m", "kwikpaisa", "cancel", "--from", "orders.txt"], env, tmp_path
    )
    assert code == ExitCode.FAILURE
    assert len(lines_of(stdout)) == 40
    assert "cancelling" in terminal
    assert "40/40" in terminal
    assert "━" in terminal  # rich's bar
    assert "kwikpaisa: 40 orders in" in terminal


def test_no_bar_without_rich_says_how_to_get_one(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\n")
    code = (
        "import sys; sys.modules['rich'] = None\n"  # as if rich were not installed
        "from kwikpaisa._cli import main\n"
        "sys.exit(main(['cancel', '--from', 'orders.txt']))\n"
    )
    status, stdout, terminal = run_on_a_terminal(["-c", code], env, tmp_path)
    assert status == ExitCode.OK, terminal
    assert "install the progress extra (pip install 'kwikpaisa[progress]')" in terminal
    assert "kwikpaisa: 1 order in" in terminal
    assert lines_of(stdout)[0]["outcome"] == "cancelled"


def test_rich_loads_only_for_a_bar(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "orders.txt").write_text("ord_1\nord_2\n")
    code = (
        "import sys\n"
        # httpx imports rich itself for its own command line when click is installed:
        # keep that out of the way to see what kwikpaisa loads.
        "sys.modules['click'] = None\n"
        "from kwikpaisa._cli import main\n"
        "assert 'rich' not in sys.modules\n"
        "status = main(['cancel', '--from', 'orders.txt'])\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.rstrip().endswith("False")  # stderr is not a terminal: no bar, no rich
