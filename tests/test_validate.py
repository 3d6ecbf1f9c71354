"""`advisory validate` agrees with the weekly run: the settings, the roster, the templates; the
root cause first and what follows from it in one line; every row's problem at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_advisory


def _site(tmp_path: Path, settings: str = "version: 1\n") -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(ROOT / "rules", site / "rules")
    shutil.copytree(ROOT / "data", site / "data")
    (site / "advisory.yaml").write_text(settings)
    return site


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("advisory:")]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("alerts: {min_level: Hihg}\n",
         "advisory.yaml:2:21: alerts.min_level: 'Hihg' is not a level"),
        ("timezone: Mars/Olympus\n", "advisory.yaml:2:11: timezone: "),
        ("issue_time: '25:00'\n", "advisory.yaml:2:13: issue_time: "),
        ("delivery: {retry_delays: [1, -5]}\n",
         "advisory.yaml:2:30: delivery.retry_delays[1]: must be at least 0"),
        ("smtp: {port: 70000}\n", "advisory.yaml:2:14: smtp.port: "),
    ],
)  # fmt: skip
def test_a_bad_setting_fails_validate_where_it_is(tmp_path: Path, setting: str, expected: str):
    site = _site(tmp_path, "version: 1\n" + setting)
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2, checked.stdout
    assert _errors(checked.stderr)[0].startswith(expected), checked.stderr
    weekly = run_advisory("weekly", "--week", "2018-W25", cwd=site)
    assert weekly.returncode == 2
    assert _errors(weekly.stderr) == _errors(checked.stderr)  # the weekly run agrees


def test_a_region_file_that_does_not_parse_comes_first_and_the_roster_in_one_line(tmp_path):
    site = _site(tmp_path)
    regions = site / "rules" / "regions" / "peru.yaml"
    text = regions.read_text()
    regions.write_text(text.replace("{admin1: Ayacucho, admin2: [Huanta, La Mar]}",
                                    "{admin1: Ayacucho, admin2: [Huanta, La Mar]", 1))  # fmt: skip
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    assert _errors(checked.stderr) == [
        "rules/regions/peru.yaml:13:7: YAML syntax: did not find expected ',' or '}'",
        "data/travelers.yaml: 8 trip destinations not checked: rules/regions/peru.yaml did not "
        "parse, so its regions are not known",
    ]
    # Meanwhile a destination none of the known names covers is not looked up among the
    # cities (a second's work on every run): a city counts as not checked, a country does not.
    roster = site / "data" / "travelers.yaml"
    roster.write_text(roster.read_text().replace("destination: pe-lima,", "destination: Lima,"))
    assert "8 trip destinations not checked" in run_advisory("validate", cwd=site).stderr
    roster.write_text(roster.read_text().replace("destination: pe-cusco,", "destination: LIM,"))
    assert "6 trip destinations not checked" in run_advisory("validate", cwd=site).stderr


def test_a_row_with_an_extra_field_hides_no_other_rows_problem(tmp_path: Path):
    site = _site(tmp_path)
    log = site / "data" / "incidents.csv"
    lines = log.read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra"
    lines[7] = lines[7].replace(lines[7].split(",")[1], "2018-06-40", 1)
    lines[9] = lines[9].replace(",crime,", ",crimes,", 1) if ",crime," in lines[9] else lines[9]
    lines.append("last-1,2018-06-20,Peru,Lima,Lima,Lima,,,riot,,x,0,A riot.,Report,,,,,,,extra")
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    errors = _errors(checked.stderr)
    assert "data/incidents.csv:4: row has 21 fields, the header has 20" in errors
    assert "data/incidents.csv:57: row has 21 fields, the header has 20" in errors
    assert "data/incidents.csv:8:2: date: '2018-06-40' is not a date (YYYY-MM-DD)" in errors


def test_a_template_that_does_not_compile_is_named(tmp_path: Path):
    site = _site(tmp_path, "version: 1\ntemplates: mytemplates\n")
    shutil.copytree(ROOT / "templates", site / "mytemplates")
    email = site / "mytemplates" / "email.html.j2"
    email.write_text(email.read_text() + "{% for a in doc.alerts %}\n")
    (site / "mytemplates" / "bulletin.html.j2").unlink()
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    errors = _errors(checked.stderr)
    assert any(e.startswith("mytemplates/email.html.j2:") and "template does not compile" in e
               for e in errors), errors  # fmt: skip
    assert "mytemplates/bulletin.html.j2: template not found: the runs need it" in errors
