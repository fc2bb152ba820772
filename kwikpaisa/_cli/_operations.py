"""``kwikpaisa <name> --field value``: every operation of the spec that has no command of
its own, registered from the generated operation table and printed as JSON.

An operation of ``kp.orders`` is ``kwikpaisa <name>``; one of another resource is
``kwikpaisa <resource>-<name>``. Options are the request body's fields, by their JSON
names. Values are read by the field's declared type: text for ``str`` fields (``int:123``
sends a JSON number where the field also takes an int), numbers for ``int``/``float``
fields, ``true``/``false`` for ``bool``, and JSON for anything else (objects, lists).
"""

from __future__ import annotations

import argparse
import functools
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from kwikpaisa_generated.operations import OPERATIONS, OperationSpec

from .._client import KwikPaisa
from ..errors import KwikPaisaError
from ._common import add_client_options, client_kwargs, fail, print_json
from ._exit import ExitCode

__all__ = ["register_all", "result_json"]

_TAKEN = {"create", "status", "cancel", "emulator", "sign"}


def _command(spec: OperationSpec[Any]) -> str:
    name = spec.name if spec.resource == "orders" else f"{spec.resource}_{spec.name}"
    if name in _TAKEN:  # hand-written operations never get here (register_all)
        name = f"{spec.resource}_{spec.name}"
    return name.replace("_", "-")


def register_all(subparsers: Any) -> None:
    """A subcommand for every operation of the spec without a hand-written command."""
    for spec in OPERATIONS:
        if spec.hand_written:
            continue
        parser: argparse.ArgumentParser = subparsers.add_parser(
            _command(spec),
            help=f"{spec.summary} (kp.{spec.resource}.{spec.name})",
            description=f"{spec.summary}: {spec.method} {spec.path}, printed as JSON. Keys "
            "come from KWIKPAISA_API_KEY and KWIKPAISA_SECRET_KEY.",
        )
        fields = parser.add_argument_group("the request")
        for argument, json_name in spec.fields.items():
            flags = sorted({f"--{json_name}", f"--{json_name.replace('_', '-')}"})
            fields.add_argument(
                *flags,
                dest=argument,
                required=argument in spec.required,
                help=f"{spec.field_types[argument]}"
                + (" (required)" if argument in spec.required else ""),
            )
        add_client_options(parser)
        parser.set_defaults(handler=functools.partial(run, spec=spec))


def _value(text: str, declared: str, option: str) -> Any:
    """``text`` read as the field's declared type, or ``ValueError`` naming the option."""
    kinds = {part.strip() for part in declared.split("|")}
    try:
        if "str" in kinds:
            if "int" in kinds and text.startswith("int:"):
                return int(text[4:])
            return text
        if "bool" in kinds:
            if text.lower() not in ("true", "false"):
                raise ValueError
            return text.lower() == "true"
        if "int" in kinds and text.lstrip("-").isdigit():
            return int(text)
        if "float" in kinds:
            return float(text)
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a valid {declared}") from None


def result_json(result: Any) -> dict[str, Any]:
    """A generated result as printable JSON (its fields; ``raw`` left out)."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if attrs.has(type(value)) and hasattr(value, "to_dict"):
            return value.to_dict()
        return value

    return {
        field.name: plain(getattr(result, field.name))
        for field in attrs.fields(type(result))
        if field.name != "raw"
    }


def run(args: argparse.Namespace, *, spec: OperationSpec[Any]) -> int:
    try:
        body = {
            json_name: _value(value, spec.field_types[argument], f"--{json_name}")
            for argument, json_name in spec.fields.items()
            if (value := getattr(args, argument)) is not None
        }
        with KwikPaisa(**client_kwargs(args)) as kp:
            result = kp._call_generated(
                spec,
                None if spec.body_model is None else spec.body_model.from_dict(body),
                timeout=None,
                max_retries=None,
                total_timeout=None,
            )
    except (KwikPaisaError, ValueError, TypeError) as error:
        return fail(error)
    print_json(result_json(result))
    return int(ExitCode.OK)
