"""What ``kwikpaisa cancel`` and ``kwikpaisa status`` share: ORDER_ID or ``--from FILE``,
the batch options, and running one order or a batch through the one batch engine."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .._client import KwikPaisa
from .._constants import DEFAULT_CONCURRENCY
from ..errors import KwikPaisaError
from ._common import add_client_options, client_kwargs, fail, parse_order_id, print_json
from ._exit import ExitCode

__all__ = ["MAX_CONCURRENCY", "add_order_arguments", "run_order_command"]

MAX_CONCURRENCY = 64
"""Most orders in flight at once from the command line (the client pools 100 connections)."""


def add_order_arguments(parser: argparse.ArgumentParser, *, verb: str, group: str) -> None:
    """ORDER_ID, the batch options (``--from``, ``--concurrency``, ``--output``,
    ``--journal``, ``--no-progress``) and the client options."""
    parser.add_argument(
        "order_id", metavar="ORDER_ID", nargs="?", help=f"the order to {verb} (or use --from)"
    )
    bulk = parser.add_argument_group(group)
    bulk.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help=f"{verb} every order id in FILE: one per line, or a CSV with an order_id "
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
        f"holds: a rerun after an interruption does not {verb} an order twice",
    )
    bulk.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (one is drawn on stderr when it is a terminal and rich is "
        "installed: pip install 'kwikpaisa[progress]')",
    )
    add_client_options(parser)


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_CONCURRENCY}, not {value}")
    return value


def run_order_command(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    *,
    name: str,
    single: Callable[[KwikPaisa, str | int], dict[str, Any]],
) -> int:
    """One ORDER_ID (``single`` prints its JSON), or ``--from FILE`` through the batch
    engine of command ``name``."""
    if args.from_file is not None:
        if args.order_id is not None:
            parser.error("give ORDER_ID or --from FILE, not both")
        if args.concurrency is None:
            args.concurrency = DEFAULT_CONCURRENCY
        # The batch machinery (asyncio) loads only for a batch.
        from .._bulk import BATCHES
        from ._bulk import run_bulk

        return run_bulk(args, BATCHES[name])
    if args.order_id is None:
        parser.error(f"give the ORDER_ID to {name}, or --from FILE for a batch")
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
            data = single(kp, parse_order_id(args.order_id))
    except (KwikPaisaError, ValueError, TypeError) as error:
        return fail(error)
    print_json(data)
    return int(ExitCode.OK)
