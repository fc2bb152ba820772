"""`make demo` runs scripts/demo.py: it must keep working and keep showing what it claims."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "scripts" / "demo.py"


def test_demo_runs_against_the_emulator_process() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "KwikPaisa emulator listening on http://127.0.0.1:" in out
    assert "CreatedOrder(order_id='ord_shop_1', status='UN_PAID', payment_link='http://" in out
    assert "-> 303 https://merchant.example/return?order_id=ord_shop_1&status=PAID" in out
    assert "Order(order_id='ord_shop_1'" in out
    assert "status='PAID', payment_method='UPI'" in out
    assert "CancelledOrder(order_id='ord_shop_2', status='CANCELLED'" in out
    assert "CancelledOrder(order_id='ord_demo_1', status='CANCELLED'" in out
    assert "OrderNotFoundError: KwikPaisa has no order 'ord_missing'" in out
    assert "Order 'ord_paid' cannot be cancelled: it is already paid" in out
    assert '"outcome": "cancelled"' in out
    assert "cancelled               41" in done.stderr
    assert "skipped                 44" in done.stderr
    assert "the emulator stopped cleanly" in out
