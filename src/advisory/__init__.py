"""advisory: travel-security advisories from an incident log."""

import logging

logging.getLogger("advisory").addHandler(logging.NullHandler())


def program_version() -> str:
    """The installed version of advisory (read on demand: package metadata is slow to load)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("advisory")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"
