"""advisory: travel-security advisories from an incident log."""

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("advisory")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

logging.getLogger("advisory").addHandler(logging.NullHandler())
