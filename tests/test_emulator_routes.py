"""The emulator's API: create, status and cancel over one order store, one auth check."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import (
    CREATE_ORDER_PATH,
    ORDER_STATUS_PATH,
    Emulator,
    EmulatorWSGIApp,
    Fault,
)

from .emulator_helpers import CANCEL_PATH, call, cancel, create, order_body, status

KWIKX = re.compile(r"kp_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
KWIKPAISA_DATE = re.compile(r"\d\d-\d\d-\d{4} \d\d:\d\d [AP]M")
ROUTES = [CREATE_ORDER_PATH, ORDER_STATUS_PATH, CANCEL_PATH]


@pytest.fixture
def http(way_in: str, emulator: Emulator) -> Iterator[httpx.Client]:
    if way_in == "in-process":
        with httpx.Client(
            transport=emulator.transport(), base_url="http://emulator.localhost"
        ) as client:
            yield client
    else:
        with emulator.serve() as base_url, httpx.Client(base_url=base_url) as client:
            yield client


def test_create_makes_an_unpaid_order_with_a_payment_link(
    http: httpx.Client, emulator: Emulator
) -> None:
    r = create(http, emulator, "ord_new")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == "200"
    assert body["status"] == "success"
    assert body["message"] == "Order created successfully."
    data = body["return_data"]
    assert set(data) == {
        "kwikX_order_id",
        "order_id",
        "order_status",
        "order_token",
        "payment_link",
        "created_at",
    }
    assert data["order_id"] == "ord_new"
    assert data["order_status"] == "UN_PAID"
    assert KWIKX.fullmatch(data["kwikX_order_id"])
    assert KWIKPAISA_DATE.fullmatch(data["created_at"])
    # The link is on the base URL the emulator was reached at, and the page is there.
    base_url = str(http.base_url).rstrip("/")
    assert data["payment_link"] == f"{base_url}/checkout/{data['kwikX_order_id']}"
    page = http.get(data["payment_link"])
    assert page.status_code == 200
    assert "105.00" in page.text
    assert emulator.create_count("ord_new") == 1


def test_created_order_has_every_documented_field(http: httpx.Client, emulator: Emulator) -> None:
    create(http, emulator, 6116229263099, order_amount=105.5)
    order = emulator.order(6116229263099)
    assert order is not None
    assert order.order_id == 6116229263099  # the JSON type it was created with
    assert order.order_amount == "105.50"
    assert order.currency == "INR"
    assert order.order_status == "UN_PAID"
    assert (order.payment_method, order.transaction_id, order.paid_at) == (None, None, None)
    assert order.customer == {"name": "Ajay", "email": "ajay@example.com", "phone": "9876543210"}
    assert order.return_url == "https://merchant.example/return"
    assert order.order_note == "Two notebooks"
    assert order.service_type == "DIGITAL"
    assert order.payment_link is not None
    assert order.payment_link.endswith(order.kwikx_order_id)


def test_status_reports_the_order(http: httpx.Client, emulator: Emulator) -> None:
    created = create(http, emulator, 6116229263099).json()["return_data"]
    r = status(http, emulator, 6116229263099)
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["status"]) == ("200", "success")
    assert body["message"] == "Order status fetched successfully."
    assert body["return_data"] == {
        "kwikX_order_id": created["kwikX_order_id"],
        "order_id": 6116229263099,
        "order_amount": "105.00",
        "currency": "INR",
        "order_status": "UN_PAID",
        "payment_method": None,
        "transaction_id": None,
        "created_at": created["created_at"],
        "paid_at": None,
    }


def test_status_of_a_paid_order(http: httpx.Client, emulator: Emulator) -> None:
    create(http, emulator, "ord_new")
    emulator.pay("ord_new", method="CARD")
    data = status(http, emulator, "ord_new").json()["return_data"]
    assert data["order_status"] == "PAID"
    assert data["payment_method"] == "CARD"
    assert re.fullmatch(r"TXN\d{12}", data["transaction_id"])
    assert KWIKPAISA_DATE.fullmatch(data["paid_at"])


def test_status_of_an_unknown_order_is_404(http: httpx.Client, emulator: Emulator) -> None:
    r = status(http, emulator, "nope")
    assert r.status_code == 404
    assert r.json() == {"status": False, "code": 404, "message": "Order not found."}


def test_cancel_still_answers_as_before(http: httpx.Client, emulator: Emulator) -> None:
    create(http, emulator, "ord_new")
    r = cancel(http, emulator, "ord_new")
    assert r.status_code == 200
    assert r.json()["return_data"]["order_status"] == "CANCELLED"
    assert status(http, emulator, "ord_new").json()["return_data"]["order_status"] == "CANCELLED"
    order = emulator.order("ord_new")
    assert order is not None
    assert order.cancelled_at is not None
    assert emulator.cancel_count("ord_new") == 1


def test_duplicate_create_is_409_and_leaves_the_order_alone(
    http: httpx.Client, emulator: Emulator
) -> None:
    first = create(http, emulator, "ord_new").json()["return_data"]
    again = create(http, emulator, "ord_new", order_amount=999)
    assert again.status_code == 409
    assert again.json() == {
        "status": False,
        "code": 409,
        "message": "Order with this order_id already exists.",
    }
    order = emulator.order("ord_new")
    assert order is not None
    assert order.kwikx_order_id == first["kwikX_order_id"]
    assert order.order_amount == "105.00"
    assert emulator.create_count("ord_new") == 1
    assert emulator.create_requests("ord_new") == 2


def test_an_integer_id_and_its_string_are_the_same_order(
    http: httpx.Client, emulator: Emulator
) -> None:
    assert create(http, emulator, 777).status_code == 200
    assert create(http, emulator, "777").status_code == 409
    assert status(http, emulator, "777").json()["return_data"]["order_id"] == 777


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"order_id": None}, "The order_id field is required."),
        ({"order_id": True}, "The order_id must be a string or an integer."),
        ({"order_amount": None}, "The order_amount field is required."),
        ({"order_amount": 0}, "The order_amount must be greater than zero."),
        ({"order_amount": -5}, "The order_amount must be greater than zero."),
        ({"order_amount": 10.123}, "The order_amount must have at most two decimal places."),
        ({"order_amount": "ten"}, "The order_amount must be a number."),
        ({"order_amount": [105]}, "The order_amount must be a number."),
        ({"order_amount": "1e1000000"}, "The order_amount must be less than"),
        ({"order_amount": 1e308}, "The order_amount must be less than"),
        ({"order_currency": None}, "The order_currency field is required."),
        ({"order_currency": "rupees"}, "The order_currency must be a three-letter currency"),
        ({"service_type": None}, "The service_type field is required."),
        ({"customer": None}, "The customer field is required."),
        ({"customer": "Ajay"}, "The customer must be an object with name, email and phone."),
        ({"customer": {"name": "A", "email": "a@x.in"}}, "The customer.phone field is required."),
        (
            {"customer": {"name": "A", "email": "nobody", "phone": "1"}},
            "The customer.email must be an email address.",
        ),
        ({"return_url": None}, "The return_url field is required."),
        ({"return_url": "ftp://x"}, "The return_url must be an http:// or https:// URL."),
        ({"order_note": 5}, "The order_note must be a string."),
    ],
)
def test_create_validates_the_body(
    http: httpx.Client, emulator: Emulator, changes: dict[str, object], message: str
) -> None:
    r = call(http, emulator, CREATE_ORDER_PATH, order_body("ord_bad", **changes))
    assert r.status_code == 422
    assert r.json()["code"] == 422
    assert r.json()["message"].startswith(message)
    assert emulator.order("ord_bad") is None
    assert emulator.create_count("ord_bad") == 0


@pytest.mark.parametrize(("amount", "stored"), [(105, "105.00"), ("99.9", "99.90"), (0.01, "0.01")])
def test_create_takes_numbers_and_numeric_strings(
    http: httpx.Client, emulator: Emulator, amount: object, stored: str
) -> None:
    assert create(http, emulator, "ord_amt", order_amount=amount).status_code == 200
    assert status(http, emulator, "ord_amt").json()["return_data"]["order_amount"] == stored


def test_create_without_the_optional_note(http: httpx.Client, emulator: Emulator) -> None:
    assert create(http, emulator, "ord_plain", order_note=None).status_code == 200
    order = emulator.order("ord_plain")
    assert order is not None
    assert order.order_note is None


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_checks_the_signature(
    http: httpx.Client, emulator: Emulator, path: str
) -> None:
    body = canonical_payload(order_body("ord_1"))
    headers = emulator.signed_headers(body)
    headers["X-SIGNATURE"] = "0" * 64
    r = http.post(path, content=body, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"status": False, "code": 401, "message": "Invalid signature."}
    assert emulator.order_status("ord_1") == "UN_PAID"
    assert emulator.create_requests("ord_1") == 0


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_checks_key_timestamp_and_canonical_form(
    http: httpx.Client, emulator: Emulator, path: str
) -> None:
    body = canonical_payload({"order_id": "ord_1"})
    wrong_key = {**emulator.signed_headers(body), "X-API-KEY": "pk_test_other"}
    assert http.post(path, content=body, headers=wrong_key).json()["message"] == "Invalid API key."
    stale = emulator.signed_headers(body, timestamp=int(emulator.clock()) - 3600)
    assert http.post(path, content=body, headers=stale).json()["message"] == (
        "Request timestamp expired."
    )
    spaced = b'{"order_id": "ord_1"}'
    r = http.post(path, content=spaced, headers=emulator.signed_headers(spaced))
    assert r.status_code == 401
    assert "canonical" in r.json()["message"]


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_is_post_only(http: httpx.Client, path: str) -> None:
    r = http.get(path)
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"


@pytest.mark.parametrize("path", ROUTES)
def test_faults_apply_to_every_route(http: httpx.Client, emulator: Emulator, path: str) -> None:
    emulator.inject(Fault.http_status(503))
    r = call(http, emulator, path, order_body("ord_1"))
    assert r.status_code == 503
    assert emulator.pending_faults == 0
    assert emulator.order_status("ord_1") == "UN_PAID"


def test_process_first_on_create_makes_the_order_then_loses_the_answer(
    http: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(Fault.http_status(503, process_first=True))
    assert create(http, emulator, "ord_lost").status_code == 503
    assert emulator.order_status("ord_lost") == "UN_PAID"
    assert emulator.create_count("ord_lost") == 1
    # The retry a client would make is told the order exists; it is still made once.
    assert create(http, emulator, "ord_lost").status_code == 409
    assert status(http, emulator, "ord_lost").json()["return_data"]["order_status"] == "UN_PAID"
    assert emulator.create_count("ord_lost") == 1


def test_process_first_on_status_and_cancel(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault.reset(process_first=True))
    with pytest.raises(httpx.TransportError):
        cancel(http, emulator, "ord_1")
    assert emulator.order_status("ord_1") == "CANCELLED"
    emulator.inject(Fault.http_status(500, process_first=True))
    assert status(http, emulator, "ord_1").status_code == 500


def test_checkout_pages_take_no_faults(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(Fault.http_status(503))
    assert http.get(emulator.checkout_url("ord_1")).status_code == 200
    assert emulator.pending_faults == 1


def test_over_wsgi_the_payment_link_is_on_the_wsgi_host(emulator: Emulator) -> None:
    transport = httpx.WSGITransport(app=EmulatorWSGIApp(emulator))
    with httpx.Client(transport=transport, base_url="http://shop-sandbox.test:8000") as http:
        link = create(http, emulator, "ord_wsgi").json()["return_data"]["payment_link"]
        assert link.startswith("http://shop-sandbox.test:8000/checkout/kp_")
        assert http.post(link, data={"action": "pay"}).status_code == 303
    assert emulator.order_status("ord_wsgi") == "PAID"
