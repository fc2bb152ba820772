"""The module graph of ``kwikpaisa/`` has no cycles, and its layers (docs/architecture.md)
depend one way.

The graph counts every import statement: module-level ones, ``TYPE_CHECKING`` ones and
imports inside functions. A type-only back edge is still a cycle for a reader (and for
whoever next turns it into a runtime import), so it fails here too.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "kwikpaisa"

Edges = dict[str, dict[str, int]]
"""Module to the modules it imports, each with the line of its first import."""


def _modules(root: Path, package: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names one import statement names (a module, or a module's attribute)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, node.module] if node.module else base)
    else:
        target = node.module or ""
    return [f"{target}.{alias.name}" for alias in node.names]


def import_graph(root: Path, package: str) -> Edges:
    """Every module of ``package`` under ``root`` and the package modules it imports."""
    modules = _modules(root, package)
    graph: Edges = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _targets(module, path.name == "__init__.py", node):
                while name and name not in modules:  # an attribute: its module
                    name = name.rpartition(".")[0]
                if name and name != module:
                    edges.setdefault(name, node.lineno)
        graph[module] = edges
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle (``[a, b, a]``) through each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: Mapping[str, Iterable[str]], group: set[str]) -> list[str]:
    """A shortest cycle through the group's first module, staying inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node]):
            if target == start:
                return [*paths[node], start]
            if target in group and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover (a group has one)


def _describe(graph: Edges, cycle: list[str]) -> str:
    steps = [
        f"{source} (line {graph[source][target]}) imports {target}"
        for source, target in itertools.pairwise(cycle)
    ]
    return "; ".join(steps)


# -- the layers, lowest first (docs/architecture.md) -----------------------------------------

BASICS = {
    f"{PACKAGE}.{name}"
    for name in (
        "errors",
        "_models",
        "_constants",
        "_version",
        "_logging",
        "_reasons",
        "_body",
        "_fields",
        "_retry",
        "_validation",
        "_environment",
        "_proxy",
        "signing",
        "webhooks",
        "_call_options",
        "_deadline",
    )
}
DECISIONS = {f"{PACKAGE}.{name}" for name in ("_operation", "_response", "_call")}


def layer(module: str) -> tuple[int, str] | None:
    """The layer a module belongs to (its rank, lowest 0, and name); ``None`` for a
    module no layer names yet (only the no-cycles rule applies to it)."""
    short = module.removeprefix(f"{PACKAGE}.")
    if module in BASICS:
        return 0, "basics"
    if module in DECISIONS:
        return 1, "one call's decisions"
    if short.startswith("resources") or short in ("_bulk", "_sync_bulk", "_caller"):
        return 2, "operations, resources and batches"
    if module == PACKAGE or short in ("_client", "_pool", "_aiohttp", "_deadline_streams"):
        return 3, "clients"
    if short.startswith(("testing", "_cli")) or short in ("pytest_plugin", "__main__"):
        return 4, "tools (emulator, command line, pytest plugin)"
    return None


def upward_imports(graph: Edges) -> list[str]:
    """Every import of a module from a higher layer than the importer's."""
    found = []
    for source, targets in sorted(graph.items()):
        mine = layer(source)
        for target, line in sorted(targets.items()):
            theirs = layer(target)
            if mine is not None and theirs is not None and theirs[0] > mine[0]:
                found.append(f"{source} ({mine[1]}) imports {target} ({theirs[1]}) at line {line}")
    return found


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Edges:
    """The import graph of ``kwikpaisa/`` (the tests only read it)."""
    return import_graph(ROOT, PACKAGE)


def test_the_package_has_no_import_cycle(graph: Edges) -> None:
    found = [_describe(graph, cycle) for cycle in cycles(graph)]
    assert not found, "import cycles in kwikpaisa/ (break each; see docs/architecture.md):\n" + (
        "\n".join(found)
    )


def test_no_module_imports_from_a_higher_layer(graph: Edges) -> None:
    found = upward_imports(graph)
    assert not found, "imports against the layers of docs/architecture.md:\n" + "\n".join(found)


def test_every_layer_is_populated(graph: Edges) -> None:
    """The layer rules name real modules (a rename would otherwise empty a layer silently)."""
    names = {spec[1] for module in graph if (spec := layer(module)) is not None}
    assert len(names) == 5
    assert set(graph) >= BASICS | DECISIONS


def test_every_module_has_a_layer(graph: Edges) -> None:
    """A new module is placed in a layer (here and in docs/architecture.md), so the layer
    rule holds for it too."""
    unplaced = sorted(m for m in graph if layer(m) is None)
    assert not unplaced, f"place these modules in a layer of docs/architecture.md: {unplaced}"


def _documented_layers() -> list[list[str]]:
    """The modules each row of docs/architecture.md's layer table names, bottom layer first."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## The layers of `kwikpaisa/`", 1)[1].split("\n\n| layer |", 1)[1]
    rows = [line for line in table.split("\n\n", 1)[0].splitlines() if line.startswith("| ")]
    return [re.findall(r"`([^`]+)`", row.split("|")[2]) for row in rows]


def test_the_documented_layers_are_the_checked_ones(graph: Edges) -> None:
    documented = _documented_layers()
    assert len(documented) == 5
    for rank, names in enumerate(documented):
        for name in names:
            dotted = name.strip("/").replace("/", ".")
            module = PACKAGE if dotted == PACKAGE else f"{PACKAGE}.{dotted}"
            subpackage = name.endswith("/")
            members = [
                m for m in graph if m == module or (subpackage and m.startswith(f"{module}."))
            ]
            assert members, f"docs/architecture.md names {name!r}, which is not a module"
            for member in members:
                assert (layer(member) or (None,))[0] == rank, (member, rank)


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("how", "b_text"),
    [
        ("module level", "from .a import A\n"),
        (
            "type only",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n",
        ),
        ("in a function", "def f():\n    from . import a\n    return a\n"),
        ("absolute, in a subpackage", "def f():\n    import pkg.a\n"),
    ],
)
def test_a_cycle_is_found_however_it_is_imported(tmp_path: Path, how: str, b_text: str) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from .sub.b import f\nA = 1\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/b.py": b_text.replace("from .a", "from ..a").replace(
                "from . import", "from .. import"
            ),
            "pkg/c.py": "from .a import A\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    found = cycles(graph)
    assert found == [["pkg.a", "pkg.sub.b", "pkg.a"]], how
    assert "pkg.sub.b (line" in _describe(graph, found[0])


def test_an_acyclic_package_has_no_cycle(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "from .a import A\n",
            "pkg/a.py": "from .b import B\nA = B\n",
            "pkg/b.py": "import json\nB = json\n",
        },
    )
    assert cycles(import_graph(tmp_path, "pkg")) == []


def test_an_upward_import_is_named() -> None:
    graph: Edges = {f"{PACKAGE}._bulk": {f"{PACKAGE}._client": 57}, f"{PACKAGE}._client": {}}
    assert upward_imports(graph) == [
        "kwikpaisa._bulk (operations, resources and batches) imports kwikpaisa._client "
        "(clients) at line 57"
    ]
