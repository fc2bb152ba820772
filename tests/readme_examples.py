"""Find the runnable examples in README.md.

A fenced block is an example when the line before it is ``<!-- example: NAME -->``.
``python`` examples are executed by tests/test_readme.py with KWIKPAISA_API_KEY,
KWIKPAISA_SECRET_KEY and KWIKPAISA_BASE_URL pointing at a freshly seeded emulator
served on loopback (orders: tests/conftest.py SEED_ORDERS). ``console`` examples
have their ``$ ``-prefixed lines run by the shell in the same environment; a line
ending in ``# exit N`` must exit with N, every other line with 0. Dedicated tests
may load an example by name to exercise it further (a webhook receiver, say).
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

README = Path(__file__).resolve().parent.parent / "README.md"

_BLOCK = re.compile(
    r"^<!-- example: (?P<name>[\w.-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)^```",
    re.MULTILINE | re.DOTALL,
)


@attrs.frozen
class Example:
    name: str
    lang: str
    code: str


def readme_examples() -> dict[str, Example]:
    """Every named example in README.md, by name (names are unique)."""
    found: dict[str, Example] = {}
    for match in _BLOCK.finditer(README.read_text(encoding="utf-8")):
        name = match["name"]
        assert name not in found, f"README example name {name!r} is used twice"
        found[name] = Example(name, match["lang"], match["code"])
    return found


def readme_example(name: str) -> str:
    """The code of one named README example."""
    return readme_examples()[name].code
