"""Each broken input under fixtures/invalid/ gives exactly the expected located messages.

A case is a folder whose files are laid over fixtures/base/; `expected.txt` holds the exact
lines `advisory validate` must print to stderr (before its one-line summary), and `args.txt`
any extra arguments. A case whose lines are all warnings must pass with exit status 0.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_advisory

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def test_there_are_at_least_ten_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_input(case: Path, base_workspace: Path):
    for item in case.iterdir():
        if item.name in {"expected.txt", "args.txt"}:
            continue
        target = base_workspace / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy(item, target)
    args = (case / "args.txt").read_text().split() if (case / "args.txt").exists() else []
    expected = (case / "expected.txt").read_text().splitlines()

    result = run_advisory("validate", *args, cwd=base_workspace)

    lines = result.stderr.splitlines()
    only_warnings = all(": warning: " in line for line in expected)
    if only_warnings:
        assert result.returncode == 0, result.stderr
        assert lines == expected
        assert result.stdout.rstrip().endswith("OK")
    else:
        assert result.returncode == 2, result.stderr
        assert lines[:-1] == expected
        assert lines[-1].startswith("advisory: bad input (")
        assert lines[-1].endswith("nothing was written")
        assert "OK" not in result.stdout
    assert "Traceback" not in result.stderr
