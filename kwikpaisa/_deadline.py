"""The deadline of one call (``total_timeout``), as every network step of its attempts sees it.

httpx's timeouts bound each network step on its own: a read timeout restarts with every
byte, so a peer sending one byte every 0.3 s never trips it. A deadline over the whole
call holds only if it is checked between reads. While an attempt runs, its
:class:`Deadline` is the context's current one (:func:`bounded`); the network streams of
the SDK's connections (:mod:`kwikpaisa._deadline_streams`) give every connect, TLS
handshake, read and write at most the time left, and fail once none is left.

Standard library only: ``import kwikpaisa`` loads this module, and stays light.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

__all__ = ["Deadline", "bounded", "current"]

EXPIRED_MESSAGE = "total_timeout ran out"
"""The text of the transport exception a network step raises when no time is left."""

LAST_LOOK = 1e-6
"""The timeout of a read's last look after the deadline: what has arrived, no waiting."""


class Deadline:
    """When one call must end, read from ``clock`` (a ``time.monotonic``-like function).

    ``expired`` is set once a network step failed because of it; ``used`` once a
    network step consulted it (the SDK's connections do, foreign transports do not);
    ``wrote`` once a request's bytes were handed to the network (so KwikPaisa may act).
    """

    __slots__ = ("_clock", "at", "expired", "looked", "used", "wrote")

    def __init__(self, at: float, clock: Callable[[], float]) -> None:
        self.at = at
        self._clock = clock
        self.expired = False
        self.looked = False
        self.used = False
        self.wrote = False

    def left(self) -> float:
        """Seconds left before the deadline (zero or less once it has passed)."""
        return self.at - self._clock()

    def passed(self) -> bool:
        """True once no time is left."""
        return self.left() <= 0

    def fit(
        self,
        timeout: float | None,
        error: Callable[[str], Exception],
        *,
        last_look: bool = False,
    ) -> tuple[float | None, bool]:
        """The timeout for one network step: ``timeout``, or the time left when that is
        shorter (then the second value is True). Raise ``error`` when no time is left;
        with ``last_look`` (a read), the first step after the deadline may still take
        what has already arrived, without waiting, so an answer that came in time is
        never thrown away (only once: a peer that keeps trickling is still stopped)."""
        self.used = True
        left = self.at - self._clock()
        if left <= 0:
            if last_look and not self.looked:
                self.looked = True
                return LAST_LOOK, True
            self.expired = True
            raise error(EXPIRED_MESSAGE)
        if timeout is None or left < timeout:
            return left, True
        return timeout, False


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "kwikpaisa_deadline", default=None
)


def current() -> Deadline | None:
    """The deadline of the attempt running in this thread or task, if any."""
    return _current.get()


class bounded:
    """Make ``deadline`` the current one for the duration of an attempt (a class, not a
    generator: it runs on every attempt)."""

    __slots__ = ("_deadline", "_token")

    def __init__(self, deadline: Deadline | None) -> None:
        self._deadline = deadline

    def __enter__(self) -> None:
        self._token = _current.set(self._deadline)

    def __exit__(self, *exc_info: object) -> None:
        _current.reset(self._token)
