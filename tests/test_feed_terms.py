"""A feed's terms travel with its rows: ACLED's events are quoted in the documents with its
credit and export day, and counted, never published raw, in a week's files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import yaml

from tests.conftest import ROOT, run_advisory
from tests.test_import import NEW, acled_csv, event


def test_rows_a_feed_may_not_redistribute_are_counted_not_published(tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "rules", site / "rules")
    shutil.copytree(ROOT / "data", site / "data")
    (site / "advisory.yaml").write_text("version: 1\nmaps: false\n")
    events = [
        event(n, country="Peru", admin1="Lima", admin2="Lima", location="Lima",
              event_id_cnty=f"PER{n}", event_date="20 June 2018")
        for n in (1, 2)
    ]  # fmt: skip
    (site / "export.csv").write_bytes(acled_csv(NEW, events))
    imported = run_advisory(
        "import", "acled", "export.csv", "--out", "data/acled.csv", "--exported", "2018-06-24",
        cwd=site,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    sidecar = yaml.safe_load((site / "data" / "acled.csv.coverage.yaml").read_text())
    assert (sidecar["feed"], sidecar["exported"]) == ("ACLED", "2018-06-24")

    result = run_advisory("weekly", "--week", "2018-W25", "--jobs", "1", cwd=site)
    assert result.returncode == 0, result.stderr
    week = site / "output" / "2018-W25"
    published = list(csv.DictReader(io.StringIO((week / "incidents.csv").read_text())))
    assert published and not [r for r in published if r["id"].startswith("PER")]
    assert [r["id"] for r in published if r["id"].startswith("demo-")]  # the analysts' own
    counted = list(csv.DictReader(io.StringIO((week / "incidents-summary.csv").read_text())))
    assert counted == [
        {"date": "2018-06-20", "region": "pe-lima", "category": "armed_clash", "feed": "ACLED",
         "incidents": "2", "fatalities": "2"},
    ]  # fmt: skip
    credit = (
        "Armed Conflict Location &amp; Event Data (ACLED); acleddata.com, export of 24 June 2018"
    )
    assert credit in (week / "alerts" / "pe-lima.html").read_text()
    assert f"Incident data from feeds: {credit}." in (week / "bulletin.html").read_text()
    assert "PER1" not in (week / "incidents.csv").read_text()
