"""The facade follows "Adding an operation" (docs/adding-an-operation.md): every operation
in the effective spec has its Operation, a sync and an async method, and an emulator route."""

from __future__ import annotations

import importlib
import inspect
import json
import re
from pathlib import Path

import httpx
import pytest

from kwikpaisa import AsyncOrders, Orders
from kwikpaisa._operation import Operation
from kwikpaisa.resources import orders
from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import Emulator
from kwikpaisa_generated import Client

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "generated" / "openapi.json").read_text())
OPERATIONS = {
    value.endpoint: value
    for value in vars(orders).values()
    if isinstance(value, Operation) and value.endpoint is not None
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


SPEC_OPERATIONS = [
    (path, method, f"{_snake(op['tags'][0].replace(' ', ''))}.{_snake(op['operationId'])}")
    for path, methods in SPEC["paths"].items()
    for method, op in methods.items()
]


def test_the_spec_lists_every_operation_the_sdk_supports() -> None:
    assert {endpoint for _, _, endpoint in SPEC_OPERATIONS} == set(OPERATIONS)
    assert len(OPERATIONS) == 3


@pytest.mark.parametrize(("path", "method", "endpoint"), SPEC_OPERATIONS)
def test_each_operation_follows_the_guide(path: str, method: str, endpoint: str) -> None:
    operation = OPERATIONS[endpoint]
    module = importlib.import_module(f"kwikpaisa_generated.api.{endpoint}")
    # The generated endpoint builds the request: its path and method are the spec's.
    models = importlib.import_module("kwikpaisa_generated.models")
    assert operation.body_model is not None
    assert hasattr(models, operation.body_model)
    assert set(inspect.signature(module.sync_detailed).parameters) == {"client", "body"}
    # The success is read by the model the endpoint itself gives for HTTP 200.
    success = httpx.Response(200, json={"status": "success", "return_data": {}})
    parsed = module._parse_response(client=Client(base_url=""), response=success)
    assert type(parsed).__name__ == operation.response_model
    # One method on each resource class; the async one is a coroutine function.
    assert callable(getattr(Orders, operation.name))
    assert inspect.iscoroutinefunction(getattr(AsyncOrders, operation.name))
    # The emulator serves it: a signed request reaches the route (not the unknown-path 404).
    emu = Emulator()
    body = canonical_payload({"order_id": "ord_probe"})
    answer = emu.handle(method.upper(), path, _lower(emu.signed_headers(body)), body)
    assert json.loads(answer.body).get("message") != "Not found."


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def test_the_guide_names_the_model_operation() -> None:
    guide = (ROOT / "docs" / "adding-an-operation.md").read_text()
    assert 'endpoint="order_status.get_hosted_checkout_order_status"' in guide
    assert orders.STATUS.endpoint == "order_status.get_hosted_checkout_order_status"
