"""The emulator itself: it verifies for real and answers in KwikPaisa's shapes."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import Emulator

PATH = "/api/v3/pg/order/cancel"


@pytest.fixture
def http(way_in: str, emulator: Emulator):  # type: ignore[no-untyped-def]
    if way_in == "in-process":
        with httpx.Client(transport=emulator.transport(), base_url="http://emu.localhost") as c:
            yield c
    else:
        with emulator.serve() as base_url, httpx.Client(base_url=base_url) as c:
            yield c


def post(
    http: httpx.Client, emulator: Emulator, body: bytes, **header_changes: str | None
) -> httpx.Response:
    headers = emulator.signed_headers(body)
    for name, value in header_changes.items():
        key = name.replace("_", "-").upper()
        if value is None:
            headers.pop(key)
        else:
            headers[key] = value
    return http.post(PATH, content=body, headers=headers)


def test_signed_request_cancels(http: httpx.Client, emulator: Emulator) -> None:
    r = post(http, emulator, canonical_payload({"order_id": "ord_1"}))
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "200"
    assert body["status"] == "success"
    assert body["return_data"]["order_id"] == "ord_1"
    assert r.headers["content-type"] == "application/json"
    assert "date" in r.headers


@pytest.mark.parametrize("missing", ["x_api_key", "x_timestamp", "x_signature"])
def test_missing_headers_are_401(http: httpx.Client, emulator: Emulator, missing: str) -> None:
    r = post(http, emulator, b'{"order_id":"ord_1"}', **{missing: None})
    assert r.status_code == 401
    assert r.json() == {
        "status": False,
        "code": 401,
        "message": f"Missing required headers: {missing.replace('_', '-').upper()}.",
    }
    assert emulator.order_status("ord_1") == "UN_PAID"


def test_stale_and_future_timestamps_are_401(http: httpx.Client, emulator: Emulator) -> None:
    body = b'{"order_id":"ord_1"}'
    for offset in (-301, 301):
        headers = emulator.signed_headers(body, timestamp=int(time.time()) + offset)
        r = http.post(PATH, content=body, headers=headers)
        assert r.status_code == 401
        assert r.json()["message"] == "Request timestamp expired."
    headers = emulator.signed_headers(body, timestamp=int(time.time()) - 250)
    assert http.post(PATH, content=body, headers=headers).status_code == 200


@pytest.mark.parametrize("timestamp", ["9" * 5000, "1e9", "-1", "0x10", "17640000000000000000"])
def test_timestamps_that_are_not_unix_seconds_are_401(
    http: httpx.Client, emulator: Emulator, timestamp: str
) -> None:
    body = b'{"order_id":"ord_1"}'
    headers = {**emulator.signed_headers(body), "X-TIMESTAMP": timestamp}
    r = http.post(PATH, content=body, headers=headers)
    assert r.status_code == 401
    assert r.json()["message"] == "Invalid timestamp."
    assert emulator.order_status("ord_1") == "UN_PAID"


def test_tolerance_is_a_setting() -> None:
    emu = Emulator(timestamp_tolerance=10)
    emu.add_order("a")
    body = b'{"order_id":"a"}'
    headers = {
        k.lower(): v for k, v in emu.signed_headers(body, timestamp=int(time.time()) - 20).items()
    }
    assert emu.handle("POST", PATH, headers, body).status == 401


def test_tampered_body_is_401(http: httpx.Client, emulator: Emulator) -> None:
    headers = emulator.signed_headers(b'{"order_id":"ord_1"}')
    r = http.post(PATH, content=b'{"order_id":"ord_2"}', headers=headers)
    assert r.status_code == 401
    assert r.json()["message"] == "Invalid signature."


def test_non_canonical_body_is_rejected_even_if_signed(
    http: httpx.Client, emulator: Emulator
) -> None:
    r = post(http, emulator, b'{"order_id": "ord_1"}')
    assert r.status_code == 401
    assert "canonical" in r.json()["message"]


def test_malformed_json_is_400(http: httpx.Client, emulator: Emulator) -> None:
    r = post(http, emulator, b'{"order_id":')
    assert r.status_code == 400
    assert r.json()["code"] == 400


def test_missing_order_id_is_422(http: httpx.Client, emulator: Emulator) -> None:
    r = post(http, emulator, b'{"amount":"100"}')
    assert r.status_code == 422
    assert "order_id" in r.json()["message"]


def test_wrong_order_id_type_is_422(http: httpx.Client, emulator: Emulator) -> None:
    r = post(http, emulator, b'{"order_id":true}')
    assert r.status_code == 422


def test_other_methods_are_405_with_allow(http: httpx.Client) -> None:
    r = http.get(PATH)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.headers["content-type"] == "application/json"


def test_unknown_path_is_404(http: httpx.Client, emulator: Emulator) -> None:
    r = http.post("/api/v3/pg/order/nope", content=b"{}", headers=emulator.signed_headers(b"{}"))
    assert r.status_code == 404
    assert json.loads(r.content)["status"] is False


def test_add_order_validates_status() -> None:
    with pytest.raises(ValueError, match="UN_PAID"):
        Emulator().add_order("x", "SHIPPED")


def test_emulator_repr_hides_secret() -> None:
    assert "sk_test" not in repr(Emulator())
