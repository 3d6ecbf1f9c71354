"""The `advisory` command as users and cron run it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import run_advisory
from tests.forkserver import run_watched

HEAVY = ("weasyprint", "polars", "pydantic", "yaml", "jinja2")


def test_help_lists_the_commands(tmp_path: Path):
    result = run_advisory("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "validate" in result.stdout and "schema" in result.stdout


def test_help_imports_nothing_heavy():
    """`advisory --help` must stay fast: no rendering, data or validation library is loaded."""
    code = (
        "import sys\n"
        "from advisory.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = run_watched([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_python_dash_m(demo_workspace: Path):
    result = run_watched([sys.executable, "-m", "advisory", "validate"], cwd=demo_workspace)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "OK"


def test_validate_demo_data(demo_workspace: Path):
    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("rules: 5 levels (Minimal, Low, Moderate, High, Extreme)")
    assert "6 regions in 1 country (Peru)" in lines[0]
    assert lines[1].startswith("incidents: ")
    assert "0 in none" in lines[1]
    assert lines[2].startswith("planned: 2 events announced, 2018-06-28 to 2018-07-01")
    assert lines[3].startswith("roster: 6 travelers")
    assert lines[-1] == "OK"


def test_validate_from_another_folder_without_environment(demo_workspace: Path, tmp_path: Path):
    """As cron runs it: a bare environment, another working directory, paths given in full."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin"}
    result = run_advisory(
        "validate",
        "--rules",
        str(demo_workspace / "rules"),
        "--incidents",
        str(demo_workspace / "data" / "*.csv"),
        "--roster",
        str(demo_workspace / "data" / "travelers.yaml"),
        cwd=elsewhere,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "OK"


def test_missing_inputs_are_bad_input(tmp_path: Path):
    result = run_advisory("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "data/*.csv: no incident file matches",
        "data/travelers.yaml: file not found",
        "rules: rules folder not found",
        f"advisory: no site here: no advisory.yaml in {tmp_path}, and neither --config nor "
        "$ADVISORY_CONFIG names one. Make a site with `advisory init DIR` (the demo, ready to "
        "run) and run from it, or give --config SITE/advisory.yaml",
        "advisory: bad input (3 errors); nothing was written",
    ]


def test_unknown_option_is_a_usage_error(tmp_path: Path):
    result = run_advisory("validate", "--rulez", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_version(tmp_path: Path):
    result = run_advisory("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert "advisory" in result.stdout


def test_no_environment_variables_needed(demo_workspace: Path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH"}}
    result = run_advisory("validate", cwd=demo_workspace, env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [("validate",), ("rate",), ("weekly", "--jobs", "1")])
def test_outside_a_site_the_error_says_how_to_make_or_name_one(tmp_path: Path, command):
    result = run_advisory(*command, cwd=tmp_path)
    assert result.returncode == 2
    assert (
        f"advisory: no site here: no advisory.yaml in {tmp_path}, and neither --config nor "
        "$ADVISORY_CONFIG names one. Make a site with `advisory init DIR` (the demo, ready to "
        "run) and run from it, or give --config SITE/advisory.yaml"
    ) in result.stderr.splitlines()
