"""advisory.yaml: where it is found, what overrides what, and errors that name their place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisory.config import load_config
from advisory.errors import ConfigError
from tests.conftest import ROOT, run_advisory


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A config folder with advisory.yaml, and a different working directory."""
    home = tmp_path / "srv"
    home.mkdir()
    (home / "advisory.yaml").write_text(
        "version: 1\norganisation: From the file\noutput: file-out\nstale_after_days: 9\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    return home, work


def test_defaults_without_a_file(tmp_path: Path):
    config = load_config(environ={}, cwd=tmp_path)
    assert config.file is None
    assert config.settings.organisation == "Travel Security"
    assert config.rules == tmp_path / "rules"
    assert config.incidents == (str(tmp_path / "data" / "*.csv"),)
    assert config.output == tmp_path / "output"
    assert config.settings.stale_after_days == 8


def test_file_over_defaults_with_paths_from_its_folder(folders):
    home, work = folders
    config = load_config(home / "advisory.yaml", environ={}, cwd=work)
    assert config.settings.organisation == "From the file"
    assert config.settings.stale_after_days == 9
    assert config.output == home / "file-out"  # the file's folder, not the working directory
    assert config.rules == home / "rules"  # defaults too, once there is a file


def test_environment_over_file(folders):
    home, work = folders
    environ = {"ADVISORY_ORGANISATION": "From the environment", "ADVISORY_OUTPUT": "env-out"}
    config = load_config(home / "advisory.yaml", environ=environ, cwd=work)
    assert config.settings.organisation == "From the environment"
    assert config.output == work / "env-out"  # the working directory
    assert config.settings.stale_after_days == 9  # what the environment leaves, the file sets


def test_environment_over_defaults(tmp_path: Path):
    config = load_config(environ={"ADVISORY_STALE_AFTER_DAYS": "3"}, cwd=tmp_path)
    assert config.settings.stale_after_days == 3


def test_command_line_over_environment_and_file(folders):
    home, work = folders
    environ = {"ADVISORY_OUTPUT": "env-out"}
    config = load_config(home / "advisory.yaml", {"output": "cli-out"}, environ=environ, cwd=work)
    assert config.output == work / "cli-out"
    file_only = load_config(home / "advisory.yaml", {"output": "cli-out"}, environ={}, cwd=work)
    assert file_only.output == work / "cli-out"


def test_command_line_over_defaults(tmp_path: Path):
    config = load_config(overrides={"rules": "/elsewhere/rules"}, environ={}, cwd=tmp_path)
    assert config.rules == Path("/elsewhere/rules")


def test_found_through_the_environment_then_the_working_directory(folders):
    home, work = folders
    by_variable = load_config(environ={"ADVISORY_CONFIG": str(home / "advisory.yaml")}, cwd=work)
    assert by_variable.file == home / "advisory.yaml"
    local = load_config(environ={}, cwd=home)
    assert local.file == home / "advisory.yaml"


def test_incidents_from_the_environment_are_a_list(tmp_path: Path):
    config = load_config(environ={"ADVISORY_INCIDENTS": "a/*.csv:b.yaml"}, cwd=tmp_path)
    assert config.incidents == (str(tmp_path / "a" / "*.csv"), str(tmp_path / "b.yaml"))


def test_password_only_from_the_environment(tmp_path: Path):
    path = tmp_path / "advisory.yaml"
    path.write_text("version: 1\nsmtp:\n  host: mail.example.org\n  password: hunter2\n")
    with pytest.raises(ConfigError) as failed:
        load_config(path, environ={}, cwd=tmp_path)
    [problem] = failed.value.problems
    assert str(problem).startswith(f"{path}:4:13: smtp.password: the password is never kept")
    ok = tmp_path / "ok.yaml"
    ok.write_text("version: 1\nsmtp: {host: mail.example.org, password_env: MAIL_SECRET}\n")
    config = load_config(ok, environ={}, cwd=tmp_path)
    assert config.smtp_password({"MAIL_SECRET": "s3cret"}) == "s3cret"


def test_bad_file_gets_located_errors(tmp_path: Path):
    (tmp_path / "advisory.yaml").write_text(
        "version: 1\norganisaton: Typo Corp\ntimezone: Mars/Olympus\nsmtp:\n  port: seventy\n"
    )
    result = run_advisory("--config", "advisory.yaml", "validate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[:3] == [
        "advisory.yaml:2:1: organisaton: unknown field (did you mean 'organisation'?)",
        "advisory.yaml:3:11: timezone: 'Mars/Olympus' is not a time zone (e.g. UTC, America/Lima)",
        "advisory.yaml:5:9: smtp.port: 'seventy' is not a whole number",
    ]


def test_bad_environment_names_the_variable(tmp_path: Path):
    with pytest.raises(ConfigError) as failed:
        load_config(environ={"ADVISORY_SMTP_PORT": "seventy"}, cwd=tmp_path)
    assert [str(p) for p in failed.value.problems] == [
        "$ADVISORY_SMTP_PORT: smtp.port: 'seventy' is not a whole number"
    ]


def test_commands_use_the_config_paths(tmp_path: Path):
    """`advisory --config` from any folder finds the rules and data beside the file."""
    home = tmp_path / "srv"
    home.mkdir()
    (home / "advisory.yaml").write_text(
        "version: 1\nrules: ../rules-live\nincidents: [log/*.csv]\n"
    )
    shutil.copytree(ROOT / "rules", tmp_path / "rules-live")
    shutil.copytree(ROOT / "data", home / "log")
    result = run_advisory(
        "--config", str(home / "advisory.yaml"), "rate", "--as-of", "2018-06-26", cwd=Path("/")
    )
    assert result.returncode == 0, result.stderr
    assert "VRAEM region (pe-vraem)" in result.stdout
