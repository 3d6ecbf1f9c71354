"""Analysts' overrides (rules/overrides.yaml): applied on every run, listed in the manifest and in
`--explain`, and a bad entry a located error before anything is written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from advisory.errors import InputError
from advisory.inputs import load_inputs
from advisory.writing.plan import check_overrides, compose_week
from tests.conftest import run_advisory

ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)  # the bulletin of 2018-W25
GOOD = """\
version: 1
overrides:
  - region: pe-vraem
    week: 2018-W25
    analyst: M. Quispe
    reason: The army confirmed the patrol's route.
    summary: >-
      Clashes between Peruvian soldiers and narcotraffickers in VRAEM region June 24 amid
      intensifying security operations.
    add_event:
      - >-
        The Peruvian armed forces are expected to continue to intensify their operations in
        the area.
    add_advice:
      - Travel in the VRAEM only with an escort arranged through the security desk.
  - region: pe-lima
    week: 2018-W25
    analyst: M. Quispe
    reason: The teachers' march was a scheduled, peaceful event.
    suppress: true
"""


def _inputs(workspace: Path, overrides: str):
    (workspace / "rules" / "overrides.yaml").write_text(overrides, encoding="utf-8")
    return load_inputs(workspace / "rules", [str(workspace / "data" / "*.csv")], None)


def test_overrides_change_and_suppress_the_weeks_alerts(demo_workspace: Path):
    week = compose_week(_inputs(demo_workspace, GOOD), ISSUED)
    alerts = {a.region_id: a for a in week.alerts}
    assert "pe-lima" not in alerts  # suppressed
    vraem = alerts["pe-vraem"]
    assert vraem.summary.endswith("amid intensifying security operations.")
    assert vraem.event[-1].startswith("The Peruvian armed forces are expected to continue")
    assert vraem.event[1].startswith("This was the third such incident")  # the rest kept
    assert (
        vraem.advice[-1]
        == "Travel in the VRAEM only with an escort arranged through the security desk."
    )
    assert [(o.region, o.changes) for o in week.overrides] == [
        ("pe-lima", ("alert suppressed",)),
        ("pe-vraem", ("summary replaced", "one Event paragraph added",
                      "one piece of advice added")),
    ]  # fmt: skip


def test_overrides_of_another_week_change_nothing(demo_workspace: Path):
    inputs = _inputs(demo_workspace, GOOD)
    week = compose_week(inputs, ISSUED + dt.timedelta(days=7))
    assert week.overrides == ()


def test_replacing_the_event(demo_workspace: Path):
    text = GOOD.split("  - region: pe-lima")[0].replace(
        "    add_event:\n",
        "    event:\n      - One paragraph of the analyst's own.\n    add_event:\n",
    )
    week = compose_week(_inputs(demo_workspace, text), ISSUED)
    vraem = next(a for a in week.alerts if a.region_id == "pe-vraem")
    assert vraem.event == (
        "One paragraph of the analyst's own.",
        "The Peruvian armed forces are expected to continue to intensify their operations in the "
        "area.",
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {region: pe-vraemm, week: 2018-W25, analyst: A, reason: B, suppress: true}\n",
         "rules/overrides.yaml:3:14: overrides[0].region: 'pe-vraemm' is not a region"),
        ("  - {region: pe-vraem, week: 2018-W54, analyst: A, reason: B, suppress: true}\n",
         "rules/overrides.yaml:3:30: overrides[0].week: '2018-W54' is not a week: 2018 has 52 "
         "ISO weeks"),
        ("  - {region: pe-vraem, week: 2018-W25, analyst: A, reason: B, headline: C}\n",
         "rules/overrides.yaml:3:63: overrides[0].headline: unknown field"),
        ("  - {region: pe-vraem, week: 2018-W25, reason: B, suppress: true}\n",
         "overrides[0].analyst: "),
        ("  - {region: pe-vraem, week: 2018-W25, analyst: A, reason: B, suppress: true, "
         "summary: C}\n", "overrides[0].suppress: a suppressed alert cannot also be changed"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_a_located_error(demo_workspace: Path, entry: str, message: str):
    (demo_workspace / "rules" / "overrides.yaml").write_text(f"version: 1\noverrides:\n{entry}")
    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr, result.stderr


def test_a_week_without_an_alert_for_the_region_is_an_error(demo_workspace: Path):
    text = (
        "version: 1\noverrides:\n"
        "  - {region: pe-cusco, week: 2018-W24, analyst: A, reason: B, suppress: true}\n"
        "  - {region: pe-vraem, week: 2018-W25, analyst: A, reason: B, suppress: true}\n"
    )
    inputs = _inputs(demo_workspace, text)
    [problem] = check_overrides(inputs, dt.time(6))
    assert str(problem).endswith(
        "rules/overrides.yaml:3:30: overrides[0].week: pe-cusco has no alert in 2018-W24: it had "
        "no incident that week"
    )
    with pytest.raises(InputError):
        compose_week(inputs, dt.datetime(2018, 6, 18, 6, tzinfo=dt.UTC))

    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 2
    assert "rules/overrides.yaml:3:30: overrides[0].week: pe-cusco has no alert" in result.stderr
    out = demo_workspace / "out"
    weekly = run_advisory("weekly", "--week", "2018-W24", "--out", str(out), cwd=demo_workspace)
    assert weekly.returncode == 2, weekly.stderr
    assert "pe-cusco has no alert in 2018-W24" in weekly.stderr
    assert not out.exists() or not any(out.iterdir())  # nothing written


def test_the_weekly_run_applies_them_lists_them_and_keeps_them_on_a_rerun(demo_workspace: Path):
    (demo_workspace / "rules" / "overrides.yaml").write_text(GOOD, encoding="utf-8")
    assert run_advisory("validate", cwd=demo_workspace).returncode == 0
    out = demo_workspace / "out"
    first = run_advisory("weekly", "--week", "2018-W25", "--out", str(out), cwd=demo_workspace)
    assert first.returncode == 0, first.stderr
    week = out / "2018-W25"
    assert not (week / "alerts" / "pe-lima.html").exists()
    html = (week / "alerts" / "pe-vraem.html").read_text()
    assert "amid intensifying security operations." in html
    manifest = json.loads((week / "manifest.json").read_text())
    assert [(o["region"], o["analyst"]) for o in manifest["overrides"]] == [
        ("pe-lima", "M. Quispe"),
        ("pe-vraem", "M. Quispe"),
    ]
    assert "rules/overrides.yaml" in {i["path"] for i in manifest["inputs"]}
    again = run_advisory("weekly", "--week", "2018-W25", "--out", str(out), cwd=demo_workspace)
    assert again.returncode == 0, again.stderr
    assert (week / "alerts" / "pe-vraem.html").read_text() == html

    explained = run_advisory(
        "rate", "--as-of", "2018-06-25T06:00Z", "--region", "pe-vraem", "--explain",
        cwd=demo_workspace,
    )  # fmt: skip
    assert explained.returncode == 0, explained.stderr
    assert (
        "  override (rules/overrides.yaml:4:11): summary replaced; one Event paragraph added; "
        "one piece of advice added; by M. Quispe (The army confirmed the patrol's route.)"
    ) in explained.stdout
