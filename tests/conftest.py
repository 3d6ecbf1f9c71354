"""Shared helpers: the repository's paths and a runner for the installed `advisory` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ADVISORY = Path(sys.executable).parent / "advisory"


def run_advisory(*args: str, cwd: Path, env: dict[str, str] | None = None):
    """Run the installed `advisory` command as a user would, in `cwd`."""
    return subprocess.run(
        [str(ADVISORY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env if env is not None else {**os.environ, "NO_COLOR": "1"},
        timeout=120,
        check=False,
    )


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
