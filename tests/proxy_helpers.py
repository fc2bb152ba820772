"""A recording HTTP proxy on loopback, and the emulator over TLS with a test CA.

:func:`recording_proxy` serves a real forward proxy (a thread per connection): plain
``http://`` requests are forwarded (absolute-form request line), ``CONNECT`` opens a
tunnel to the target and relays bytes both ways (it never sees inside the TLS). It
records every request it receives, can demand credentials (answering 407), and can
refuse tunnels with a status of the test's choosing. :func:`https_emulator` serves the
emulator over HTTPS with a certificate signed by nobody a client trusts by default;
:func:`trusting` is the ``ssl.SSLContext`` that trusts it.
"""

from __future__ import annotations

import base64
import http.client
import select
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kwikpaisa.testing import Emulator, EmulatorServer

# Headers a proxy consumes rather than forwards.
_HOP_BY_HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}


class RecordingProxy:
    """What the proxy saw, and how it behaves."""

    def __init__(self) -> None:
        self.url = ""
        """The proxy's URL, credentials included when it demands them."""
        self.address = ""
        """``127.0.0.1:port``."""
        self.seen: list[tuple[str, str]] = []
        """Every request received: (method, target), e.g. ``("CONNECT", "127.0.0.1:4443")``
        or ``("POST", "http://127.0.0.1:8080/api/v3/pg/order/cancel")``."""
        self.forwarded_headers: list[dict[str, str]] = []
        """Headers of each forwarded plain-http request (as the proxy received them)."""
        self.credentials: tuple[str, str] | None = None
        """(user, password) the proxy demands (407 without them)."""
        self.refuse_tunnels: int | None = None
        """Answer every CONNECT with this status instead of opening the tunnel."""
        self._lock = threading.Lock()

    def record(self, method: str, target: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.seen.append((method, target))
            if method != "CONNECT":
                self.forwarded_headers.append(headers)

    def authorised(self, header: str | None) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return header == f"Basic {expected}"

    @property
    def tunnels(self) -> list[str]:
        """Targets of the CONNECT requests seen."""
        return [target for method, target in self.seen if method == "CONNECT"]

    @property
    def forwarded(self) -> list[str]:
        """Absolute URLs of the plain-http requests seen."""
        return [target for method, target in self.seen if method != "CONNECT"]


def _handler(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _admit(self) -> bool:
            proxy.record(self.command, self.path, dict(self.headers.items()))
            if proxy.authorised(self.headers.get("Proxy-Authorization")):
                return True
            self.send_response(407, "Proxy Authentication Required")
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def do_CONNECT(self) -> None:
            if not self._admit():
                return
            if proxy.refuse_tunnels is not None:
                self.send_response(proxy.refuse_tunnels)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            host, _, port = self.path.rpartition(":")
            try:
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
            except OSError:
                self.send_response(502, "Bad Gateway")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            self._relay(self.connection, upstream)
            self.close_connection = True

        @staticmethod
        def _relay(client: socket.socket, upstream: socket.socket) -> None:
            sockets = [client, upstream]
            try:
                while True:
                    readable, _, broken = select.select(sockets, [], sockets, 30)
                    if broken or not readable:
                        return
                    for sock in readable:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is client else client).sendall(data)
            except OSError:
                return
            finally:
                upstream.close()

        def _forward(self) -> None:
            if not self._admit():
                return
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length else None
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in _HOP_BY_HOP
            }
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            try:
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            except OSError:
                self.send_response(502, "Bad Gateway")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            finally:
                upstream.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP_BY_HOP | {"content-length", "transfer-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def recording_proxy(credentials: tuple[str, str] | None = None) -> Iterator[RecordingProxy]:
    """A forward proxy on a loopback port for the duration of the block."""
    proxy = RecordingProxy()
    proxy.credentials = credentials
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    proxy.address = f"127.0.0.1:{server.server_address[1]}"
    userinfo = f"{credentials[0]}:{credentials[1]}@" if credentials else ""
    proxy.url = f"http://{userinfo}{proxy.address}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


def dead_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for 127.0.0.1 and localhost: (cert, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def trusting(cert: Path) -> ssl.SSLContext:
    """A client context that trusts ``cert`` (the test CA) and nothing else."""
    return ssl.create_default_context(cafile=str(cert))


@contextmanager
def https_emulator(emulator: Emulator, certificate: tuple[Path, Path]) -> Iterator[str]:
    """``emulator`` served over HTTPS on loopback with ``certificate``; yields its base URL."""
    server = EmulatorServer(emulator)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stop()
