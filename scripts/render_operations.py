"""Render kwikpaisa_generated/operations.py (and formats.py) from the effective spec.

Run by scripts/generate.sh after openapi-python-client, with the package it just wrote:

    python scripts/render_operations.py EFFECTIVE_SPEC.json PACKAGE_DIR

Every operation ``POST /api/v3/pg/<resource>/<name>`` becomes ``kp.<resource>s.<name>``
(``x-kwikpaisa.resource`` / ``x-kwikpaisa.method`` rename either), with keyword arguments
typed from the generated request model and a result typed from the success body's
``return_data`` model. Types are read from the generated models themselves, so they are
the generator's own. Fails, naming the operation, when something cannot be rendered.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import attrs
import jinja2
from openapi_python_client.strings import PythonIdentifier
from spec_changes import resolve  # beside this script (run as python scripts/...)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "scripts" / "templates" / "facade"
RESERVED = {"self", "timeout", "max_retries", "total_timeout"}
RESULT_RESERVED = {"raw", "attempts"}
FORMATS = {
    "kwikpaisa-datetime": ("datetime | None", "formats.kwikpaisa_datetime(data.{})"),
    "decimal": ("Decimal | None", "formats.decimal(data.{})"),
}
POLICY_KEYS = {"resource", "method", "retry-lost", "errors", "wording", "hand-written"}


class RenderError(Exception):
    """The effective spec has something the renderer cannot turn into a method."""


def _split_union(annotation: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in annotation:
        depth += char in "[("
        depth -= char in "])"
        if char == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _without_unset(annotation: str) -> str:
    parts = [p for p in _split_union(annotation) if p not in ("Unset", "None")]
    return " | ".join(parts) + " | None"


def _resolve(spec: dict[str, Any], node: Any) -> dict[str, Any]:
    node = resolve(spec, node, strict=True)
    return node if isinstance(node, dict) else {}


def _camel(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[_\W]+", text) if word)


def _names(annotation: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation))


def _operation(
    spec: dict[str, Any], path: str, method: str, op: dict[str, Any], models: Any
) -> dict[str, Any]:
    where = f"{method.upper()} {path}"
    policy = op.get("x-kwikpaisa") or {}
    unknown = set(policy) - POLICY_KEYS
    if unknown:
        raise RenderError(f"{where}: unknown x-kwikpaisa keys {sorted(unknown)}")
    if "operationId" not in op:
        raise RenderError(f"{where}: no operationId; add one in openapi.overlay.yaml")
    tag = str(PythonIdentifier((op.get("tags") or ["default"])[0], "tag"))
    module_name = str(PythonIdentifier(op["operationId"], "field"))
    try:
        module = importlib.import_module(f"kwikpaisa_generated.api.{tag}.{module_name}")
    except ImportError as exc:
        raise RenderError(f"{where}: the generator wrote no endpoint module ({exc})") from exc
    extra = set(inspect.signature(module.build_request).parameters) - {"body"}
    content = (op.get("requestBody") or {}).get("content", {"application/json": {}})
    if not policy.get("hand-written") and (extra or "application/json" not in content):
        raise RenderError(
            f"{where}: takes more than a JSON body ({', '.join(sorted(extra or content))}); "
            "mark it x-kwikpaisa.hand-written in openapi.overlay.yaml and write its method "
            "in kwikpaisa/resources"
        )
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        raise RenderError(f"{where}: no resource in the path; set x-kwikpaisa.resource")
    noun = segments[-2]
    resource = str(policy.get("resource") or (noun if noun.endswith("s") else noun + "s"))
    name = str(PythonIdentifier(str(policy.get("method") or segments[-1]), "op"))
    result = _camel(resource.removesuffix("s")) + _camel(name) + "Result"
    used: set[str] = set()

    arguments, field_map = [], {}
    body = module.BODY
    if body is not None:
        hints = inspect.get_annotations(body)
        schema = _resolve(spec, op["requestBody"]["content"]["application/json"].get("schema", {}))
        json_names = {str(PythonIdentifier(n, "field")): n for n in schema.get("properties", {})}
        for field in attrs.fields(body):
            if field.name == "additional_properties":
                continue
            if field.name in RESERVED:
                raise RenderError(
                    f"{where}: request field {field.name!r} clashes with a call option; "
                    "rename the method's argument in the overlay"
                )
            annotation = str(hints[field.name])
            used |= _names(annotation)
            arguments.append(
                {"name": field.name, "type": annotation, "required": field.default is attrs.NOTHING}
            )
            field_map[field.name] = json_names.get(field.name, field.name)
        arguments.sort(key=lambda a: not a["required"])

    success = module.SUCCESS
    result_fields: list[dict[str, Any]] = []
    success_type = "Any"
    if attrs.has(success):
        success_type = success.__name__
        used.add(success_type)
        hints = inspect.get_annotations(success)
        if "return_data" in hints:
            data_names = [
                n for n in _names(str(hints["return_data"])) if attrs.has(getattr(models, n, None))
            ]
            if len(data_names) != 1:
                raise RenderError(f"{where}: return_data is not one object schema")
            data_model = getattr(models, data_names[0])
            body_schema = _resolve(
                spec, op["responses"]["200"]["content"]["application/json"]["schema"]
            )
            data_schema = _resolve(spec, body_schema.get("properties", {}).get("return_data"))
            by_python = {
                str(PythonIdentifier(n, "field")): (n, p)
                for n, p in data_schema.get("properties", {}).items()
            }
            data_hints = inspect.get_annotations(data_model)
            for field in attrs.fields(data_model):
                if field.name == "additional_properties":
                    continue
                if field.name in RESULT_RESERVED:
                    raise RenderError(f"{where}: return_data field {field.name!r} is reserved")
                json_name, prop = by_python.get(field.name, (field.name, {}))
                fmt = _resolve(spec, prop).get("format")
                if fmt in FORMATS:
                    type_, read = FORMATS[fmt]
                    read = read.format(field.name)
                else:
                    type_ = _without_unset(str(data_hints[field.name]))
                    used |= _names(type_)
                    read = f"None if isinstance(data.{field.name}, Unset) else data.{field.name}"
                    fmt = None
                result_fields.append(
                    {
                        "name": field.name,
                        "json": json_name,
                        "type": type_,
                        "read": read,
                        "format": fmt,
                    }
                )

    errors = {int(status): str(cls) for status, cls in (policy.get("errors") or {}).items()}
    summary = str(op.get("summary") or f"{method.upper()} {path}")
    doc = summary.rstrip(".") + "."
    if op.get("description"):
        doc += "\n\n        " + " ".join(str(op["description"]).split())
    return {
        "name": name,
        "resource": resource,
        "constant": f"{resource.upper()}_{name.upper()}",
        "result": result,
        "module": module_name,
        "tag": tag,
        "body_class": body.__name__ if body is not None else None,
        "success_type": success_type,
        "arguments": arguments,
        "field_map": repr(field_map),
        "field_types": repr({a["name"]: a["type"] for a in arguments}),
        "required": repr(tuple(a["name"] for a in arguments if a["required"])),
        "result_fields": result_fields,
        "retry_lost": bool(policy.get("retry-lost", False)),
        "errors": repr(errors),
        "wording": repr(dict(policy.get("wording") or {})),
        "hand_written": bool(policy.get("hand-written", False)),
        "summary": summary,
        "doc": doc.replace('"""', "'''"),
        "path": path,
        "method": method.upper(),
        "used": used,
    }


