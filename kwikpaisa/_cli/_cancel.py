"""``kwikpaisa cancel ORDER_ID``: cancel one order and print the result as JSON."""

from __future__ import annotations

import argparse
from typing import Any

from .._client import KwikPaisa
from ..errors import KwikPaisaError
from ._common import add_client_options, client_kwargs, fail, order_json, parse_order_id, print_json


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "cancel",
        help="cancel an order (keys from KWIKPAISA_API_KEY / KWIKPAISA_SECRET_KEY)",
        description="Cancel an unpaid order and print it as JSON. Keys come from "
        "KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY. Write int:123 to send the id as a "
        "JSON number.",
    )
    parser.add_argument("order_id", metavar="ORDER_ID", help="the order to cancel")
    add_client_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        with KwikPaisa(**client_kwargs(args)) as kp:
            order = kp.orders.cancel(parse_order_id(args.order_id))
    except (KwikPaisaError, ValueError, TypeError) as error:
        return fail(error)
    print_json(order_json(order))
    return 0
