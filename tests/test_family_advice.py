"""Advice by the family that set the level: a High driven by protests says to keep away from
demonstrations, not to travel with a security escort; a High driven by clashes keeps the
level's own advice."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

from advisory.inputs import load_inputs
from advisory.writing.plan import compose_week
from tests.conftest import ROOT, run_advisory

ISSUED = dt.datetime(2024, 3, 18, 6, tzinfo=dt.UTC)
ESCORT = "Reconsider travel; if travel is essential, travel with a security escort"
UNREST = "Reconsider travel while unrest continues; keep away from demonstrations"


def test_a_protest_driven_high_is_advised_as_unrest(tmp_path: Path):
    path = tmp_path / "log.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "country", "admin1", "admin2", "category", "fatalities",
                         "summary", "sources"])  # fmt: skip
        for n in range(30):  # a wave of violent protests in the capital, no one killed
            writer.writerow([f"li-{n}", f"2024-03-{11 + n % 7}", "Peru", "Lima", "Lima", "riot",
                             0, "A march turned violent.", "Press"])  # fmt: skip
        for n in range(14):  # clashes in Puno, three of them deadly
            writer.writerow([f"pu-{n}", f"2024-03-{11 + n % 7}", "Peru", "Puno", "Puno",
                             "armed_clash", int(n < 3), "A clash.", "Press"])  # fmt: skip
    week = compose_week(load_inputs(ROOT / "rules", [str(path)], None), ISSUED)
    alerts = {a.region_id: a for a in [*week.alerts, *week.below_bar]}
    lima, puno = alerts["pe-lima"], alerts["pe-puno"]
    assert lima.level == puno.level == "High"
    assert any(a.startswith(UNREST) for a in lima.advice), lima.advice
    assert not any(a.startswith(ESCORT) for a in lima.advice)
    assert any(a.startswith(ESCORT) for a in puno.advice), puno.advice


def test_family_advice_for_no_level_is_located(tmp_path: Path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    scoring = tmp_path / "rules" / "scoring.yaml"
    text = scoring.read_text()
    scoring.write_text(
        text.replace("      Extreme:\n        - Postpone", "      Extrme:\n        - Postpone")
    )
    checked = run_advisory("validate", cwd=tmp_path)
    assert checked.returncode == 2
    assert "families.unrest.advice.Extrme: 'Extrme' is not a level" in checked.stderr
