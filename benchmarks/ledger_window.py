"""`make bench` part: the window in which a killed run can send a message twice.

From the moment the SMTP server answers "250 accepted" to the moment the ledger's `sent` commit
returns, measured end to end: an aiosmtpd server on 127.0.0.1 and the product's own Mailer and
Ledger in this process, on one clock. 300 messages; the median and the 99th percentile, with the
ledger as the product opens it (WAL, `synchronous=NORMAL`) and, for comparison, waiting for the
disk at every commit (`synchronous=FULL`).
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from advisory.config import SmtpSettings
from advisory.delivery.ledger import Ledger
from advisory.delivery.mailer import Mailer

MESSAGES = 300


class Stamping:
    def __init__(self) -> None:
        self.accepted: list[float] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.accepted.append(time.perf_counter())
        return "250 OK"


def measure(synchronous: str) -> dict[str, float]:
    handler = Stamping()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stack = ExitStack()
    windows = []
    when = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    try:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="advisory-window-")))
        ledger = Ledger(folder / "state" / "ledger.sqlite")
        ledger.db.execute(f"PRAGMA synchronous={synchronous}")
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none")
        with Mailer(settings, None, []) as mailer:
            for n in range(MESSAGES):
                message = EmailMessage()
                message["From"], message["To"] = "desk@example.org", f"t{n}@example.org"
                message["Subject"] = "window"
                message.set_content("x")
                ledger.mark("2026-W47", f"t{n}", "h", "sending", when)
                assert mailer.send(message).status == "sent"
                ledger.mark("2026-W47", f"t{n}", "h", "sent", when)
                windows.append(time.perf_counter() - handler.accepted[-1])
        ledger.close()
    finally:
        controller.stop()
        stack.close()
    ordered = sorted(windows)
    return {
        "median_us": round(statistics.median(windows) * 1e6, 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99) - 1] * 1e6, 1),
    }


def main() -> dict[str, dict[str, float]]:
    results = {
        "ledger_window_normal": measure("NORMAL"),
        "ledger_window_full": measure("FULL"),
    }
    json.dump(results, sys.stdout, indent=2)
    print()
    return results


if __name__ == "__main__":
    main()
