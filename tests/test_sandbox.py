"""The hosted-checkout sandbox: the payment page, scripted outcomes, expiry on the
emulator's clock, and what status and cancel answer afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kwikpaisa.testing import Emulator

from .emulator_helpers import cancel, create, status

START = 1_778_659_835.0
Settle = Callable[[Emulator, str], object]


class Clock:
    """A clock a test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Emulator:
    return Emulator(clock=clock, expire_after=900)


@pytest.fixture
def served(emu: Emulator) -> Iterator[httpx.Client]:
    """The emulator over a loopback socket, and an httpx client on it (no redirects
    followed, as a test of the redirect itself needs)."""
    with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
        yield http


def payment_link(http: httpx.Client, emu: Emulator, order_id: str | int = "ord_new") -> str:
    r = create(http, emu, order_id)
    assert r.status_code == 200, r.text
    return str(r.json()["return_data"]["payment_link"])


# -- the page -------------------------------------------------------------------------


def test_page_shows_the_order_methods_and_buttons(served: httpx.Client, emu: Emulator) -> None:
    link = payment_link(served, emu)
    r = served.get(link)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    order = emu.order("ord_new")
    assert order is not None
    for text in ("INR 105.00", "ord_new", order.kwikx_order_id, "Two notebooks"):
        assert text in page
    for method in ("UPI", "CARD", "NET_BANKING", "WALLET"):
        assert f"type='radio' name='method' value='{method}'" in page
    for label in ("Pay INR 105.00</button>", ">Fail</button>", ">Cancel checkout</button>"):
        assert label in page
    assert "<form method='post'>" in page
    assert "<script" not in page


def test_pay_on_the_page_pays_and_redirects_to_return_url(
    served: httpx.Client, emu: Emulator, clock: Clock
) -> None:
    link = payment_link(served, emu)
    clock.now += 180
    r = served.post(link, data={"method": "NET_BANKING", "action": "pay"})
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "merchant.example",
        "/return",
    )
    assert parse_qs(location.query) == {"order_id": ["ord_new"], "status": ["PAID"]}
    data = status(served, emu, "ord_new").json()["return_data"]
    assert data["order_status"] == "PAID"
    assert data["payment_method"] == "NET_BANKING"
    assert data["transaction_id"].startswith("TXN")
    # Dates in KwikPaisa's form, Asia/Kolkata, from the emulator's clock (START is 08:10 UTC).
    assert data["created_at"] == "13-05-2026 01:40 PM"
    assert data["paid_at"] == "13-05-2026 01:43 PM"


def test_fail_on_the_page(served: httpx.Client, emu: Emulator) -> None:
    link = payment_link(served, emu)
    r = served.post(link, data={"method": "CARD", "action": "fail"})
    assert r.status_code == 303
    assert parse_qs(urlsplit(r.headers["location"]).query)["status"] == ["FAILED"]
    assert emu.order_status("ord_new") == "FAILED"
    assert status(served, emu, "ord_new").json()["return_data"]["paid_at"] is None


def test_cancel_checkout_leaves_the_order_unpaid(served: httpx.Client, emu: Emulator) -> None:
    link = payment_link(served, emu)
    r = served.post(link, data={"method": "UPI", "action": "cancel"})
    assert r.status_code == 303
    assert parse_qs(urlsplit(r.headers["location"]).query)["status"] == ["UN_PAID"]
    assert emu.order_status("ord_new") == "UN_PAID"
    # ... so the customer can come back and pay.
    assert served.post(link, data={"method": "UPI", "action": "pay"}).status_code == 303
    assert emu.order_status("ord_new") == "PAID"


def test_return_url_query_is_kept(served: httpx.Client, emu: Emulator) -> None:
    r = create(served, emu, "ord_q", return_url="https://shop.example/back?cart=7")
    link = r.json()["return_data"]["payment_link"]
    location = served.post(link, data={"action": "pay"}).headers["location"]
    assert location == "https://shop.example/back?cart=7&order_id=ord_q&status=PAID"


