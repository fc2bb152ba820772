"""``kwikpaisa sign``: show every step of signing a body, to debug a 401."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sign",
        help="show how a body is signed (to debug 401s)",
        description="Not yet available.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
