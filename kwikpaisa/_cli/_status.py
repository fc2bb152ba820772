"""``kwikpaisa status ORDER_ID`` (the order as JSON) or ``--from FILE`` (reconcile a batch)."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from .._client import KwikPaisa
from .._models import Order
from ._orders import add_order_arguments, run_order_command

_EPILOG = """\
exit codes with ORDER_ID:
  0 the order was found (whatever its status), 2 bad arguments, 3 configuration (keys),
  4 no answer (network), 5 authentication, 6 order not found, 8 any other error answer

with --from FILE, one JSON line per id line goes to --output (appended to, never
truncated; default stdout) as each order's status arrives; "line" is its line in FILE:
  {"order_id", "line", "outcome", "error", "message", "attempts", "timestamp",
  "duplicate_of", "order_status", "amount", "currency", "payment_method",
  "transaction_id", "paid_at"}, where outcome is found (order_status says PAID,
  UN_PAID, ...), not_found, failed (no answer, 5xx, 401, or an invalid id; not
  journaled, so a rerun tries them again) or duplicate. Blank lines and lines
  starting with # are skipped; write int:123 to send an id as a JSON number. A 429
  pauses the whole batch. A rerun with the same --journal skips the orders it holds.

exit codes with --from FILE:
  0 every order was found (journaled ones included), 1 some were not,
  2 bad arguments or input, 3 configuration, 130 / 143 stopped by Ctrl-C / SIGTERM
  (rerun with the same --journal to finish the batch)
"""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "status",
        help="show an order's status, or reconcile every order in a file",
        description="Print an order's status as JSON (verify payments with this, not the "
        "browser redirect), or fetch the status of every order listed in a file. Keys come "
        "from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY. Write int:123 to send the id as a "
        "JSON number.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_order_arguments(parser, verb="check", group="reconciling in bulk")
    parser.set_defaults(handler=functools.partial(run, parser=parser))


def status_json(order: Order) -> dict[str, Any]:
    """An order's status as printable JSON."""
    return {
        "order_id": order.order_id,
        "kwikx_order_id": order.kwikx_order_id,
        "status": order.status,
        "amount": str(order.amount) if order.amount is not None else None,
        "currency": order.currency,
        "payment_method": order.payment_method,
        "transaction_id": order.transaction_id,
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
        "attempts": order.attempts,
    }


def _status(kp: KwikPaisa, order_id: str | int) -> dict[str, Any]:
    return status_json(kp.orders.status(order_id))


def run(args: argparse.Namespace, *, parser: argparse.ArgumentParser) -> int:
    return run_order_command(args, parser, name="status", single=_status)
