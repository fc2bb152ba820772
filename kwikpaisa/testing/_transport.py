"""In-process httpx transport: requests go straight to the emulator, no sockets."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from ._faults import FaultKind

if TYPE_CHECKING:
    from ._answers import EmulatorResponse
    from ._handler import RequestHandler

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """One transport for both ``httpx.Client`` and ``httpx.AsyncClient``.

    Faults are delivered as the exceptions httpx raises for them on a real socket:
    a reset is ``httpx.RemoteProtocolError``, a hang is ``httpx.ReadTimeout``
    (raised at once: in-process there is no clock to wait on).
    """

    def __init__(self, emulator: RequestHandler) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = _answer(self.emulator, request, request.read())
        if answer.action is FaultKind.LATENCY:
            time.sleep(answer.delay)
        return _to_response(answer, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = _answer(self.emulator, request, await request.aread())
        if answer.action is FaultKind.LATENCY:
            await asyncio.sleep(answer.delay)
        return _to_response(answer, request)


def _to_response(answer: EmulatorResponse, request: httpx.Request) -> httpx.Response:
    if answer.action is FaultKind.RESET:
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=request
        )
    if answer.action is FaultKind.HANG:
        raise httpx.ReadTimeout("The read operation timed out", request=request)
    return httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)


def _answer(emulator: RequestHandler, request: httpx.Request, body: bytes) -> EmulatorResponse:
    headers = {name.lower(): value for name, value in request.headers.items()}
    origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
    return emulator.handle(
        request.method, request.url.raw_path.decode("ascii"), headers, body, base_url=origin
    )
