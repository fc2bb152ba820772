"""Benchmark: what the KwikPaisa SDK costs over a careful hand-written httpx integration.

Run ``make bench`` (``make bench BENCH_ARGS="--json .bench/bench.json"`` to keep the
figures) or ``python scripts/bench.py``; ``--help`` lists the options. Each comparison
runs its sides in one process, in interleaved rounds (the side that goes first
alternates: SDK, raw, raw, SDK, ...). Per-side figures are medians over rounds; the
SDK-versus-raw figures are medians of per-round pairs, so a machine that slows down for
a while (other work on it) slows both sides alike. A missed target shows in the table
and never changes the exit status: this is a benchmark, not a test. ``--smoke`` runs
every section at a tiny size in seconds, to keep the script working (``make test``).

The raw side is what a careful integration writes by hand: the canonical JSON body
(sorted keys, compact), HMAC-SHA256 inline, the five headers, one ``httpx`` POST, a
status check and a JSON parse, against the same emulator over the same kind of
transport.

Sections (``--only`` picks some):

socket       sequential cancels, ``KwikPaisa`` vs raw ``httpx.Client``, over loopback.
inprocess    the same pair over the emulator's in-process transport: the SDK's own
             cost per call, in microseconds (CPU time of this process; wall shown too).
concurrency  1,000 cancels at concurrency 1, 8, 32, 64, 128, with 20 ms service latency:
             raw ``aiohttp`` (the reference every figure is divided by: what a user
             would otherwise reach for), ``AsyncKwikPaisa`` (asyncio.gather + semaphore,
             and ``orders.cancel_many``), ``cancel_many`` through
             ``kwikpaisa.DefaultAioHttpClient`` (the ``aiohttp`` extra), ``kwikpaisa
             cancel --from FILE`` (8 to 64; the rate it reports), raw
             ``httpx.AsyncClient``, and a no-httpx asyncio-streams client. Every row
             also shows client CPU µs per request (process CPU time of the client side
             over the run, divided by the cancels; the emulator's process is excluded).
import       ``python -c "import kwikpaisa"`` vs ``python -c "import httpx"``, whole
             processes, bytecode cached for both (in a scratch PYTHONPYCACHEPREFIX).
memory       RSS of this process before and after 20,000 calls on one client.
signing      canonicalise + sign JSON objects of 100 B, 10 KB and 1 MB.

The emulator for socket, concurrency and memory runs in a child process
(``kwikpaisa.testing.EmulatorServer`` under multiprocessing, spawn), so the client has
a core of its own on a 2-core machine and the emulator's memory is not in the client's
RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import hashlib
import hmac
import importlib.util
import json
import multiprocessing
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

API_KEY = "pk_test_bench"
SECRET_KEY = "sk_test_bench"  # the emulator's throwaway key for this run
IN_PROCESS_URL = "http://emulator.localhost"
CANCEL_PATH = "/api/v3/pg/order/cancel"
CONCURRENCY_LEVELS = (1, 8, 32, 64, 128)
CLI_LEVELS = (8, 32, 64)  # the command line takes --concurrency up to 64
# The concurrency section's clients, in the order the table lists them.
CONCURRENCY_SIDES = (
    ("aiohttp_raw", "raw aiohttp (reference)"),
    ("sdk_gather", "AsyncKwikPaisa gather"),
    ("sdk_cancel_many", "AsyncKwikPaisa cancel_many"),
    ("sdk_status_many", "AsyncKwikPaisa status_many"),
    ("cli", "kwikpaisa cancel --from FILE"),
    ("sdk_aiohttp_extra", "cancel_many, DefaultAioHttpClient"),
    ("raw_gather", "raw httpx.AsyncClient"),
    ("streams_floor", "asyncio streams, no httpx"),
)
LATENCY = 0.020

# Targets: (key in results, comparison, limit, what the table shows).
TARGETS = {
    "socket_ratio": ("<=", 1.10, "SDK / raw per call over a socket (wall time)"),
    "inprocess_overhead_us": ("<=", 60.0, "SDK minus raw per call in-process (CPU µs)"),
    "cancel_many32_vs_aiohttp": (">=", 0.70, "orders.cancel_many at concurrency 32 / raw aiohttp"),
    "status_many32_vs_aiohttp": (">=", 0.70, "orders.status_many at concurrency 32 / aiohttp"),
    "cli32_vs_aiohttp": (">=", 0.70, "kwikpaisa cancel --from FILE at 32 / raw aiohttp"),
    "aiohttp_extra32_vs_aiohttp": (">=", 0.90, "cancel_many, DefaultAioHttpClient, 32 / aiohttp"),
    "scaling_64_over_32": (">=", 1.0, "cancel_many cancels/s at concurrency 64 / at 32"),
    "scaling_128_over_64": (">=", 1.0, "cancel_many cancels/s at concurrency 128 / at 64"),
    "import_ratio": ("<=", 1.25, "import kwikpaisa / import httpx (process)"),
    "rss_growth_mb": ("<", 5.0, "RSS growth over the memory run (MB)"),
    "signing_linearity": ("<=", 1.50, "signing ns/byte at 1 MB / at 10 KB"),
}


# ----------------------------------------------------------------------------- sizes


class Sizes:
    """How much work each section does (full run, or ``--smoke``)."""

    def __init__(
        self, smoke: bool, rounds: int | None, calls: int | None, concurrency_calls: int | None
    ) -> None:
        self.rounds = rounds or (3 if smoke else 21)
        self.socket_calls = calls or (20 if smoke else 200)
        self.inprocess_calls = calls or (30 if smoke else 300)
        self.concurrency_calls = concurrency_calls or (24 if smoke else 1000)
        self.concurrency_rounds = 1 if smoke else 3
        self.import_runs = 1 if smoke else 15
        self.memory_calls = 200 if smoke else 20_000
        self.memory_warmup = 20 if smoke else 1000
        self.signing_rounds = 3 if smoke else 7
        # Seconds of signing work per size and round (repetitions adapt to it).
        self.signing_budget = 0.005 if smoke else 0.25


# ----------------------------------------------------------------------------- statistics


def summarise(values: Sequence[float]) -> dict[str, float]:
    """Median, quartiles, extremes and relative spread ((max - min) / median) of rounds."""
    med = statistics.median(values)
    q1, _, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (med, med, med)
    return {
        "median": med,
        "q1": q1,
        "q3": q3,
        "min": min(values),
        "max": max(values),
        "spread": (max(values) - min(values)) / med if med else 0.0,
        "rounds": len(values),
    }


def interleaved(sides: dict[str, Callable[[int], Any]], rounds: int) -> dict[str, list[Any]]:
    """Run each side once per round, alternating the order, and collect its figures."""
    names = list(sides)
    figures: dict[str, list[Any]] = {name: [] for name in names}
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            gc.collect()
            figures[name].append(sides[name](r))
    return figures


# ----------------------------------------------------------------------------- raw floor


def raw_body(order_id: str | int) -> bytes:
    """The canonical cancel body, as a careful integration writes it by hand."""
    return json.dumps(
        {"order_id": order_id}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def raw_headers(body: bytes, secret: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-API-KEY": API_KEY,
        "X-TIMESTAMP": ts,
        "X-SIGNATURE": hmac.new(secret, body + ts.encode(), hashlib.sha256).hexdigest(),
    }


def raw_check(status: int, data: Any) -> None:
    if status != 200 or data.get("status") != "success":
        raise RuntimeError(f"raw cancel failed: HTTP {status} {data!r}")


def raw_cancel(http: httpx.Client, url: str, order_id: str, secret: bytes) -> dict[str, Any]:
    body = raw_body(order_id)
    response = http.post(url, content=body, headers=raw_headers(body, secret))
    data = response.json()
    raw_check(response.status_code, data)
    return data  # type: ignore[no-any-return]


async def raw_acancel(
    http: httpx.AsyncClient, url: str, order_id: str, secret: bytes
) -> dict[str, Any]:
    body = raw_body(order_id)
    response = await http.post(url, content=body, headers=raw_headers(body, secret))
    data = response.json()
    raw_check(response.status_code, data)
    return data  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- emulator process


def _emulator_process(conn: Connection) -> None:
    """Child process: serve an emulator on loopback and obey seed/latency/stop commands."""
    from kwikpaisa.testing import Emulator, EmulatorServer

    emulator = Emulator(API_KEY, SECRET_KEY)
    server = EmulatorServer(emulator, "127.0.0.1", 0)
    server.start()
    conn.send(server.base_url)
    while True:
        command, *args = conn.recv()
        if command == "seed":
            prefix, count = args
            for i in range(count):
                emulator.add_order(f"{prefix}{i}")
            conn.send(count)
        elif command == "latency":
            emulator.latency = float(args[0])
            conn.send(emulator.latency)
        else:
            server.stop()
            conn.send("stopped")
            return


class EmulatorProcess:
    """The emulator served on loopback by a child process (its own interpreter and core)."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_emulator_process, args=(child,), daemon=True)
        self._process.start()
        self.base_url: str = self._conn.recv()
        self.cancel_url = self.base_url + CANCEL_PATH
        self._batch = 0

    def _ask(self, *command: object) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def seed(self, count: int, label: str) -> list[str]:
        """Create ``count`` fresh cancellable orders; return their ids."""
        self._batch += 1
        prefix = f"{label}-{self._batch}-"
        self._ask("seed", prefix, count)
        return [f"{prefix}{i}" for i in range(count)]

    def set_latency(self, seconds: float) -> None:
        self._ask("latency", seconds)

    def close(self) -> None:
        try:
            self._ask("stop")
        finally:
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()


