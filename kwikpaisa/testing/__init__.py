"""A local KwikPaisa for tests: real signature checks, KwikPaisa's answers, fault injection,
and a hosted-checkout sandbox (a payment page, signed webhooks, expiry).

>>> from kwikpaisa.testing import Emulator
>>> emu = Emulator()
>>> order = emu.add_order("ord_1")
>>> with emu.serve() as base_url:
...     ...  # KwikPaisa(emu.api_key, emu.secret_key, base_url=base_url)

Or in-process, no sockets: ``KwikPaisa(..., transport=emu.transport())`` or ``emu.client()``.
``Emulator(clock=ManualClock(), expire_after=...)`` moves time by hand:
``clock.advance(seconds)`` expires what falls due and sends its webhooks.
"""

from ._answers import EmulatorResponse as EmulatorResponse
from ._clock import ManualClock as ManualClock
from ._delivery import DEFAULT_WEBHOOK_BACKOFF as DEFAULT_WEBHOOK_BACKOFF
from ._delivery import Delivery as Delivery
from ._emulator import DEFAULT_API_KEY as DEFAULT_API_KEY
from ._emulator import DEFAULT_SECRET_KEY as DEFAULT_SECRET_KEY
from ._emulator import IN_PROCESS_BASE_URL as IN_PROCESS_BASE_URL
from ._emulator import Emulator as Emulator
from ._faults import Fault as Fault
from ._faults import FaultKind as FaultKind
from ._routes import CREATE_ORDER_PATH as CREATE_ORDER_PATH
from ._routes import ORDER_STATUS_PATH as ORDER_STATUS_PATH
from ._server import EmulatorServer as EmulatorServer
from ._store import CANCELLABLE_STATUSES as CANCELLABLE_STATUSES
from ._store import ORDER_STATUSES as ORDER_STATUSES
from ._store import PAYMENT_METHODS as PAYMENT_METHODS
from ._store import OrderRecord as OrderRecord
from ._transport import EmulatorTransport as EmulatorTransport
from ._webhooks import SignedWebhook as SignedWebhook
from ._webhooks import deliver_webhook as deliver_webhook
from ._webhooks import deliver_webhook_async as deliver_webhook_async
from ._webhooks import sign_webhook as sign_webhook
from ._wsgi import EmulatorWSGIApp as EmulatorWSGIApp

__all__ = [
    "CANCELLABLE_STATUSES",
    "CREATE_ORDER_PATH",
    "DEFAULT_API_KEY",
    "DEFAULT_SECRET_KEY",
    "DEFAULT_WEBHOOK_BACKOFF",
    "IN_PROCESS_BASE_URL",
    "ORDER_STATUSES",
    "ORDER_STATUS_PATH",
    "PAYMENT_METHODS",
    "Delivery",
    "Emulator",
    "EmulatorResponse",
    "EmulatorServer",
    "EmulatorTransport",
    "EmulatorWSGIApp",
    "Fault",
    "FaultKind",
    "ManualClock",
    "OrderRecord",
    "SignedWebhook",
    "deliver_webhook",
    "deliver_webhook_async",
    "sign_webhook",
]
