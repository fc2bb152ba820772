"""Check the built wheel and sdist in DIR (`make check-dist`): both packages are inside,
with py.typed, the console script and the pytest plugin are declared, the version is
the one in kwikpaisa/_version.py, and the MIT LICENSE the metadata declares is inside
both, word for word the repository's. Then the wheel goes into a fresh virtual environment
with nothing but pytest beside it, where the pytest plugin example from docs/emulator.md
must pass as a user's own test."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def version() -> str:
    text = (ROOT / "kwikpaisa" / "_version.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    assert match, "kwikpaisa/_version.py has no __version__"
    return match[1]


def license_problems(where: str, text: str | None) -> list[str]:
    """What is wrong with the LICENSE found in a package (``None``: not there)."""
    if text is None:
        return [f"{where} lacks the LICENSE file"]
    if text != (ROOT / "LICENSE").read_text(encoding="utf-8"):
        return [f"{where} holds a LICENSE that differs from the repository's"]
    if not text.startswith("MIT License\n") or "KwikPaisa Python SDK contributors" not in text:
        return [f"{where}: LICENSE is not the MIT license of KwikPaisa Python SDK contributors"]
    return []


def check_wheel(path: Path, expected: str) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        for needed in (
            "kwikpaisa/__init__.py",
            "kwikpaisa/py.typed",
            "kwikpaisa/pytest_plugin.py",
            "kwikpaisa/testing/__init__.py",
            "kwikpaisa/_cli/__init__.py",
            "kwikpaisa_generated/__init__.py",
            "kwikpaisa_generated/py.typed",
        ):
            if needed not in names:
                problems.append(f"{path.name} lacks {needed}")
        info = f"kwikpaisa-{expected}.dist-info"
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        metadata = wheel.read(f"{info}/METADATA").decode()
        license_path = f"{info}/licenses/LICENSE"
        license_text = wheel.read(license_path).decode() if license_path in names else None
    problems += license_problems(path.name, license_text)
    if "\nLicense-Expression: MIT\n" not in metadata or "\nLicense-File: LICENSE\n" not in metadata:
        problems.append(f"{path.name} metadata does not declare the MIT LICENSE file")
    if "kwikpaisa = kwikpaisa._cli:main_entry" not in entry_points:
        problems.append(f"{path.name} does not declare the kwikpaisa console script")
    plugin = "[pytest11]\nkwikpaisa = kwikpaisa.pytest_plugin"
    if plugin not in entry_points:
        problems.append(f"{path.name} does not declare the pytest11 plugin")
    if f"\nVersion: {expected}\n" not in metadata:
        problems.append(f"{path.name} metadata is not version {expected}")
    return problems


def check_sdist(path: Path, expected: str) -> list[str]:
    top = f"kwikpaisa-{expected}/"
    with tarfile.open(path) as sdist:
        names = set(sdist.getnames())
        member = sdist.extractfile(top + "LICENSE") if top + "LICENSE" in names else None
        license_text = member.read().decode() if member is not None else None
    return license_problems(path.name, license_text) + [
        f"{path.name} lacks {needed}"
        for needed in (
            "kwikpaisa/__init__.py",
            "kwikpaisa/py.typed",
            "generated/kwikpaisa_generated/__init__.py",
            "generated/kwikpaisa_generated/py.typed",
            "pyproject.toml",
            "README.md",
            "CHANGELOG.md",
        )
        if top + needed not in names
    ]


def plugin_example() -> str:
    text = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    match = re.search(r"^<!-- example: pytest-plugin -->\n```python\n(.*?)^```", text, re.M | re.S)
    assert match, "docs/emulator.md has no pytest-plugin example"
    return match[1]


def check_users_suite(wheel: Path) -> list[str]:
    """The wheel and pytest alone: a user's test using the fixtures passes."""
    with tempfile.TemporaryDirectory() as tmp:
        env_dir = Path(tmp) / "venv"
        venv.create(env_dir, with_pip=True)
        python = str(env_dir / "bin" / "python")
        pytest_pin = next(
            line.strip().strip('",')
            for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines()
            if line.strip().startswith('"pytest==')
        )
        installed = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             str(wheel.resolve()), pytest_pin],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if installed.returncode != 0:
            return [f"cannot install the wheel and {pytest_pin}:\n{installed.stderr}"]
        (Path(tmp) / "test_checkout.py").write_text(plugin_example(), encoding="utf-8")
        done = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_checkout.py"],
            cwd=tmp, capture_output=True, text=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        return [f"the pytest plugin example failed with only the wheel installed:\n{done.stdout}"]
    return []


def main(directory: str) -> int:
    expected = version()
    dist = Path(directory)
    wheels = sorted(dist.glob("kwikpaisa-*.whl"))
    sdists = sorted(dist.glob("kwikpaisa-*.tar.gz"))
    problems = []
    if [w.name for w in wheels] != [f"kwikpaisa-{expected}-py3-none-any.whl"]:
        problems.append(f"expected one wheel of version {expected}, found {wheels}")
    if [s.name for s in sdists] != [f"kwikpaisa-{expected}.tar.gz"]:
        problems.append(f"expected one sdist of version {expected}, found {sdists}")
    for wheel in wheels:
        problems += check_wheel(wheel, expected)
    for sdist in sdists:
        problems += check_sdist(sdist, expected)
    if not problems:
        problems += check_users_suite(wheels[0])
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_dist: wheel and sdist of kwikpaisa {expected} hold both packages, "
              "py.typed, the MIT LICENSE, the console script and the pytest plugin; with "
              "only the wheel and pytest installed, a user's test using the fixtures passes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "dist"))
