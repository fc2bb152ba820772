"""A wrong base URL is reported as one: a base URL that would double the operations' path
is refused before any request, and a 404 that is not KwikPaisa's answer is an
``EndpointNotFoundError`` saying to check base_url, never ``OrderNotFoundError``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from kwikpaisa import (
    AsyncKwikPaisa,
    ConfigurationError,
    EndpointNotFoundError,
    KwikPaisa,
    NotFoundError,
    OrderNotFoundError,
)
from kwikpaisa._cli._exit import ExitCode
from kwikpaisa.testing import Emulator, Fault

from .conftest import IN_PROCESS_URL
from .test_cli import run as run_cli

KEYS = {"api_key": "pk_test_abcdefgh1234", "secret_key": "sk_test_s"}


@pytest.mark.parametrize(
    ("base_url", "ends_in", "use"),
    [
        ("https://api.kwikpaisa.com/api/v3", "/api/v3", "https://api.kwikpaisa.com"),
        ("https://api.kwikpaisa.com/api/v3/", "/api/v3", "https://api.kwikpaisa.com"),
        ("https://api.kwikpaisa.com/api", "/api", "https://api.kwikpaisa.com"),
        ("https://gw.example/kp/api/v2", "/api/v2", "https://gw.example/kp"),
        (
            "https://api.kwikpaisa.com/api/v3/pg/order/cancel",
            "/api/v3/pg/order/cancel",
            "https://api.kwikpaisa.com",
        ),
        ("http://127.0.0.1:8080/API/V3", "/API/V3", "http://127.0.0.1:8080"),
    ],
)
def test_a_base_url_that_would_double_the_operation_path_is_refused(
    base_url: str, ends_in: str, use: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        KwikPaisa(**KEYS, base_url=base_url)
    message = str(caught.value)
    assert f"base_url {base_url!r} ends in {ends_in!r}" in message
    assert f"{base_url.rstrip('/')}/api/v3/pg/order/cancel" in message  # where it would go
    assert f"give the address without it: {use!r}" in message
    # What the message advises is accepted, and so is any other path (a gateway's prefix).
    for accepted in (use, "https://gw.example/kp", "https://gw.example/api/kp", "https://h/apiv3"):
        with KwikPaisa(**KEYS, base_url=accepted) as kp:
            assert kp.base_url == accepted


def test_the_base_url_variable_is_checked_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIKPAISA_BASE_URL", "https://api.kwikpaisa.com/api/v3")
    with pytest.raises(
        ConfigurationError, match=r"KWIKPAISA_BASE_URL 'https://api\.kwikpaisa\.com/api/v3' ends in"
    ):
        KwikPaisa(**KEYS)


def _status(flavour: str, options: dict[str, Any], order_id: str) -> Any:
    if flavour == "sync":
        with KwikPaisa(**options) as kp:
            return kp.orders.status(order_id)

    async def go() -> Any:
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.orders.status(order_id)

    return asyncio.run(go())


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("way_in", ["in-process", "socket"])
def test_a_wrong_base_url_path_is_not_a_missing_order(
    emulator: Emulator, flavour: str, way_in: str
) -> None:
    keys = {"api_key": emulator.api_key, "secret_key": emulator.secret_key, "max_retries": 0}
    if way_in == "in-process":
        options = {**keys, "base_url": IN_PROCESS_URL + "/kwik", "transport": emulator.transport()}
        error = _catch(flavour, options)
    else:
        with emulator.serve() as served:
            error = _catch(flavour, {**keys, "base_url": served + "/kwik"})
    assert not isinstance(error, OrderNotFoundError)
    assert isinstance(error, NotFoundError)
    assert error.status_code == 404
    message = str(error)
    assert "Nothing answered the status request for order 'ord_1' at http" in message
    assert "/kwik/api/v3/pg/order/status as KwikPaisa does (HTTP 404: an HTML page" in message
    assert "check base_url" in message
    assert "has no order" not in message


def _catch(flavour: str, options: dict[str, Any]) -> EndpointNotFoundError:
    with pytest.raises(EndpointNotFoundError) as caught:
        _status(flavour, options, "ord_1")
    return caught.value


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        (Fault.raw(404, '{"detail": "Not Found"}'), "a JSON dict this SDK does not recognise"),
        (Fault.raw(404, '{"message": "The route could not be found."}'), "The route could"),
        (Fault.empty(404), "empty body"),
        (Fault.raw(404, "404 page not found", content_type="text/plain"), "404 page not found"),
    ],
    ids=["framework-json", "message-only", "empty", "text"],
)
def test_any_404_without_kwikpaisa_s_error_body_says_to_check_base_url(
    emulator: Emulator, fault: Fault, detail: str
) -> None:
    emulator.inject(fault)
    with emulator.client() as kp, pytest.raises(EndpointNotFoundError) as caught:
        kp.orders.cancel("ord_1")
    assert detail in str(caught.value)
    assert "check base_url" in str(caught.value)
    assert caught.value.attempts == 1  # a wrong address does not heal: never retried
    # KwikPaisa's own 404 (its error body) is still a missing order.
    with emulator.client() as kp, pytest.raises(OrderNotFoundError, match="has no order 'ord_9'"):
        kp.orders.cancel("ord_9")


def test_a_batch_through_a_wrong_base_url_reports_failed_not_not_found(
    emulator: Emulator,
) -> None:
    # not_found is final (a journal never asks again); a wrong address must stay retryable.
    async def go() -> list[Any]:
        options = {
            "api_key": emulator.api_key,
            "secret_key": emulator.secret_key,
            "base_url": IN_PROCESS_URL + "/kwik",
            "transport": emulator.transport(),
        }
        async with AsyncKwikPaisa(**options) as kp:
            return await kp.orders.status_many(["ord_1", "ord_2"])

    outcomes = asyncio.run(go())
    assert [o.outcome for o in outcomes] == ["failed", "failed"]
    assert {o.error_type for o in outcomes} == {"EndpointNotFoundError"}


def test_the_emulator_answers_a_path_outside_its_api_as_a_web_server(emulator: Emulator) -> None:
    answer = emulator.handle("POST", "/kwik/api/v3/pg/order/status", {}, b"{}")
    assert answer.status == 404
    assert dict(answer.headers)["Content-Type"].startswith("text/html")
    inside = emulator.handle("POST", "/api/v3/pg/order/nope", {}, b"{}")
    assert json.loads(inside.body)["status"] is False  # under /api/: KwikPaisa's error body


def test_the_command_line_exits_with_the_configuration_code(
    env: dict[str, str], served: str
) -> None:
    done = run_cli("status", "ord_1", "--base-url", served + "/kwik", env=env)
    assert done.returncode == ExitCode.CONFIGURATION
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kwikpaisa: EndpointNotFoundError: Nothing answered")
    doubled = run_cli("status", "ord_1", "--base-url", served + "/api/v3", env=env)
    assert doubled.returncode == ExitCode.CONFIGURATION
    assert "--base-url" in doubled.stderr
    assert "ends in '/api/v3'" in doubled.stderr
