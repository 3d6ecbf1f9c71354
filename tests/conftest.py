"""Shared helpers: the repository's paths and a runner for the `advisory` command.

`run_advisory` runs the command as a process of its own, forked from an interpreter that has
already imported the program (`tests.forkserver`): the same entry point, arguments, working
folder, environment, streams and exit status as the installed script, without paying Python's
and the libraries' start-up at every run. Tests about the installed script itself (the wheel,
`python -m advisory`, cron's command line, runs racing for the lock) start it with
`subprocess` as users do.

Time limits: no test bounds a run by a tight wall clock. The fork server stops a run that makes
no CPU progress for a minute (a hang) and reports it; limits on what a run may cost are set on
its own CPU time (see tests/README.md).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import settings

from tests.forkserver import ForkServer, Run

pytest_plugins = ["tests.cpu_report"]

# Generated cases: the same ones every run (seeded), and never timed by the wall clock.
settings.register_profile("advisory", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("advisory")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ADVISORY = Path(sys.executable).parent / "advisory"


_server: ForkServer | None = None


def commands() -> ForkServer:
    """This process's fork server, started at its first use."""
    global _server
    if _server is None:
        _server = ForkServer(Path(tempfile.mkdtemp(prefix="advisory-forkserver-")))
    return _server


def forked_cpu_seconds() -> float:
    """The CPU time of every run this process has had forked so far."""
    return _server.cpu_seconds if _server is not None else 0.0


def run_advisory(*args: str, cwd: Path | str, env: Mapping[str, str] | None = None) -> Run:
    """Run `advisory ARGS` as a user would, in `cwd`, with `env` (else the tests' own
    environment): its exit status, output and errors, as `subprocess.run` gives them."""
    environment = env if env is not None else {**os.environ, "NO_COLOR": "1"}
    return commands().run(*args, cwd=cwd, env=environment)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The fork server ends with the session (not as a fixture in the last test's teardown,
    where its runs would count again in that test's CPU time)."""
    if _server is not None:
        _server.close()
        shutil.rmtree(_server.scratch, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Runs under test keep their rules cache to themselves, not in the user's home."""
    previous = os.environ.get("ADVISORY_CACHE_DIR")
    os.environ["ADVISORY_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        del os.environ["ADVISORY_CACHE_DIR"]
    else:
        os.environ["ADVISORY_CACHE_DIR"] = previous


@pytest.fixture
def base_workspace(tmp_path: Path) -> Path:
    """A small, fixed set of rules, incidents and roster in a folder of its own."""
    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "base", target)
    return target


@pytest.fixture
def demo_workspace(tmp_path: Path) -> Path:
    """A copy of the shipped demo rules and data."""
    target = tmp_path / "demo"
    target.mkdir()
    shutil.copytree(ROOT / "rules", target / "rules")
    shutil.copytree(ROOT / "data", target / "data")
    return target