# ----------------------------------------------------------------------------- sections


def sequential_pair(
    n: int,
    rounds: int,
    seed: Callable[[str], list[str]],
    sdk_call: Callable[[str], object],
    raw_call: Callable[[str], object],
) -> dict[str, Any]:
    """Interleaved rounds of ``n`` sequential cancels per side: wall and CPU µs per call."""

    def side(label: str, call: Callable[[str], object]) -> Callable[[int], tuple[float, float]]:
        def run(_round: int) -> tuple[float, float]:
            ids = seed(label)
            wall, cpu = time.perf_counter(), time.process_time()
            for oid in ids:
                call(oid)
            return (
                (time.perf_counter() - wall) / n * 1e6,
                (time.process_time() - cpu) / n * 1e6,
            )

        return run

    sides = {"sdk": side("sdk", sdk_call), "raw": side("raw", raw_call)}
    for run in sides.values():  # warm-up: connections open, lazy imports done
        run(-1)
    figures = interleaved(sides, rounds)
    out: dict[str, Any] = {"calls_per_round": n}
    for i, clock in enumerate(("wall", "cpu")):
        sdk = [f[i] for f in figures["sdk"]]
        raw = [f[i] for f in figures["raw"]]
        ratios = summarise([a / b for a, b in zip(sdk, raw, strict=True)])
        overheads = summarise([a - b for a, b in zip(sdk, raw, strict=True)])
        out[clock] = {
            "sdk_us_per_call": summarise(sdk),
            "raw_us_per_call": summarise(raw),
            # The headline figures pair each SDK round with the raw round next to it, so a
            # machine that slows down for a while (other work on it) slows both alike.
            "ratio": ratios["median"],
            "overhead_us": overheads["median"],
            "ratio_per_round": ratios,
            "overhead_per_round": overheads,
            "ratio_of_medians": statistics.median(sdk) / statistics.median(raw),
            "difference_of_medians_us": statistics.median(sdk) - statistics.median(raw),
        }
    return out


