"""Fault-injection points, so that tests can kill or hold a run at a named stage instead of
relying on timing luck. `ADVISORY_FAULT="rendered=kill"` kills the process with SIGKILL when it
reaches `checkpoint("rendered")`; `locked=sleep:2` holds it there for two seconds;
`publish=fail` raises the library's error and `publish=raise` an unexpected one; `write=full`
fails as a full disk does (ENOSPC); `sent=kill@3` kills at the third time the point is
reached. Several are separated by commas. Unset, a
checkpoint does nothing."""

from __future__ import annotations

import errno
import os
import signal
import time

from advisory.errors import AdvisoryError

_reached: dict[str, int] = {}


def checkpoint(name: str) -> None:
    _reached[name] = _reached.get(name, 0) + 1
    for fault in filter(None, os.environ.get("ADVISORY_FAULT", "").split(",")):
        point, _, action = fault.partition("=")
        if point.strip() != name:
            continue
        action, _, nth = action.partition("@")
        if nth and _reached[name] != int(nth):
            continue
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif action.startswith("sleep:"):
            time.sleep(float(action.removeprefix("sleep:")))
        elif action == "fail":
            raise AdvisoryError(f"fault injected at {name}")
        elif action == "raise":
            raise RuntimeError(f"fault injected at {name}")
        elif action == "full":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
