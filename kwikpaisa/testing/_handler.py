"""What the emulator's adapters (the in-process transport, the loopback server, the WSGI
app) need of it: the protocol they are written against.

The adapters sit beside the emulator's core, not above or below it: they call
:meth:`~kwikpaisa.testing.Emulator.handle` through :class:`RequestHandler` and never import
``_emulator``, so the emulator can hand out its adapters (``transport()``, ``serve()``)
with the module graph staying one-way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from ._answers import EmulatorResponse

__all__ = ["RequestHandler"]


class RequestHandler(Protocol):
    """A request handler such as :class:`~kwikpaisa.testing.Emulator`."""

    @property
    def clock(self) -> Callable[[], float]:
        """The handler's idea of UNIX time (a server's ``Date`` header reads it)."""

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        base_url: str | None = None,
    ) -> EmulatorResponse:
        """The answer to one request (its headers' names lower-cased)."""

    def _serving(self, base_url: str, serving: bool) -> None:
        """Called by a socket server as it starts (``True``) and stops serving."""

    def close(self) -> None:
        """Stop the handler's background work (a server calls it as it stops)."""
