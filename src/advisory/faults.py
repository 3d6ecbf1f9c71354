"""Fault-injection points, so that tests can kill or hold a run at a named stage instead of
relying on timing luck. `ADVISORY_FAULT="rendered=kill"` kills the process with SIGKILL when it
reaches `checkpoint("rendered")`; `locked=sleep:2` holds it there for two seconds;
`publish=fail` raises. Several are separated by commas. Unset, a checkpoint does nothing."""

from __future__ import annotations

import os
import signal
import time

from advisory.errors import AdvisoryError


def checkpoint(name: str) -> None:
    for fault in filter(None, os.environ.get("ADVISORY_FAULT", "").split(",")):
        point, _, action = fault.partition("=")
        if point.strip() != name:
            continue
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action.startswith("sleep:"):
            time.sleep(float(action.removeprefix("sleep:")))
        elif action == "fail":
            raise AdvisoryError(f"fault injected at {name}")
