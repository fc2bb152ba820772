"""The emulator's limits on a request body, and reading a body within them.

A body larger than :data:`MAX_REQUEST_BODY` is refused with 413 before any of it is
read; a body without a ``Content-Length`` (chunked) with 411. The socket server
answers either with ``Connection: close`` and closes the connection, so no unread
bytes are ever parsed as the next request.
"""

from __future__ import annotations

from collections.abc import Callable

from ._answers import EmulatorResponse, error_answer

__all__ = ["MAX_REQUEST_BODY", "BodyRefused", "read_request_body", "refusal", "too_large"]

MAX_REQUEST_BODY = 1024 * 1024
"""The largest request body the emulator takes, in bytes (1 MiB); larger is 413."""


class BodyRefused(Exception):
    """A request body the emulator will not read: the HTTP status and message to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def too_large(size: int) -> BodyRefused:
    """The 413 for a body of ``size`` bytes."""
    return BodyRefused(
        413,
        f"Request body too large: {size} bytes; the emulator takes at most "
        f"{MAX_REQUEST_BODY} bytes (1 MiB).",
    )


def refusal(clock: Callable[[], float], refused: BodyRefused) -> EmulatorResponse:
    """KwikPaisa's error answer to a refused body (its status and message)."""
    return error_answer(clock, refused.status, refused.message)


def read_request_body(
    content_length: object,
    read: Callable[[int], bytes],
    transfer_encoding: object = None,
) -> bytes:
    """The request body: ``read`` called once for what ``Content-Length`` declares.

    ``BodyRefused`` (nothing read) for a body over :data:`MAX_REQUEST_BODY` (413), a
    ``Transfer-Encoding`` body (411: send ``Content-Length``) or a ``Content-Length``
    that is not a whole number (400).
    """
    if transfer_encoding:
        raise BodyRefused(
            411, "Length required: send the body with a Content-Length header, not chunked."
        )
    length = str(content_length or "0").strip()
    if not (length.isascii() and length.isdigit()):
        raise BodyRefused(400, "Invalid Content-Length header: expected a number of bytes.")
    size = int(length)
    if size > MAX_REQUEST_BODY:
        raise too_large(size)
    return read(size) if size else b""
