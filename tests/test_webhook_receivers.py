"""Every receiver in docs/webhooks.md, served for real, acts exactly once per event.

Each receiver runs as the docs write it (the named example, loaded from the page), under
a real server on loopback: the plain WSGI app and Flask under a threaded WSGI server, the
plain ASGI app and FastAPI under uvicorn, the one-file Django project through Django's
WSGI handler in its own process. Deliveries are signed for real (the SDK's sign_webhook;
verified by the receiver), sent many at the same moment, and what the receiver did is read
from its SQLite database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from kwikpaisa.testing import DEFAULT_SECRET_KEY, sign_webhook
from kwikpaisa.webhooks import DEFAULT_MAX_BODY_BYTES

from .readme_examples import example, examples
from .receiver_servers import (
    actions,
    deliver_at_once,
    load_receiver,
    serve_asgi,
    serve_django_example,
    serve_wsgi,
)
from .webhook_probes import (
    HOSTILE_BODIES,
    bad_signatures,
    forged_big_body,
    nested_body,
    signed_headers,
)

# The docs' receivers: example name -> (how it is served, the path it answers on).
RECEIVERS: dict[str, tuple[str, str]] = {
    "webhook-wsgi": ("wsgi", "/"),
    "webhook-asgi": ("asgi", "/"),
    "webhook-flask": ("wsgi", "/kwikpaisa/webhook"),
    "webhook-fastapi": ("asgi", "/kwikpaisa/webhook"),
    "webhook-django": ("django", "/kwikpaisa/webhook"),
}

EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("payment.success", {"order_id": "ord_pay", "amount": "105.00", "status": "PAID"}),
    ("payment.failed", {"order_id": 6116229263036, "amount": "105.00", "status": "FAILED"}),
    ("payment.expired", {"order_id": "ord_late", "amount": "99.50", "status": "EXPIRED"}),
]
ACTED = [("6116229263036", "FAILED"), ("ord_late", "EXPIRED"), ("ord_pay", "PAID")]
COPIES = 5  # identical copies of each delivery, sent at the same moment
RESENT = 2  # redeliveries of each event, signed again with a new timestamp


@contextmanager
def served(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The docs' receiver ``name`` served for real in ``tmp_path``; yields its URL."""
    how, path = RECEIVERS[name]
    if how == "django":
        env = {"KWIKPAISA_SECRET_KEY": DEFAULT_SECRET_KEY}
        with serve_django_example(example(name).code, tmp_path, env) as base_url:
            yield base_url + path
        return
    app = load_receiver(name, monkeypatch, tmp_path)["app"]
    serve = serve_asgi if how == "asgi" else serve_wsgi
    with serve(app) as base_url:
        yield base_url + path


def test_every_receiver_in_the_docs_is_tested() -> None:
    """Every example on the webhooks page that calls verify() is a receiver tested here,
    but the bare verify() example and the testing page's stand-in (which acts on nothing)."""
    calling_verify = {
        found.name
        for found in examples().values()
        if found.source == "docs/webhooks.md" and "verify(" in found.code
    }
    assert calling_verify - {"webhook-verify", "webhook-testing"} == set(RECEIVERS)
    for name in RECEIVERS:
        assert "idempotency_key" in example(name).code, name


@pytest.mark.parametrize("name", list(RECEIVERS))
def test_concurrent_duplicates_are_acted_on_once(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliveries: list[tuple[bytes, dict[str, str]]] = []
    for event, data in EVENTS:
        first = sign_webhook(event, data, secret_key=DEFAULT_SECRET_KEY)
        deliveries += [(first.body, first.headers)] * COPIES
        for age in range(1, RESENT + 1):
            again = sign_webhook(event, data, secret_key=DEFAULT_SECRET_KEY, age=age)
            assert again.headers["X-SIGNATURE"] != first.headers["X-SIGNATURE"]
            deliveries.append((again.body, again.headers))
    with served(name, tmp_path, monkeypatch) as url:
        responses = deliver_at_once(url, deliveries)
        assert [response.status_code for response in responses] == [200] * len(deliveries)
        assert actions(tmp_path) == ACTED
        # Later copies (the key is committed by now) change nothing either.
        again = deliver_at_once(url, deliveries[:: COPIES + RESENT])
        assert [response.status_code for response in again] == [200] * len(EVENTS)
    assert actions(tmp_path) == ACTED


@pytest.mark.parametrize("name", list(RECEIVERS))
def test_forged_and_hostile_deliveries_are_refused_and_not_acted_on(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    genuine = sign_webhook(*EVENTS[0], secret_key=DEFAULT_SECRET_KEY)
    timestamp = genuine.headers["X-TIMESTAMP"]
    probes: list[tuple[str, bytes, dict[str, str]]] = [
        (f"signature {what}", genuine.body, {**genuine.headers, "X-SIGNATURE": signature})
        for what, signature in bad_signatures(genuine.body, timestamp, DEFAULT_SECRET_KEY).items()
    ]
    nested = nested_body(100_000)
    probes.append(("forged nested body", nested, {**genuine.headers}))
    probes += [
        (f"hostile body: {what}", body, signed_headers(body, timestamp, DEFAULT_SECRET_KEY))
        for what, body in HOSTILE_BODIES.items()
    ]
    with served(name, tmp_path, monkeypatch) as url, httpx.Client(timeout=60) as client:
        for what, body, headers in probes:
            on_the_wire = {key: value.encode("utf-8") for key, value in headers.items()}
            response = client.post(url, content=body, headers=on_the_wire)
            assert response.status_code == 400, f"{name}: {what} answered {response.status_code}"
        # Over the size limit: refused (400, or 413 from a framework's own limit), or the
        # connection is closed on the unread rest; never acted on.
        big = forged_big_body(DEFAULT_MAX_BODY_BYTES + 1)
        try:
            status = client.post(url, content=big, headers=genuine.headers).status_code
        except httpx.TransportError:
            status = None
        assert status in (400, 413, None), f"{name}: a body over the limit answered {status}"
        assert actions(tmp_path) == []
        # Still serving, and the genuine delivery is acted on.
        with httpx.Client(timeout=60) as fresh:
            response = fresh.post(url, content=genuine.body, headers=genuine.headers)
        assert response.status_code == 200
    assert actions(tmp_path) == [("ord_pay", "PAID")]