def render(spec_path: Path, package_dir: Path) -> str:
    """The text of operations.py for the effective spec at ``spec_path``."""
    sys.dont_write_bytecode = True  # nothing but sources in the generated package
    sys.path.insert(0, str(package_dir.parent))
    package = importlib.import_module("kwikpaisa_generated")
    if Path(package.__file__ or "").resolve().parent != package_dir.resolve():
        raise RenderError(f"imported {package.__file__}, not the package in {package_dir}")
    models = importlib.import_module("kwikpaisa_generated.models")
    spec = json.loads(spec_path.read_text())
    operations = [
        _operation(spec, path, method, op, models)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]
    seen: dict[tuple[str, str], str] = {}
    for op in operations:
        key = (op["resource"], op["name"])
        if key in seen:
            raise RenderError(
                f"{op['path']} and {seen[key]} both become {key[0]}.{key[1]}; rename one with "
                "x-kwikpaisa.method in openapi.overlay.yaml"
            )
        seen[key] = op["path"]
    resources: dict[str, dict[str, Any]] = {}
    for op in operations:
        resource = resources.setdefault(
            op["resource"],
            {
                "attribute": op["resource"],
                "sync_class": _camel(op["resource"]) + "Operations",
                "async_class": "Async" + _camel(op["resource"]) + "Operations",
                "path": op["path"].rsplit("/", 1)[0] + "/",
                "operations": [],
            },
        )
        resource["operations"].append(op)
    used = set().union(*(op["used"] for op in operations)) if operations else set()
    model_imports = sorted(n for n in used if attrs.has(getattr(models, n, None)))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 (renders Python source, not HTML)
    )
    return env.get_template("operations.py.jinja").render(
        operations=operations,
        resources=list(resources.values()),
        model_imports=model_imports,
    )


def main() -> int:
    spec_path, package_dir = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        text = render(spec_path, package_dir)
    except RenderError as exc:
        print(f"render_operations: {exc}", file=sys.stderr)
        return 1
    (package_dir / "operations.py").write_text(text)
    shutil.copyfile(TEMPLATES / "formats.py", package_dir / "formats.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
