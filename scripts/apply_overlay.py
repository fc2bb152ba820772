"""Apply openapi.overlay.yaml to KwikPaisa's document without hiding KwikPaisa's content.

    python scripts/apply_overlay.py openapi.json openapi.overlay.yaml EFFECTIVE.json

Before oas-patch applies the overlay, every ``update`` action is compared with what
KwikPaisa's document already has at its target:

* a key the document does not define is added (the usual case);
* a key the document defines with the same value: the action is redundant there (reported);
  objects are compared key by key, except a ``$ref``, which stands for a whole schema;
* a key the document defines differently: KwikPaisa's version is kept and the action
  reported as redundant there, unless the action is marked ``x-override: true`` (a
  deliberate override, applied and reported);
* a value of another kind than the document's (an object where it has text, ...): fails,
  naming the action and the path in the document.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from jsonpath_ng.ext import parse


class OverlayClash(Exception):
    """An action would replace KwikPaisa's content with something of another kind."""


def _kind(value: Any) -> str:
    return "object" if isinstance(value, dict) else "list" if isinstance(value, list) else "value"


def _prune(
    update: Any, existing: Any, where: str, override: bool, notes: list[str], label: str
) -> Any:
    """``update`` less what ``existing`` (KwikPaisa's) defines; ``None``: nothing left."""
    if isinstance(update, dict) and isinstance(existing, dict):
        kept = {}
        for key, value in update.items():
            path = f"{where}.{key}"
            if key not in existing:
                kept[key] = value
                continue
            # A reference stands for a whole schema: merged into KwikPaisa's object it
            # would hide it (the generator follows the $ref), so it is compared whole.
            atomic = isinstance(value, dict) and "$ref" in value
            if isinstance(value, dict) and isinstance(existing[key], dict) and not atomic:
                rest = _prune(value, existing[key], path, override, notes, label)
                if rest is not None:
                    kept[key] = rest
                continue
            if override and value != existing[key]:
                notes.append(f"override: {label} replaces KwikPaisa's {path} (x-override)")
                kept[key] = value
                continue
            if _kind(value) != _kind(existing[key]):
                raise OverlayClash(
                    f"{label} sets {path} to a {_kind(value)}, but KwikPaisa's document has a "
                    f"{_kind(existing[key])} there: update or remove the action"
                )
            if value == existing[key]:
                notes.append(f"redundant: {label}: KwikPaisa's document already has {path}")
            elif isinstance(value, list):
                kept[key] = [item for item in value if item not in existing[key]]
            else:
                notes.append(
                    f"redundant: {label}: KwikPaisa's document now defines {path}; keeping "
                    "KwikPaisa's version (mark the action x-override: true to replace it)"
                )
        return kept or None
    return update


def guarded_overlay(
    document: dict[str, Any], overlay: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The overlay with every update pruned of what ``document`` defines, and the notes."""
    overlay = copy.deepcopy(overlay)
    notes: list[str] = []
    actions = []
    for index, action in enumerate(overlay.get("actions", []), start=1):
        if "update" not in action:
            actions.append(action)
            continue
        label = f"action {index} ({' '.join(str(action.get('description', '')).split()[:6])}…)"
        override = bool(action.pop("x-override", False))
        matches = parse(action["target"]).find(document)
        if not matches:  # a target the overlay itself creates: nothing of KwikPaisa's there
            actions.append(action)
            continue
        pruned = [
            (
                match,
                _prune(
                    action["update"], match.value, f"$.{match.full_path}", override, notes, label
                ),
            )
            for match in matches
        ]
        if all(update == pruned[0][1] for _, update in pruned):
            if pruned[0][1] is not None:
                actions.append({**action, "update": pruned[0][1]})
            continue
        # The targets differ in what KwikPaisa defines: one action per target.
        actions.extend(
            {**action, "target": f"$.{match.full_path}", "update": update}
            for match, update in pruned
            if update is not None
        )
    overlay["actions"] = actions
    return overlay, notes


def main() -> int:
    spec, overlay_path, out = (Path(arg) for arg in sys.argv[1:4])
    document = json.loads(spec.read_text())
    overlay = yaml.safe_load(overlay_path.read_text())
    try:
        guarded, notes = guarded_overlay(document, overlay)
    except OverlayClash as clash:
        print(f"apply_overlay: {clash}", file=sys.stderr)
        return 1
    for note in notes:
        print(f"overlay {note}")
    with tempfile.TemporaryDirectory() as tmp:
        guarded_path = Path(tmp) / "overlay.yaml"
        guarded["extends"] = str(spec)
        guarded_path.write_text(yaml.safe_dump(guarded, sort_keys=False, allow_unicode=True))
        done = subprocess.run(
            ["oas-patch", "overlay", str(spec), str(guarded_path), "-o", str(out)],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        print(done.stdout + done.stderr, file=sys.stderr)
        return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
