"""The custom templates stay pinned with the generator: the endpoint template is the
pinned openapi-python-client's own plus one block, for the version pyproject.toml pins."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import openapi_python_client

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "scripts" / "templates" / "endpoint_module.py.jinja"
STOCK = Path(openapi_python_client.__file__).parent / "templates" / "endpoint_module.py.jinja"


def test_the_template_names_the_generator_version_pyproject_pins() -> None:
    pinned = re.search(r'"openapi-python-client==([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned is not None
    assert version("openapi-python-client") == pinned[1]
    assert f"openapi-python-client {pinned[1]}'s endpoint_module.py.jinja" in OURS.read_text()


def test_the_endpoint_template_is_the_generators_own_plus_the_public_block() -> None:
    ours = OURS.read_text().split("#}\n", 1)[1]
    added = ours.split("def build_request(", 1)[1].split("{% if endpoint.responses.default %}")[0]
    assert ours.replace("def build_request(" + added, "") == STOCK.read_text()
