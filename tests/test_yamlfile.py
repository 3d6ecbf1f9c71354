"""YAML files that keep their line marks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from advisory.inputs.yamlfile import field_name, load_yaml, validate_model
from advisory.models import Roster


def _doc(tmp_path: Path, text: str):
    path = tmp_path / "f.yaml"
    path.write_text(text)
    return load_yaml(path)


def test_duplicate_keys_are_reported_at_the_second(tmp_path: Path):
    doc, problems = _doc(tmp_path, "a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert doc is not None
    assert sorted((p.location.line, p.field, p.message) for p in problems) == [
        (4, "b.c", "duplicate key (first given on line 3)"),
        (5, "a", "duplicate key (first given on line 1)"),
    ]


def test_bad_date_stays_text_and_is_named(tmp_path: Path):
    doc, problems = _doc(
        tmp_path,
        "version: 1\ntravelers:\n  - id: t-1\n    name: A\n    email: a@example.org\n"
        "    trips:\n      - {destination: Peru, start: 2018-02-30, end: 2018-03-01}\n",
    )
    assert doc is not None and problems == []
    trip = doc.data["travelers"][0]["trips"][0]
    assert trip["start"] == "2018-02-30"
    assert trip["end"] == dt.date(2018, 3, 1)
    roster, problems = validate_model(doc, Roster)
    assert roster is None
    assert [str(p).split(":", 1)[1] for p in problems] == [
        "7:36: travelers[0].trips[0].start: '2018-02-30' is not a date (YYYY-MM-DD)"
    ]


def test_syntax_error_is_located(tmp_path: Path):
    doc, problems = _doc(tmp_path, "a: [1, 2\nb: 3\n")
    assert doc is None
    [problem] = problems
    assert problem.location.line == 2
    assert problem.message.startswith("YAML syntax:")


def test_empty_file(tmp_path: Path):
    doc, problems = _doc(tmp_path, "# nothing\n")
    assert doc is not None and doc.data is None and problems == []


def test_missing_file(tmp_path: Path):
    doc, problems = load_yaml(tmp_path / "nope.yaml")
    assert doc is None and problems[0].message == "file not found"


def test_field_name():
    assert field_name(("regions", 0, "match", 2, "admin1")) == "regions[0].match[2].admin1"