def bench_socket(sizes: Sizes, emu: EmulatorProcess) -> dict[str, Any]:
    from kwikpaisa import KwikPaisa

    secret = SECRET_KEY.encode()
    with (
        KwikPaisa(API_KEY, SECRET_KEY, base_url=emu.base_url) as kp,
        httpx.Client(timeout=30.0) as raw,
    ):
        return sequential_pair(
            sizes.socket_calls,
            sizes.rounds,
            lambda label: emu.seed(sizes.socket_calls, f"socket-{label}"),
            kp.orders.cancel,
            lambda oid: raw_cancel(raw, emu.cancel_url, oid, secret),
        )


def bench_inprocess(sizes: Sizes) -> dict[str, Any]:
    from kwikpaisa import KwikPaisa
    from kwikpaisa.testing import Emulator

    n = sizes.inprocess_calls
    secret = SECRET_KEY.encode()
    emulator = Emulator(API_KEY, SECRET_KEY)
    url = IN_PROCESS_URL + CANCEL_PATH
    batch = [0]

    def seed(label: str) -> list[str]:
        batch[0] += 1
        ids = [f"inprocess-{label}-{batch[0]}-{i}" for i in range(n)]
        for oid in ids:
            emulator.add_order(oid)
        return ids

    with (
        KwikPaisa(
            API_KEY, SECRET_KEY, base_url=IN_PROCESS_URL, transport=emulator.transport()
        ) as kp,
        httpx.Client(transport=emulator.transport(), timeout=30.0) as raw,
    ):
        return sequential_pair(
            n,
            sizes.rounds,
            seed,
            kp.orders.cancel,
            lambda oid: raw_cancel(raw, url, oid, secret),
        )


