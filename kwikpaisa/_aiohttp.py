"""``DefaultAioHttpClient``: an ``httpx.AsyncClient`` that sends through aiohttp.

With ``pip install 'kwikpaisa[aiohttp]'`` (``httpx-aiohttp``, which brings aiohttp),
pass one to the async client::

    async with AsyncKwikPaisa(http_client=DefaultAioHttpClient()) as kp:
        outcomes = await kp.orders.cancel_many(order_ids)

Every request still goes through the SDK (signing, retries, response caps, typed
outcomes); only the bytes on the wire are sent and read by aiohttp, whose connection
pool and C HTTP parser cost less CPU per request than httpx's own transport.

Unlike any other ``http_client=``, it belongs to the client it is given to: closing that
client (leaving ``async with``, or ``await kp.close()``) closes the aiohttp session too,
so give each client a new one. (It is the SDK's own helper, made for this one use; an
``httpx.AsyncClient`` of your own stays open, as you may share it.)

``kwikpaisa.DefaultAioHttpClient`` loads this module on first use, so
``import kwikpaisa`` never imports aiohttp.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from ._constants import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
    DEFAULT_TIMEOUT,
)
from .errors import ConfigurationError

__all__ = ["DefaultAioHttpClient"]

_MISSING = (
    "DefaultAioHttpClient needs the aiohttp extra: pip install 'kwikpaisa[aiohttp]'"
)

try:
    from httpx_aiohttp import HttpxAiohttpClient as _Base
except ImportError:  # the extra is not installed: fail when used, not when imported
    _available = False
    _Base = httpx.AsyncClient  # type: ignore[misc,assignment]
else:
    _available = True


class DefaultAioHttpClient(_Base):
    """An ``httpx.AsyncClient`` whose transport is aiohttp (``httpx-aiohttp``).

    Takes ``httpx.AsyncClient``'s arguments; the timeout and connection limits
    default to the SDK's own. Raises :class:`~kwikpaisa.ConfigurationError` when the
    ``aiohttp`` extra is not installed. The :class:`~kwikpaisa.AsyncKwikPaisa` it is given
    to closes it when it closes.
    """

    _closed_with_kwikpaisa_client: ClassVar[bool] = True
    """Read by the client: an ``http_client`` of this class is closed with it."""

    def __init__(self, **kwargs: Any) -> None:
        if not _available:
            raise ConfigurationError(_MISSING)
        kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
        kwargs.setdefault(
            "limits",
            httpx.Limits(
                max_connections=DEFAULT_MAX_CONNECTIONS,
                max_keepalive_connections=DEFAULT_MAX_KEEPALIVE_CONNECTIONS,
            ),
        )
        super().__init__(**kwargs)
