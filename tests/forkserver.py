"""Runs of the `advisory` command forked from an interpreter that has already imported it.

Starting Python and importing the program costs about half a second of CPU a run, more than most
runs the tests make cost themselves. A `ForkServer` pays it once: it starts this module as a
process of its own, which imports every module of the program and then forks one child a run.
Each child is still a process of its own, run as the installed script runs `main()`: its own
working folder, environment and standard streams, its exit status (-N when killed by signal
N), its CPU time limit (RLIMIT_CPU), and its CPU time and peak memory as `wait4` reports them.

A run that makes no CPU progress for `stall_seconds`, or that lasts ten times its CPU limit, is
a hang: the server kills it (and whatever it started) and says why. Neither bound depends on how
busy the machine is: a slow run still makes progress, a hung one does not.

The server speaks JSON lines on its standard streams; the program's own output goes to files.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

#: A run that makes no CPU progress for this long is stopped as a hang.
STALL_SECONDS = 60.0
#: The wall-clock bound of a run, as a multiple of its CPU limit.
WALL_PER_CPU = 10


class _Request(TypedDict):
    id: int
    args: list[str]
    cwd: str
    env: dict[str, str]
    stdout: str
    stderr: str
    cpu_limit: float | None
    stall_seconds: float


class _Answer(TypedDict):
    id: int
    returncode: int
    cpu_seconds: float
    wall_seconds: float
    max_rss_kb: int
    stopped: str


@dataclass(frozen=True)
class Run:
    """What a run did: its exit status and output, and what it cost."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float  # the child's own (and its reaped children's), whatever runs beside it
    wall_seconds: float
    max_rss_kb: int
    stopped: str  # why the server stopped it as a hang; empty when it ended by itself


