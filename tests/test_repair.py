"""Place names that survive bad encodings: a lost letter (U+FFFD) or double-encoded UTF-8
never makes a second region, and every repair is said."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from advisory.errors import Problem, Severity
from advisory.inputs import Inputs, load_inputs
from advisory.places.repair import repaired_places
from tests.acled_corpus import mojibake
from tests.conftest import ROOT, run_advisory

HEADER = ["id", "date", "country", "admin1", "location", "category", "summary", "sources"]


def _log(tmp_path: Path, places: list[tuple[str, str]]) -> Path:
    path = tmp_path / "log.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, (admin1, location) in enumerate(places):
            writer.writerow([f"sv-{n}", "2024-03-14", "El Salvador", admin1, location, "crime",
                             "A robbery.", "Local press"])  # fmt: skip
    return path


def _load(tmp_path: Path, places: list[tuple[str, str]]) -> Inputs:
    return load_inputs(ROOT / "rules", [str(_log(tmp_path, places))], None)


def _repairs(inputs: Inputs, *fields: str) -> list[Problem]:
    """The warnings of repairs (and of names that could not be repaired) at `fields`."""
    return [p for p in inputs.warnings if p.field in fields
            and ("read as" in p.message or "left as it is" in p.message)]  # fmt: skip


def _regions(inputs: Inputs) -> set[str]:
    return set(inputs.placements.get_column("region").to_list())


def test_a_lost_letter_reads_as_the_one_unit_it_can_be(tmp_path: Path):
    lost = "Moraz\ufffdn"
    inputs = _load(tmp_path, [("Morazán", "Gotera"), (lost, "Corinto"), (lost, "Perquín")])
    assert _regions(inputs) == {"sv-morazan"}
    [warning] = _repairs(inputs, "admin1")
    assert warning.severity is Severity.WARNING
    assert "'Moraz\ufffdn'" in warning.message and "read as 'Morazán'" in warning.message
    assert "2 rows (lines 3 and 4)" in warning.message
    assert str(warning.location).endswith("log.csv:3:4")  # where it first stands


def test_a_question_mark_for_a_letter_a_code_page_lacks(tmp_path: Path):
    inputs = _load(tmp_path, [("Morazán", "Corinto"), ("Moraz?n", "Perquín"), ("Usulután", "Why?")])
    assert _regions(inputs) == {"sv-morazan", "sv-usulutan"}
    [warning] = _repairs(inputs, "admin1", "location")  # "Why?" ends no word inside: not a loss
    assert "'Moraz?n' (a letter lost in transit) read as 'Morazán'" in warning.message


def test_a_double_encoded_name_is_repaired(tmp_path: Path):
    inputs = _load(tmp_path, [("Morazán", "Corinto"), (mojibake("Morazán"), "Perquín"),
                              ("Usulután", mojibake("Jiquilisco Bahía"))])  # fmt: skip
    assert _regions(inputs) == {"sv-morazan", "sv-usulutan"}
    told = [p.message for p in _repairs(inputs, "admin1", "location")]
    assert any("double-encoded" in m and "read as 'Morazán'" in m for m in told), told
    assert any("read as 'Jiquilisco Bahía'" in m for m in told), told
    assert "Jiquilisco Bahía" in inputs.incidents.frame.get_column("location").to_list()


@pytest.mark.parametrize(
    ("places", "said"),
    [
        ([("Caba\ufffdas", "Sensuntepeque"), ("Cabañas", "Ilobasco"), ("Cabazas", "Victoria")],
         "could be any of Cabazas, Cabañas"),
        ([("Xyz\ufffd", "Somewhere"), ("Morazán", "Corinto")], "no known place"),
    ],
)  # fmt: skip
def test_a_lost_letter_that_could_be_several_or_none_is_left_and_said(tmp_path, places, said):
    inputs = _load(tmp_path, places)
    told = [p.message for p in _repairs(inputs, "admin1")]
    assert any(said in m and "left as it is" in m for m in told), told


def test_an_undamaged_log_is_untouched(tmp_path: Path):
    inputs = _load(tmp_path, [("Morazán", "Corinto"), ("Ahuachapán", "Atiquizaya")])
    log, problems = repaired_places(inputs.incidents, inputs.rules)
    assert problems == [] and log is inputs.incidents


def test_validate_says_the_repair_and_passes(tmp_path: Path):
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    (site / "data" / "travelers.yaml").write_bytes((ROOT / "data" / "travelers.yaml").read_bytes())
    _log(site, [("Morazán", "Corinto"), ("Moraz\ufffdn", "Perquín")])
    done = run_advisory("validate", "--rules", str(ROOT / "rules"), "--incidents", "log.csv",
                        cwd=site)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "read as 'Morazán'" in done.stdout + done.stderr
