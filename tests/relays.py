"""SMTP relays on 127.0.0.1 for the delivery tests (aiosmtpd), on ports the kernel gives.

A port found free and then bound by the relay could be taken by another process in between;
the relay binds port 0 instead, so the kernel hands it a free port in the same call, and
reports the one it got. Its start-up waits for a minute at most: only a hang takes that long,
however busy the machine.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiosmtpd.controller import Controller

#: How long a relay's thread may take to start answering: a bound on hangs only.
READY_SECONDS = 60.0


class _FreePortController(Controller):
    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]  # the one the kernel gave
        super()._trigger_server()  # type: ignore[no-untyped-call]


def start_relay(handler: Any, port: int = 0, **options: Any) -> Controller:
    """An aiosmtpd relay on 127.0.0.1, started, on a free port (its `.port`), or on `port`
    again after it was stopped (a relay back up); stop it."""
    controller = _FreePortController(
        handler, hostname="127.0.0.1", port=port, ready_timeout=READY_SECONDS, **options
    )
    controller.start()
    return controller
