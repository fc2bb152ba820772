"""A local KwikPaisa for tests: real signature checks, KwikPaisa's answers, fault injection.

>>> from kwikpaisa.testing import Emulator
>>> emu = Emulator()
>>> emu.add_order("ord_1")
>>> with emu.serve() as base_url:
...     ...  # KwikPaisa(emu.api_key, emu.secret_key, base_url=base_url)

Or in-process, no sockets: ``KwikPaisa(..., transport=emu.transport())`` or ``emu.client()``.
"""

from ._emulator import (
    CANCELLABLE_STATUSES as CANCELLABLE_STATUSES,
)
from ._emulator import (
    DEFAULT_API_KEY as DEFAULT_API_KEY,
)
from ._emulator import (
    DEFAULT_SECRET_KEY as DEFAULT_SECRET_KEY,
)
from ._emulator import (
    ORDER_STATUSES as ORDER_STATUSES,
)
from ._emulator import Emulator as Emulator
from ._emulator import EmulatorResponse as EmulatorResponse
from ._faults import Fault as Fault
from ._faults import FaultKind as FaultKind
from ._server import EmulatorServer as EmulatorServer
from ._transport import EmulatorTransport as EmulatorTransport
from ._webhooks import SignedWebhook as SignedWebhook
from ._webhooks import deliver_webhook as deliver_webhook
from ._webhooks import deliver_webhook_async as deliver_webhook_async
from ._webhooks import sign_webhook as sign_webhook
from ._wsgi import EmulatorWSGIApp as EmulatorWSGIApp

__all__ = [
    "CANCELLABLE_STATUSES",
    "DEFAULT_API_KEY",
    "DEFAULT_SECRET_KEY",
    "ORDER_STATUSES",
    "Emulator",
    "EmulatorResponse",
    "EmulatorServer",
    "EmulatorTransport",
    "EmulatorWSGIApp",
    "Fault",
    "FaultKind",
    "SignedWebhook",
    "deliver_webhook",
    "deliver_webhook_async",
    "sign_webhook",
]
