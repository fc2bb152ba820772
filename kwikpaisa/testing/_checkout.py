"""The hosted checkout page: plain server-rendered HTML, one form, no scripts.

``GET /checkout/{kwikX_order_id}`` shows the order (amount, currency, id) with the
payment methods KwikPaisa lists and three buttons: Pay, Fail, Cancel checkout.
``POST`` to the same URL acts on the choice and sends the browser back to the
order's ``return_url`` (303) with ``order_id`` and ``status`` as query parameters.
An order that is no longer open says so, and a second payment is refused (409).
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ._answers import EmulatorResponse, html_answer
from ._store import CHECKOUT_PREFIX, OPEN_STATUSES, PAYMENT_METHODS, OrderRecord, OrderStore

__all__ = ["ALLOWED_METHODS", "is_checkout_path", "serve_checkout", "settle_checkout"]

ALLOWED_METHODS = "GET, HEAD, POST"

_CLOSED = {
    "PAID": "This order has been paid.",
    "CANCELLED": "This order was cancelled.",
    "EXPIRED": "This order has expired.",
    "FAILED": "The payment for this order failed.",
}

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.2rem}.amount{font-size:2rem;font-weight:600;margin:.5rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#555}
fieldset{border:1px solid #ccc;border-radius:.4rem;margin:1rem 0}
label{display:block;padding:.2rem 0}
button{font-size:1rem;padding:.5rem 1rem;margin:.25rem .25rem 0 0;border-radius:.4rem}
#pay{background:#0a7d32;color:#fff;border:0}.note{color:#555;font-size:.85rem}
"""


def is_checkout_path(path: str) -> bool:
    return path.startswith(CHECKOUT_PREFIX)


def serve_checkout(method: str, path: str, body: bytes, store: OrderStore) -> EmulatorResponse:
    """Answer a request under ``/checkout/`` (the method is already known to be allowed)."""
    order = store.by_kwikx(path[len(CHECKOUT_PREFIX) :])
    if order is None:
        return _page(store, 404, "Order not found", "<p>There is no such order.</p>")
    if method != "POST":
        return _page(store, 200, "KwikPaisa checkout", _order_view(order))
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = (form.get("action") or [""])[0]
    payment_method = (form.get("method") or ["UPI"])[0]
    if action not in ("pay", "fail", "cancel"):
        return _page(store, 400, "Bad request", "<p>Choose Pay, Fail or Cancel checkout.</p>")
    if payment_method not in PAYMENT_METHODS:
        return _page(store, 400, "Bad request", "<p>Choose a payment method.</p>")
    if order.order_status not in OPEN_STATUSES:
        return _refused(store, order)
    if action != "cancel":
        after = settle_checkout(store, order, action, payment_method)
        if after is None:
            return _refused(store, order)
        order = after
    return _back_to_merchant(store, order, cancelled=action == "cancel")


def settle_checkout(
    store: OrderStore, order: OrderRecord, action: str, method: str
) -> OrderRecord | None:
    """Pay or fail ``order`` in ``store`` if it is still open."""
    status = "PAID" if action == "pay" else "FAILED"
    _, after = store.settle(order.order_id, status, only_from=OPEN_STATUSES, payment_method=method)
    return after


def _refused(store: OrderStore, order: OrderRecord) -> EmulatorResponse:
    reason = _CLOSED.get(order.order_status, "This order can no longer be paid.")
    return _page(
        store,
        409,
        "Payment refused",
        f"<p id='closed'>{escape(reason)} It cannot be paid again.</p>{_details(order)}",
    )


def _back_to_merchant(
    store: OrderStore, order: OrderRecord, *, cancelled: bool
) -> EmulatorResponse:
    """303 to ``return_url`` with the order id and status; a page when there is none."""
    if order.return_url:
        location = _with_query(
            order.return_url, {"order_id": str(order.order_id), "status": order.order_status}
        )
        return html_answer(
            store.clock,
            303,
            _document("Redirecting", f"<p><a href='{escape(location)}'>Back to the shop</a></p>"),
            extra=(("Location", location),),
        )
    outcome = "Checkout cancelled." if cancelled else _CLOSED.get(order.order_status, "")
    return _page(store, 200, "KwikPaisa checkout", f"<p id='outcome'>{escape(outcome)}</p>")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit(parts._replace(query=query))


def _order_view(order: OrderRecord) -> str:
    if order.order_status not in OPEN_STATUSES:
        reason = _CLOSED.get(order.order_status, "This order can no longer be paid.")
        return f"<p id='closed'>{escape(reason)}</p>{_details(order)}"
    choices = "".join(
        f"<label><input type='radio' name='method' value='{escape(value)}'"
        f"{' checked' if position == 0 else ''}> {escape(label)}</label>"
        for position, (value, label) in enumerate(PAYMENT_METHODS.items())
    )
    amount = f"{order.currency} {order.order_amount}"
    return (
        f"{_details(order)}"
        "<form method='post'>"
        f"<fieldset><legend>Pay with</legend>{choices}</fieldset>"
        f"<button type='submit' id='pay' name='action' value='pay'>Pay {escape(amount)}</button>"
        "<button type='submit' id='fail' name='action' value='fail'>Fail</button>"
        "<button type='submit' id='cancel' name='action' value='cancel'>Cancel checkout</button>"
        "</form>"
        "<p class='note'>KwikPaisa emulator: no money moves. Pay and Fail settle the order "
        "as the sandbox would and send the webhook.</p>"
    )


def _details(order: OrderRecord) -> str:
    rows = [
        ("Order", str(order.order_id)),
        ("KwikPaisa order", order.kwikx_order_id),
        ("Status", order.order_status),
    ]
    if order.order_note:
        rows.append(("Note", order.order_note))
    listing = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (
        f"<p class='amount' id='amount'>{escape(order.currency)} "
        f"{escape(order.order_amount)}</p><dl>{listing}</dl>"
    )


def _page(store: OrderStore, status: int, title: str, content: str) -> EmulatorResponse:
    return html_answer(store.clock, status, _document(title, f"<h1>{escape(title)}</h1>{content}"))


def _document(title: str, content: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{content}</body></html>"
    )
