"""Fork safety: a client created before os.fork() opens its own connections in the child."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import pytest

from kwikpaisa import AsyncKwikPaisa, KwikPaisa
from kwikpaisa.testing import EmulatorServer

from .conftest import seeded_emulator

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class ConnectionRecordingServer(EmulatorServer):
    """The emulator's loopback server, remembering the client address of each connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.peers: list[tuple[str, int]] = []
        self._peers_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._peers_lock:
            self.peers.append(client_address)
        super().process_request_thread(request, client_address)


def run_in_child(action: Any) -> int:
    """Fork; the child runs ``action()`` and exits 0 if it returned True. The exit status."""
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            code = 0 if action() else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_child_opens_its_own_connections(flavour: str) -> None:
    emu = seeded_emulator()
    server = ConnectionRecordingServer(emu)
    server.start()
    try:
        options = {
            "api_key": emu.api_key,
            "secret_key": emu.secret_key,
            "base_url": server.base_url,
        }
        if flavour == "sync":
            kp = KwikPaisa(**options)
            kp.orders.cancel("ord_1")
            parent_peers = list(server.peers)
            exit_code = run_in_child(lambda: kp.orders.cancel("ord_2").status == "CANCELLED")
            kp.orders.cancel("ord_pending")
            kp.close()
        else:
            loop = asyncio.new_event_loop()
            akp = AsyncKwikPaisa(**options)
            loop.run_until_complete(akp.orders.cancel("ord_1"))
            parent_peers = list(server.peers)

            def child() -> bool:
                order = asyncio.run(akp.orders.cancel("ord_2"))
                return order.status == "CANCELLED"

            exit_code = run_in_child(child)
            loop.run_until_complete(akp.orders.cancel("ord_pending"))
            loop.run_until_complete(akp.close())
            loop.close()
    finally:
        server.stop()
    assert exit_code == 0
    assert emu.order_status("ord_2") == "CANCELLED"
    assert len(parent_peers) == 1
    # The child's cancel came on a connection of its own; the parent's next call reused its
    # pooled connection (the child did not close it).
    assert len(server.peers) == 2
    assert server.peers[0] == parent_peers[0]
