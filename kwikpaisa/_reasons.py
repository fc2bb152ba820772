"""What a failed exchange says went wrong, in the same words for sync and async.

httpx and httpcore wrap the operating system's error in exceptions of their own, and
on the async path (anyio) the wrappers often carry no message at all: a reset reads
as ``ReadError()`` with ``[Errno 104] Connection reset by peer`` three causes down.
:func:`exception_reason` finds that innermost message, so every path reports it.
"""

from __future__ import annotations

import os
import ssl

__all__ = ["exception_reason"]

_MAX_DEPTH = 8


def exception_reason(exc: BaseException) -> str:
    """The innermost message along the chain of errors ``exc`` wraps, else
    the exception's type name. An operating-system error is worded as the OS words it
    (``[Errno 111] Connection refused``), whichever library raised it."""
    reason = ""
    current: BaseException | None = exc
    for _ in range(_MAX_DEPTH):
        if current is None:
            break
        reason = _own_message(current) or reason
        # The wrapped error is the cause (``raise ... from``), or the context a wrapper
        # hid by re-raising ``from None`` (httpcore's pool does). A plain context is not
        # followed: it may be whatever the caller's code was handling at the time.
        hidden = current.__context__ if current.__suppress_context__ else None
        current = current.__cause__ or hidden
    return reason or type(exc).__name__


def _own_message(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        parts = (exception_reason(inner) for inner in exc.exceptions)
        return "; ".join(dict.fromkeys(part for part in parts if part))
    errno = exc.errno if isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError) else None
    if isinstance(errno, int) and errno > 0:
        # asyncio words a refused connect "Connect call failed ('127.0.0.1', 9)".
        return f"[Errno {errno}] {os.strerror(errno)}"
    return str(exc).strip()
