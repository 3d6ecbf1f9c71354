"""`advisory history`: the weeks as the weekly run derives them."""

from __future__ import annotations

import json

from tests.conftest import ROOT, run_advisory


def test_region_history_of_the_2018_series():
    result = run_advisory(
        "history", "pe-vraem", "--until", "2018-W27", "--weeks", "6", "--format", "json", cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    weeks = {w["week"]: w for w in json.loads(result.stdout)}
    assert weeks["2018-W23"] == {
        "week": "2018-W23", "level": "High", "severity": "Warning", "issued": "alert",
    }  # fmt: skip
    assert weeks["2018-W24"]["issued"] == "update 1"
    assert weeks["2018-W25"]["issued"] == "update 2"
    assert weeks["2018-W25"]["severity"] == "Informational"
    assert weeks["2018-W26"]["issued"] == ""
    assert weeks["2018-W27"]["issued"] == "closing"  # two quiet weeks end the series


def test_summary_of_every_region():
    result = run_advisory("history", "--until", "2018-W27", "--weeks", "20", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["region", "changes", "alerts", "updates", "closings", "highest"]
    vraem = next(line for line in lines if line.startswith("pe-vraem "))
    assert vraem.split() == ["pe-vraem", "0", "3", "2", "4", "High"]
    assert len(lines) == 7


def test_a_stricter_alert_bar_means_fewer_alerts(tmp_path):
    (tmp_path / "advisory.yaml").write_text(
        f"version: 1\nrules: {ROOT / 'rules'}\nincidents: ['{ROOT / 'data'}/*.csv']\n"
        "alerts: {min_level: High}\n"
    )
    result = run_advisory(
        "--config", str(tmp_path / "advisory.yaml"), "history", "--until", "2018-W27",
        "--weeks", "20", "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    alerts = {r["region_id"]: r["alerts"] + r["updates"] for r in json.loads(result.stdout)}
    assert alerts["pe-lima"] == 0 and alerts["pe-vraem"] == 5
