"""The whole hosted-checkout journey in a real headless Chromium (``make test-browser``).

Debian's ``chromium`` driven by Playwright for Python, pointed at the system browser
(no browser is ever downloaded). Marked ``browser``: ``make test`` deselects it, and
it skips, saying how to get a browser, when Playwright or Chromium is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kwikpaisa import Customer, KwikPaisa, OrderNotCancellableError
from kwikpaisa.testing import Emulator

from .emulator_helpers import cancel, create, status, webhook_receiver

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KWIKPAISA_CHROMIUM", "/usr/bin/chromium")
# Where to save a picture of the checkout page, if anywhere (keep it out of the repository).
SCREENSHOT = os.environ.get("KWIKPAISA_CHECKOUT_SCREENSHOT")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
HOW_TO_GET_ONE = (
    "run `make test-browser` (it installs Playwright into .venv and, as root, Debian's "
    "chromium), or `pip install -e '.[browser]'` and `apt-get install chromium`; "
    "KWIKPAISA_CHROMIUM=/path/to/chromium points at another build"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip(f"NO BROWSER TEST: Playwright for Python is not installed; {HOW_TO_GET_ONE}")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"NO BROWSER TEST: no Chromium at {CHROMIUM}; {HOW_TO_GET_ONE}")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.skip(
                f"NO BROWSER TEST: Chromium at {CHROMIUM} did not start ({error}); {HOW_TO_GET_ONE}"
            )
        try:
            yield chromium
        finally:
            chromium.close()


def test_pay_in_the_browser_then_webhook_status_and_cancel(browser: Any) -> None:
    with webhook_receiver(Emulator().secret_key) as receiver:
        emu = Emulator(webhook_url=f"{receiver.url}/webhooks", webhook_backoff=(0.0, 0.0))
        with emu.serve() as base_url, KwikPaisa(
            emu.api_key, emu.secret_key, base_url=base_url
        ) as kp:
            # 1. The merchant creates an order with the SDK.
            created = kp.orders.create(
                order_id="ord_browser",
                amount=Decimal("105.00"),
                currency="INR",
                service_type="DIGITAL",
                customer=Customer(name="Ajay", email="a@example.com", phone="9876543210"),
                return_url=f"{receiver.url}/return",
            )
            link = created.payment_link
            assert link is not None

            # 2. The customer opens the payment link ...
            page = browser.new_page()
            page.goto(link)
            assert page.title() == "KwikPaisa checkout"
            assert page.locator("#amount").inner_text() == "INR 105.00"
            assert page.locator("input[name=method]").count() == 4
            page.get_by_label("Card").check()
            if SCREENSHOT:
                page.screenshot(path=SCREENSHOT)

            # 3. ... clicks Pay, 4. and lands on the merchant's return_url.
            page.locator("#pay").click()
            page.wait_for_url(f"{receiver.url}/return?*")
            back = urlsplit(page.url)
            assert parse_qs(back.query) == {"order_id": ["ord_browser"], "status": ["PAID"]}
            assert page.locator("#thanks").inner_text() == "Thank you"

            # 5. The signed webhook arrives and verifies.
            emu.wait_for_deliveries()
            assert [(e.event, e.data) for e in receiver.events] == [
                (
                    "payment.success",
                    {
                        "order_id": "ord_browser",
                        "amount": "105.00",
                        "currency": "INR",
                        "status": "PAID",
                    },
                )
            ]

            # 6. Status reports PAID; cancel is refused.
            order = kp.orders.status("ord_browser")
            assert (order.status, order.payment_method) == ("PAID", "CARD")
            with pytest.raises(OrderNotCancellableError) as refused:
                kp.orders.cancel("ord_browser")
            assert refused.value.order_status == "PAID"

            # The page now says the order is paid, and a second payment is refused.
            page.goto(link)
            assert page.locator("#closed").inner_text() == "This order has been paid."
            assert page.locator("#pay").count() == 0
            page.close()


def test_fail_and_cancel_checkout_in_the_browser(browser: Any) -> None:
    with webhook_receiver(Emulator().secret_key) as receiver:
        emu = Emulator(webhook_url=f"{receiver.url}/webhooks", webhook_backoff=(0.0, 0.0))
        with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
            created = create(http, emu, "ord_walks_away", return_url=f"{receiver.url}/return")
            link = created.json()["return_data"]["payment_link"]
            page = browser.new_page()

            # Cancel checkout: back to the merchant, the order still unpaid, no webhook.
            page.goto(link)
            page.get_by_role("button", name="Cancel checkout").click()
            page.wait_for_url(f"{receiver.url}/return?*")
            assert parse_qs(urlsplit(page.url).query)["status"] == ["UN_PAID"]
            assert emu.order_status("ord_walks_away") == "UN_PAID"

            # The customer comes back and the payment fails.
            page.goto(link)
            page.get_by_label("Wallet").check()
            page.get_by_role("button", name="Fail").click()
            page.wait_for_url(f"{receiver.url}/return?*")
            assert parse_qs(urlsplit(page.url).query)["status"] == ["FAILED"]
            emu.wait_for_deliveries()
            assert [(e.event, e.data["status"]) for e in receiver.events] == [
                ("payment.failed", "FAILED")
            ]
            data = status(http, emu, "ord_walks_away").json()["return_data"]
            assert (data["order_status"], data["payment_method"]) == ("FAILED", "WALLET")
            assert cancel(http, emu, "ord_walks_away").status_code == 409
            page.close()
