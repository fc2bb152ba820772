"""A clock for tests: the emulator's UNIX time, moved by hand instead of by waiting."""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable

__all__ = ["ManualClock"]


class ManualClock:
    """UNIX time that moves only when a test says so.

    Give it to an emulator (``Emulator(clock=ManualClock())``) and the emulator's
    dates, timestamp checks, ``Date`` header and expiry all read it. :meth:`advance`
    moves it and then fires what has fallen due on every emulator using it: an unpaid
    order past its ``expire_after`` becomes ``EXPIRED`` and its ``payment.expired``
    webhook is queued before ``advance`` returns. No test ever sleeps.

    It starts at the real time (``start=`` to choose), so requests that clients sign
    with the real time are accepted while the clock stays within the emulator's
    ``timestamp_tolerance`` (300 s by default) of it.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else _finite("start", start)
        self._lock = threading.Lock()
        self._listeners: list[weakref.WeakMethod[Callable[[], None]]] = []

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self():.3f})"

    @property
    def now(self) -> float:
        """The clock's current UNIX time."""
        return self()

    def advance(self, seconds: float) -> float:
        """Move the clock by ``seconds`` (negative moves it back), fire what fell due on
        the emulators using it, and return the new time."""
        step = _finite("seconds", seconds)
        with self._lock:
            self._now += step
            now = self._now
            listeners = [ref() for ref in self._listeners]
            self._listeners = [ref for ref in self._listeners if ref() is not None]
        for listener in listeners:
            if listener is not None:
                listener()
        return now

    def on_advance(self, callback: Callable[[], None]) -> None:
        """Call the bound method ``callback`` after every :meth:`advance` (held weakly:
        an emulator that is gone stops listening)."""
        with self._lock:
            self._listeners.append(weakref.WeakMethod(callback))


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"ManualClock: {name} must be a finite number of seconds, not {value!r}")
    return float(value)