@pytest.mark.parametrize(
    ("outcome", "says"),
    [
        ("PAID", "This order has been paid."),
        ("CANCELLED", "This order was cancelled."),
        ("EXPIRED", "This order has expired."),
        ("FAILED", "The payment for this order failed."),
    ],
)
def test_a_closed_order_says_so_and_refuses_payment(
    served: httpx.Client, emu: Emulator, outcome: str, says: str
) -> None:
    link = payment_link(served, emu)
    emu.set_status("ord_new", outcome)
    page = served.get(link)
    assert page.status_code == 200
    assert says in page.text
    assert "<form" not in page.text
    again = served.post(link, data={"method": "UPI", "action": "pay"})
    assert again.status_code == 409
    assert says in again.text
    assert "cannot be paid again" in again.text
    assert emu.order_status("ord_new") == outcome


def test_unknown_checkout_page_is_404(served: httpx.Client) -> None:
    r = served.get("/checkout/kp_00000000-0000-4000-8000-000000000000")
    assert r.status_code == 404
    assert "There is no such order." in r.text


def test_bad_form_is_400_and_changes_nothing(served: httpx.Client, emu: Emulator) -> None:
    link = payment_link(served, emu)
    assert served.post(link, data={"action": "refund"}).status_code == 400
    assert served.post(link, data={"action": "pay", "method": "CASH"}).status_code == 400
    assert emu.order_status("ord_new") == "UN_PAID"


def test_checkout_is_get_head_post_only(served: httpx.Client, emu: Emulator) -> None:
    link = payment_link(served, emu)
    r = served.delete(link)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST"
    head = served.head(link)
    assert head.status_code == 200
    assert head.content == b""


def test_everything_on_the_page_is_escaped(served: httpx.Client, emu: Emulator) -> None:
    r = create(served, emu, "<b>x</b>", order_note="<script>alert(1)</script>")
    page = served.get(r.json()["return_data"]["payment_link"]).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_seeded_order_without_return_url_shows_the_outcome(
    served: httpx.Client, emu: Emulator
) -> None:
    emu.add_order("ord_seeded", amount="250.5")
    link = emu.checkout_url("ord_seeded")
    assert link.startswith(str(served.base_url).rstrip("/") + "/checkout/kp_")
    assert "INR 250.50" in served.get(link).text
    r = served.post(link, data={"method": "WALLET", "action": "pay"})
    assert r.status_code == 200
    assert "This order has been paid." in r.text
    order = emu.order("ord_seeded")
    assert order is not None
    assert order.payment_method == "WALLET"


def test_page_served_in_process_too() -> None:
    emu = Emulator()
    with httpx.Client(transport=emu.transport(), base_url="http://emulator.localhost") as http:
        link = payment_link(http, emu, "ord_ip")
        assert link.startswith("http://emulator.localhost/checkout/kp_")
        assert http.post(link, data={"action": "pay"}).status_code == 303
    assert emu.order_status("ord_ip") == "PAID"


# -- scripted outcomes, and what status and cancel answer -----------------------------


def test_pay_fail_expire_in_code(emu: Emulator) -> None:
    for order_id in ("a", "b", "c"):
        emu.add_order(order_id)
    paid = emu.pay("a", method="WALLET")
    assert (paid.order_status, paid.payment_method) == ("PAID", "WALLET")
    assert paid.paid_at is not None
    assert paid.transaction_id is not None
    assert emu.fail("b").order_status == "FAILED"
    assert emu.expire("c").order_status == "EXPIRED"
    with pytest.raises(ValueError, match="'a' is PAID; it cannot become PAID"):
        emu.pay("a")
    with pytest.raises(ValueError, match="is FAILED"):
        emu.pay("b")
    with pytest.raises(ValueError, match="is PAID"):
        emu.expire("a")
    with pytest.raises(KeyError, match="no order 'zz'"):
        emu.pay("zz")
    with pytest.raises(ValueError, match="unknown payment method 'CASH'"):
        emu.pay("a", method="CASH")
    emu.add_order("d")
    with pytest.raises(ValueError, match="unknown payment method 'CHEQUE'"):
        emu.fail("d", method="CHEQUE")
    assert emu.order_status("d") == "UN_PAID"


@pytest.mark.parametrize(
    ("settle", "outcome", "cancel_message"),
    [
        (Emulator.pay, "PAID", "Order already paid; it cannot be cancelled."),
        (Emulator.fail, "FAILED", "Order payment failed; it cannot be cancelled."),
        (Emulator.expire, "EXPIRED", "Order has expired; it cannot be cancelled."),
    ],
)
def test_status_and_cancel_after_each_outcome(
    way_in: str, settle: Settle, outcome: str, cancel_message: str
) -> None:
    emu = Emulator()
    if way_in == "in-process":
        with httpx.Client(transport=emu.transport(), base_url="http://emulator.localhost") as http:
            check(http, emu, settle, outcome, cancel_message)
    else:
        with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
            check(http, emu, settle, outcome, cancel_message)


