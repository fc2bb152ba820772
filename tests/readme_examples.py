"""Find the runnable examples in README.md and docs/*.md.

A fenced block is an example when the line before it is ``<!-- example: NAME -->``
(names are unique across all the files). Every other fenced block is marked as not meant
to run, with a reason: ``<!-- no-run: REASON -->`` (tests/test_readme.py enforces it).
``python`` examples are executed by tests/test_readme.py with KWIKPAISA_API_KEY,
KWIKPAISA_SECRET_KEY and KWIKPAISA_BASE_URL pointing at a freshly seeded emulator served
on loopback (orders: tests/conftest.py SEED_ORDERS). ``console`` examples have their
``$ ``-prefixed lines run by the shell in the same environment; a line ending in
``# exit N`` must exit with N, every other line with 0. Dedicated tests may load an
example by name to exercise it further (a webhook receiver, the pytest plugin example).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import attrs

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
SCRIPTS = ROOT / "scripts"

_BLOCK = re.compile(
    r"^<!-- example: (?P<name>[\w.-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)^```",
    re.MULTILINE | re.DOTALL,
)


@attrs.frozen
class Example:
    name: str
    lang: str
    code: str
    source: str
    """The file it is in, relative to the repository: ``README.md``, ``docs/bulk.md``."""


def documents() -> list[Path]:
    """README.md and every page of the documentation site."""
    return [README, *sorted(DOCS.glob("*.md"))]


def doc_text(relative: str) -> str:
    """The text of one document, ``README.md`` or ``docs/NAME.md``."""
    return (ROOT / relative).read_text(encoding="utf-8")


def examples() -> dict[str, Example]:
    """Every named example in README.md and docs/*.md, by name."""
    found: dict[str, Example] = {}
    for path in documents():
        source = path.relative_to(ROOT).as_posix()
        for match in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            name = match["name"]
            earlier = found[name].source if name in found else ""
            assert not earlier, f"example name {name!r} is used twice ({earlier} and {source})"
            found[name] = Example(name, match["lang"], match["code"], source)
    return found


_FENCE_OPENING = re.compile(r"^```")
_MARKER = re.compile(r"^<!-- (?:example: [\w.-]+|no-run: \S.*\S) -->$")


def unmarked_blocks(text: str) -> list[int]:
    """Line numbers of the fenced blocks in ``text`` that are neither a named example
    (``<!-- example: NAME -->``) nor marked as not meant to run, with a reason
    (``<!-- no-run: REASON -->``), on the line before the fence."""
    lines = text.splitlines()
    unmarked: list[int] = []
    inside = False
    for number, line in enumerate(lines, 1):
        if not _FENCE_OPENING.match(line):
            continue
        if not inside and not (number > 1 and _MARKER.match(lines[number - 2])):
            unmarked.append(number)
        inside = not inside
    return unmarked


def example(name: str) -> Example:
    """One named example."""
    return examples()[name]


def readme_examples() -> dict[str, Example]:
    """Every named example, README and docs alike (the name the older tests use)."""
    return examples()


def readme_example(name: str) -> str:
    """The code of one named example."""
    return example(name).code


def script(name: str) -> ModuleType:
    """``scripts/NAME.py`` imported as the module ``NAME`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
