"""The facade's one link to the generated client (``kwikpaisa_generated``).

The generated endpoint module of an operation builds its request (method, path, JSON
body from the generated request model), and the generated response model reads its
success answer. The generated package loads on the first call, so a bare
``import kwikpaisa`` stays light.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import Any

import attrs

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


def build_request_parts(
    endpoint: str, body_model: str, fields: dict[str, Any]
) -> tuple[str, str, Any]:
    """``(method, path, json_body)`` as the generated endpoint builds them from ``fields``
    (read into the generated request model first)."""
    body = _model_class(body_model).from_dict(fields)
    kwargs = endpoint_module(endpoint)._get_kwargs(body=body)
    return str(kwargs["method"]).upper(), str(kwargs["url"]), kwargs["json"]


def parse_success(response_model: str, body: Any) -> Any:
    """The generated response model read from a success answer's parsed JSON ``body``.

    Raises ``ValueError``/``TypeError``/``KeyError``/``AttributeError`` when the body does
    not fit the model.
    """
    return _model_class(response_model).from_dict(body)


_UNSET_TYPE: type | None = None


def given(value: Any) -> Any:
    """``value``, or ``None`` where the generated model left it ``UNSET`` (absent)."""
    global _UNSET_TYPE
    if _UNSET_TYPE is None:
        from kwikpaisa_generated.types import Unset

        _UNSET_TYPE = Unset
    return None if type(value) is _UNSET_TYPE else value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(model: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(model)
    if names is None:
        fields = attrs.fields(model)
        names = _FIELD_NAMES[model] = tuple(
            f.name for f in fields if f.name != "additional_properties"
        )
    return names


def return_data(parsed: Any) -> dict[str, Any]:
    """A success envelope's ``return_data`` model as ``{field: value}``, absent fields left
    out (an envelope without ``return_data`` gives ``{}``)."""
    data = given(parsed.return_data)
    if data is None:
        return {}
    return {
        name: value
        for name in _field_names(type(data))
        if (value := given(getattr(data, name))) is not None
    }