def check(
    http: httpx.Client, emu: Emulator, settle: Settle, outcome: str, cancel_message: str
) -> None:
    create(http, emu, "ord_x")
    settle(emu, "ord_x")
    assert status(http, emu, "ord_x").json()["return_data"]["order_status"] == outcome
    r = cancel(http, emu, "ord_x")
    assert r.status_code == 409
    assert r.json() == {"status": False, "code": 409, "message": cancel_message}
    assert emu.order_status("ord_x") == outcome
    assert emu.cancel_count("ord_x") == 0


def test_set_status_moves_any_order(emu: Emulator) -> None:
    emu.add_order("a")
    paid = emu.set_status("a", "paid")
    assert paid.order_status == "PAID"
    assert (paid.payment_method, paid.paid_at is not None) == ("UPI", True)
    pending = emu.set_status("a", "PENDING")
    assert pending.order_status == "PENDING"
    assert (pending.paid_at, pending.payment_method, pending.transaction_id) == (None, None, None)
    with pytest.raises(ValueError, match="unknown order status"):
        emu.set_status("a", "SHIPPED")
    with pytest.raises(KeyError):
        emu.set_status("nope", "PAID")


def test_order_returns_a_copy(emu: Emulator) -> None:
    emu.add_order("a", customer={"name": "A", "email": "a@x.in", "phone": "1"})
    order = emu.order("a")
    assert order is not None
    assert order.customer is not None
    order.customer["name"] = "changed"  # type: ignore[index]
    again = emu.order("a")
    assert again is not None
    assert again.customer is not None
    assert again.customer["name"] == "A"
    assert emu.order("missing") is None


def test_seeded_orders_carry_their_status_fields(emu: Emulator) -> None:
    paid = emu.add_order("p", "PAID")
    assert paid.paid_at == paid.created_at
    assert paid.transaction_id is not None
    assert paid.transaction_id.startswith("TXN")
    cancelled = emu.add_order("c", "CANCELLED")
    assert cancelled.cancelled_at == cancelled.created_at
    assert emu.add_order("u").paid_at is None


def test_add_order_takes_amount_and_currency(emu: Emulator) -> None:
    record = emu.add_order(42, amount=12.5, currency="USD")
    assert (record.order_id, record.order_amount, record.currency) == (42, "12.50", "USD")
    with pytest.raises(ValueError, match="two decimal places"):
        emu.add_order(43, amount="1.001")


# -- expiry ---------------------------------------------------------------------------


def test_unpaid_orders_expire_on_the_emulators_clock(
    served: httpx.Client, emu: Emulator, clock: Clock
) -> None:
    link = payment_link(served, emu, "ord_late")
    payment_link(served, emu, "ord_paid_in_time")
    emu.pay("ord_paid_in_time")
    clock.now += 899
    assert emu.order_status("ord_late") == "UN_PAID"
    clock.now += 1
    # Expiry is noticed by whatever touches the store next: here the status API.
    assert status(served, emu, "ord_late").json()["return_data"]["order_status"] == "EXPIRED"
    assert emu.order_status("ord_paid_in_time") == "PAID"
    assert "This order has expired." in served.get(link).text
    assert served.post(link, data={"action": "pay"}).status_code == 409
    assert cancel(served, emu, "ord_late").status_code == 409


def test_expiry_is_noticed_by_the_page_first(
    served: httpx.Client, emu: Emulator, clock: Clock
) -> None:
    link = payment_link(served, emu)
    clock.now += 3600
    assert served.post(link, data={"action": "pay"}).status_code == 409
    assert emu.order_status("ord_new") == "EXPIRED"


def test_orders_never_expire_by_default(clock: Clock) -> None:
    emu = Emulator(clock=clock)
    emu.add_order("a")
    clock.now += 10**7
    assert emu.order_status("a") == "UN_PAID"


def test_expire_after_must_be_positive() -> None:
    with pytest.raises(ValueError, match="expire_after"):
        Emulator(expire_after=0)
