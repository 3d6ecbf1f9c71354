"""A roster as a travel-booking system exports it: one CSV row per trip."""

from __future__ import annotations

from pathlib import Path

from advisory.inputs.roster import read_roster
from advisory.inputs.rules import Vocabulary, read_rules
from tests.conftest import ROOT


def _vocabulary() -> Vocabulary:
    return read_rules(ROOT / "rules")[1]


def test_rows_of_one_email_are_one_traveler(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffname,email,destination,start,end\r\n"
        "Ana Torres,Ana.Torres@example.org,pe-vraem,2018-06-20,2018-07-06\r\n"
        "Ana Torres,ana.torres@example.org,Peru,2018-07-06,2018-07-09\r\n"
        "Lukas Berg,lukas.berg@example.org,pe-lima,2018-06-18,2018-06-30\r\n".encode()
    )
    roster, problems = read_roster(path, _vocabulary())
    assert problems == [] and roster is not None
    ana, lukas = roster.travelers
    assert ana.email == "ana.torres@example.org" and len(ana.trips) == 2
    assert ana.id.startswith("t-") and "@" not in ana.id  # logs never show the address
    assert lukas.trips[0].destination == "pe-lima"


def test_problems_are_located(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text(
        "name,email,destination,start,end\n"
        "Bob,bob@example,pe-lmia,2018-06-31,2018-06-01\n"
        "Eve,eve@example.org,Peru,2018-07-09,2018-07-01\n"
    )
    roster, problems = read_roster(path, _vocabulary())
    assert roster is None
    shown = [str(p).removeprefix(f"{path}:") for p in problems]
    destination = (
        "2:3: destination: 'pe-lmia' is no region, country, airport code or city that advisory "
        "knows (cities of 15,000 people or more); did you mean 'pe-lima'?"
    )
    assert destination in shown
    assert "2:4: start: '2018-06-31' is not a date (YYYY-MM-DD)" in shown
    assert "3:5: end: ends (2018-07-01) before it starts (2018-07-09)" in shown
    assert any(
        s.startswith("2:2: email: 'bob@example' is not a valid email address") for s in shown
    )


def test_missing_column(tmp_path: Path):
    path = tmp_path / "export.csv"
    path.write_text("name,email,start,end\nA,a@example.org,2018-06-01,2018-06-02\n")
    _, problems = read_roster(path, _vocabulary())
    assert [str(p).removeprefix(f"{path}:") for p in problems] == [
        "1: destination: required column is missing"
    ]
