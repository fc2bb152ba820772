"""The ``kwikpaisa`` command line: ``create``, ``status``, ``cancel``, ``emulator``, ``sign``,
and a command for every other operation of the spec (``_operations``).

Each subcommand lives in its own module with a ``register(subparsers)`` function;
heavy modules (the emulator, asyncio batch machinery) load only when their
subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from . import _cancel, _create, _emulator, _operations, _sign, _status

__all__ = ["main", "main_entry"]

_EPILOG = """\
exit codes (every command; `kwikpaisa COMMAND --help` says more):
  0 done, 1 a batch with orders not cancelled or not found (or an unexpected error),
  2 bad arguments or input, 3 configuration (keys, base URL), 4 no answer (network,
  timeout, redirect), 5 authentication (401/403), 6 order not found (404),
  7 conflict (409: not cancellable as paid, cancelled or expired; or, for create, an
  order with this id exists), 8 any other error answer,
  9 a signature or webhook that does not verify, 130 / 143 stopped by Ctrl-C / SIGTERM
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwikpaisa",
        description="KwikPaisa from the command line: create orders, check their status, "
        "cancel them (one or a file of them), run the emulator, debug signatures. Keys come "
        "from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kwikpaisa {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (_create, _status, _cancel, _emulator, _sign):
        module.register(subparsers)
    _operations.register_all(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("kwikpaisa: interrupted", file=sys.stderr)
        return 130
    return code


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
