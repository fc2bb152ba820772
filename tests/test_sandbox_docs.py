"""Every example in docs/sandbox.md runs as written (each is self-contained)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "sandbox.md"
_BLOCK = re.compile(
    r"^<!-- example: (?P<name>[\w.-]+) -->\n```python\n(?P<code>.*?)^```", re.M | re.S
)
EXAMPLES = {m["name"]: m["code"] for m in _BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def test_the_page_has_its_examples() -> None:
    assert set(EXAMPLES) == {
        "sandbox-journey",
        "sandbox-http",
        "sandbox-webhook-retries",
        "sandbox-expiry",
    }


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str) -> None:
    code = compile(EXAMPLES[name], f"docs/sandbox.md:{name}", "exec")
    exec(code, {"__name__": f"sandbox_{name.replace('-', '_')}"})  # noqa: S102 (the page's own code)