def bench_concurrency(sizes: Sizes, emu: EmulatorProcess) -> dict[str, Any]:
    from kwikpaisa import AsyncKwikPaisa

    n = sizes.concurrency_calls
    secret = SECRET_KEY.encode()
    have_aiohttp = importlib.util.find_spec("aiohttp") is not None
    have_extra = importlib.util.find_spec("httpx_aiohttp") is not None
    emu.set_latency(LATENCY)

    async def gather_limited(
        ids: list[str], concurrency: int, one: Callable[[str], Any]
    ) -> list[Any]:
        semaphore = asyncio.Semaphore(concurrency)

        async def limited(oid: str) -> Any:
            async with semaphore:
                return await one(oid)

        return await asyncio.gather(*(limited(oid) for oid in ids))

    async def level(concurrency: int) -> dict[str, Any]:
        closers: list[Callable[[], Any]] = []
        sides: dict[str, Callable[[list[str]], Any]] = {}

        if have_aiohttp:
            import aiohttp

            session = aiohttp.ClientSession()
            closers.append(session.close)

            async def aiohttp_raw(ids: list[str]) -> float:
                one = functools.partial(raw_aiohttp_cancel, session, emu.cancel_url, secret=secret)
                return len(await gather_limited(ids, concurrency, one))

            sides["aiohttp_raw"] = aiohttp_raw

        kp = AsyncKwikPaisa(API_KEY, SECRET_KEY, base_url=emu.base_url)
        closers.append(kp.close)

        async def sdk_gather(ids: list[str]) -> float:
            return len(await gather_limited(ids, concurrency, kp.orders.cancel))

        async def sdk_many(ids: list[str]) -> float:
            outcomes = await kp.orders.cancel_many(ids, concurrency=concurrency)
            return sum(1 for o in outcomes if o.outcome == "cancelled")

        async def sdk_status_many(ids: list[str]) -> float:
            outcomes = await kp.orders.status_many(ids, concurrency=concurrency)
            return sum(1 for o in outcomes if o.outcome == "found")

        sides["sdk_gather"] = sdk_gather
        sides["sdk_cancel_many"] = sdk_many
        sides["sdk_status_many"] = sdk_status_many

        if have_extra:
            from kwikpaisa import DefaultAioHttpClient

            aio_client = DefaultAioHttpClient()
            closers.append(aio_client.aclose)
            kp_aio = AsyncKwikPaisa(
                API_KEY, SECRET_KEY, base_url=emu.base_url, http_client=aio_client
            )

            async def sdk_aiohttp(ids: list[str]) -> float:
                outcomes = await kp_aio.orders.cancel_many(ids, concurrency=concurrency)
                return sum(1 for o in outcomes if o.outcome == "cancelled")

            sides["sdk_aiohttp_extra"] = sdk_aiohttp

        if concurrency in CLI_LEVELS:
            sides["cli"] = functools.partial(cli_cancel, emu, concurrency)

        raw = httpx.AsyncClient(timeout=30.0)
        closers.append(raw.aclose)

        async def raw_gather(ids: list[str]) -> float:
            return len(
                await gather_limited(
                    ids, concurrency, lambda oid: raw_acancel(raw, emu.cancel_url, oid, secret)
                )
            )

        sides["raw_gather"] = raw_gather
        sides["streams_floor"] = functools.partial(streams_cancel, emu, concurrency, secret)

        figures: dict[str, list[float]] = {name: [] for name in sides}
        cpu_us: dict[str, list[float]] = {name: [] for name in sides}
        try:
            warm = min(max(concurrency, 8), n)
            for name, side in sides.items():  # warm-up: open the pools
                if name != "cli":  # a new process each run: nothing to warm
                    await side(emu.seed(warm, f"warm-{name}-{concurrency}"))
            names = list(sides)
            # At concurrency 1 a run is n x latency long and has nothing to average out.
            rounds = 1 if concurrency == 1 else sizes.concurrency_rounds
            for r in range(rounds):
                for name in names if r % 2 == 0 else names[::-1]:
                    ids = emu.seed(n, f"c{concurrency}-{name}")
                    gc.collect()
                    cpu = client_cpu_seconds()
                    start = time.perf_counter()
                    done = await sides[name](ids)
                    elapsed = time.perf_counter() - start
                    cpu_us[name].append((client_cpu_seconds() - cpu) / n * 1e6)
                    if name == "cli":  # the rate the command reports: start-up excluded
                        figures[name].append(done)
                        continue
                    if done != n:
                        raise RuntimeError(f"{name}: {done} of {n} cancels returned")
                    figures[name].append(n / elapsed)
        finally:
            for close in closers:
                await close()
        ideal = concurrency / LATENCY
        out: dict[str, Any] = {"ideal_per_s": ideal}
        reference = figures.get("aiohttp_raw")
        for name, values in figures.items():
            s = summarise(values)
            out[name] = {
                "per_s": s,
                "fraction": s["median"] / ideal,
                "cpu_us_per_request": summarise(cpu_us[name]),
            }
            if reference:
                # Paired with the aiohttp run of the same round, as the other sections pair.
                ratios = summarise([a / b for a, b in zip(values, reference, strict=True)])
                out[name]["vs_aiohttp"] = ratios["median"]
                out[name]["vs_aiohttp_per_round"] = ratios
        return out

    async def run_all() -> dict[str, Any]:
        return {str(c): await level(c) for c in CONCURRENCY_LEVELS}

    try:
        levels = asyncio.run(run_all())
    finally:
        emu.set_latency(0.0)
    return {
        "calls": n,
        "latency_s": LATENCY,
        "rounds": sizes.concurrency_rounds,
        "sniffio_installed": importlib.util.find_spec("sniffio") is not None,
        "aiohttp_installed": have_aiohttp,
        "aiohttp_extra_installed": have_extra,
        "levels": levels,
    }


