"""``kwikpaisa emulator``: run the bundled KwikPaisa emulator on a local port."""

from __future__ import annotations

import argparse
import errno
import logging
import shlex
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from .._constants import EMULATOR_API_KEY, EMULATOR_SECRET_KEY

# Seeded orders whose checkout links the banner lists (more would bury it).
_LINKS_SHOWN = 10


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "emulator",
        help="run a local KwikPaisa emulator",
        description=(
            "Serve a local KwikPaisa on HOST:PORT until interrupted (Ctrl-C or SIGTERM): "
            "the order API (create, status, cancel), a checkout page for each order, and "
            "signed webhooks for payment outcomes. The checkout link of each order created "
            "is printed as it is made."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 = any free)")
    parser.add_argument(
        "--order",
        action="append",
        default=[],
        metavar="ID[:STATUS]",
        help="seed an order (repeatable); STATUS defaults to UN_PAID; an all-digit ID is a number",
    )
    parser.add_argument(
        "--orders-from",
        metavar="FILE",
        help="seed the orders in FILE, one ID[:STATUS] per line ('#' comments and blank "
        "lines skipped)",
    )
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="POST signed payment.success / payment.failed / payment.expired events here",
    )
    parser.add_argument(
        "--webhook-duplicates",
        action="store_true",
        help="send every webhook event twice (test that the receiver acts once)",
    )
    parser.add_argument(
        "--webhook-shuffle",
        action="store_true",
        help="send webhook events out of order: each waits for the next to overtake it "
        "(for up to 2 s)",
    )
    parser.add_argument(
        "--webhook-fail-first",
        type=int,
        default=0,
        metavar="N",
        help="count the first N attempts of every event as failed, whatever the receiver "
        "answers, so it sees them retried (after 1, 2, 4, 8, 16 s; N at most 5)",
    )
    parser.add_argument(
        "--expire-after",
        type=float,
        metavar="SECONDS",
        help="unpaid orders expire this long after they are created, on time and with the "
        "payment.expired webhook, whether or not anything asks about them (default: never)",
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


def parse_order_spec(spec: str) -> tuple[str | int, str]:
    """``ID[:STATUS]`` as ``(order_id, status)``: an all-digit ID is an integer id (as
    KwikPaisa's guide writes them), STATUS defaults to ``UN_PAID``."""
    order_id, _, status = spec.strip().partition(":")
    order_id = order_id.strip()
    if not order_id:
        raise ValueError(f"no order id in {spec!r}")
    as_id: str | int = int(order_id) if order_id.isascii() and order_id.isdigit() else order_id
    return as_id, status.strip() or "UN_PAID"


def read_order_specs(path: str) -> list[str]:
    """The ``ID[:STATUS]`` lines of ``path``, without comments and blank lines."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _environment_lines(base_url: str, api_key: str, secret_key: str) -> list[str]:
    """Shell lines a user can paste (or ``eval``) to point the SDK at this emulator."""
    lines = []
    url = _reachable_url(base_url)
    if url != base_url:  # bound to every interface: name an address other hosts reach
        lines.append(f"# reachable from other hosts as {url}: plain http:// needs the opt-in")
        lines.append("export KWIKPAISA_ALLOW_INSECURE_HTTP=1")
    lines += [
        f"export KWIKPAISA_BASE_URL={shlex.quote(url)}",
        f"export KWIKPAISA_API_KEY={shlex.quote(api_key)}",
        f"export KWIKPAISA_SECRET_KEY={shlex.quote(secret_key)}",
    ]
    return lines


def _reachable_url(base_url: str) -> str:
    """``base_url`` with an unspecified address (0.0.0.0, ::) replaced by this host's own."""
    for wildcard in ("http://0.0.0.0:", "http://[::]:"):
        if base_url.startswith(wildcard):
            return f"http://{_own_address()}:{base_url.rsplit(':', 1)[1]}"
    return base_url


def _own_address() -> str:
    """This host's address on its default route (no packet is sent), else its name."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return str(probe.getsockname()[0])
    except OSError:
        return socket.gethostname()


def _listen_problem(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (another emulator?); "
            "choose another --port, or --port 0 for any free port"
        )
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def _webhook_options_without_url(args: argparse.Namespace) -> str | None:
    """The problem with webhook options given without ``--webhook-url``, if any."""
    if args.webhook_url:
        return None
    given = [
        flag
        for flag, value in (
            ("--webhook-duplicates", args.webhook_duplicates),
            ("--webhook-shuffle", args.webhook_shuffle),
            ("--webhook-fail-first", args.webhook_fail_first),
        )
        if value
    ]
    if not given:
        return None
    return f"{', '.join(given)} needs --webhook-url URL (where to send the webhooks)"


def _webhook_banner(args: argparse.Namespace) -> str:
    """The banner line naming where webhooks go, and how they are sent."""
    how = []
    if args.webhook_duplicates:
        how.append("each event twice")
    if args.webhook_shuffle:
        how.append("out of order")
    if args.webhook_fail_first:
        how.append(f"the first {args.webhook_fail_first} attempt(s) of each fail")
    return f"# webhooks: {args.webhook_url}" + (f" ({'; '.join(how)})" if how else "")


def run(args: argparse.Namespace) -> int:
    from ..testing import Emulator, EmulatorServer

    problem = _webhook_options_without_url(args)
    if problem:
        print(f"kwikpaisa emulator: {problem}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(
            args.api_key,
            args.secret_key,
            timestamp_tolerance=args.timestamp_tolerance,
            latency=args.latency,
            expire_after=args.expire_after,
            webhook_url=args.webhook_url,
            webhook_duplicates=args.webhook_duplicates,
            webhook_shuffle=args.webhook_shuffle,
            webhook_fail_first=args.webhook_fail_first,
        )
        specs = list(args.order)
    except ValueError as error:
        print(f"kwikpaisa emulator: {error}", file=sys.stderr)
        return 2
    if args.orders_from:
        try:
            specs += read_order_specs(args.orders_from)
        except OSError as error:
            reason = error.strerror or error
            print(
                f"kwikpaisa emulator: cannot read --orders-from {args.orders_from}: {reason}",
                file=sys.stderr,
            )
            return 2
    try:
        server = EmulatorServer(emulator, args.host, args.port)
    except OSError as error:
        problem = _listen_problem(error, args.host, args.port)
        print(f"kwikpaisa emulator: {problem}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"kwikpaisa emulator: {error}", file=sys.stderr)
        return 2
    server.start()  # first, so that seeded orders' checkout links carry the real port
    try:
        seeded = [emulator.add_order(*parse_order_spec(spec)) for spec in specs]
    except ValueError as error:
        server.stop()
        print(f"kwikpaisa emulator: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    log = _log_to_stdout()
    print(f"KwikPaisa emulator listening on {server.base_url}", flush=True)
    for line in _environment_lines(server.base_url, emulator.api_key, emulator.secret_key):
        print(line, flush=True)
    if args.webhook_url:
        print(_webhook_banner(args), flush=True)
    if args.expire_after:
        print(f"# unpaid orders expire after {args.expire_after:g} s", flush=True)
    for order in seeded[:_LINKS_SHOWN]:
        print(f"# order {order.order_id} {order.order_status}: {order.payment_link}", flush=True)
    print(f"# orders: {len(seeded)} seeded; Ctrl-C to stop", flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
        emulator.close()
        logging.getLogger("kwikpaisa.emulator").removeHandler(log)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("KwikPaisa emulator stopped", flush=True)
    return 0


def _log_to_stdout() -> logging.Handler:
    """The emulator's log (orders created with their checkout links, webhook attempts)
    on stdout, one plain line each."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("kwikpaisa.emulator")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler
