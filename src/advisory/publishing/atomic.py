"""Atomic writes: a file is either its old self or wholly new, never half-written."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

from advisory.faults import checkpoint

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_bytes_atomic(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `target`, sync it, then rename it into place.

    The file gets `mode`, or by default the permissions a new file gets under the umask.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _named(e, target) from None
    try:
        os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            checkpoint("write")
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(target)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        if isinstance(e, OSError) and e.filename is None:
            raise _named(e, target) from None  # a full disk names the file it was writing
        raise


def write_text_atomic(target: Path, text: str) -> None:
    write_bytes_atomic(target, text.encode("utf-8"))


def _named(error: OSError, target: Path) -> OSError:
    """`error` with the file it happened to, for a message that says where."""
    return type(error)(error.errno, error.strerror, str(target))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`), so that a reader
    of either finds the old or the new, never nothing. False where the system or the file
    system cannot; raises `OSError` for other failures."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def remove(path: Path) -> None:
    """Remove a folder and what it holds, or a file or a symbolic link (not what it points to)."""
    if path.is_symlink() or path.is_file():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)
