"""The scenario table (tests/cases/scenarios.yaml): each scenario region gets the level a
security manager would defend, under the shipped rules and the world file, rated by the
installed `advisory rate` as a user runs it."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, run_advisory

TABLE = yaml.safe_load((ROOT / "tests" / "cases" / "scenarios.yaml").read_text(encoding="utf-8"))
AS_OF: dt.date = TABLE["as_of"]
FIELDS = ["id", "date", "country", "admin1", "location", "category", "fatalities", "injuries",
          "civilian_targeting", "target_kind", "summary", "sources"]  # fmt: skip


def scenario_rows(scenario: dict[str, Any]) -> list[dict[str, str]]:
    """The scenario's incidents as log rows (the table's header says how they are spread)."""
    rows: list[dict[str, str]] = []
    for g, group in enumerate(scenario["incidents"]):
        count, days = group["count"], group["days"]
        units = group.get("admin1") or [scenario.get("admin1", "")]
        for k in range(count):
            age = 1 + (k * days) // count
            unit = units[k % len(units)]
            deaths = group.get("deaths", 0) // count + (k < group.get("deaths", 0) % count)
            hurt = group.get("injuries", 0) // count + (k < group.get("injuries", 0) % count)
            target = group.get("target")
            rows.append({
                "id": f"{scenario['id']}-{g}-{k:04d}",
                "date": (AS_OF - dt.timedelta(days=age)).isoformat(),
                "country": scenario["country"],
                "admin1": unit,
                "location": f"Place {k % group['places'] + 1}",
                "category": group["category"],
                "fatalities": str(deaths),
                "injuries": str(hurt),
                "civilian_targeting": "yes" if target in ("civilians", "tourists") else "",
                "target_kind": target or "",
                "summary": f"A {group['category']} in {unit or scenario['country']}.",
                "sources": "Scenario table",
            })  # fmt: skip
    return rows


def site(folder: Path, scenarios: list[dict[str, Any]]) -> Path:
    """A site with the shipped rules, the world file, and the scenarios' incidents as its log."""
    shutil.copytree(ROOT / "rules", folder / "rules")
    world = yaml.safe_load((folder / "rules" / "world.yaml").read_text(encoding="utf-8"))
    world["countries"] = {
        s["country"]: {"coverage": s["coverage"]} for s in scenarios if "coverage" in s
    }
    (folder / "rules" / "world.yaml").write_text(yaml.safe_dump(world), encoding="utf-8")
    (folder / "data").mkdir()
    with (folder / "data" / "incidents.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, FIELDS)
        writer.writeheader()
        for scenario in scenarios:
            writer.writerows(scenario_rows(scenario))
    (folder / "data" / "travelers.yaml").write_text("version: 1\ntravelers: []\n")
    return folder


def rated(folder: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Ratings by (country, region name)."""
    result = run_advisory("rate", "--as-of", AS_OF.isoformat(), "--format", "json", cwd=folder)
    assert result.returncode == 0, result.stderr
    return {(r["country"], r["region_name"]): r for r in json.loads(result.stdout)["ratings"]}


def region_of(scenario: dict[str, Any]) -> tuple[str, str]:
    return scenario["country"], scenario.get("admin1") or scenario["country"]


@pytest.fixture(scope="module")
def ratings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    return rated(site(tmp_path_factory.mktemp("scenarios"), TABLE["scenarios"]))


@pytest.mark.parametrize("scenario", TABLE["scenarios"], ids=lambda s: s["id"])
def test_each_scenario_gets_the_level_the_table_defends(
    scenario: dict[str, Any], ratings: dict[tuple[str, str], dict[str, Any]]
):
    rating = ratings[region_of(scenario)]
    assert rating["level"] == scenario["level"], (
        f"{scenario['id']}: {rating['level']} (score {rating['score']}), "
        f"the table says {scenario['level']}: {scenario['why']}"
    )


def test_deaths_outweigh_repeated_reports(ratings: dict[tuple[str, str], dict[str, Any]]):
    """400 zero-death reports of shelling at two villages score below 40 incidents with 170
    killed, and one village's ceasefire violations below both."""
    by_id = {s["id"]: ratings[region_of(s)]["score"] for s in TABLE["scenarios"]}
    assert by_id["ceasefire-violations"] < by_id["front-line-shelling"] < by_id["deadly-province"]


def test_a_catch_all_is_rated_as_its_worst_unit(tmp_path: Path):
    """Twenty units with two protests each rate as one unit with two protests: the same score
    and level, and --explain names the unit that drove it."""
    spread = next(s for s in TABLE["scenarios"] if s["id"] == "scattered-protests")
    units = spread["incidents"][0]["admin1"]
    one = {
        **spread,
        "incidents": [{**spread["incidents"][0], "count": 2, "admin1": [units[0]]}],
    }
    wide = rated(site(tmp_path / "wide", [spread]))[region_of(spread)]
    alone = rated(site(tmp_path / "alone", [one]))[region_of(one)]
    assert (wide["score"], wide["level"]) == (alone["score"], alone["level"])
    assert len(wide["units"]) == 20
    assert wide["driven_by"] in units
