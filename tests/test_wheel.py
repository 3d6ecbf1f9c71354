"""The wheel as a new user installs it: into a fresh virtual environment outside the checkout,
then `advisory init` and the demo week from the new site, opening no file of the source tree."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.forkserver import run_watched

#: Installed into the fresh environment: every path a Python-level open, listing or glob
#: touches is appended to $ADVISORY_AUDIT_LOG (forked render workers inherit the hook).
AUDIT = """\
import os, sys
_log = os.environ.get("ADVISORY_AUDIT_LOG")
if _log:
    _out = open(_log, "a", buffering=1)
    def _opened(event, args):
        if event in ("open", "os.listdir", "os.scandir", "glob.glob") and args:
            path = args[0]
            if isinstance(path, (str, bytes, os.PathLike)):
                _out.write(os.path.abspath(os.fsdecode(path)) + "\\n")
    sys.addaudithook(_opened)
"""


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None):
    # pip may wait on the package index without using CPU: a hang is five quiet minutes.
    return run_watched(command, cwd=cwd, env=env, stall_seconds=300)


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, once for the module."""
    out = tmp_path_factory.mktemp("dist")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        cwd=out,
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("advisory-*.whl")
    return found


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment, outside the checkout, with the wheel and its dependencies
    installed by pip; returns its `bin` folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent).returncode == 0
    # --no-compile: the runs compile what they import; the rest would cost CPU for nothing.
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    done = run([*pip, "--disable-pip-version-check", str(wheel)], cwd=venv.parent)
    assert done.returncode == 0, done.stderr
    (site_packages,) = venv.glob("lib/python*/site-packages")
    (site_packages / "sitecustomize.py").write_text(AUDIT)
    return venv / "bin"


def test_wheel_carries_what_the_command_reads(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in [
        *(f"advisory/templates/{p.name}" for p in (ROOT / "templates").glob("*.*")),
        "advisory/templates/site/README.md.j2",
        *(f"advisory/rules/{p.relative_to(ROOT / 'rules')}" for p in (ROOT / "rules").rglob("*.*")),
        "advisory/demo/incidents.csv",
        "advisory/demo/travelers.yaml",
    ]:
        assert shipped in names
    assert not any(name.startswith(("templates/", "rules/", "data/", "tests/")) for name in names)


def test_installed_wheel_makes_a_site_and_publishes_the_demo_week(installed: Path, tmp_path: Path):
    audit = tmp_path / "opened.txt"
    env = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "ADVISORY_CACHE_DIR": str(tmp_path / "cache"),
        "ADVISORY_AUDIT_LOG": str(audit),
    }
    work = tmp_path / "work"
    work.mkdir()

    made = run(["advisory", "init", "mysite"], cwd=work, env=env)
    assert made.returncode == 0, made.stderr
    site = work / "mysite"
    readme = (site / "README.md").read_text()
    assert f"{installed / 'advisory'} --config {site / 'advisory.yaml'} weekly" in readme

    published = run(
        ["advisory", "weekly", "--week", "2018-W25", "--send", "--dry-run"], cwd=site, env=env
    )
    assert published.returncode == 0, published.stderr
    assert published.stdout.splitlines() == [
        f"2018-W25: published at {site / 'output' / '2018-W25'}, 4 alerts; "
        f"outbox: 4 messages in {site / 'output' / 'outbox' / '2018-W25'}",
    ]
    week = site / "output" / "2018-W25"
    assert (week / "bulletin.pdf").read_bytes().startswith(b"%PDF-")
    alerts = sorted(p.name for p in (week / "alerts").glob("*.pdf"))
    assert alerts == ["pe-cusco.pdf", "pe-lima.pdf", "pe-north-border.pdf", "pe-vraem.pdf"]
    assert len(list((site / "output" / "outbox" / "2018-W25").glob("*.eml"))) == 4
    manifest = json.loads((week / "manifest.json").read_text())
    shown = run(["advisory", "--version"], cwd=site, env=env)
    assert shown.stdout == f"advisory {manifest['program']['version']}\n"
    assert manifest["program"]["version"] == version("advisory")

    opened = set(audit.read_text().splitlines())
    package = next(p for p in opened if p.endswith("/advisory/templates/bulletin.html.j2"))
    assert package.startswith(str(installed.parent))  # the hook saw the run's own reads
    assert str(site / "rules" / "scoring.yaml") in opened
    source_tree = [p for p in opened if p == str(ROOT) or p.startswith(str(ROOT) + os.sep)]
    assert source_tree == []
