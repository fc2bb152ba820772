"""``kwikpaisa cancel ORDER_ID`` (one order, JSON result) or ``--from FILE`` (a batch)."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from .._client import KwikPaisa
from .._constants import DEFAULT_CONCURRENCY
from ..errors import KwikPaisaError
from ._common import add_client_options, client_kwargs, fail, order_json, parse_order_id, print_json
from ._exit import ExitCode

MAX_CONCURRENCY = 64
"""Most orders in flight at once from the command line (the client pools 100 connections)."""

_EPILOG = """\
exit codes with ORDER_ID:
  0 cancelled, 2 bad arguments, 3 configuration (keys), 4 no answer (network),
  5 authentication, 6 order not found, 7 order not cancellable (paid, cancelled,
  expired), 8 any other error answer

with --from FILE, one JSON line per id line goes to --output (appended to, never
truncated; default stdout) as each order finishes; "line" is its line in FILE:
  {"order_id", "line", "outcome", "error", "message", "attempts", "timestamp",
  "duplicate_of"}, where outcome is cancelled, already_cancelled (also when it was
  cancelled before this batch; error is null), not_found, not_cancellable (paid or
  expired), failed (no answer, 5xx, 401, or an invalid id; failed orders are not
  journaled, so a rerun tries them again) or duplicate (the id is on an earlier line,
  named by duplicate_of; sent once, not a failure). Blank lines and lines starting
  with # are skipped. Ids are read as text; write int:123 to send one as a JSON
  number. A 429 or Retry-After pauses the whole batch. A rerun with the same
  --journal prints lines only for the orders it sends.

exit codes with --from FILE:
  0 every order ended cancelled or already_cancelled (journaled ones included),
  1 some did not, 2 bad arguments or input, 3 configuration,
  130 / 143 stopped by Ctrl-C / SIGTERM (orders in flight finish first, up to 10 s;
  a second Ctrl-C abandons them): rerun with the same --journal to finish the batch
"""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "cancel",
        help="cancel an order, or every order in a file "
        "(keys from KWIKPAISA_API_KEY / KWIKPAISA_SECRET_KEY)",
        description="Cancel an unpaid order and print it as JSON, or cancel every order "
        "listed in a file. Keys come from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY. "
        "Write int:123 to send the id as a JSON number.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "order_id", metavar="ORDER_ID", nargs="?", help="the order to cancel (or use --from)"
    )
    bulk = parser.add_argument_group("cancelling in bulk")
    bulk.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="cancel every order id in FILE: one per line, or a CSV with an order_id "
        "column; - reads standard input",
    )
    bulk.add_argument(
        "--concurrency",
        type=_concurrency,
        metavar="N",
        help=f"orders in flight at once (default {DEFAULT_CONCURRENCY}, at most {MAX_CONCURRENCY})",
    )
    bulk.add_argument(
        "--output",
        metavar="FILE",
        help="append the JSON lines to FILE (never truncated: a resumed run adds its "
        "lines; default stdout)",
    )
    bulk.add_argument(
        "--journal",
        metavar="FILE",
        help="record finished orders in FILE as they finish, and skip the orders it already "
        "holds: a rerun after an interruption cancels nothing twice",
    )
    bulk.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (one is drawn on stderr when it is a terminal and rich is "
        "installed: pip install 'kwikpaisa[progress]')",
    )
    add_client_options(parser)
    parser.set_defaults(handler=functools.partial(run, parser=parser))


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_CONCURRENCY}, not {value}")
    return value


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    if args.from_file is not None:
        if args.order_id is not None:
            parser.error("give ORDER_ID or --from FILE, not both")
        if args.concurrency is None:
            args.concurrency = DEFAULT_CONCURRENCY
        from ._bulk import run_bulk  # the batch machinery loads only for a batch

        return run_bulk(args)
    if args.order_id is None:
        parser.error("give the ORDER_ID to cancel, or --from FILE for a batch")
    bulk_only = [
        option
        for option, value in (
            ("--concurrency", args.concurrency),
            ("--output", args.output),
            ("--journal", args.journal),
            ("--no-progress", args.no_progress or None),
        )
        if value is not None
    ]
    if bulk_only:
        parser.error(f"{', '.join(bulk_only)}: only used with --from FILE")
    try:
        with KwikPaisa(**client_kwargs(args)) as kp:
            order = kp.orders.cancel(parse_order_id(args.order_id))
    except (KwikPaisaError, ValueError, TypeError) as error:
        return fail(error)
    print_json(order_json(order))
    return int(ExitCode.OK)