def client_cpu_seconds() -> float:
    """CPU seconds of the client side so far: this process, plus its finished child
    processes other than the emulator (the command line's runs: start-up included).

    The emulator's child process is still running while this is read, so none of its
    time is counted (a child's time joins ``RUSAGE_CHILDREN`` only once it is reaped).
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


async def raw_aiohttp_cancel(session: Any, url: str, order_id: str, *, secret: bytes) -> Any:
    """The raw cancel with aiohttp: the same body, signing and checks as the httpx one."""
    body = raw_body(order_id)
    async with session.post(url, data=body, headers=raw_headers(body, secret)) as response:
        data = json.loads(await response.read())
        raw_check(response.status, data)
    return data


async def cli_cancel(emu: EmulatorProcess, concurrency: int, ids: list[str]) -> float:
    """``kwikpaisa cancel --from FILE`` in a child process; the orders/s it reports."""
    with tempfile.TemporaryDirectory(prefix="kwikpaisa-bench-cli-") as tmp:
        path = Path(tmp) / "orders.txt"
        path.write_text("\n".join(ids) + "\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KWIKPAISA_")}
        env |= {
            "KWIKPAISA_API_KEY": API_KEY,
            "KWIKPAISA_SECRET_KEY": SECRET_KEY,
            "KWIKPAISA_BASE_URL": emu.base_url,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kwikpaisa", "cancel", "--from", str(path),
            "--concurrency", str(concurrency), "--no-progress",
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await process.communicate()
    summary = err.decode()
    cancelled = re.search(r"^\s*cancelled\s+(\d+)", summary, re.MULTILINE)
    rate = re.search(r"^kwikpaisa: \d+ orders? in [\d.]+ s \((\d+) orders/s\)", summary, re.M)
    if process.returncode != 0 or not cancelled or int(cancelled[1]) != len(ids) or not rate:
        raise RuntimeError(f"kwikpaisa cancel --from failed ({process.returncode}): {summary}")
    return float(rate[1])


async def streams_cancel(
    emu: EmulatorProcess, concurrency: int, secret: bytes, ids: list[str]
) -> int:
    """Reference, no httpx: ``concurrency`` keep-alive connections on asyncio streams, each
    sending signed cancels one after another. It shows what the emulator itself can serve."""
    url = httpx.URL(emu.base_url)
    host, port = url.host, url.port or 80

    async def connection(chunk: list[str]) -> int:
        reader, writer = await asyncio.open_connection(host, port)
        done = 0
        try:
            for oid in chunk:
                body = raw_body(oid)
                head = f"POST {CANCEL_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                head += f"Content-Length: {len(body)}\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in raw_headers(body, secret).items())
                writer.write(head.encode() + b"\r\n" + body)
                await writer.drain()
                status_and_headers = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in status_and_headers.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                data = json.loads(await reader.readexactly(length))
                raw_check(int(status_and_headers.split(b" ", 2)[1]), data)
                done += 1
        finally:
            writer.close()
        return done

    chunks = [ids[i::concurrency] for i in range(concurrency)]
    return sum(await asyncio.gather(*(connection(chunk) for chunk in chunks if chunk)))


# httpx imports its optional command line (click, rich, pygments) when they are installed,
# as they are in this project's dev environment; a plain `pip install httpx` has none.
_NO_HTTPX_CLI = "import sys; sys.modules['click'] = None; "


def bench_import(sizes: Sizes) -> dict[str, Any]:
    """Whole-process import time, bytecode cached (in a scratch prefix) for every module."""
    with tempfile.TemporaryDirectory(prefix="kwikpaisa-bench-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KWIKPAISA_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        programs = {
            "kwikpaisa": "import kwikpaisa",
            "httpx": "import httpx",
            "kwikpaisa_plain": _NO_HTTPX_CLI + "import kwikpaisa",
            "httpx_plain": _NO_HTTPX_CLI + "import httpx",
            "bare": "pass",
        }

        def run(code: str) -> float:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            return (time.perf_counter() - start) * 1e3

        for code in programs.values():  # write the bytecode cache once
            run(code)
        sides: dict[str, Callable[[int], float]] = {
            name: functools.partial(lambda code, _round: run(code), code)
            for name, code in programs.items()
        }
        figures = interleaved(sides, sizes.import_runs)
        added = _packages_added(env)
    ms = {name: summarise(values) for name, values in figures.items()}
    cli = "click" in sys.modules or importlib.util.find_spec("click") is not None
    return {
        "runs": sizes.import_runs,
        "ms": ms,
        "ratio": ms["kwikpaisa"]["median"] / ms["httpx"]["median"],
        "ratio_plain_httpx": ms["kwikpaisa_plain"]["median"] / ms["httpx_plain"]["median"],
        "added_ms": ms["kwikpaisa"]["median"] - ms["httpx"]["median"],
        "httpx_cli_installed": cli,
        "packages_added": added,
    }


def _packages_added(env: dict[str, str]) -> list[str]:
    """Top-level packages ``import kwikpaisa`` loads beyond those ``import httpx`` loads."""
    code = (
        "import sys; import httpx; b = {m.split('.')[0] for m in sys.modules}; "
        "import kwikpaisa; c = {m.split('.')[0] for m in sys.modules}; "
        "print(' '.join(sorted(m for m in c - b if not m.startswith('_'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def rss_bytes() -> int:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_memory(sizes: Sizes, emu: EmulatorProcess) -> dict[str, Any]:
    from kwikpaisa import KwikPaisa

    n = sizes.memory_calls
    kp = KwikPaisa(API_KEY, SECRET_KEY, base_url=emu.base_url)
    try:
        for oid in emu.seed(sizes.memory_warmup, "mem-warm"):
            kp.orders.cancel(oid)
        ids = emu.seed(n, "mem")
        gc.collect()
        before = rss_bytes()
        samples = []
        step = max(1, n // 10)
        for i, oid in enumerate(ids, 1):
            kp.orders.cancel(oid)
            if i % step == 0:
                samples.append(rss_bytes())
        del ids
        gc.collect()
        after = rss_bytes()
    finally:
        kp.close()
    mb = 1024 * 1024
    return {
        "calls": n,
        "rss_before_mb": before / mb,
        "rss_after_mb": after / mb,
        "growth_mb": (after - before) / mb,
        "samples_mb": [s / mb for s in samples],
    }


def signing_payload(size: int) -> Any:
    """A realistic nested JSON object whose canonical form is ``size`` bytes (or a little more)."""
    from kwikpaisa.signing import canonical_payload

    def item(i: int) -> dict[str, Any]:
        return {
            "sku": f"SKU-{i:06d}",
            "qty": i % 7 + 1,
            "price": {"currency": "INR", "amount": f"{(i * 37) % 10000:04d}.00"},
            "url": f"https://shop.example/p/{i:06d}",
            "name": "चाय café item",
            "tags": ["b", "a", i % 10],
        }

    obj: dict[str, Any] = {"order_id": "6116229263036", "note": "", "items": []}
    per_item = len(canonical_payload(item(0))) + 1
    count = max(0, (size - len(canonical_payload(obj))) // per_item - 1)
    obj["items"] = [item(i) for i in range(count)]
    obj["note"] = "x" * max(0, size - len(canonical_payload(obj)))
    return obj


def bench_signing(sizes: Sizes) -> dict[str, Any]:
    """Canonicalise + sign a JSON object; and SigningAuth.sign on a request already built."""
    from kwikpaisa.signing import (
        CANONICAL_BODY_EXTENSION,
        SigningAuth,
        canonical_payload,
        compute_signature,
    )

    auth = SigningAuth(API_KEY, SECRET_KEY)
    url = IN_PROCESS_URL + CANCEL_PATH
    out: dict[str, Any] = {}
    for label, size in (("100B", 100), ("10KB", 10_000), ("1MB", 1_000_000)):
        obj = signing_payload(size)
        body = canonical_payload(obj)
        # Signing overwrites the same three headers: one request serves every repetition.
        marked = httpx.Request(
            "POST", url, content=body, extensions={CANONICAL_BODY_EXTENSION: True}
        )
        unmarked = httpx.Request("POST", url, content=body)

        def per_op(fn: Callable[[], object]) -> float:
            # CPU time of this process: pure computation, so time spent descheduled
            # (other work on the machine) is not counted.
            reps, start = 0, time.process_time()
            while True:
                fn()
                reps += 1
                elapsed = time.process_time() - start
                if elapsed >= sizes.signing_budget and reps >= 3:
                    return elapsed / reps * 1e6

        def canon_and_sign(_round: int, obj: Any = obj) -> float:
            return per_op(lambda: compute_signature(canonical_payload(obj), 1778659835, SECRET_KEY))

        def auth_marked(_round: int, request: httpx.Request = marked) -> float:
            return per_op(lambda: auth.sign(request))

        def auth_unmarked(_round: int, request: httpx.Request = unmarked) -> float:
            return per_op(lambda: auth.sign(request))

        figures = interleaved(
            {
                "canonical_and_sign": canon_and_sign,
                "auth_sign_facade": auth_marked,
                "auth_sign_other": auth_unmarked,
            },
            sizes.signing_rounds,
        )
        stats = {name: summarise(values) for name, values in figures.items()}
        out[label] = {
            "bytes": len(body),
            "canonical_and_sign_us": stats["canonical_and_sign"],
            "auth_sign_facade_us": stats["auth_sign_facade"],
            "auth_sign_other_us": stats["auth_sign_other"],
            "ns_per_byte": stats["canonical_and_sign"]["median"] * 1e3 / len(body),
        }
    out["linearity"] = out["1MB"]["ns_per_byte"] / out["10KB"]["ns_per_byte"]
    return out


# ----------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import kwikpaisa

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "httpx": httpx.__version__,
        "kwikpaisa": kwikpaisa.__version__,
        "load_average": list(os.getloadavg()),
    }


def headline(results: dict[str, Any]) -> dict[str, float | None]:
    """The figures the targets are judged on."""
    values: dict[str, float | None] = dict.fromkeys(TARGETS)
    if "socket" in results:
        values["socket_ratio"] = results["socket"]["wall"]["ratio"]
    if "inprocess" in results:
        values["inprocess_overhead_us"] = results["inprocess"]["cpu"]["overhead_us"]
    if "concurrency" in results:
        levels = results["concurrency"]["levels"]
        at32 = levels.get("32", {})
        for key, side in (
            ("cancel_many32_vs_aiohttp", "sdk_cancel_many"),
            ("status_many32_vs_aiohttp", "sdk_status_many"),
            ("cli32_vs_aiohttp", "cli"),
            ("aiohttp_extra32_vs_aiohttp", "sdk_aiohttp_extra"),
        ):
            values[key] = at32.get(side, {}).get("vs_aiohttp")

        def per_s(level: str) -> float | None:
            side = levels.get(level, {}).get("sdk_cancel_many")
            return None if side is None else side["per_s"]["median"]

        for key, high, low in (
            ("scaling_64_over_32", "64", "32"),
            ("scaling_128_over_64", "128", "64"),
        ):
            a, b = per_s(high), per_s(low)
            values[key] = None if a is None or not b else a / b
    if "import" in results:
        values["import_ratio"] = results["import"]["ratio"]
    if "memory" in results:
        values["rss_growth_mb"] = results["memory"]["growth_mb"]
    if "signing" in results:
        values["signing_linearity"] = results["signing"]["linearity"]
    return values


def met(key: str, value: float | None) -> bool | None:
    if value is None:
        return None
    op, limit, _ = TARGETS[key]
    return {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[op]


def fmt_spread(s: dict[str, float]) -> str:
    return f"±{s['spread'] * 50:.0f}%"  # half the min-max range, relative to the median


def quartiles(s: dict[str, float], digits: int = 1) -> str:
    return f"{s['q1']:.{digits}f}…{s['q3']:.{digits}f}"


def render(results: dict[str, Any], smoke: bool) -> str:
    lines: list[str] = []

    def table(title: str, header: Sequence[str], rows: list[Sequence[str]]) -> None:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
        lines.append("")
        lines.append(title)
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        for row in rows:
            lines.append(
                "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )

    m = results["machine"]
    lines.append(
        f"KwikPaisa SDK benchmark ({'smoke' if smoke else 'full'} run) {results['date']}  "
        f"{m['nproc']} CPU {m['cpu']}, Python {m['python']}, httpx {m['httpx']}, "
        f"load {m['load_average'][0]:.2f}"
    )
    lines.append(
        "Medians of interleaved rounds; ± is half the min-max range between rounds. SDK minus raw"
    )
    lines.append(
        "and SDK / raw are medians of per-round pairs (each SDK round with the raw round beside"
    )
    lines.append("it); IQR is their interquartile range.")

    def pair_rows(s: dict[str, Any], digits: int) -> list[Sequence[str]]:
        rows: list[Sequence[str]] = []
        for key, label in (
            ("sdk_us_per_call", "KwikPaisa"),
            ("raw_us_per_call", "raw httpx.Client"),
        ):
            wall, cpu = s["wall"][key], s["cpu"][key]
            rows.append(
                [
                    label,
                    f"{wall['median']:.{digits}f}",
                    fmt_spread(wall),
                    f"{cpu['median']:.{digits}f}",
                    fmt_spread(cpu),
                ]
            )
        w, c = s["wall"], s["cpu"]
        rows.append(
            [
                "SDK minus raw",
                f"{w['overhead_us']:+.{digits}f}",
                f"IQR {quartiles(w['overhead_per_round'], digits)}",
                f"{c['overhead_us']:+.{digits}f}",
                f"IQR {quartiles(c['overhead_per_round'], digits)}",
            ]
        )
        rows.append(
            [
                "ratio SDK / raw",
                f"{w['ratio']:.3f}",
                f"IQR {quartiles(w['ratio_per_round'], 3)}",
                f"{c['ratio']:.3f}",
                f"IQR {quartiles(c['ratio_per_round'], 3)}",
            ]
        )
        return rows

    header = ["client", "wall µs/call", "spread", "client CPU µs/call", "spread"]
    if "socket" in results:
        s = results["socket"]
        table(
            f"1. Per call over a loopback socket ({s['calls_per_round']} sequential cancels per "
            f"round, {s['wall']['sdk_us_per_call']['rounds']} rounds; emulator in a child process)",
            header,
            pair_rows(s, 0),
        )
    if "inprocess" in results:
        s = results["inprocess"]
        table(
            f"2. Per call in-process, no network ({s['calls_per_round']} cancels per round, "
            f"{s['wall']['sdk_us_per_call']['rounds']} rounds; emulator transport, emulator's "
            "own work included on both sides)",
            header,
            pair_rows(s, 1),
        )
    if "concurrency" in results:
        c = results["concurrency"]
        rows: list[Sequence[str]] = []
        for level, data in c["levels"].items():
            for name, label in CONCURRENCY_SIDES:
                if name not in data:
                    continue
                d = data[name]
                ratio = d.get("vs_aiohttp")
                rows.append(
                    [
                        level,
                        label,
                        f"{d['per_s']['median']:.0f}",
                        "-" if ratio is None else f"{ratio:.2f}",
                        f"{d['fraction'] * 100:.0f}%",
                        fmt_spread(d["per_s"]),
                        f"{d['cpu_us_per_request']['median']:.0f}",
                    ]
                )
        table(
            f"3. Concurrency: {c['calls']} cancels per run, {c['latency_s'] * 1000:.0f} ms service "
            f"latency, {c['rounds']} round(s) (1 at concurrency 1); emulator in a child process",
            ["conc.", "client", "cancels/s", "/ aiohttp", "of ideal", "spread", "CPU µs/req"],
            rows,
        )
        lines.append(
            "   / aiohttp: median of per-round ratios to raw aiohttp in the same round (the "
            "reference); of ideal:"
        )
        lines.append(
            "   share of concurrency / latency. The command line's figure is the orders/s it "
            "reports (its"
        )
        lines.append(
            "   process start-up excluded). 'asyncio streams, no httpx' is hand-written HTTP/1.1, "
            "one connection"
        )
        lines.append("   per request in flight: about what the emulator itself can serve.")
        lines.append(
            "   CPU µs/req: client CPU time (this process, and the command line's own process "
            "for its rows,"
        )
        lines.append(
            "   start-up included) over the run / cancels; the emulator's process is not "
            "counted. Rates are capped"
        )
        lines.append(
            "   by concurrency / latency, so their ratios depend on the machine; CPU per "
            "request does not."
        )
        if not c["aiohttp_installed"] or not c["aiohttp_extra_installed"]:
            lines.append(
                "   aiohttp or httpx-aiohttp is not installed (pip install -e '.[dev]'): "
                "their rows and ratios are missing."
            )
        lines.append(
            "   sniffio is "
            + ("installed" if c["sniffio_installed"] else "not installed (as in a plain install)")
            + ": without it httpcore retries a failing `import sniffio` on each lock."
        )
    if "import" in results:
        s = results["import"]
        ms = s["ms"]
        rows = [
            [label, f"{ms[key]['median']:.0f}", fmt_spread(ms[key])]
            for key, label in (
                ("kwikpaisa", 'python -c "import kwikpaisa"'),
                ("httpx", 'python -c "import httpx"'),
                ("kwikpaisa_plain", "  the same, httpx's optional CLI not importable"),
                ("httpx_plain", "  httpx alone, its optional CLI not importable"),
                ("bare", 'python -c "pass"'),
            )
        ]
        rows.append(["ratio kwikpaisa / httpx", f"{s['ratio']:.3f}", ""])
        rows.append(
            ["ratio without httpx's CLI (plain pip install)", f"{s['ratio_plain_httpx']:.3f}", ""]
        )
        table(
            f"4. Import time, whole process ({s['runs']} runs each, bytecode cached for all)",
            ["command", "ms", "spread"],
            rows,
        )
        lines.append(
            "   httpx loads click, rich and pygments for its CLI when they are installed "
            f"({'they are, here' if s['httpx_cli_installed'] else 'they are not, here'})."
        )
        lines.append(
            "   Packages import kwikpaisa loads beyond httpx's: "
            + (", ".join(s["packages_added"]) or "none")
        )
    if "memory" in results:
        s = results["memory"]
        table(
            f"5. Memory: {s['calls']} calls on one KwikPaisa client over loopback",
            ["RSS before", "RSS after", "growth"],
            [
                [
                    f"{s['rss_before_mb']:.1f} MB",
                    f"{s['rss_after_mb']:.1f} MB",
                    f"{s['growth_mb']:+.2f} MB",
                ]
            ],
        )
    if "signing" in results:
        s = results["signing"]
        rows = [
            [
                label,
                str(s[label]["bytes"]),
                f"{s[label]['canonical_and_sign_us']['median']:.1f}",
                f"{s[label]['ns_per_byte']:.1f}",
                f"{s[label]['auth_sign_facade_us']['median']:.1f}",
                f"{s[label]['auth_sign_other_us']['median']:.1f}",
            ]
            for label in ("100B", "10KB", "1MB")
        ]
        table(
            "6. Signing a nested JSON object (CPU µs per operation)",
            ["payload", "bytes", "canonicalise+sign", "ns/byte", "auth, SDK body", "auth, other"],
            rows,
        )
        lines.append(
            "   auth = SigningAuth.sign on a built request: 'SDK body' is marked canonical by the "
            "client and only signed;"
        )
        lines.append(
            "   'other' (e.g. the low-level client's body) is parsed and re-serialised first."
        )

    values = results["headline"]
    rows = []
    for key, (op, limit, what) in TARGETS.items():
        value = values[key]
        ok = met(key, value)
        rows.append(
            [
                what,
                "-" if value is None else f"{value:.3f}",
                f"{op} {limit:g}",
                "-" if ok is None else ("yes" if ok else "NO"),
            ]
        )
    table("Targets", ["figure", "value", "target", "met"], rows)
    if smoke:
        lines.append("(smoke run: tiny sizes, figures are not meaningful; targets not enforced)")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main

SECTIONS = ("socket", "inprocess", "concurrency", "import", "memory", "signing")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description=(
            "Measure the KwikPaisa SDK against a raw httpx integration and print a table. "
            "Exit status is 0 whether or not targets are met (it is a benchmark, not a test)."
        ),
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, a few seconds: checks the benchmark still runs (make test)",
    )
    parser.add_argument(
        "--json",
        metavar="PATH",
        help="also write every figure as JSON to PATH ('-': to stdout, the table to stderr)",
    )
    parser.add_argument(
        "--only",
        metavar="SECTION",
        action="append",
        choices=SECTIONS,
        help=f"run only these sections (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds per comparison")
    parser.add_argument("--calls", type=int, help="cancels per round (socket and in-process)")
    parser.add_argument(
        "--concurrency-calls", type=int, help="cancels per run in the concurrency section"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = Sizes(args.smoke, args.rounds, args.calls, args.concurrency_calls)
    sections = args.only or list(SECTIONS)
    out = sys.stderr if args.json == "-" else sys.stdout
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": "smoke" if args.smoke else "full",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
    }
    emu = EmulatorProcess() if {"socket", "concurrency", "memory"} & set(sections) else None
    try:
        for name in sections:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            if name == "socket":
                assert emu is not None
                results[name] = bench_socket(sizes, emu)
            elif name == "inprocess":
                results[name] = bench_inprocess(sizes)
            elif name == "concurrency":
                assert emu is not None
                results[name] = bench_concurrency(sizes, emu)
            elif name == "import":
                results[name] = bench_import(sizes)
            elif name == "memory":
                assert emu is not None
                results[name] = bench_memory(sizes, emu)
            elif name == "signing":
                results[name] = bench_signing(sizes)
    finally:
        if emu is not None:
            emu.close()
    results["headline"] = headline(results)
    results["targets"] = {
        key: {
            "value": value,
            "op": TARGETS[key][0],
            "limit": TARGETS[key][1],
            "met": met(key, value),
        }
        for key, value in results["headline"].items()
    }
    results["seconds"] = time.perf_counter() - started
    print(render(results, args.smoke), file=out)
    print(f"\n({results['seconds']:.1f} s)", file=out)
    if args.json:
        text = json.dumps(results, indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
