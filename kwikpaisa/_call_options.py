"""The per-call options every method takes (``timeout``, ``max_retries``) and their checks.

The lowest layer of the request path: the clients, the resources and the batch engine
all check these arguments the same way, before the network.
"""

from __future__ import annotations

import httpx

from ._constants import DEFAULT_CONNECT_TIMEOUT

__all__ = ["TimeoutTypes", "check_retries", "make_timeout"]

TimeoutTypes = float | httpx.Timeout
"""A per-attempt timeout: seconds, or an ``httpx.Timeout``."""


def make_timeout(timeout: object) -> httpx.Timeout:
    """``timeout`` as an ``httpx.Timeout`` (connecting within at most the default connect
    timeout), or a ``ValueError`` naming the argument."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout), connect=min(DEFAULT_CONNECT_TIMEOUT, float(timeout)))


def check_retries(max_retries: object) -> int:
    """``max_retries`` checked: a whole number >= 0, or a ``ValueError`` naming it."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
    return max_retries
