"""Every example in README.md and docs/*.md runs, as written, against the bundled emulator;
the README's quickstart works as a newcomer pastes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import seeded_emulator
from .readme_examples import (
    ROOT,
    Example,
    doc_text,
    documents,
    example,
    examples,
    script,
    unmarked_blocks,
)

EXAMPLES = examples()


def test_readme_opens_with_demo_and_test() -> None:
    text = doc_text("README.md")
    first_block = text.split("```console\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()]
    assert commands[:2] == ["make demo", "make test"]


def test_readme_fits_on_a_few_screens() -> None:
    assert doc_text("README.md").count("\n") <= 300


@pytest.fixture
def _environ_restored() -> Iterator[None]:
    """An example may set variables, as an app does at start-up (``HTTPS_PROXY``): they
    end with the test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize("example", list(EXAMPLES.values()), ids=list(EXAMPLES))
@pytest.mark.usefixtures("_environ_restored")
def test_example_runs(example: Example, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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
            code = compile(example.code, f"{example.source}:{example.name}", "exec")
            exec(code, {"__name__": f"example_{example.name}"})  # noqa: S102 (the docs' own code)
        elif example.lang == "console":
            _run_console(example, {**os.environ, **env}, tmp_path)
        else:
            pytest.fail(f"{example.source} example {example.name}: unsupported {example.lang}")


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
        done = subprocess.run(  # noqa: S602 (the docs' own shell lines, as a user types them)
            command, shell=True, env=env, cwd=cwd, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == expected, (
            f"{example.source} {example.name}: `{command.strip()}` exited {done.returncode}, "
            f"expected {expected}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```(?:console|text)\n(.*?)^```", text, re.M | re.S)


def test_the_quickstart_as_a_newcomer_pastes_it(tmp_path: Path) -> None:
    """Terminal 1's emulator command prints the lines the README shows (on the port it
    got); with them, terminal 2 runs first.py and cancels the order."""
    blocks = _blocks(doc_text("README.md").split("## Quickstart", 1)[1].split("\n## ", 1)[0])
    terminal_1, printed, terminal_2 = blocks[0], blocks[1], blocks[2]
    [command] = [line for line in terminal_1.splitlines() if line.startswith("kwikpaisa emulator")]
    assert "source .venv/bin/activate" in terminal_1
    assert "make demo" in terminal_1
    args = command.split()[1:]
    args[args.index("--port") + 1] = "0"  # any free port: 8080 may be taken here
    proc = subprocess.Popen(
        [sys.executable, "-m", "kwikpaisa", *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        shown = [
            re.sub(r"kp_[0-9a-f-]{36}", "kp_…", proc.stdout.readline().rstrip("\n"))
            for _ in printed.splitlines()
        ]
        port = shown[0].rsplit(":", 1)[1]
        assert shown == printed.replace(":8080", f":{port}").splitlines()
        exports = [line for line in shown if line.startswith("export ")]
        assert [line for line in terminal_2.splitlines() if line.startswith("export ")] == [
            line.replace(f":{port}", ":8080") for line in exports
        ]
        (tmp_path / "first.py").write_text(example("quickstart").code)
        # The README's later examples run against the same emulator (an integer id too).
        (tmp_path / "integer_id.py").write_text(example("integer-id").code)
        script = "\n".join(
            [*exports, f"{sys.executable} first.py", f"{sys.executable} integer_id.py"]
        )
        done = subprocess.run(
            ["sh", "-ec", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ord_123 CANCELLED ")
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_every_docs_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert [page for page in pages if f": {page}" not in nav] == []


def test_the_readme_gives_the_requirements_range_of_this_version() -> None:
    """Semantic Versioning: before 1.0 a minor release may break, so the range an app puts
    in its requirements stays within this minor version; from 1.0, within this major one."""
    from kwikpaisa import __version__

    major, minor = (int(part) for part in __version__.split(".")[:2])
    upper = f"0.{minor + 1}" if major == 0 else str(major + 1)
    section = doc_text("README.md").split("## Use it in your app", 1)[1].split("\n## ", 1)[0]
    assert f"`kwikpaisa>={major}.{minor},<{upper}`" in section
    assert f"@v{__version__}'" in section  # the git tag to install
    assert f"dist/kwikpaisa-{__version__}-py3-none-any.whl" in section  # what `make dist` builds
    assert "pip install 'kwikpaisa[aiohttp]'" in section
    assert "(docs/going-live.md)" in section


def test_every_code_block_runs_or_says_why_not() -> None:
    """Each fenced block in README.md and docs/*.md is a named example (run above) or is
    marked ``<!-- no-run: REASON -->`` on the line before it."""
    unmarked = {
        path.relative_to(ROOT).as_posix(): lines
        for path in documents()
        if (lines := unmarked_blocks(path.read_text(encoding="utf-8")))
    }
    assert unmarked == {}, (
        "fenced blocks without <!-- example: NAME --> or <!-- no-run: REASON --> on the "
        f"line before (file: line numbers): {unmarked}"
    )


@pytest.mark.parametrize(
    ("text", "unmarked"),
    [
        ("Text\n\n```python\nx = 1\n```\n", [3]),
        ("<!-- example: one -->\n```python\nx = 1\n```\n", []),
        ("<!-- no-run: output -->\n```text\nok\n```\n", []),
        ("<!-- no-run: -->\n```text\nok\n```\n", [2]),  # a reason is required
        ("<!-- no-run: x -->\n\n```text\nok\n```\n", [3]),  # on the line right before
        ("<!-- example: a -->\n```python\n```\n```console\n$ ls\n```\n", [4]),
    ],
)
def test_unmarked_blocks_are_found(text: str, unmarked: list[int]) -> None:
    assert unmarked_blocks(text) == unmarked


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Faults shift the clock to test clock ## From a terminal\n", [1]),
        ("One\n\n## A heading\n\nText ### Deeper\n", [5]),
        ("A `## in code` span, an issue #12, C# code, page.md#anchor.\n", []),
        ("```console\n$ make  ## a comment in a block\n```\n", []),
        ("~~~\nx  ## y\n~~~\nafter ## this\n", [4]),
    ],
)
def test_the_heading_check_finds_markers_inside_lines(text: str, lines: list[int]) -> None:
    assert [number for number, _ in script("check_headings").stranded_headings(text)] == lines


def test_make_docs_runs_the_heading_check_and_the_docs_pass_it(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndocs: venv\n", 1)[1].split("\n\n", 1)[0]
    assert "scripts/check_headings.py README.md docs" in recipe
    script = str(ROOT / "scripts" / "check_headings.py")
    done = subprocess.run(
        [sys.executable, script, "README.md", "docs"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    broken = tmp_path / "broken.md"
    broken.write_text("# Page\n\nto test clock ## From a terminal\n", encoding="utf-8")
    done = subprocess.run([sys.executable, script, str(broken)], capture_output=True, text=True)
    assert done.returncode == 1
    assert f"{broken}:3: a heading marker in the middle of a line" in done.stderr


def test_the_site_description_names_what_the_sdk_does() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    [description] = re.findall(r"^site_description: (.+)$", config, re.M)
    assert description.startswith("Create, verify and cancel KwikPaisa hosted-checkout orders")


def test_going_live_has_a_runnable_example_for_every_step() -> None:
    page = doc_text("docs/going-live.md")
    steps = re.split(r"^## ", page, flags=re.M)[1:]
    assert [step.split("\n", 1)[0] for step in steps] == [
        "1. Production keys, per environment",
        "2. Verify the payment at the return URL",
        "3. An idempotent webhook endpoint",
        "4. Timeouts for web handlers",
        "5. Proxies",
        "6. Logging",
        "7. After a lost create, cancel or status",
    ]
    for step in steps:
        assert "<!-- example: going-live-" in step, step.split("\n", 1)[0]
    assert "(webhooks.md)" in page
    assert "(retries.md#after-a-lost-answer-create-status-and-cancel)" in page
    assert "going-live.md" in doc_text("README.md")
