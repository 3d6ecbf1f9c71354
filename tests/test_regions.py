"""Which region an incident belongs to."""

from __future__ import annotations

from typing import Any

import polars as pl

from advisory.inputs.regions import assign_regions, normalize
from advisory.models import Region, Rules, RuleSet


def _rules(*regions: dict[str, Any], country: str = "Peru") -> Rules:
    ruleset = RuleSet.model_validate(
        {
            "version": 1,
            "window_days": 30,
            "levels": [{"name": "Low", "threshold": 0}],
            "categories": {"crime": {"weight": 1, "reasons": ["C"]}},
            "severity": {"words": ["Info"], "rules": [{"word": "Info"}]},
        }
    )
    parsed = tuple(Region.model_validate({"name": r["id"], "context": "x", **r}) for r in regions)
    return Rules(ruleset=ruleset, regions=parsed, countries={r.id: country for r in parsed})


def _places(rules: Rules, *rows: tuple[str, str, str | None, str | None]) -> list[list[str]]:
    frame = pl.DataFrame(rows, schema=["country", "admin1", "admin2", "location"], orient="row")
    found = assign_regions(frame, rules)
    return [
        sorted(found.filter(pl.col("pos") == i).get_column("region").to_list())
        for i in range(len(rows))
    ]


VRAEM = {
    "id": "vraem",
    "match": [
        {"admin1": "Ayacucho", "admin2": ["Huanta", "La Mar"]},
        {"admin1": "Junín", "admin2": "Satipo"},
    ],
}
REST = {"id": "rest", "match": [{}]}


def test_normalize_ignores_case_accents_and_blanks():
    assert normalize("  Junín ") == normalize("JUNIN") == "junin"
    assert normalize("La  Convención") == "la convencion"


def test_region_spanning_several_admin1_units():
    rules = _rules(VRAEM)
    assert _places(
        rules,
        ("Peru", "Ayacucho", "La Mar", None),
        ("Peru", "Junin", "SATIPO", None),
        ("Peru", "Junín", "Huancayo", None),
    ) == [["vraem"], ["vraem"], []]


def test_country_wide_region_catches_the_rest():
    rules = _rules(VRAEM, REST)
    assert _places(
        rules,
        ("Peru", "Ayacucho", "Huanta", None),
        ("Peru", "Lima", None, None),
        ("peru", "Puno", "Puno", "Juliaca"),
        ("Bolivia", "La Paz", None, None),
    ) == [["vraem"], ["rest"], ["rest"], []]


def test_more_specific_match_wins():
    cusco = {"id": "cusco", "match": [{"admin1": "Cusco", "location": "Machu Picchu"}]}
    convencion = {"id": "convencion", "match": [{"admin1": "Cusco", "admin2": "La Convención"}]}
    rules = _rules(cusco, convencion, REST)
    assert _places(
        rules,
        ("Peru", "Cusco", "La Convención", "Machu Picchu"),
        ("Peru", "Cusco", "La Convención", "Quillabamba"),
    ) == [["cusco"], ["convencion"]]


def test_boundary_place_named_by_two_regions_belongs_to_both():
    north = {"id": "north", "match": [{"admin1": "Loreto", "admin2": "Putumayo"}]}
    border = {"id": "border", "match": [{"admin1": "Loreto", "admin2": ["Putumayo", "Maynas"]}]}
    rules = _rules(north, border)
    assert _places(rules, ("Peru", "Loreto", "Putumayo", None)) == [["border", "north"]]
