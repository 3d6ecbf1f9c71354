"""`advisory rate` on the demo data, as an analyst runs it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import run_advisory


def test_vraem_in_june_2018_is_high_by_its_floor(demo_workspace: Path):
    """Four police killed 19 days before and two attacks since score Moderate: the VRAEM is High
    by its floor, and its reason line puts terrorism (the ambush and the attack) before armed
    conflict (the clash)."""
    result = run_advisory(
        "rate", "--as-of", "2018-06-26", "--region", "pe-vraem", "--explain", cwd=demo_workspace
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("VRAEM region (pe-vraem), Peru: High (4 of 5) — T, A\n")
    assert "threshold: score 12.76 reaches Moderate (threshold 8), below High (16)" in text
    assert "floor: raised to High: VRAEM region is never rated below High (its floor)" in text
    assert (
        "ambush, 4 killed, 0 injured: activity 2.00 + harm 16.00 + targeting 0.00 = 18.00 "
        "points × 0.390 decay (19 days old) = 7.03" in text
    )
    assert "spread 2.00: 2 places with violence beyond the first × 1" in text
    for incident in (
        "pe-2018-0607-huancavelica",
        "pe-2018-0611-mazangaro",
        "pe-2018-0624-vizcatan",
    ):
        assert incident in text
    assert "severity Informational" in text
    assert (
        "rises to Extreme at 45 points (32.24 more): 2 more incidents like the June 7 ambush"
        in text
    )


def test_natividad_ambush_in_march_2023(demo_workspace: Path):
    """Seven police killed in one ambush: High by score (27.17 of 45 for Extreme), Critical."""
    result = run_advisory(
        "rate", "--as-of", "2023-03-27", "--region", "pe-vraem", "--explain", cwd=demo_workspace
    )
    assert result.returncode == 0, result.stderr
    assert "pe-2023-0325-natividad  ambush, 7 killed, 0 injured" in result.stdout
    assert "High (4 of 5)" in result.stdout
    assert "threshold: score 27.17 reaches High (threshold 16)" in result.stdout
    assert "severity Critical" in result.stdout


def test_table(demo_workspace: Path):
    result = run_advisory("rate", "--as-of", "2018-06-26", cwd=demo_workspace)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "region", "level", "reasons", "previous", "trend", "score",
        "incidents", "30d", "fatalities", "30d", "official",
    ]  # fmt: skip
    vraem = next(line for line in lines if "(pe-vraem)" in line)
    ours, official = vraem.split("  US ")
    assert ours.split()[-8:] == ["High", "T", "A", "High", "→", "12.76", "3", "4"]
    # The demo's illustrative records: each source's level, and ours it maps to.
    assert official == "2 (Low) · UK parts, all travel (Extreme) · CA 1 (regional) (Low)"
    assert len(lines) == 8  # the six regions of Peru, then the quiet rest of the world in a line
    assert (
        lines[-1]
        == "249 other countries and territories: no incidents recorded in the past 30 days."
    )


def test_json_is_stable_and_sorted(demo_workspace: Path):
    args = ("rate", "--as-of", "2023-03-27T06:00:00Z", "--format", "json")
    first = run_advisory(*args, cwd=demo_workspace)
    second = run_advisory(*args, cwd=demo_workspace)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["format"] == 4
    assert data["as_of"] == "2023-03-27T06:00:00Z"
    ids = [r["region_id"] for r in data["ratings"]]
    assert ids == sorted(ids)
    vraem = next(r for r in data["ratings"] if r["region_id"] == "pe-vraem")
    assert vraem["level"] == "High"
    assert vraem["contributions"][0]["incident_id"] == "pe-2023-0325-natividad"
    # Format 3: each contribution shows the score's terms.
    assert vraem["contributions"][0]["harm"] == 28.0
    assert vraem["contributions"][0]["activity"] == 2.0
    # Format 2: every contribution says how certain its toll is (the demo's are all exact).
    assert {c["fatalities_certainty"] for c in vraem["contributions"]} == {"exact"}
    assert all(isinstance(c["injuries"], int) for c in vraem["contributions"])
    assert len(vraem["history"]["level"]) == 12
    assert list(vraem)[:4] == ["region_id", "region_name", "country", "as_of"]


def test_csv(demo_workspace: Path):
    result = run_advisory("rate", "--as-of", "2018-06-26", "--format", "csv", cwd=demo_workspace)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6 + 249  # every region: Peru's, and the rest of the world's
    assert {r["region_id"] for r in rows} >= {"pe-vraem", "pe-rest", "co", "cd", "xk"}
    vraem = next(r for r in rows if r["region_id"] == "pe-vraem")
    assert (vraem["level"], vraem["score"], vraem["severity"]) == ("High", "12.76", "Informational")


def test_unknown_region_is_a_usage_error(demo_workspace: Path):
    result = run_advisory("rate", "--region", "pe-vrame", cwd=demo_workspace)
    assert result.returncode == 2
    assert "'pe-vrame' is not a region" in result.stderr
    assert "did you mean 'pe-vraem'?" in result.stderr


def test_bad_as_of_is_a_usage_error(demo_workspace: Path):
    result = run_advisory("rate", "--as-of", "26/06/2018", cwd=demo_workspace)
    assert result.returncode == 2
    assert "is not a date" in result.stderr


def test_bad_input_stops_the_rating(demo_workspace: Path):
    (demo_workspace / "data" / "broken.csv").write_text(
        "id,date,country,admin1,category,summary,sources\nx,2018-06-40,Peru,Lima,crime,A.,B\n"
    )
    result = run_advisory("rate", cwd=demo_workspace)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "data/broken.csv:2:2: date: '2018-06-40' is not a date (YYYY-MM-DD)" in result.stderr


def test_a_profile_rates_by_its_own_thresholds(demo_workspace: Path):
    """VRAEM is High by its floor; without it and rated by a conflict profile's thresholds, Low,
    and --explain says which thresholds it was rated by."""
    scoring = demo_workspace / "rules" / "scoring.yaml"
    scoring.write_text(
        scoring.read_text() + "  conflict:\n    description: Active conflicts.\n"
        "    thresholds: {Low: 10, Moderate: 20, High: 60, Extreme: 200}\n"
    )
    peru = demo_workspace / "rules" / "regions" / "peru.yaml"
    text = peru.read_text()
    peru.write_text(text.replace("    floor: High\n", "    profile: conflict\n", 1))
    result = run_advisory(
        "rate", "--as-of", "2018-06-26", "--region", "pe-vraem", "--explain", cwd=demo_workspace
    )
    assert result.returncode == 0, result.stderr
    assert (
        "  thresholds of profile conflict: Minimal 0, Low 10, Moderate 20, High 60, Extreme 200"
        in result.stdout
    )
    assert "score 12.76 reaches Low (threshold 10), below Moderate (20)" in result.stdout
    rated = run_advisory("rate", "--as-of", "2018-06-26", "--format", "json", cwd=demo_workspace)
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    assert (ratings["pe-vraem"]["level"], ratings["pe-vraem"]["profile"]) == ("Low", "conflict")
    assert ratings["pe-lima"]["profile"] is None  # the rest of the file keeps the default


def test_a_profile_that_is_none_is_located(demo_workspace: Path):
    peru = demo_workspace / "rules" / "regions" / "peru.yaml"
    peru.write_text(
        peru.read_text().replace("country: Peru\n", "country: Peru\nprofile: conflcit\n")
    )
    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 2
    assert (
        "rules/regions/peru.yaml:4:10: profile: 'conflcit' is not a profile of scoring.yaml "
        "(world)" in result.stderr
    )
