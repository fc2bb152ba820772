"""The ``kwikpaisa`` command line: ``cancel``, ``emulator``, ``sign``.

Each subcommand lives in its own module with a ``register(subparsers)`` function;
heavy modules (the emulator, asyncio batch machinery) load only when their
subcommand runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from . import _cancel, _emulator, _sign

__all__ = ["main", "main_entry"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwikpaisa",
        description="KwikPaisa from the command line: cancel orders, run the emulator, "
        "debug signatures.",
    )
    parser.add_argument("--version", action="version", version=f"kwikpaisa {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (_cancel, _emulator, _sign):
        module.register(subparsers)
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
