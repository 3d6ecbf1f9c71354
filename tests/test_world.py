"""The whole world on day one: every country a region under the shipped rules, places matched
through aliases, near misses and absorbed capitals warned of, countries that are none refused."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_advisory
from tests.feed_countries import ACLED, names
from tests.test_import import NEW, acled_csv, event, imported


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def global_feed(count: int = 600, seed: int = 7) -> list[dict[str, str]]:
    """A synthetic ACLED export over every country ACLED names (as ACLED spells them: `eSwatini`,
    `Democratic Republic of Congo`, ...), with admin1 units spelled two ways and events at sea."""
    rng = random.Random(seed)
    countries = names(ACLED)
    rows = []
    for n in range(1, count + 1):
        country = countries[n % len(countries)]
        unit = rng.choice(["Northern", "Central", "Capital", "Coastal"])
        admin1 = rng.choice([f"{unit} Province", f"{unit} province ", f"{unit} Próvince"])
        if n % 50 == 0:
            admin1 = ""  # reported only by country, or at sea
        rows.append(
            event(n, country=country, admin1=admin1, admin2="", location=f"Town {n}",
                  event_id_cnty=f"EVT{n:05d}", event_date="20 June 2018")
        )  # fmt: skip
    return rows


def test_a_global_feed_is_placed_entirely_under_the_shipped_rules(workspace: Path):
    rows = global_feed()
    assert len({r["country"] for r in rows}) >= 100
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "imported: 600" in result.stdout
    assert "matching no region" not in result.stdout
    check = run_advisory("validate", cwd=workspace)
    assert check.returncode == 0, check.stderr
    assert "653 placed in regions, 0 in none" in check.stdout
    rated = run_advisory("rate", "--as-of", "2018-06-25", "--format", "json", cwd=workspace)
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    # One region per admin1, whatever its spelling; the country's own region takes the rest.
    assert ratings["cd-northern-province"]["country"] == "DR Congo"
    assert "cd-northern-province-" not in " ".join(ratings)
    assert ratings["sz"]["region_name"] == "Eswatini"
    assert ratings["xk"]["region_name"] == "Kosovo"
    counted = sum(r["window_incidents"] for r in ratings.values())
    assert counted >= 600  # every imported event counts somewhere (Peru's own too)


def test_lima_province_rates_in_lima(workspace: Path):
    rows = [event(1, admin1="Lima Province", admin2="Lima", location="Lima",
                  event_type="Riots", sub_event_type="Violent demonstration")]  # fmt: skip
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    assert run_advisory("import", "acled", "export.csv", cwd=workspace).returncode == 0
    check = run_advisory("validate", cwd=workspace)
    assert check.returncode == 0 and "warning" not in check.stderr, check.stderr
    rated = run_advisory("rate", "--as-of", "2023-03-22", "--format", "json", cwd=workspace)
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    assert "PER0001" in [c["incident_id"] for c in ratings["pe-lima"]["contributions"]]
    assert "PER0001" not in [c["incident_id"] for c in ratings["pe-rest"]["contributions"]]


def test_a_near_miss_and_an_absorbed_capital_are_warned_of(workspace: Path):
    peru = workspace / "rules" / "regions" / "peru.yaml"
    text = peru.read_text()
    named = "admin1: [Lima Province, Callao]"
    assert named in text
    peru.write_text(text.replace(named, "admin1: [Callao]"))  # ACLED's name for it left out
    rows = [
        event(1, admin1="Lima Province", admin2="Lima", location="Lima"),
        event(2, admin1="Ayacuchoo", admin2="Huanta"),
    ]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    assert run_advisory("import", "acled", "export.csv", cwd=workspace).returncode == 0
    check = run_advisory("validate", cwd=workspace)
    assert check.returncode == 0, check.stderr
    warnings = check.stderr
    assert (
        "data/incidents-acled.csv:2:4: warning: admin1: 'Lima Province' is named by no region "
        "of Peru, but is close to 'Provincia de Lima' (pe-lima); if it is the same place, add to "
        "that match entry: aliases: {admin1: [Lima Province]} (1 incident)"
    ) in warnings
    assert "'Ayacuchoo' is named by no region of Peru, but is close to 'Ayacucho'" in warnings
    assert "aliases: {admin1: [Ayacuchoo]}" in warnings
    assert (
        "'Lima Province' is Lima, the capital of Peru, but falls to the catch-all region "
        "'rest of Peru' (pe-rest)"
    ) in warnings


def test_a_country_that_is_none_is_an_error(workspace: Path):
    (workspace / "data" / "typo.csv").write_text(
        "id,date,country,admin1,category,summary,sources\n"
        "t1,2018-06-20,Peur,Lima,riot,A riot.,Andina\n"
        "t2,2018-06-21,Peur,Lima,riot,A riot.,Andina\n"
        "t3,2018-06-21,PE,Lima,riot,A riot.,Andina\n"
    )
    check = run_advisory("validate", cwd=workspace)
    assert check.returncode == 2
    assert (
        "data/typo.csv:2:3: country: 'Peur' is not a country; did you mean 'Peru'? (2 rows)"
        in check.stderr
    )
    assert "PE" not in check.stderr.replace("Peur", "")  # an ISO code is a country
    assert "matches no region" not in check.stderr  # the error says it already


def test_an_import_rejects_a_row_whose_country_is_none(workspace: Path):
    rows = [event(1), event(2, country="Peur")]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", "--rejects", "rej.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "imported: 1" in result.stdout and "rejected: 1" in result.stdout
    assert (
        "country: 'Peur' is not a country; did you mean 'Peru'?"
        in (workspace / "rej.csv").read_text()
    )
    assert [r["id"] for r in imported(workspace)] == ["PER0001"]


def test_generated_regions_have_their_own_alert_bar(workspace: Path):
    """A riot in Colombia makes a Low alert: below the world file's bar (Moderate or Warning),
    so not issued, while Peru's regions keep the settings' rule (every alert); deadly airstrikes
    in Syria clear it."""
    (workspace / "data" / "world.csv").write_text(
        "id,date,country,admin1,category,fatalities,summary,sources\n"
        "w1,2018-06-20,Colombia,Antioquia,riot,0,A riot in Medellin.,El Tiempo\n"
        + "".join(
            f"w{n},2018-06-2{n % 4},Syria,Idlib,airstrike,2,An airstrike in Idlib.,SANA\n"
            for n in range(2, 9)
        )
    )
    out = workspace / "out"
    result = run_advisory("bulletin", "--week", "2018-W25", "--out", str(out), cwd=workspace)
    assert result.returncode == 0, result.stderr
    html = next(out.glob("*.html")).read_text()
    assert "Syria: " in html  # the airstrikes clear the bar
    assert "Colombia: " not in html  # the riot does not
    assert "Antioquia" in html  # but Antioquia is listed in the summary: it has an incident
    assert "Peru: Clashes with armed group in VRAEM region June 24" in html
    assert "other countries and territories: no incidents recorded in the past 30 days." in html
    # alerts.* in the settings applies to every region instead.
    (workspace / "advisory.yaml").write_text("alerts:\n  min_level: Minimal\n")
    result = run_advisory("bulletin", "--week", "2018-W25", "--out", str(out), cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "Colombia: " in next(out.glob("*.html")).read_text()


def test_generated_alerts_past_max_alerts_are_listed_and_still_reach_travelers(workspace: Path):
    world = workspace / "rules" / "world.yaml"
    world.write_text(world.read_text().replace("max_alerts: 40", "max_alerts: 1"))
    (workspace / "data" / "world.csv").write_text(
        "id,date,country,admin1,category,fatalities,summary,sources\n"
        + "".join(
            f"s{n},2018-06-2{n % 4},Syria,Idlib,airstrike,9,An airstrike in Idlib.,SANA\n"
            f"y{n},2018-06-2{n % 4},Yemen,Taiz,shelling,2,Shelling in Taiz.,Saba\n"
            for n in range(8)
        )
    )
    (workspace / "data" / "travelers.yaml").write_text(
        "version: 1\ntravelers:\n"
        "  - id: t1\n    name: Ana\n    email: ana@example.com\n    trips:\n"
        "      - {destination: Taiz, start: 2018-06-20, end: 2018-06-30}\n"
    )
    result = run_advisory("weekly", "--week", "2018-W25", "--send", "--dry-run", cwd=workspace)
    assert result.returncode == 0, result.stderr
    week = workspace / "output" / "2018-W25"
    html = (week / "bulletin.html").read_text()
    assert "Syria: Air and drone strikes in Idlib" in html  # the more serious, in full
    assert "Yemen: " not in html
    assert "Further alerts" in html and "Taiz (" in html  # the other, listed by its country
    assert not (week / "alerts" / "ye-taiz.html").exists()
    [letter] = (workspace / "output" / "outbox" / "2018-W25").glob("*.eml")
    assert "Yemen: " in letter.read_text(errors="replace")  # still in the traveler's letter


def test_the_world_file_gives_a_country_its_profile(workspace: Path):
    scoring = workspace / "rules" / "scoring.yaml"
    scoring.write_text(scoring.read_text() + "  conflict:\n    thresholds: {Extreme: 900}\n")
    world = workspace / "rules" / "world.yaml"
    world.write_text(
        world.read_text().replace("countries: {}", "countries: {Syria: {profile: conflict}}")
    )
    (workspace / "data" / "world.csv").write_text(
        "id,date,country,admin1,category,fatalities,summary,sources\n"
        + "".join(
            f"{c}{n},2018-06-2{n % 4},{country},Capital,airstrike,9,An airstrike.,X\n"
            for n in range(8)
            for c, country in (("s", "Syria"), ("y", "Yemen"))
        )
    )
    rated = run_advisory("rate", "--as-of", "2018-06-25", "--format", "json", cwd=workspace)
    assert rated.returncode == 0, rated.stderr
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    syria, yemen = ratings["sy-capital"], ratings["ye-capital"]
    assert (syria["profile"], yemen["profile"]) == ("conflict", "world")
    assert syria["score"] == yemen["score"]  # the same points...
    assert (syria["level"], yemen["level"]) == ("High", "Extreme")  # ...another bar
