"""``kwikpaisa emulator``: run the bundled KwikPaisa emulator on a local port."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from .._constants import EMULATOR_API_KEY, EMULATOR_SECRET_KEY


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "emulator",
        help="run a local KwikPaisa emulator",
        description="Serve a local KwikPaisa on HOST:PORT until interrupted (Ctrl-C or SIGTERM).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any free)")
    parser.add_argument(
        "--order",
        action="append",
        default=[],
        metavar="ID[:STATUS]",
        help="seed an order (repeatable); STATUS defaults to UN_PAID",
    )
    parser.add_argument("--api-key", default=EMULATOR_API_KEY, help="API key the emulator accepts")
    parser.add_argument(
        "--secret-key", default=EMULATOR_SECRET_KEY, help="secret key it verifies signatures with"
    )
    parser.add_argument(
        "--timestamp-tolerance", type=int, default=300, help="accepted clock difference, seconds"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="delay every answer (seconds)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..testing import Emulator, EmulatorServer

    emulator = Emulator(
        args.api_key,
        args.secret_key,
        timestamp_tolerance=args.timestamp_tolerance,
        latency=args.latency,
    )
    try:
        for spec in args.order:
            order_id, _, status = spec.partition(":")
            emulator.add_order(order_id, status or "UN_PAID")
        server = EmulatorServer(emulator, args.host, args.port)
    except (ValueError, OSError) as error:
        print(f"kwikpaisa emulator: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    server.start()
    print(f"KwikPaisa emulator listening on {server.base_url}", flush=True)
    print(f"  KWIKPAISA_BASE_URL={server.base_url}", flush=True)
    print(f"  KWIKPAISA_API_KEY={emulator.api_key}", flush=True)
    print(f"  KWIKPAISA_SECRET_KEY={emulator.secret_key}", flush=True)
    print(f"  orders: {len(args.order)} seeded; Ctrl-C to stop", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("KwikPaisa emulator stopped", flush=True)
    return 0
