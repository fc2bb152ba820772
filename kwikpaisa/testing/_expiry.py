"""The expiry timer: on the real clock, unpaid orders expire on time by themselves.

KwikPaisa expires an order on its own clock, whether or not anyone asks about it,
and sends ``payment.expired`` then. On the real clock (``time.time``) the emulator
does the same with one background thread that sleeps until the earliest pending
deadline, expires what is due, and sleeps again; it exists only while a deadline is
pending. (On a :class:`~kwikpaisa.testing.ManualClock` no thread is needed: advancing
the clock fires what falls due.)
"""

from __future__ import annotations

import threading

from ._store import OrderStore

__all__ = ["ExpiryTimer"]

_LONGEST_WAIT = 3600.0
"""Seconds the thread sleeps at most before looking at the clock again."""


class ExpiryTimer:
    """Expires ``store``'s orders on time, reading the store's clock (UNIX time, which
    must move in real seconds: the thread sleeps until the next deadline by it)."""

    def __init__(self, store: OrderStore) -> None:
        self._store = store
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def __repr__(self) -> str:
        return f"ExpiryTimer(running={self.running})"

    @property
    def running(self) -> bool:
        """Whether the timer thread is alive (it is only while a deadline is pending)."""
        with self._cond:
            return self._thread is not None

    def wake(self) -> None:
        """A deadline was added: start the thread, or make it look again."""
        with self._cond:
            self._stopping = False
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kwikpaisa-emulator-expiry", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def close(self) -> None:
        """Stop the thread (a later deadline starts a new one)."""
        with self._cond:
            thread = self._thread
            self._stopping = True
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                # The store calls wake() with its own lock released, so taking the
                # store's lock here, inside ours, cannot deadlock.
                deadline = self._store.next_deadline()
                if self._stopping or deadline is None:
                    self._thread = None
                    return
                remaining = deadline - self._store.clock()
                if remaining > 0:
                    self._cond.wait(min(remaining, _LONGEST_WAIT))
                    continue
            self._store.expire_due()
