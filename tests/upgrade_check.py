"""Run by tests/test_upgrade.py inside the regenerated copy of the repository (its
``kwikpaisa`` and ``generated/`` first on the path): the new operation and the new cancel
field, used as an app would, with no hand-written line for either."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import sys

import httpx

from kwikpaisa import AsyncKwikPaisa, KwikPaisa, ServerError
from kwikpaisa._cli import main
from kwikpaisa.testing import Emulator

KEYS = {"api_key": "pk_test_1234567890abcd", "secret_key": "sk_test_x"}
REFUNDED = {
    "code": "200",
    "status": "success",
    "message": "Refund initiated.",
    "return_data": {
        "order_id": "ord_1",
        "refund_id": "rf_1",
        "refund_status": "PENDING",
        "refunded_at": "13-05-2026 09:14 PM",
    },
}
CANCELLED = {
    "code": "200",
    "status": "success",
    "message": "Order cancelled successfully.",
    "return_data": {
        "order_id": "ord_1",
        "order_status": "CANCELLED",
        "cancelled_at": "13-05-2026 09:14 AM",
        "cancellation_reason": "MERCHANT",
    },
}
report: dict[str, object] = {}


def answer(request: httpx.Request) -> httpx.Response:
    sent = json.loads(request.content)
    report.setdefault("sent", []).append([request.url.path, sent])  # type: ignore[union-attr]
    if request.url.path.endswith("/refund"):
        return httpx.Response(200, json=REFUNDED)
    if request.url.path.startswith("/api/v3/pg/payout/"):
        return httpx.Response(
            200, json={"status": "success", "return_data": {"payout_status": "QUEUED"}}
        )
    return httpx.Response(200, json=CANCELLED)


# 1. The emulator does not implement refund: a 501 naming it.
emulator = Emulator()
emulator.add_order("ord_1")
with emulator.client(max_retries=0) as kp:
    try:
        kp.orders.refund(order_id="ord_1", refund_amount=10.5)
    except ServerError as error:
        report["emulator"] = [error.status_code, str(error)]

# 2. Through an in-process transport: typed result, formats read, the body as sent.
with KwikPaisa(**KEYS, transport=httpx.MockTransport(answer)) as kp:
    refund = kp.orders.refund(order_id="ord_1", refund_amount=10.5, reason="damaged")
    cancelled = kp.orders.cancel("ord_1")
    payout = kp.payouts.send(payout_id="p_1", amount=5.0)
report["payout"] = [type(payout).__name__, payout.payout_status]
report["refund"] = [
    type(refund).__name__,
    refund.refund_status,
    refund.refund_id,
    refund.refunded_at,
    refund.raw["message"],
]
assert cancelled.data is not None
assert cancelled.cancelled_at is not None
report["cancel"] = [
    cancelled.status,
    cancelled.data.cancellation_reason,
    cancelled.cancelled_at.isoformat(),
]


async def run_async() -> str | None:
    async with AsyncKwikPaisa(**KEYS, transport=httpx.MockTransport(answer)) as akp:
        return (await akp.orders.refund(order_id="ord_1", refund_amount=10.5)).refund_status


report["async"] = asyncio.run(run_async())

# 3. The command line has it too.
out, err = io.StringIO(), io.StringIO()
with emulator.serve() as base_url, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    import os

    os.environ.update(
        KWIKPAISA_API_KEY=emulator.api_key,
        KWIKPAISA_SECRET_KEY=emulator.secret_key,
        KWIKPAISA_BASE_URL=base_url,
    )
    code = main(["refund", "--order_id", "ord_1", "--refund_amount", "10.5"])
    report["cli"] = [code, err.getvalue()]
    err.truncate(0)
    code = main(["payouts-send", "--payout_id", "p_1", "--amount", "5"])
    report["payout_cli"] = [code, err.getvalue()]
json.dump(report, sys.stdout)
