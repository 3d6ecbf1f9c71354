"""No text past the margin, on any page of any document: the demo week (bulletin, alerts and a
traveler's letter, maps on) and a week of a global feed, read word by word from the PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, run_advisory
from tests.pages import past_the_margin
from tests.test_import import NEW, acled_csv
from tests.test_world import global_feed


def _site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "advisory.yaml").write_text("version: 1\n")
    return tmp_path


def test_the_demo_weeks_documents_keep_within_the_margins(tmp_path: Path):
    site = _site(tmp_path)
    result = run_advisory("weekly", "--week", "2018-W25", "--jobs", "1", cwd=site)
    assert result.returncode == 0, result.stderr
    pdfs = sorted((site / "output" / "2018-W25").rglob("*.pdf"))
    assert len(pdfs) == 5  # the bulletin and four alerts
    assert {pdf.name: past_the_margin(pdf) for pdf in pdfs} == {pdf.name: [] for pdf in pdfs}


def test_a_global_weeks_bulletin_keeps_within_the_margins(tmp_path: Path):
    """600 events over every country ACLED names: long country and unit names, every table."""
    site = _site(tmp_path)
    (site / "export.csv").write_bytes(acled_csv(NEW, global_feed()))
    imported = run_advisory("import", "acled", "export.csv", cwd=site)
    assert imported.returncode == 0, imported.stderr
    out = site / "out"
    result = run_advisory("bulletin", "--week", "2018-W25", "--out", str(out), cwd=site)
    assert result.returncode == 0, result.stderr
    [pdf] = out.glob("*.pdf")
    assert past_the_margin(pdf) == []