class ForkServer:
    """A client of one server process; `run` may be called from several threads at once."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.scratch.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver"],
            cwd=Path(__file__).resolve().parent.parent,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._ids = itertools.count()
        self.cpu_seconds = 0.0  # of every run so far, for the suite's CPU report
        self._pending: dict[int, Future[_Answer]] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def run(
        self,
        *args: str,
        cwd: Path | str,
        env: Mapping[str, str],
        cpu_limit: float | None = None,
        stall_seconds: float = STALL_SECONDS,
    ) -> Run:
        """Run `advisory ARGS` in `cwd` with exactly `env`, and wait for it to end."""
        number = next(self._ids)
        out, err = self.scratch / f"{number}.out", self.scratch / f"{number}.err"
        request: _Request = {
            "id": number, "args": list(args), "cwd": str(cwd), "env": dict(env),
            "stdout": str(out), "stderr": str(err), "cpu_limit": cpu_limit,
            "stall_seconds": stall_seconds,
        }  # fmt: skip
        done: Future[_Answer] = Future()
        with self._lock:
            if self._process.poll() is not None:
                raise RuntimeError(f"the fork server has ended ({self._process.returncode})")
            self._pending[number] = done
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
        answer = done.result()
        with self._lock:
            self.cpu_seconds += answer["cpu_seconds"]
        try:
            stdout = out.read_bytes().decode(errors="replace")
            stderr = err.read_bytes().decode(errors="replace")
        finally:
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)
        return Run(
            args=args, returncode=answer["returncode"], stdout=stdout, stderr=stderr,
            cpu_seconds=answer["cpu_seconds"], wall_seconds=answer["wall_seconds"],
            max_rss_kb=answer["max_rss_kb"], stopped=answer["stopped"],
        )  # fmt: skip

    def close(self) -> None:
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            answer: _Answer = json.loads(line)
            with self._lock:
                future = self._pending.pop(answer["id"])
            future.set_result(answer)
        with self._lock:  # the server ended: nobody waits for ever
            for future in self._pending.values():
                future.set_exception(RuntimeError("the fork server ended during a run"))
            self._pending.clear()


# --- other programs, bounded the same way -----------------------------------------------------


class Progress:
    """Whether a process group (a process started with `start_new_session=True`) still makes
    CPU progress: it has stalled once its CPU time has not moved for `stall_seconds`."""

    def __init__(self, group: int, stall_seconds: float = STALL_SECONDS) -> None:
        self.group, self.stall_seconds = group, stall_seconds
        self._ticks, self._moved = -1, time.monotonic()

    def stalled(self, ticks: dict[int, int] | None = None) -> bool:
        """`ticks`: `_group_ticks()` when the caller has read it already."""
        now = time.monotonic()
        seen = (ticks if ticks is not None else _group_ticks()).get(self.group, -1)
        if seen != self._ticks:
            self._ticks, self._moved = seen, now
        return now - self._moved > self.stall_seconds

    def state(self, process: subprocess.Popen[str]) -> str:
        if process.poll() is not None:
            return f"it ended with {process.returncode}"
        return f"no CPU progress for {self.stall_seconds:g} s"


def finish(
    process: subprocess.Popen[str], *, stall_seconds: float = STALL_SECONDS
) -> subprocess.CompletedProcess[str]:
    """Wait for a process started with `start_new_session=True` and its output; stop it and
    fail the test if its group makes no CPU progress for `stall_seconds` (a hang)."""
    progress = Progress(process.pid, stall_seconds)
    while True:
        try:
            stdout, stderr = process.communicate(timeout=1)
            return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        except subprocess.TimeoutExpired:
            if progress.stalled():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise AssertionError(
                    f"a hang: no CPU progress for {stall_seconds:g} s: {process.args!r}"
                ) from None


def run_watched(
    command: list[str], *, stall_seconds: float = STALL_SECONDS, **options: object
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, capture_output=True, text=True)`, bounded by `finish`."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, **options,  # type: ignore[call-overload]
    )  # fmt: skip
    return finish(process, stall_seconds=stall_seconds)


# --- the server -------------------------------------------------------------------------------


@dataclass
class _Child:
    request: _Request
    started: float
    progress: Progress
    stopped: str = ""


def _preload() -> None:
    """Import every module of the program, so that no child pays for it."""
    import importlib
    import pkgutil

    import advisory

    for module in pkgutil.walk_packages(advisory.__path__, "advisory."):
        if module.name != "advisory.__main__":  # that one runs the command
            importlib.import_module(module.name)


def _child(request: _Request) -> None:
    """In the forked child: become the command run as asked, and never return."""
    code = 70
    try:
        os.setpgid(0, 0)  # a hang is stopped with whatever the run started
        limit = request["cpu_limit"]
        if limit is not None:
            seconds = int(limit) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        streams = [
            os.open(os.devnull, os.O_RDONLY),
            os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        for target, fd in enumerate(streams):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        script = Path(sys.executable).parent / "advisory"  # what `main()` says it is
        sys.argv = [str(script), *request["args"]]
        code = _main()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _main() -> int:
    """`sys.exit(main())` as the installed script does it, down to the exit status and the
    interpreter's way out: threads joined (a process pool's manager among them), then the
    `atexit` functions."""
    import atexit
    import threading
    import traceback

    from advisory.cli import main

    try:
        # The name the script's own `main()` finds: this process is `python -m`, it is not.
        main(prog_name=Path(sys.argv[0]).name)
        code: object = 0
    except SystemExit as exit:
        code = exit.code
    except BaseException:
        traceback.print_exc()
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _group_ticks() -> dict[int, int]:
    """The CPU time of each process group's live members and the children they reaped, in
    clock ticks: a run's progress counts its render workers' too."""
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_bytes().rpartition(b")")[2].split()
        except OSError:
            continue  # ended meanwhile
        group = int(fields[2])
        ticks[group] = ticks.get(group, 0) + sum(int(n) for n in fields[11:15])
    return ticks


def _watch(children: dict[int, _Child], now: float) -> None:
    """Stop the runs that hang: no CPU progress for a while, or far past their CPU limit."""
    ticks = _group_ticks()  # once for every child
    for pid, child in children.items():
        if child.stopped:
            continue
        limit = child.request["cpu_limit"]
        wall = None if limit is None else WALL_PER_CPU * limit
        if child.progress.stalled(ticks):
            child.stopped = f"no CPU progress for {child.progress.stall_seconds:g} s"
        elif wall is not None and now - child.started > wall:
            child.stopped = f"still running after {wall:g} s"
        if child.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _answer(status: int, usage: resource.struct_rusage, child: _Child) -> None:
    answer: _Answer = {
        "id": child.request["id"],
        "returncode": os.waitstatus_to_exitcode(status),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": time.monotonic() - child.started,
        "max_rss_kb": usage.ru_maxrss,
        "stopped": child.stopped,
    }
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def serve() -> None:
    """Fork a child for each request line, answer a line for each child that ends."""
    _preload()
    children: dict[int, _Child] = {}
    pending = b""
    reading = True
    watched = time.monotonic()
    while reading or children:
        ready, _, _ = select.select([0] if reading else [], [], [], 0.05)
        if ready:
            chunk = os.read(0, 65536)
            reading = bool(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in filter(None, lines):
                request = json.loads(line)
                sys.stdout.flush()
                started = time.monotonic()
                pid = os.fork()
                if pid == 0:
                    _child(request)
                stall = Progress(pid, request["stall_seconds"])
                children[pid] = _Child(request, started, stall)
        while children:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
            if pid == 0:
                break
            _answer(status, usage, children.pop(pid))
        now = time.monotonic()
        if children and now - watched > 1:
            _watch(children, now)
            watched = now


if __name__ == "__main__":
    serve()
