"""The shipped region files follow the feeds' own units: every place a hand-written region
names is one that ACLED or GTD writes for its country (tests/fixtures/feed_units/), and the
capital's region takes in the capital only, however a feed writes it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisory.inputs import load_inputs
from advisory.places.names import normalize
from tests.conftest import ROOT

UNITS = ROOT / "tests" / "fixtures" / "feed_units"


def _units(country: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((UNITS / f"{country.lower()}.yaml").read_text("utf-8"))
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "rules" / "regions").glob("*.yaml")))
def test_every_named_unit_is_one_a_feed_writes(path: Path):
    regions = yaml.safe_load(path.read_text(encoding="utf-8"))
    units = _units(regions["country"])
    admin1 = {normalize(n) for n in [*units["acled"]["admin1"], *units["gtd"]["provstate"]]}
    admin2 = {normalize(n) for names in units["acled"]["admin2"].values() for n in names}
    unknown = []
    for region in regions["regions"]:
        for entry in region["match"]:
            names1 = entry.get("admin1", [])
            names2 = entry.get("admin2", [])
            for name in [names1] if isinstance(names1, str) else names1:
                if normalize(name) not in admin1:
                    unknown.append((region["id"], "admin1", name))
            for name in [names2] if isinstance(names2, str) else names2:
                if normalize(name) not in admin2:
                    unknown.append((region["id"], "admin2", name))
    assert not unknown, unknown


def test_the_capital_region_is_the_capital(tmp_path: Path):
    """ACLED's Lima Province and Callao, the demo's and GTD's department "Lima" where the
    province or place is the capital's: Lima. The Lima Region around it: the rest of Peru."""
    rows = [
        ("acled-capital", "Lima Province", "Lima", "Lima", "pe-lima"),
        ("acled-callao", "Callao", "Callao", "Ventanilla", "pe-lima"),
        ("acled-canete", "Lima", "Cañete", "San Luis de Cañete", "pe-rest"),
        ("acled-huacho", "Lima", "Huaura", "Huacho", "pe-rest"),
        ("demo-capital", "Lima", "Lima", "Miraflores", "pe-lima"),
        ("gtd-capital", "Lima", "", "San Juan de Lurigancho", "pe-lima"),
        ("gtd-huaral", "Lima", "", "Huaral", "pe-rest"),
    ]
    path = tmp_path / "log.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "country", "admin1", "admin2", "location", "category",
                         "summary", "sources"])  # fmt: skip
        for id_, admin1, admin2, location, _ in rows:
            writer.writerow([id_, "2024-03-14", "Peru", admin1, admin2, location, "protest",
                             "A march.", "Press"])  # fmt: skip
    inputs = load_inputs(ROOT / "rules", [str(path)], None)
    ids = inputs.incidents.frame.get_column("id").to_list()
    placed = {ids[pos]: region for pos, region in inputs.placements.rows()}
    assert placed == {id_: region for id_, *_, region in rows}
