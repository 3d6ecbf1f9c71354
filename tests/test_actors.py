"""Actors as a reader writes them: the rules' table first, then the feeds' conventions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisory.inputs.rules import read_rules
from advisory.writing.actors import UNIDENTIFIED, reader_name
from tests.acled_corpus import THEATRES, export, write
from tests.conftest import ROOT, run_advisory
from tests.sendable import LABEL_PATTERNS


@pytest.fixture(scope="module")
def table() -> dict[str, str]:
    rules, _, problems = read_rules(ROOT / "rules")
    assert rules is not None, problems
    return rules.actors


@pytest.mark.parametrize(
    ("label", "written"),
    [
        ("Military Forces of Afghanistan (2014-)", "Afghan military forces"),
        ("Military Forces of Afghanistan (2014-2021)", "Afghan military forces"),
        ("Military Forces of Afghanistan (2021-)", "Taliban government forces"),
        ("Police Forces of India (2014-)", "Indian police"),
        ("Military Forces of the United States (2021-2025)", "American military forces"),
        ("Military Forces of Yemen (2022-) Presidential Leadership Council",
         "Yemeni government forces"),
        ("Police Forces of Kosovo (2020-) Special Unit", "Kosovar police (Special Unit)"),
        ("Rioters (India)", "rioters"),
        ("Civilians (Afghanistan)", "civilians"),
        ("Labor Group (Peru)", "workers"),
        ("Unidentified Armed Group (Peru)", "an unidentified armed group"),
        ("Unidentified Armed Group", "an unidentified armed group"),  # its kind alone
        ("Rioters", "rioters"),
        ("Fulani Ethnic Militia (Nigeria)", "Fulani militiamen"),
        ("NATO: North Atlantic Treaty Organization", "NATO"),
        ("Taliban", "the Taliban"),
        ("Unknown", UNIDENTIFIED),
        ("  unknown ", UNIDENTIFIED),
        ("Peruvian soldiers", "Peruvian soldiers"),  # an analyst's own words stay
        ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_labels_are_named_as_a_reader_writes_them(table, label, written):
    assert reader_name(label, table) == written


def test_a_force_of_2021_is_not_the_force_of_2014(table):
    afghan = "Military Forces of Afghanistan ({})"
    assert reader_name(afghan.format("2021-"), table) != reader_name(afghan.format("2014-"), table)


def test_no_actor_of_a_real_shaped_export_keeps_its_label(table):
    corpus = export(seed=11, size=2000)
    labels = {a.name for e in corpus.events for a in (e.actor1, e.actor2) if a}
    assert len(labels) >= 40
    for label in labels:
        name = reader_name(label, table)
        assert name, label
        for what, pattern in LABEL_PATTERNS.items():
            assert not pattern.search(name), f"{label!r} -> {name!r} reads as a {what}"


def test_the_alerts_of_an_imported_export_carry_no_feed_label(tmp_path: Path):
    """An Afghan month imported from a real-shaped export: no alert page (summary, Event and
    all) carries a feed's label. (The incident table that keeps them is the bulletin's.)"""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "advisory.yaml").write_text(
        "version: 1\nmaps: false\nalerts: {min_level: Minimal, min_severity: Informational}\n"
    )
    afghan = [t for t in THEATRES if t.country == "Afghanistan"]
    corpus = export(seed=12, size=120, theatres=afghan)
    (tmp_path / "export.csv").write_bytes(write(corpus))
    imported = run_advisory("import", "acled", "export.csv", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    done = run_advisory("alert", "--all", "--as-of", "2024-03-25T06:00Z", "--format", "html",
                        "--out", "out", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    pages = list((tmp_path / "out").glob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text()
        for what, pattern in LABEL_PATTERNS.items():
            if what in ("acronym: expansion", "placeholder"):
                continue
            assert not pattern.search(html), (page.name, what, pattern.search(html))


def test_a_bad_actor_table_is_reported_where_it_is(tmp_path: Path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "rules" / "actors.yaml").write_text(
        "version: 1\nactors:\n  Taliban: the Taliban\n  Rioters (India): ''\nnames: {}\n"
    )
    checked = run_advisory("validate", cwd=tmp_path)
    assert checked.returncode == 2
    assert "rules/actors.yaml:4:" in checked.stderr
    assert "rules/actors.yaml:5:" in checked.stderr
