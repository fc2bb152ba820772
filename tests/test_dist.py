"""scripts/check_dist.py finds the LICENSE in the wheel and the sdist, and says when it is
missing or altered; the repository's LICENSE is the MIT license pyproject.toml declares."""

from __future__ import annotations

import io
import tarfile
import tomllib
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from .readme_examples import ROOT, script

VERSION = "9.8.7"
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def check_dist() -> ModuleType:
    return script("check_dist")


def wheel(tmp_path: Path, license_text: str | None) -> Path:
    path = tmp_path / f"kwikpaisa-{VERSION}-py3-none-any.whl"
    info = f"kwikpaisa-{VERSION}.dist-info"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{info}/entry_points.txt", "")
        metadata = f"Name: kwikpaisa\nVersion: {VERSION}\nLicense-Expression: MIT\n"
        if license_text is not None:
            archive.writestr(f"{info}/licenses/LICENSE", license_text)
            metadata += "License-File: LICENSE\n"
        archive.writestr(f"{info}/METADATA", metadata)
    return path


def sdist(tmp_path: Path, license_text: str | None) -> Path:
    path = tmp_path / f"kwikpaisa-{VERSION}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        if license_text is not None:
            data = license_text.encode()
            member = tarfile.TarInfo(f"kwikpaisa-{VERSION}/LICENSE")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return path


def license_complaints(problems: list[str]) -> list[str]:
    return [problem for problem in problems if "LICENSE" in problem]


def test_the_repository_license_is_the_declared_mit_license() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert LICENSE.startswith("MIT License\n\nCopyright (c) ")
    assert "KwikPaisa Python SDK contributors" in LICENSE.splitlines()[2]


def test_packages_with_the_license_pass(check_dist: ModuleType, tmp_path: Path) -> None:
    assert license_complaints(check_dist.check_wheel(wheel(tmp_path, LICENSE), VERSION)) == []
    assert license_complaints(check_dist.check_sdist(sdist(tmp_path, LICENSE), VERSION)) == []


def test_a_missing_license_is_reported(check_dist: ModuleType, tmp_path: Path) -> None:
    assert license_complaints(check_dist.check_wheel(wheel(tmp_path, None), VERSION)) == [
        f"kwikpaisa-{VERSION}-py3-none-any.whl lacks the LICENSE file",
        f"kwikpaisa-{VERSION}-py3-none-any.whl metadata does not declare the MIT LICENSE file",
    ]
    assert license_complaints(check_dist.check_sdist(sdist(tmp_path, None), VERSION)) == [
        f"kwikpaisa-{VERSION}.tar.gz lacks the LICENSE file"
    ]


def test_an_altered_license_is_reported(check_dist: ModuleType, tmp_path: Path) -> None:
    altered = LICENSE.replace("MIT License", "Proprietary")
    [problem] = license_complaints(check_dist.check_wheel(wheel(tmp_path, altered), VERSION))
    assert problem.endswith("holds a LICENSE that differs from the repository's")
