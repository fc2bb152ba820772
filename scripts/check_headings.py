"""Fail when a Markdown heading marker is stranded inside a line (`make docs`).

``some text ## Heading`` renders as plain text: a heading lost its line break (and often a
sentence was cut there). MkDocs builds such a page without complaint, so this check runs
before it, over README.md and docs/*.md (or the files and directories given). Fenced code
blocks and inline code spans are skipped: ``# comments`` in code are fine.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Two to six '#' then a space, after something else on the line.
_STRANDED = re.compile(r"\S\s+(#{2,6}) \S")


def stranded_headings(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each heading marker in the middle of a line of ``text``."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        opening = _FENCE.match(line)
        if opening:
            marker = opening[1][0] * 3
            if fence is None:
                fence = marker
                continue
            if marker == fence:
                fence = None
                continue
        if fence is not None:
            continue
        if _STRANDED.search(_CODE_SPAN.sub("``", line)):
            found.append((number, line))
    return found


def documents(arguments: list[str]) -> list[Path]:
    """The Markdown files named, or in the directories named (default: README.md, docs/)."""
    paths: list[Path] = []
    for argument in arguments or ["README.md", "docs"]:
        path = Path(argument) if Path(argument).is_absolute() else ROOT / argument
        paths += sorted(path.glob("*.md")) if path.is_dir() else [path]
    return paths


def main(arguments: list[str]) -> int:
    problems = 0
    for path in documents(arguments):
        for number, line in stranded_headings(path.read_text(encoding="utf-8")):
            problems += 1
            print(
                f"{path}:{number}: a heading marker in the middle of a line renders as plain "
                f"text; start the heading on a line of its own: {line.strip()}",
                file=sys.stderr,
            )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
