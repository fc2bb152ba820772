"""The upgrade procedure (docs/adding-an-operation.md), performed on a copy of the
repository: KwikPaisa publishes a document with a new ``refund`` operation (with its X-
header parameters and a response schema) and cancel's 200 body with a new field; after
``scripts/generate.sh`` alone, apps have ``kp.orders.refund(...)`` typed, working, on the
command line, and the new cancel field, and mypy passes on the facade."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPIED = ("kwikpaisa", "generated", "scripts", "tests")
FILES = ("openapi.json", "openapi.overlay.yaml", "generator-config.yml", "pyproject.toml")
AUTH = [
    {"in": "header", "name": name, "required": True, "schema": {"type": "string"}}
    for name in ("X-API-KEY", "X-SIGNATURE", "X-TIMESTAMP")
]
REFUND = {
    "post": {
        "tags": ["Order Refund"],
        "summary": "Refund Hosted Checkout Order",
        "description": "Refunds a paid hosted checkout order, in full or in part.",
        "operationId": "refundHostedCheckoutOrder",
        "parameters": AUTH,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/RefundOrderRequest"}}
            },
        },
        "responses": {
            "200": {
                "description": "Refund initiated",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string"},
                                "status": {"type": "string"},
                                "message": {"type": "string"},
                                "return_data": {
                                    "type": "object",
                                    "properties": {
                                        "order_id": {"type": "string"},
                                        "refund_id": {"type": "string"},
                                        "refund_status": {"type": "string"},
                                        "refunded_at": {"type": "string"},
                                    },
                                },
                            },
                        }
                    }
                },
            },
            "401": {"description": "Authentication failed", "content": {"application/json": {}}},
            "404": {"description": "Order not found", "content": {"application/json": {}}},
        },
    }
}
REFUND_REQUEST = {
    "type": "object",
    "required": ["order_id", "refund_amount"],
    "properties": {
        "order_id": {"type": "string"},
        "refund_amount": {"type": "number"},
        "reason": {"type": "string"},
    },
}
PAYOUT = {
    "post": {
        "tags": ["Payout"],
        "summary": "Create Payout",
        "operationId": "createPayout",
        "parameters": AUTH,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["payout_id", "amount"],
                        "properties": {
                            "payout_id": {"type": "string"},
                            "amount": {"type": "number"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "Payout created",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "string"},
                                "return_data": {
                                    "type": "object",
                                    "properties": {
                                        "payout_id": {"type": "string"},
                                        "payout_status": {"type": "string"},
                                    },
                                },
                            },
                        }
                    }
                },
            }
        },
    }
}
# The maintainer's one overlay action: the payout method is called send, not create.
RENAME = """
  - target: "$.paths['/api/v3/pg/payout/create'].post"
    description: Payouts are sent; kp.payouts.send reads better than create.
    update:
      x-kwikpaisa:
        method: send
"""
CANCEL_200 = {
    "schema": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "status": {"type": "string"},
            "message": {"type": "string"},
            "return_data": {
                "type": "object",
                "properties": {
                    # The guide's "Integer/String": the id comes back as sent.
                    "order_id": {"type": ["string", "integer"]},
                    "order_status": {"type": "string"},
                    "cancelled_at": {"type": "string"},
                    "cancellation_reason": {"type": "string"},
                },
            },
        },
    }
}
GOOD_USE = """
from kwikpaisa import AsyncKwikPaisa, KwikPaisa

def use(kp: KwikPaisa) -> str | None:
    refund = kp.orders.refund(order_id="1", refund_amount=10.5, reason="damaged")
    status: str | None = refund.refund_status
    cancelled = kp.orders.cancel("1")
    reason: str | None = cancelled.data.cancellation_reason if cancelled.data else None
    return status or reason

async def use_async(kp: AsyncKwikPaisa) -> str | None:
    return (await kp.orders.refund(order_id="1", refund_amount=10.5)).refund_id

def pay(kp: KwikPaisa) -> str | None:
    return kp.payouts.send(payout_id="p_1", amount=5.0).payout_status
"""
BAD_USE = """
from kwikpaisa import KwikPaisa

def use(kp: KwikPaisa) -> int:
    return kp.orders.refund(order_id="1").refund_status
