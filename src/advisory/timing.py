"""One log line per stage with its duration, for operators and for finding slow stages."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("advisory")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Log `name: 0.123 s` at INFO when the block ends (also when it raises)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        log.info("%s: %.3f s", name, time.perf_counter() - start)
