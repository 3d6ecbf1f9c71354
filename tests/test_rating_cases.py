"""Rating cases as data: tests/cases/rating/*.yaml (their README says how a case is written)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisory.inputs.incidents import read_incidents
from advisory.inputs.rules import check_ruleset
from advisory.models import Rating, Region, Rules, RuleSet
from advisory.rating import rate
from tests.conftest import ROOT

CASES = sorted((ROOT / "tests" / "cases" / "rating").glob("*.yaml"))
COUNTRY = "Testland"

BASE_RULES: dict[str, Any] = {
    "version": 1,
    "window_days": 30,
    "casualties": {"per_fatality": 2, "per_injury": 0.5},
    "levels": [
        {"name": "Minimal", "threshold": 0},
        {"name": "Low", "threshold": 2},
        {"name": "Moderate", "threshold": 8},
        {"name": "High", "threshold": 20},
        {"name": "Extreme", "threshold": 45},
    ],
    "categories": {
        "clash": {"weight": 3, "reasons": ["T"]},
        "ambush": {"weight": 4, "reasons": ["T"]},
        "kidnapping": {"weight": 4, "reasons": ["K"]},
        "crime": {"weight": 1, "reasons": ["C"]},
        "protest": {"weight": 1, "reasons": ["U"]},
    },
    "severity": {
        "words": ["Informational", "Warning", "Critical"],
        "rules": [
            {"word": "Critical", "when": {"fatalities_at_least": 5}},
            {"word": "Warning", "when": {"fatalities_at_least": 1}},
            {"word": "Informational"},
        ],
    },
}


def case_rules(case: dict[str, Any]) -> Rules:
    ruleset = RuleSet.model_validate({**BASE_RULES, **case.get("rules", {})})
    assert not list(check_ruleset(ruleset))
    regions = tuple(
        Region.model_validate({"name": r["id"], "context": "Context.", **r})
        for r in case.get("regions", [{"id": "r", "match": [{"admin1": "A"}]}])
    )
    return Rules(ruleset=ruleset, regions=regions, countries={r.id: COUNTRY for r in regions})


def case_incidents(case: dict[str, Any], folder: Path) -> Path:
    defaults = {
        "country": COUNTRY,
        "admin1": "A",
        "category": "clash",
        "summary": "An incident.",
        "sources": ["Test"],
    }
    incidents = [{**defaults, **i} for i in case.get("incidents", [])]
    path = folder / "incidents.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "incidents": incidents}, allow_unicode=True))
    return path


def as_of(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def observed(rating: Rating, field: str) -> Any:
    if field == "score":
        return round(rating.score, 2)
    if field == "decisions":
        return [d.kind for d in rating.decisions]
    if field == "contributions":
        return [c.incident_id for c in rating.contributions]
    value = getattr(rating, field)
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rating_case(path: Path, tmp_path: Path):
    case = yaml.safe_load(path.read_text())
    rules = case_rules(case)
    log, problems = read_incidents(
        [case_incidents(case, tmp_path)], sorted(rules.ruleset.categories)
    )
    assert [p for p in problems if p.is_error] == []

    ratings = {r.region_id: r for r in rate(log, rules, as_of(case["as_of"]))}

    for region_id, expected in case["expect"].items():
        rating = ratings[region_id]
        got = {field: observed(rating, field) for field in expected}
        want = {k: round(v, 2) if k == "score" else v for k, v in expected.items()}
        assert got == want, f"{path.name}: {region_id}"


def test_there_are_at_least_fifteen_cases():
    assert len(CASES) >= 15
