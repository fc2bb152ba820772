"""The emulator as a WSGI application (PEP 3333), for in-process WSGI test clients.

Mount it in any WSGI server or hand it to a WSGI test client (werkzeug's
``Client``, schemathesis' ``app=``): every request goes through
:meth:`Emulator.handle`, exactly as over the loopback socket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from wsgiref.util import application_uri

from ._faults import FaultKind
from ._limits import BodyRefused, read_request_body, refusal

if TYPE_CHECKING:
    from ._handler import RequestHandler

__all__ = ["EmulatorWSGIApp"]

StartResponse = Callable[..., Any]


class EmulatorWSGIApp:
    """A WSGI application answering through an :class:`Emulator`.

    Injected faults that need a socket cannot be acted out over WSGI: a reset
    raises ``ConnectionResetError`` and a hang raises ``TimeoutError``, at once
    (the WSGI server or test client decides what its caller sees). Latency is a
    real delay.
    """

    def __init__(self, emulator: RequestHandler) -> None:
        self.emulator = emulator

    def __repr__(self) -> str:
        return f"EmulatorWSGIApp({self.emulator!r})"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            body = _body(environ)
        except BodyRefused as refused:
            # Connection is hop-by-hop, the WSGI server's to set: only the answer here.
            answer = refusal(self.emulator.clock, refused)
            headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
            start_response(_status_line(answer.status), headers)
            return [answer.body]
        answer = self.emulator.handle(
            method,
            _raw_path(environ),
            _headers(environ),
            body,
            base_url=application_uri(environ).rstrip("/"),
        )
        if answer.action is FaultKind.RESET:
            raise ConnectionResetError("emulated fault: connection reset before a complete answer")
        if answer.action is FaultKind.HANG:
            raise TimeoutError("emulated fault: the emulator never answered")
        if answer.action is FaultKind.LATENCY and answer.delay:
            time.sleep(answer.delay)
        headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
        start_response(_status_line(answer.status), headers)
        return [b""] if method == "HEAD" else [answer.body]


def _status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def _raw_path(environ: dict[str, Any]) -> str:
    # PEP 3333 gives the path percent-decoded, as latin-1 text: encode it back for the wire form.
    decoded = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}" or "/"
    path = quote(decoded.encode("latin-1"), safe="/;=,@:!$&'()*+-._~")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def _body(environ: dict[str, Any]) -> bytes:
    return read_request_body(
        environ.get("CONTENT_LENGTH"),
        environ["wsgi.input"].read,
        environ.get("HTTP_TRANSFER_ENCODING"),
    )
