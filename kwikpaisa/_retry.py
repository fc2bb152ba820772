"""Retry policy: which failures are retried and how long to wait between attempts."""

from __future__ import annotations

import datetime
import email.utils
import random
import time
from collections.abc import Callable

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY

__all__ = [
    "RETRYABLE_STATUSES",
    "calculate_retry_delay",
    "parse_http_date",
    "parse_retry_after",
    "should_retry_status",
]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses retried automatically. 400, 401, 403, 404, 409 and 422 never are."""


def should_retry_status(status_code: int) -> bool:
    """Return True when an answer with this status is worth another attempt."""
    return status_code in RETRYABLE_STATUSES


def parse_http_date(text: str) -> float | None:
    """An HTTP date as a UNIX time, or ``None`` when it is not one."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # "+9999999999" as a zone
        return None
    if when.tzinfo is None:  # "-0000": UTC, not local time
        when = when.replace(tzinfo=datetime.UTC)
    try:
        return when.timestamp()
    except (OverflowError, ValueError):
        return None


def parse_retry_after(
    value: str | None, *, now: Callable[[], float] = time.time, date: str | None = None
) -> float | None:
    """Return the wait a ``Retry-After`` header asks for, in seconds, or ``None``.

    Both forms are understood: delta-seconds (``"2"``, ``"1.5"``) and an HTTP date.
    An HTTP date is measured from the response's ``Date`` header when ``date`` is
    given and readable (the server's clock, so a skewed local clock does not change
    the wait), else from ``now()``. Negative or unreadable values give ``None``.
    """
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        when = parse_http_date(text)
        if when is None:
            return None
        sent = parse_http_date(date) if date else None
        seconds = when - (now() if sent is None else sent)
    if seconds != seconds or seconds < 0:  # NaN or in the past
        return None
    return seconds


def calculate_retry_delay(
    retry_number: int, retry_after: float | None, *, rand: Callable[[], float] = random.random
) -> float:
    """Return how long to sleep before retry ``retry_number`` (1 for the first retry).

    A ``Retry-After`` wait is honoured up to ``MAX_RETRY_AFTER`` seconds. Otherwise
    the wait is ``INITIAL_RETRY_DELAY * 2**(retry_number - 1)`` capped at
    ``MAX_RETRY_DELAY``, with up to 25 % jitter taken off so clients spread out.
    """
    if retry_after is not None:
        return float(min(retry_after, MAX_RETRY_AFTER))
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** (retry_number - 1), MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * rand())
