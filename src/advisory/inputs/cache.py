"""A cache of checked rule folders, so that a large rule set is parsed once, not every run.

A rules folder of thousands of regions takes the better part of a second to parse and check;
the checked `Rules` load from their JSON in milliseconds. An entry is keyed by the bytes of every
rule file and by the program's own source, so any edit to either misses it. Only folders without
problems are cached. The cache is a convenience: when its folder cannot be written (a read-only
home under cron, say) the rules are simply parsed every time.

The folder is `$ADVISORY_CACHE_DIR`, else `$XDG_CACHE_HOME/advisory`, else `~/.cache/advisory`;
`ADVISORY_CACHE_DIR=` (empty) turns the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from advisory.models import Rules
from advisory.publishing.atomic import write_bytes_atomic

log = logging.getLogger("advisory")
_FORMAT = b"advisory rules cache 1"
#: Entries kept; older ones (rule sets since edited) are removed when a new one is stored.
KEEP = 8


def cache_dir() -> Path | None:
    configured = os.environ.get("ADVISORY_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "advisory"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "advisory" if home else None


@functools.cache
def _source_fingerprint() -> bytes:
    """The package's own source: a change to how rules are read must not hit an old entry.
    Read once a process (the rules cache and the PDF cache both key on it)."""
    package = Path(str(resources.files("advisory")))
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def rules_key(folder: Path, files: Sequence[Path]) -> str | None:
    """The key of the rule files' contents; None when one cannot be read as a rule file is
    (not a regular file, over the size limit): the loader then says so, with its place."""
    from advisory.inputs.yamlfile import MAX_FILE_BYTES, read_bounded

    digest = hashlib.sha256(_FORMAT)
    digest.update(_source_fingerprint())
    for path in files:
        data, _ = read_bounded(path, str(path), MAX_FILE_BYTES)
        if data is None:
            return None
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def load_cached_rules(key: str) -> Rules | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return Rules.model_validate_json((folder / f"rules-{key}.json").read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, ValueError) as e:
        log.debug("rules cache entry unreadable, parsing the rules: %s", e)
        return None


def store_rules(key: str, rules: Rules) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        write_bytes_atomic(folder / f"rules-{key}.json", rules.model_dump_json().encode())
        entries = sorted(folder.glob("rules-*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError as e:
        log.debug("rules cache not written: %s", e)
