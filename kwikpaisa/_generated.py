"""The facade's one link to the generated client (``kwikpaisa_generated``).

The generated endpoint module of an operation builds its request (method, path,
JSON body from the generated request model) and parses its success answer into the
generated response model. The generated package loads on the first call, so a bare
``import kwikpaisa`` stays light.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import Any

import attrs
import httpx

__all__ = [
    "build_request_parts",
    "endpoint_module",
    "given",
    "parse_success",
    "return_data",
]

_PACKAGE = "kwikpaisa_generated"


@functools.cache
def endpoint_module(name: str) -> ModuleType:
    """The generated module ``kwikpaisa_generated.api.<name>``."""
    return importlib.import_module(f"{_PACKAGE}.api.{name}")


@functools.cache
def _model_class(name: str) -> Any:
    return getattr(importlib.import_module(f"{_PACKAGE}.models"), name)


@functools.cache
def _parsing_client() -> Any:
    from kwikpaisa_generated import Client

    # Only read for its raise_on_unexpected_status: undocumented statuses parse to None.
    return Client(base_url="", raise_on_unexpected_status=False)


def build_request_parts(
    endpoint: str, body_model: str, fields: dict[str, Any]
) -> tuple[str, str, Any]:
    """``(method, path, json_body)`` as the generated endpoint builds them from ``fields``
    (read into the generated request model first)."""
    body = _model_class(body_model).from_dict(fields)
    kwargs = endpoint_module(endpoint)._get_kwargs(body=body)
    return str(kwargs["method"]).upper(), str(kwargs["url"]), kwargs["json"]


def parse_success(endpoint: str, content: bytes) -> Any:
    """The generated response model of a success answer (HTTP 200) with this body.

    Raises ``ValueError``/``TypeError``/``KeyError`` when the body does not fit the model.
    """
    response = httpx.Response(200, content=content)
    return endpoint_module(endpoint)._parse_response(client=_parsing_client(), response=response)


def given(value: Any) -> Any:
    """``value``, or ``None`` where the generated model left it ``UNSET`` (absent)."""
    from kwikpaisa_generated.types import Unset

    return None if isinstance(value, Unset) else value


def return_data(parsed: Any) -> dict[str, Any]:
    """A success envelope's ``return_data`` model as ``{field: value}``, absent fields left
    out (an envelope without ``return_data`` gives ``{}``)."""
    data = given(parsed.return_data)
    if data is None:
        return {}
    values = {field.name: given(getattr(data, field.name)) for field in attrs.fields(type(data))}
    values.pop("additional_properties", None)
    return {name: value for name, value in values.items() if value is not None}
