"""Every example in README.md runs, as written, against the bundled emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import seeded_emulator
from .readme_examples import Example, readme_examples

EXAMPLES = readme_examples()
ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_demo_and_test() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```console\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands[:2] == ["make demo", "make test"]


def test_readme_has_examples() -> None:
    assert sum(e.lang == "python" for e in EXAMPLES.values()) >= 5


@pytest.mark.parametrize("example", list(EXAMPLES.values()), ids=list(EXAMPLES))
def test_readme_example_runs(
    example: Example, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    emu = seeded_emulator()
    with emu.serve() as base_url:
        env = {
            "KWIKPAISA_API_KEY": emu.api_key,
            "KWIKPAISA_SECRET_KEY": emu.secret_key,
            "KWIKPAISA_BASE_URL": base_url,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        if example.lang == "python":
            code = compile(example.code, f"README.md:{example.name}", "exec")
            exec(code, {"__name__": f"readme_{example.name}"})  # noqa: S102 (the README's own code)
        elif example.lang == "console":
            _run_console(example, {**os.environ, **env}, tmp_path)
        else:
            pytest.fail(f"README example {example.name} has unsupported language {example.lang}")


def _run_console(example: Example, env: dict[str, str], cwd: Path) -> None:
    bindir = str(Path(sys.executable).parent)
    env = {**env, "PATH": bindir + os.pathsep + env.get("PATH", "")}
    for line in example.code.splitlines():
        if not line.startswith("$ "):
            continue
        command = line[2:]
        expected = 0
        marker = re.search(r"#\s*exit (\d+)\s*$", command)
        if marker:
            expected = int(marker[1])
            command = command[: marker.start()]
        done = subprocess.run(  # noqa: S602 (the README's own shell lines, as a user types them)
            command, shell=True, env=env, cwd=cwd, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == expected, (
            f"README {example.name}: `{command.strip()}` exited {done.returncode}, "
            f"expected {expected}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )
