"""`advisory schema`: JSON Schemas that check the files people edit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from advisory.inputs.incidents import read_incidents
from advisory.inputs.schema import KINDS, json_schema, schema_text
from tests.conftest import ROOT, run_advisory


def _as_json(value: Any) -> Any:
    """YAML data as an editor's schema checker sees it: dates are text."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json_schema(kind)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("ruleset", "rules/scoring.yaml"),
        ("regions", "rules/regions/peru.yaml"),
        ("roster", "data/travelers.yaml"),
    ],
)
def test_schema_accepts_the_demo_file(kind: str, path: str):
    data = _as_json(yaml.safe_load((ROOT / path).read_text()))
    _validator(kind).validate(data)


def test_schema_accepts_the_demo_incidents():
    log, problems = read_incidents(sorted((ROOT / "data").glob("*.csv")))
    assert not [p for p in problems if p.is_error]
    document: dict[str, Any] = {
        "version": 1,
        "incidents": [
            {k: v for k, v in i.model_dump(mode="json").items() if v is not None}
            for i in log.incidents()
        ],
    }
    _validator("incidents").validate(document)


def test_schema_refuses_a_typo():
    data = _as_json(yaml.safe_load((ROOT / "rules/scoring.yaml").read_text()))
    data["levels"][0]["treshold"] = 1
    errors = list(_validator("ruleset").iter_errors(data))
    assert errors and "treshold" in errors[0].message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_committed_schemas_are_current(kind: str):
    """rules/schema/ is what editors read: `advisory schema --out rules/schema` renews it."""
    assert (ROOT / "rules" / "schema" / f"{kind}.schema.json").read_text() == schema_text(kind)


def test_schema_command_prints_and_writes(tmp_path: Path):
    printed = run_advisory("schema", "roster", cwd=tmp_path)
    assert printed.returncode == 0
    assert json.loads(printed.stdout)["title"] == "advisory traveler roster"

    written = run_advisory("schema", "--out", "schemas", cwd=tmp_path)
    assert written.returncode == 0
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == sorted(
        f"{k}.schema.json" for k in KINDS
    )

    usage = run_advisory("schema", cwd=tmp_path)
    assert usage.returncode == 2
    assert "name a KIND" in usage.stderr
