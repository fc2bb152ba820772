"""The ``kwikpaisa`` command line: ``create``, ``status``, ``cancel``, ``emulator``, ``sign``,
and a command for every other operation of the spec (``_operations``).

Each subcommand lives in its own module with a ``register(subparsers)`` function;
heavy modules (the emulator, asyncio batch machinery) load only when their
subcommand runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from .._constants import ENV_LOG
from .._version import __version__
from . import _cancel, _create, _emulator, _operations, _sign, _status
from ._exit import ExitCode

__all__ = ["main", "main_entry"]

_EPILOG = """\
exit codes (every command; `kwikpaisa COMMAND --help` says more):
  0 done, 1 a batch with orders not cancelled or not found, or an unexpected error
  (one line, no traceback; KWIKPAISA_LOG=debug shows it),
  2 bad arguments or input, 3 configuration (keys, base URL; also a 404 that is not
  KwikPaisa's answer: check the base URL), 4 no answer (network, timeout, redirect),
  5 authentication (401/403), 6 order not found (404), 7 conflict (409: not
  cancellable as paid, cancelled or expired; or, for create, an order with this id
  for another amount or currency), 8 any other error answer,
  9 a signature or webhook that does not verify, 130 / 143 stopped by Ctrl-C / SIGTERM
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwikpaisa",
        description="KwikPaisa from the command line: create orders, check their status, "
        "cancel them (one or a file of them), run the emulator, debug signatures. Keys come "
        "from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY; a proxy from KWIKPAISA_PROXY, else "
        "HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY as httpx reads them.",
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
    except Exception as error:  # no traceback for anything a peer (or a bug) caused
        return _unexpected(error)
    return code


def _unexpected(error: Exception) -> int:
    """One line for an error no check foresaw; the traceback only with KWIKPAISA_LOG=debug."""
    if os.environ.get(ENV_LOG, "").strip().lower() == "debug":
        traceback.print_exception(error, file=sys.stderr)
    print(
        f"kwikpaisa: unexpected {type(error).__name__}: {error} (exit code 1; run with "
        f"{ENV_LOG}=debug to see where, and report it)",
        file=sys.stderr,
    )
    return int(ExitCode.FAILURE)


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
