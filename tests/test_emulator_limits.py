"""The emulator's request-body limit: an over-limit body is answered 413 with
``Connection: close`` and never read as the next request; chunked bodies get 411."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from kwikpaisa.testing import EmulatorWSGIApp

from .conftest import seeded_emulator
from .emulator_helpers import status

STATUS_PATH = "/api/v3/pg/order/status"
MiB = 1024 * 1024


def test_an_over_limit_body_is_413_and_the_connection_is_not_desynchronised() -> None:
    emu = seeded_emulator()
    with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
        too_big = http.post(STATUS_PATH, content=b'{"order_id":"' + b"1" * (2 * MiB) + b'"}')
        assert too_big.status_code == 413
        assert too_big.headers["connection"] == "close"
        assert too_big.json() == {
            "status": False,
            "code": 413,
            "message": "Request body too large: 2097167 bytes; the emulator takes at most "
            "1048576 bytes (1 MiB).",
        }
        # The same client goes on: a fresh connection, and no leftover parsed as a request.
        assert status(http, emu, "ord_1").json()["return_data"]["order_status"] == "UN_PAID"
        assert emu.requests_received == 1
        # Exactly the limit is read in full (then refused for its missing signature).
        assert http.post(STATUS_PATH, content=b" " * MiB).status_code == 401


def test_the_413_comes_before_the_body_is_read() -> None:
    emu = seeded_emulator()
    with emu.serve() as base_url, socket.create_connection(_address(base_url)) as sock:
        sock.sendall(
            f"POST {STATUS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {64 * MiB}\r\n\r\n".encode()
        )
        sock.shutdown(socket.SHUT_WR)  # the 64 MiB never come
        answer = _read_all(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"\r\nConnection: close" in head
    assert b"at most 1048576 bytes" in body


def test_a_chunked_body_is_411_and_the_client_goes_on() -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"order_id":'
        yield b'"ord_1"}'

    emu = seeded_emulator()
    with emu.serve() as base_url, httpx.Client(base_url=base_url) as http:
        answer = http.post(STATUS_PATH, content=chunks())
        assert answer.request.headers["transfer-encoding"] == "chunked"
        assert answer.status_code == 411
        assert answer.headers["connection"] == "close"
        assert "Content-Length" in answer.json()["message"]
        assert status(http, emu, "ord_1").status_code == 200
    assert emu.requests_received == 1


@pytest.mark.parametrize("way_in", ["in-process", "wsgi"])
def test_every_way_in_has_the_same_limit(way_in: str) -> None:
    emu = seeded_emulator()
    transport: httpx.BaseTransport = (
        emu.transport() if way_in == "in-process" else httpx.WSGITransport(app=EmulatorWSGIApp(emu))
    )
    with httpx.Client(transport=transport, base_url="http://emulator.localhost") as http:
        answer = http.post(STATUS_PATH, content=b"1" * (MiB + 1))
    assert answer.status_code == 413
    assert "1048577 bytes" in answer.json()["message"]


def _address(base_url: str) -> tuple[str, int]:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(30)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


@pytest.mark.parametrize(
    ("request_head", "status", "message"),
    [
        (
            f"POST {STATUS_PATH} HTTP/1.1\r\nContent-Length: 12abc\r\n",
            400,
            "Invalid Content-Length header: expected a number of bytes.",
        ),
        (f"GET /{'x' * 65537} HTTP/1.1\r\n", 414, "Request-URI Too Long."),
        (f"POST {STATUS_PATH} HTTP/1.1\r\nX-Long: {'x' * 65537}\r\n", 431, "Line too long."),
        (
            f"POST {STATUS_PATH} HTTP/1.1\r\n" + "".join(f"X-{n}: x\r\n" for n in range(101)),
            431,
            "Too many headers.",
        ),
    ],
    ids=["bad-content-length", "request-line", "header-line", "header-count"],
)
def test_the_documented_request_limits(request_head: str, status: int, message: str) -> None:
    with (
        seeded_emulator().serve() as base_url,
        socket.create_connection(_address(base_url)) as sock,
    ):
        sock.sendall(f"{request_head}Host: x\r\n\r\n".encode())
        answer = _read_all(sock)  # the server closes the connection after answering
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"\r\nConnection: close" in head
    assert json.loads(body) == {"status": False, "code": status, "message": message}
