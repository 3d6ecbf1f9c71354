"""A cache of rendered PDFs, so that nothing is laid out twice: a re-run, a correction,
`bulletin --week`, `deliveries --retry` and the letters reuse every PDF whose inputs did not
change.

An entry is keyed by everything that decides a PDF's bytes: the HTML; every resource a document
may load (the files of the templates folder other than the templates: stylesheets, fonts,
images), the fonts installed on the system (fontconfig's list, each file's size and time), the
render arguments (the PDF variant, the attachments and their date), the program's own source
and the versions of WeasyPrint and pydyf. Any change to any of them misses. Only a PDF that
rendered without a warning is kept, so a strict run sees the warnings of every document it
renders.

The entries live in `CACHE/pdf/` (the cache convention of inputs/cache.py: `$ADVISORY_CACHE_DIR`,
`ADVISORY_CACHE_DIR=` turns every cache off; `ADVISORY_PDF_CACHE=0` this one only, for
benchmarks). Each is written to a temporary file and renamed into place, so a concurrent run
reads a whole entry or none; the folder is kept under `MAX_BYTES`, the least recently used
entries removed first, under a lock, by the run that stores.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("advisory")

_FORMAT = b"advisory pdf cache 1"
#: The most the folder holds: about 3,000 alert PDFs, or 40 world bulletins.
MAX_BYTES = 512 * 1024 * 1024


def folder() -> Path | None:
    """The cache's folder, or None when caching is off."""
    from advisory.inputs.cache import cache_dir

    if os.environ.get("ADVISORY_PDF_CACHE", "1").strip().lower() in ("0", "off", "no", "false"):
        return None
    base = cache_dir()
    return base / "pdf" if base is not None else None


def key(
    html: str,
    variant: str,
    attachments: Sequence[tuple[str, bytes]],
    moment: str,
    templates: Path,
) -> str:
    """The key of one PDF: the document and its arguments, and everything it is made with."""
    digest = hashlib.sha256(_FORMAT)
    digest.update(_environment(templates.resolve()))
    for part in (variant, moment):
        digest.update(part.encode() + b"\0")
    for name, data in attachments:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    digest.update(html.encode())
    return digest.hexdigest()


@functools.cache
def _environment(templates: Path) -> bytes:
    """What every PDF of this process is made with, besides its own HTML: read once."""
    import pydyf
    import weasyprint

    from advisory.inputs.cache import _source_fingerprint

    digest = hashlib.sha256(_source_fingerprint())
    digest.update(f"weasyprint {weasyprint.__version__} pydyf {pydyf.__version__}".encode())
    for path in sorted(p for p in templates.rglob("*") if p.is_file() and p.suffix != ".j2"):
        digest.update(path.relative_to(templates).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(_fonts())
    return digest.digest()


def _fonts() -> bytes:
    """The system's fonts as fontconfig lists them, with each file's size and time: a font
    installed, removed or updated changes the layout."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\\n"], capture_output=True, timeout=30, check=False
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return b"fonts unknown"
    digest = hashlib.sha256()
    for name in sorted(set(listed.splitlines())):
        try:
            info = Path(name).stat()
        except OSError:
            continue
        digest.update(f"{name} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.digest()


def load(where: Path, entry: str) -> bytes | None:
    """The PDF of `entry`, or None; a hit is marked used (its time touched)."""
    path = where / f"{entry}.pdf"
    try:
        data = path.read_bytes()
        os.utime(path)
    except OSError:
        return None
    return data if data.startswith(b"%PDF-") else None


def store(where: Path, entries: Sequence[tuple[str, bytes]]) -> None:
    """Keep `entries` (key, PDF), then bring the folder back under `MAX_BYTES`. A cache that
    cannot be written is left alone: the PDFs are rendered again next time."""
    if not entries:
        return
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        for entry, data in entries:
            descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=where)
            with os.fdopen(descriptor, "wb") as f:
                f.write(data)
            Path(temporary).replace(where / f"{entry}.pdf")
        _trim(where)
    except OSError as e:
        log.debug("pdf cache: not stored (%s)", e)


def _trim(where: Path, limit: int = MAX_BYTES) -> None:
    """Remove the least recently used entries until the folder holds at most `limit` bytes."""
    from filelock import FileLock, Timeout

    try:
        with FileLock(where / ".lock", timeout=10):
            found = []
            for path in where.glob("*.pdf"):
                try:
                    info = path.stat()
                except OSError:
                    continue  # removed by another run
                found.append((info.st_mtime_ns, info.st_size, path))
            total = sum(size for _, size, _ in found)
            for _, size, path in sorted(found):
                if total <= limit:
                    break
                path.unlink(missing_ok=True)
                total -= size
    except (Timeout, OSError):
        pass
