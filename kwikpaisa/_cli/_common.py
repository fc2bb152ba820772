"""Pieces shared by subcommands: client options, result printing, error lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._constants import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_ALLOW_INSECURE_HTTP,
    MAX_SAFE_INTEGER,
)
from .._environment import resolve_settings
from .._models import CancelledOrder
from ._exit import ExitCode, exit_code_for

__all__ = [
    "UsageError",
    "add_client_options",
    "client_kwargs",
    "fail",
    "order_json",
    "parse_order_id",
    "read_source",
    "usage",
]


class UsageError(Exception):
    """Bad input or options for a command (exit code 2)."""


def usage(command: str, message: str) -> int:
    """Print ``kwikpaisa COMMAND: message`` on stderr; return the usage exit code."""
    print(f"kwikpaisa {command}: {message}", file=sys.stderr)
    return int(ExitCode.USAGE)


def read_source(source: str, name: str) -> bytes:
    """The bytes of ``source``, a path or ``-`` for standard input (``name`` in errors)."""
    try:
        if source == "-":
            return sys.stdin.buffer.read()
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from None


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """``--base-url``, ``--environment``, ``--timeout``, ``--max-retries``."""
    parser.add_argument(
        "--environment",
        choices=["sandbox", "production"],
        help="where to send requests (default: $KWIKPAISA_ENVIRONMENT, else sandbox)",
    )
    parser.add_argument(
        "--base-url", help="send requests here instead (default: $KWIKPAISA_BASE_URL)"
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=None,
        help="allow a plain http:// base URL for a host that is not loopback (an emulator "
        f"in another container; logged as a warning; or set {ENV_ALLOW_INSECURE_HTTP}=1)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        help=f"seconds per attempt (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-retries",
        type=_retries,
        help=f"retries after the first attempt (default {DEFAULT_MAX_RETRIES})",
    )


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def _retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Client constructor arguments from the parsed options (keys come from the environment).

    The settings are checked here first, so a problem is told in flags and variables
    (``--base-url``, ``KWIKPAISA_API_KEY``), not in Python arguments.
    """
    resolve_settings(
        api_key=None,
        secret_key=None,
        environment=args.environment,
        base_url=args.base_url,
        allow_insecure_http=args.allow_insecure_http,
        command_line=True,
        warn=False,  # the client warns once, below
    )
    kwargs: dict[str, Any] = {
        "environment": args.environment,
        "base_url": args.base_url,
        "allow_insecure_http": args.allow_insecure_http,
    }
    if args.timeout is not None:
        kwargs["timeout"] = args.timeout
    if args.max_retries is not None:
        kwargs["max_retries"] = args.max_retries
    return kwargs


def parse_order_id(text: str) -> str | int:
    """Order ids are sent as given: ``int:123`` forces a JSON number, anything else is a string."""
    if text.startswith("int:"):
        try:
            value = int(text[4:])
        except ValueError:
            raise ValueError(f"order id {text!r}: after 'int:' must come a whole number") from None
        if not 1 <= value <= MAX_SAFE_INTEGER:
            raise ValueError(
                f"order id {text!r}: a JSON number must be from 1 to 2**53 - 1 (larger ones may "
                f"be rounded by KwikPaisa); write {text[4:]} without int: to send it as text"
            )
        return value
    return text


def order_json(order: CancelledOrder) -> dict[str, Any]:
    """A cancelled order as printable JSON."""
    return {
        "order_id": order.order_id,
        "status": order.status,
        "cancelled_at": order.cancelled_at.isoformat() if order.cancelled_at else None,
        "message": order.message,
        "already_cancelled": order.already_cancelled,
        "attempts": order.attempts,
    }


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def fail(error: BaseException) -> int:
    """Print one line naming the error on stderr; return its exit code."""
    print(f"kwikpaisa: {type(error).__name__}: {error}", file=sys.stderr)
    return int(exit_code_for(error))


__all__ += ["ExitCode", "print_json"]
