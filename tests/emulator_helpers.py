"""Raw signed requests to the emulator, and a loopback webhook receiver, for the emulator's
own tests (they speak HTTP directly rather than through the client)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from kwikpaisa.signing import canonical_payload
from kwikpaisa.testing import CREATE_ORDER_PATH, ORDER_STATUS_PATH, Emulator
from kwikpaisa.webhooks import WebhookEvent, verify

CANCEL_PATH = "/api/v3/pg/order/cancel"


def order_body(order_id: str | int | None = "ord_new", /, **changes: Any) -> dict[str, Any]:
    """A valid create body (as the guide's table has it), with ``changes`` applied
    (a value of ``None`` removes the field)."""
    body: dict[str, Any] = {
        "order_id": changes.pop("order_id", order_id),
        "order_amount": 105,
        "order_currency": "INR",
        "order_note": "Two notebooks",
        "service_type": "DIGITAL",
        "customer": {"name": "Ajay", "email": "ajay@example.com", "phone": "9876543210"},
        "return_url": "https://merchant.example/return",
    }
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def call(http: httpx.Client, emu: Emulator, path: str, payload: Any) -> httpx.Response:
    """POST ``payload`` to ``path``, signed for ``emu`` exactly as KwikPaisa expects."""
    body = canonical_payload(payload)
    return http.post(path, content=body, headers=emu.signed_headers(body))


def create(
    http: httpx.Client, emu: Emulator, order_id: str | int = "ord_new", **changes: Any
) -> httpx.Response:
    return call(http, emu, CREATE_ORDER_PATH, order_body(order_id, **changes))


def status(http: httpx.Client, emu: Emulator, order_id: str | int) -> httpx.Response:
    return call(http, emu, ORDER_STATUS_PATH, {"order_id": order_id})


def cancel(http: httpx.Client, emu: Emulator, order_id: str | int) -> httpx.Response:
    return call(http, emu, CANCEL_PATH, {"order_id": order_id})


class Receiver:
    """What a loopback webhook receiver got: every request, and the verified events."""

    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key
        self.url = ""
        self.lock = threading.Lock()
        self.requests: list[tuple[bytes, dict[str, str]]] = []
        self.events: list[WebhookEvent] = []
        self.answers: list[int] = []
        """Statuses to answer with, first to last; 200 once they run out."""
        self.got_one = threading.Event()
        self.arrived = threading.Condition(self.lock)
        self.now: float | None = None
        """The receiver's clock for verify() (``None``: the real time)."""

    def take(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.requests.append((body, headers))
            answer = self.answers.pop(0) if self.answers else 200
            if answer == 200:
                self.events.append(verify(body, headers, self.secret_key, now=self.now))
            self.arrived.notify_all()
        self.got_one.set()
        return answer

    def wait_for_requests(self, count: int, timeout: float = 30.0) -> list[bytes]:
        """Block until ``count`` requests have arrived (``AssertionError`` after
        ``timeout`` s); return their bodies."""
        with self.lock:
            arrived = self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
            assert arrived, f"{len(self.requests)} of {count} webhook requests arrived"
            return [body for body, _ in self.requests]


@contextmanager
def webhook_receiver(secret_key: str) -> Iterator[Receiver]:
    """A receiver on a loopback port (an ``http.server`` thread) that verifies each webhook
    with :func:`kwikpaisa.webhooks.verify` and answers as ``Receiver.answers`` says."""
    receiver = Receiver(secret_key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver.take(body, dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            page = b"<!DOCTYPE html><title>Thank you</title><h1 id='thanks'>Thank you</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
