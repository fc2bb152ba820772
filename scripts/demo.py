"""`make demo`: the main job against the bundled emulator, over a real loopback socket.

Starts `kwikpaisa emulator` in its own process (as you would in a terminal), then walks
a hosted checkout through the SDK: creates an order, pays it on the emulator's checkout
page (the form a customer's browser submits), verifies it with the status API, and
cancels an abandoned one. It shows how a missing order (404) and an order that cannot be
cancelled (409) read, then cancels a batch from a file with a journal and reruns it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import httpx

from kwikpaisa import Customer, KwikPaisa, KwikPaisaError

CUSTOMER = Customer(name="Ajay", email="ajay@example.com", phone="9876543210")

BULK_ORDERS = [f"ord_bulk_{n:02d}" for n in range(1, 41)]
ORDERS = [
    "ord_demo_1",
    "ord_demo_2",
    "ord_demo_3",
    "ord_paid:PAID",
    "ord_old:EXPIRED",
    *BULK_ORDERS,
]


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, "-m", "kwikpaisa", "emulator", "--port", "0"]
    for order in ORDERS:
        args += ["--order", order]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("KwikPaisa emulator listening on "):
        proc.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    base_url = line.rsplit(" ", 1)[1].strip()
    print(f"$ kwikpaisa emulator --port 0 {' '.join('--order ' + o for o in ORDERS)}")
    print(f"  {line.strip()}")
    return proc, base_url


def show(title: str) -> None:
    print(f"\n== {title}")


def main() -> int:
    proc, base_url = start_emulator()
    try:
        with KwikPaisa("pk_test_emulator", "sk_test_emulator", base_url=base_url) as kp:
            hosted_checkout(kp)
            show("Cancel an unpaid order")
            print(">>> kp.orders.cancel('ord_demo_1')")
            order = kp.orders.cancel("ord_demo_1")
            print(f"{order!r}")
            print(f"cancelled_at (Asia/Kolkata): {order.cancelled_at}")

            for title, order_id in (
                ("An order KwikPaisa does not have (404)", "ord_missing"),
                ("An order that is already paid (409)", "ord_paid"),
                ("Cancelling the same order twice (409)", "ord_demo_1"),
            ):
                show(title)
                print(f">>> kp.orders.cancel({order_id!r})")
                try:
                    kp.orders.cancel(order_id)
                except KwikPaisaError as error:
                    print(f"{type(error).__module__}.{type(error).__name__}: {error}")
        run_bulk(base_url)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    show("Done: the emulator stopped cleanly" if proc.returncode == 0 else "Emulator exit code")
    return 0 if proc.returncode == 0 else 1


def hosted_checkout(kp: KwikPaisa) -> None:
    """Create, pay on the checkout page, verify; create another and cancel it unpaid."""
    show("Hosted checkout: create an order and send the customer to its payment link")
    print(">>> kp.orders.create(order_id='ord_shop_1', amount=Decimal('105.00'), ...)")
    created = kp.orders.create(
        order_id="ord_shop_1",
        amount=Decimal("105.00"),
        service_type="DIGITAL",
        customer=CUSTOMER,
        return_url="https://merchant.example/return",
    )
    print(f"{created!r}")
    assert created.payment_link is not None
    show("The customer pays on the checkout page (what the browser's Pay button posts)")
    paid = httpx.post(created.payment_link, data={"method": "UPI", "action": "pay"})
    print(f"POST {created.payment_link} -> {paid.status_code} {paid.headers.get('location')}")
    show("Back on return_url: verify with the status API, never the redirect")
    print(">>> kp.orders.status('ord_shop_1')")
    print(f"{kp.orders.status('ord_shop_1')!r}")
    show("An abandoned checkout: cancel it so it can no longer be paid")
    kp.orders.create(
        order_id="ord_shop_2",
        amount="49.50",
        service_type="DIGITAL",
        customer=CUSTOMER,
        return_url="https://merchant.example/return",
    )
    print(">>> kp.orders.cancel('ord_shop_2')")
    print(f"{kp.orders.cancel('ord_shop_2')!r}")


def run_bulk(base_url: str) -> None:
    """Cancel a batch from a file, then rerun it: the journal skips finished orders."""
    show("Cancel a batch from a file (progress bar on a terminal, summary on stderr)")
    ids = [*BULK_ORDERS, "ord_demo_2", "ord_paid", "ord_old", "ord_missing", "ord_bulk_01"]
    env = {
        **os.environ,
        "KWIKPAISA_API_KEY": "pk_test_emulator",
        "KWIKPAISA_SECRET_KEY": "sk_test_emulator",
        "KWIKPAISA_BASE_URL": base_url,
    }
    args = ["--from", "orders.txt", "--journal", "orders.journal", "--output", "results.jsonl"]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "orders.txt").write_text("\n".join(ids) + "\n")
        print(f"$ kwikpaisa cancel {' '.join(args)}   # {len(ids)} ids, one repeated", flush=True)
        cancel = [sys.executable, "-m", "kwikpaisa", "cancel"]
        done = subprocess.run([*cancel, *args], env=env, cwd=tmp, check=False)
        print(f"exit code {done.returncode} (1: not every order could be cancelled)")
        print("$ head -n 3 results.jsonl")
        for line in (Path(tmp) / "results.jsonl").read_text().splitlines()[:3]:
            print(line)
        again = " ".join(args[:4])
        print(f"$ kwikpaisa cancel {again}   # again: nothing is sent twice", flush=True)
        subprocess.run([*cancel, *args[:4]], env=env, cwd=tmp, check=False)


if __name__ == "__main__":
    sys.exit(main())
