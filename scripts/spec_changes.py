"""Print what changed between two effective specs: operations and fields.

    python scripts/spec_changes.py OLD.json NEW.json

Lists operations added and removed, and, per operation, request and success-body fields
added, removed or changed in type. Changes that would break code written against the
SDK (an operation or a field removed, a type changed, a new required request field) are
flagged ``BREAKING``. A missing OLD (a first generation) prints nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MAX_REF_CHAIN = 32
"""The most ``$ref`` hops followed from one node (a longer chain is a cycle)."""


def resolve(spec: dict[str, Any], node: Any, *, strict: bool = False) -> Any:
    """``node`` with its chain of local ``$ref``s followed in ``spec``.

    Lenient (the default, for comparing a previous spec): a reference to nothing gives
    ``{}`` and the chain stops after :data:`MAX_REF_CHAIN` hops. ``strict`` (for
    rendering): a reference to nothing raises ``KeyError``/``TypeError``, and a chain
    longer than :data:`MAX_REF_CHAIN` raises ``ValueError``.
    """
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        if seen == MAX_REF_CHAIN:
            if strict:
                raise ValueError(f"$ref chain longer than {MAX_REF_CHAIN}: {node['$ref']}")
            break
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            if strict:
                target = target[part]
            else:
                target = target.get(part, {}) if isinstance(target, dict) else {}
        node, seen = target, seen + 1
    return node


def _fields(spec: dict[str, Any], schema: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """``{dotted.field: (type, required)}`` of an object schema, nested objects flattened."""
    schema = resolve(spec, schema)
    found: dict[str, Any] = {}
    if not isinstance(schema, dict) or depth > 6:
        return found
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        prop = resolve(spec, prop)
        kind = prop.get("type", "object" if "properties" in prop else "any")
        found[prefix + name] = (json.dumps(kind), name in required)
        if "properties" in prop:
            found.update(_fields(spec, prop, f"{prefix}{name}.", depth + 1))
    return found


def _operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ops = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            answer = op.get("responses", {}).get("200", {})
            success = answer.get("content", {}).get("application/json", {})
            ops[f"{method.upper()} {path}"] = {
                "request": _fields(spec, body.get("schema")),
                "success": _fields(spec, success.get("schema")),
            }
    return ops


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per change, ``BREAKING`` ones marked."""
    before, after = _operations(old), _operations(new)
    lines = [f"operation added: {op}" for op in sorted(after.keys() - before.keys())]
    lines += [f"BREAKING operation removed: {op}" for op in sorted(before.keys() - after.keys())]
    for op in sorted(before.keys() & after.keys()):
        for part in ("request", "success"):
            was, now = before[op][part], after[op][part]
            for name in sorted(now.keys() - was.keys()):
                breaking = part == "request" and now[name][1]
                lines.append(
                    f"{'BREAKING ' if breaking else ''}{op} {part} field added: {name} "
                    f"({now[name][0]}{', required' if now[name][1] else ''})"
                )
            for name in sorted(was.keys() - now.keys()):
                lines.append(f"BREAKING {op} {part} field removed: {name}")
            for name in sorted(was.keys() & now.keys()):
                if was[name][0] != now[name][0]:
                    lines.append(
                        f"BREAKING {op} {part} field {name} changed type: "
                        f"{was[name][0]} -> {now[name][0]}"
                    )
    return lines


def main() -> int:
    old_path, new_path = Path(sys.argv[1]), Path(sys.argv[2])
    if not old_path.exists():
        return 0
    lines = changes(json.loads(old_path.read_text()), json.loads(new_path.read_text()))
    print("effective spec changes:" if lines else "effective spec: no operation or field changed")
    for line in lines:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
