"""``kwikpaisa create``: create an order from options and print it (with its payment link)."""

from __future__ import annotations

import argparse
from typing import Any

from .._client import KwikPaisa
from .._models import CreatedOrder, Customer
from ..errors import KwikPaisaError
from ._common import add_client_options, client_kwargs, fail, parse_order_id, print_json
from ._exit import ExitCode

_EPILOG = """\
prints the created order as JSON; payment_link is where to send the customer.
Safe to run again: if an order with this id already exists for the same amount and
currency (an earlier run, or a retry, created it), it is printed with
"already_created": true and the exit code is 0 (created once, never twice).

exit codes:
  0 created (or already created), 2 bad arguments, 3 configuration (keys, base URL),
  4 no answer (network; the order may have been created: run the same command again),
  5 authentication, 7 an order with this id exists for a different amount or currency
  (or could not be read back to compare), 8 any other error answer
"""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "create",
        help="create an order and print its payment link",
        description="Create a hosted-checkout order and print it as JSON. Keys come from "
        "KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    order = parser.add_argument_group("the order")
    order.add_argument(
        "--order-id", required=True, help="your unique order id (int:123 for a JSON number)"
    )
    order.add_argument("--amount", required=True, help="in rupees, at most 2 decimals: 105.00")
    order.add_argument("--currency", default="INR", help="ISO currency code (default INR)")
    order.add_argument("--service-type", required=True, help="e.g. DIGITAL")
    order.add_argument(
        "--return-url", required=True, help="where KwikPaisa sends the customer back"
    )
    order.add_argument("--note", help="an order note (optional)")
    customer = parser.add_argument_group("the customer")
    customer.add_argument("--name", required=True, help="the customer's name")
    customer.add_argument("--email", required=True, help="the customer's email address")
    customer.add_argument("--phone", required=True, help="8 to 15 digits, optionally after +")
    add_client_options(parser)
    parser.set_defaults(handler=run)


def created_json(order: CreatedOrder) -> dict[str, Any]:
    """A created order as printable JSON."""
    return {
        "order_id": order.order_id,
        "kwikx_order_id": order.kwikx_order_id,
        "status": order.status,
        "payment_link": order.payment_link,
        "created_at": order.created_at.isoformat() if order.created_at else None,
        "already_created": order.already_created,
        "attempts": order.attempts,
    }


def run(args: argparse.Namespace) -> int:
    try:
        with KwikPaisa(**client_kwargs(args)) as kp:
            order = kp.orders.create(
                order_id=parse_order_id(args.order_id),
                amount=args.amount,
                currency=args.currency,
                service_type=args.service_type,
                customer=Customer(name=args.name, email=args.email, phone=args.phone),
                return_url=args.return_url,
                note=args.note,
            )
    except (KwikPaisaError, ValueError, TypeError) as error:
        return fail(error)
    print_json(created_json(order))
    return int(ExitCode.OK)
