"""KwikPaisa's Python SDK: signed, retried, typed calls to the KwikPaisa v3 API.

>>> from kwikpaisa import KwikPaisa
>>> kp = KwikPaisa()                     # keys from KWIKPAISA_API_KEY / KWIKPAISA_SECRET_KEY
>>> order = kp.orders.cancel("6116229263036")

The emulator (``kwikpaisa.testing``) and the command line load only when used.
"""

from typing import TYPE_CHECKING

from ._client import AsyncKwikPaisa as AsyncKwikPaisa
from ._client import KwikPaisa as KwikPaisa
from ._environment import Environment as Environment
from ._logging import setup_logging_from_env as _setup_logging_from_env
from ._models import CancelledOrder as CancelledOrder
from ._models import CreatedOrder as CreatedOrder
from ._models import Customer as Customer
from ._models import Order as Order
from ._models import OrderStatus as OrderStatus
from ._version import __version__ as __version__
from .errors import APIConnectionError as APIConnectionError
from .errors import APIError as APIError
from .errors import APITimeoutError as APITimeoutError
from .errors import AuthenticationError as AuthenticationError
from .errors import BadRequestError as BadRequestError
from .errors import ConfigurationError as ConfigurationError
from .errors import ConflictError as ConflictError
from .errors import EndpointNotFoundError as EndpointNotFoundError
from .errors import EventLoopError as EventLoopError
from .errors import KwikPaisaError as KwikPaisaError
from .errors import NotFoundError as NotFoundError
from .errors import OrderExistsError as OrderExistsError
from .errors import OrderNotCancellableError as OrderNotCancellableError
from .errors import OrderNotFoundError as OrderNotFoundError
from .errors import PermissionDeniedError as PermissionDeniedError
from .errors import RateLimitError as RateLimitError
from .errors import ServerError as ServerError
from .errors import UnprocessableEntityError as UnprocessableEntityError
from .errors import WebhookVerificationError as WebhookVerificationError
from .resources.orders import AsyncOrders as AsyncOrders
from .resources.orders import Orders as Orders

if TYPE_CHECKING:
    # Loaded on first use (see __getattr__): the batch engine brings in asyncio, and
    # DefaultAioHttpClient brings in aiohttp (the optional ``aiohttp`` extra).
    from ._aiohttp import DefaultAioHttpClient as DefaultAioHttpClient
    from ._bulk import CancelOutcome as CancelOutcome
    from ._bulk import StatusOutcome as StatusOutcome

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncKwikPaisa",
    "AsyncOrders",
    "AuthenticationError",
    "BadRequestError",
    "CancelOutcome",
    "CancelledOrder",
    "ConfigurationError",
    "ConflictError",
    "CreatedOrder",
    "Customer",
    "DefaultAioHttpClient",
    "EndpointNotFoundError",
    "Environment",
    "EventLoopError",
    "KwikPaisa",
    "KwikPaisaError",
    "NotFoundError",
    "Order",
    "OrderExistsError",
    "OrderNotCancellableError",
    "OrderNotFoundError",
    "OrderStatus",
    "Orders",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "StatusOutcome",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "__version__",
]

_setup_logging_from_env()

for _name in (
    "KwikPaisa",
    "AsyncKwikPaisa",
    "Orders",
    "AsyncOrders",
    "Environment",
    "CancelledOrder",
    "CreatedOrder",
    "Customer",
    "Order",
):
    globals()[_name].__module__ = __name__
del _name


def __getattr__(name: str) -> object:
    if name in ("CancelOutcome", "StatusOutcome"):
        # Imported on first use, so a bare ``import kwikpaisa`` does not load asyncio.
        from . import _bulk

        outcome_type: type = getattr(_bulk, name)
        outcome_type.__module__ = __name__
        globals()[name] = outcome_type
        return outcome_type
    if name == "DefaultAioHttpClient":
        # Imported on first use, so a bare ``import kwikpaisa`` does not load aiohttp.
        from ._aiohttp import DefaultAioHttpClient

        DefaultAioHttpClient.__module__ = __name__
        globals()[name] = DefaultAioHttpClient
        return DefaultAioHttpClient
    # ``kwikpaisa.webhooks`` after a bare ``import kwikpaisa``: loaded on first use.
    if name == "webhooks":
        import importlib

        return importlib.import_module(f"{__name__}.webhooks")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