"""


def _copy(tmp_path_factory: pytest.TempPathFactory, name: str) -> tuple[Path, dict[str, Any]]:
    """A copy of the repository, and its openapi.json to change."""
    copy = tmp_path_factory.mktemp(name)
    for folder in COPIED:
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for file in FILES:
        shutil.copy(ROOT / file, copy / file)
    return copy, json.loads((copy / "openapi.json").read_text())


def _generate(copy: Path, document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """KwikPaisa's new ``document`` dropped in, and scripts/generate.sh run."""
    (copy / "openapi.json").write_text(json.dumps(document))
    return subprocess.run(
        ["bash", "scripts/generate.sh"],
        cwd=copy,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the repository, with KwikPaisa's new document, regenerated."""
    copy, document = _copy(tmp_path_factory, "upgrade")
    document["paths"]["/api/v3/pg/order/refund"] = REFUND
    document["components"]["schemas"]["RefundOrderRequest"] = REFUND_REQUEST
    document["paths"]["/api/v3/pg/payout/create"] = PAYOUT
    with (copy / "openapi.overlay.yaml").open("a") as overlay:
        overlay.write(RENAME)
    cancel = document["paths"]["/api/v3/pg/order/cancel"]["post"]
    cancel["responses"]["200"]["content"]["application/json"] = CANCEL_200
    done = _generate(copy, document)
    assert done.returncode == 0, done.stdout + done.stderr
    return copy, done.stdout


def test_an_operation_a_method_cannot_express_fails_generation_naming_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    copy, document = _copy(tmp_path_factory, "path-parameter")
    lookup = json.loads(json.dumps(REFUND))
    lookup["post"]["operationId"] = "lookUpRefund"
    lookup["post"]["parameters"] = [
        *AUTH,
        {"in": "path", "name": "refund_id", "required": True, "schema": {"type": "string"}},
    ]
    document["paths"]["/api/v3/pg/refund/{refund_id}"] = lookup
    document["components"]["schemas"]["RefundOrderRequest"] = REFUND_REQUEST
    done = _generate(copy, document)
    assert done.returncode != 0
    assert "POST /api/v3/pg/refund/{refund_id}: takes more than a JSON body (refund_id)" in (
        done.stderr
    )
    assert "x-kwikpaisa.hand-written" in done.stderr
    # generated/ is left as it was.
    assert (copy / "generated" / "openapi.json").read_bytes() == (
        ROOT / "generated" / "openapi.json"
    ).read_bytes()


def _env(copy: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": f"{copy}{os.pathsep}{copy / 'generated'}",
        "MYPYPATH": str(copy / "generated"),
    }


def test_generation_reports_what_changed_and_keeps_kwikpaisas_cancel_body(
    upgraded: tuple[Path, str],
) -> None:
    _, printed = upgraded
    assert "operation added: POST /api/v3/pg/order/refund" in printed
    assert "operation added: POST /api/v3/pg/payout/create" in printed
    assert "success field added: return_data.cancellation_reason" in printed
    assert "redundant: action" in printed
    assert "$.paths.'/api/v3/pg/order/cancel'.post.responses.'200'" in printed


def test_the_new_operation_and_field_reach_apps(upgraded: tuple[Path, str]) -> None:
    copy, _ = upgraded
    done = subprocess.run(
        [sys.executable, str(copy / "tests" / "upgrade_check.py")],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    status, message = report["emulator"]
    assert status == 501
    assert "does not implement orders.refund (POST /api/v3/pg/order/refund)" in message
    # refunded_at has no declared format: it stays KwikPaisa's text.
    assert report["refund"] == [
        "OrderRefundResult",
        "PENDING",
        "rf_1",
        "13-05-2026 09:14 PM",
        "Refund initiated.",
    ]
    assert report["sent"][0] == [
        "/api/v3/pg/order/refund",
        {"order_id": "ord_1", "refund_amount": 10.5, "reason": "damaged"},
    ]
    # KwikPaisa's own cancel body is used: its new field surfaces, its date is still read.
    assert report["cancel"] == ["CANCELLED", "MERCHANT", "2026-05-13T09:14:00+05:30"]
    assert report["async"] == "PENDING"
    code, stderr = report["cli"]
    assert code == 8
    assert "orders.refund" in stderr
    # Another resource path: its own resource object, renamed by the overlay.
    assert report["payout"] == ["PayoutSendResult", "QUEUED"]
    code, stderr = report["payout_cli"]
    assert code == 8
    assert "does not implement payouts.send" in stderr


def test_mypy_passes_on_the_facade_and_types_the_new_method(
    upgraded: tuple[Path, str],
) -> None:
    copy, _ = upgraded
    (copy / "good_use.py").write_text(GOOD_USE)
    (copy / "bad_use.py").write_text(BAD_USE)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null"]
    good = subprocess.run(
        [*mypy, "kwikpaisa", "good_use.py"],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert good.returncode == 0, good.stdout
    bad = subprocess.run(
        [*mypy, "bad_use.py"],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert 'Missing named argument "refund_amount"' in bad.stdout
    assert "incompatible return value type" in bad.stdout.lower()


SPEC_DEPENDENT = (
    "tests/test_operations.py",
    "tests/test_conformance.py",
    "tests/test_low_level.py",
    "tests/test_pipeline.py",
    "tests/test_emulator.py",
    "tests/test_cli_operations.py",
)


def test_the_suite_that_reads_the_spec_passes_with_no_edit(upgraded: tuple[Path, str]) -> None:
    copy, _ = upgraded
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SPEC_DEPENDENT],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
