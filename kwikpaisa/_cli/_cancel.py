"""``kwikpaisa cancel ORDER_ID`` (one order, JSON result) or ``--from FILE`` (a batch)."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from .._client import KwikPaisa
from ._common import order_json
from ._orders import add_order_arguments, run_order_command

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
    add_order_arguments(parser, verb="cancel", group="cancelling in bulk")
    parser.set_defaults(handler=functools.partial(run, parser=parser))


def _cancel(kp: KwikPaisa, order_id: str | int) -> dict[str, Any]:
    return order_json(kp.orders.cancel(order_id))


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    return run_order_command(args, parser, name="cancel", single=_cancel)
