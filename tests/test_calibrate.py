"""`advisory calibrate`: thresholds from target shares, and a backtest of what they change."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from advisory.calibration import backtest, propose_thresholds, shares, weeks_between
from advisory.inputs import load_inputs
from advisory.writing.bar import AlertBar
from tests.conftest import ROOT, run_advisory

FIELDS = ["id", "date", "country", "admin1", "category", "fatalities", "injuries", "summary",
          "sources"]  # fmt: skip


def write_log(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for n, row in enumerate(rows):
            writer.writerow(
                {"id": f"x-{n}", "country": "Peru", "admin1": "Ayacucho", "fatalities": 0,
                 "injuries": 0, "category": "attack", "summary": "An attack.",
                 "sources": "Report", **row}
            )  # fmt: skip


# --- a small case, checked by hand ---------------------------------------------------------

SMALL_SCORING = """\
version: 1
window_days: 7
lookback_weeks: 2
levels:
  - {name: Minimal, threshold: 0}
  - {name: Low, threshold: 2}
  - {name: High, threshold: 5}
categories:
  attack: {weight: 1, reasons: [T]}
severity:
  words: [Informational, Warning]
  rules:
    - {word: Warning, when: {fatalities_at_least: 1}}
    - {word: Informational}
"""
SMALL_REGIONS = """\
version: 1
country: Peru
regions:
  - id: pe-a
    name: Ayacucho
    match: [{admin1: Ayacucho}]
"""
#: Incidents per week of 2024: W01 1, W02 3, W03 4, W04 6, W05 none, W06 1 (one killed).
SMALL_WEEKS = {"2024-01-03": 1, "2024-01-10": 3, "2024-01-17": 4, "2024-01-24": 6}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    (tmp_path / "rules" / "regions").mkdir(parents=True)
    (tmp_path / "rules" / "scoring.yaml").write_text(SMALL_SCORING)
    (tmp_path / "rules" / "regions" / "peru.yaml").write_text(SMALL_REGIONS)
    (tmp_path / "data").mkdir()
    rows: list[dict[str, object]] = [
        {"date": day} for day, count in SMALL_WEEKS.items() for _ in range(count)
    ]
    rows.append({"date": "2024-02-07", "fatalities": 1})
    write_log(tmp_path / "data" / "incidents.csv", rows)
    return tmp_path


def test_the_backtest_of_a_small_case(small: Path):
    """Scores by week 1, 3, 4, 6, 0, 1. Today (Low 2, High 5): Minimal, Low, Low, High,
    Minimal, Minimal. Proposed (Low 3, High 4): W03 becomes High, nothing else moves. Under
    the bar High-or-Warning, alerts go out today in W04 and W06 (a death), and under the
    proposal in W03 as well."""
    inputs = load_inputs(small / "rules", [str(small / "data" / "incidents.csv")], None)
    scored = weeks_between(inputs, dt.date(2024, 1, 1), dt.date(2024, 2, 11))
    assert scored.labels == [f"2024-W0{n}" for n in range(1, 7)]
    assert scored.score[0, scored.shown_from :].tolist() == [1, 3, 4, 6, 0, 1]
    [found] = backtest(
        inputs.rules, scored, AlertBar("High", "Warning"), {"default": [0.0, 3.0, 4.0]}
    )
    assert (found.weeks, found.level_changes, found.raised) == (6, 1, 1)
    assert (found.alerts_now, found.alerts_proposed) == (2, 3)
    assert (found.alerts_gained, found.alerts_lost) == (("2024-W03",), ())


def test_the_small_case_through_the_command(small: Path):
    """Targets 50/25/25 of six weeks: three below Low (0, 1, 1), so Low at 3; at least 75 %
    below High means five of six, so High at 6."""
    fragment = small / "proposal.yaml"
    result = run_advisory(
        "calibrate", "--since", "2024-01-01", "--until", "2024-02-11",
        "--targets", "Minimal=50,Low=25,High=25", "--format", "json", "--out", str(fragment),
        "--force", cwd=small,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [proposal] = report["proposals"]
    assert [s["threshold_proposed"] for s in proposal["levels"]] == [0, 3, 6]
    assert [s["share_now"] for s in proposal["levels"]] == [0.5, 0.3333, 0.1667]
    assert proposal["region_weeks"] == 6
    [region] = report["backtest"]
    assert region["level_changes"] == 0  # W03 (4) stays Low; W04 (6) stays High
    text = fragment.read_text()
    assert "#   Low: 3\n#   High: 6\n" in text
    assert report["fragment"] == text


def test_targets_are_checked(small: Path):
    result = run_advisory("calibrate", "--targets", "Minimal=50,Low=25", cwd=small)
    assert result.returncode == 2
    assert "give a share for High" in result.stderr
    result = run_advisory("calibrate", "--targets", "Minimal=50,Low=25,Hihg=25", cwd=small)
    assert result.returncode == 2
    assert "'Hihg' is not a level" in result.stderr
    result = run_advisory("calibrate", "--targets", "Minimal=60,Low=25,High=25", cwd=small)
    assert "add up to 110%" in result.stderr
    result = run_advisory("calibrate", "--profile", "conflcit", cwd=small)
    assert result.returncode == 2
    assert "'conflcit' is not a profile" in result.stderr


# --- a high-intensity country ---------------------------------------------------------------

CONFLICT = """\
version: 1
country: Afghanistan
profile: conflict
regions:
"""
PROVINCES = ["Helmand", "Kandahar", "Kunar", "Nangarhar", "Ghazni", "Zabul", "Uruzgan",
             "Paktika", "Faryab", "Badghis"]  # fmt: skip


def conflict_site(target: Path, weeks: int = 30, seed: int = 3) -> Path:
    """The shipped rules with Afghanistan's provinces under a `conflict` profile, and a log of
    hundreds of incidents a week there, each province at its own and changing intensity."""
    shutil.copytree(ROOT / "rules", target / "rules")
    scoring = target / "rules" / "scoring.yaml"
    scoring.write_text(
        scoring.read_text() + "  conflict:\n    description: Active conflicts.\n"
        "    thresholds: {Low: 10, Moderate: 20, High: 60, Extreme: 200}\n"
    )
    lines = [CONFLICT] + [
        f"  - id: af-{p.lower()}\n    name: {p}\n    match: [{{admin1: {p}}}]\n" for p in PROVINCES
    ]
    (target / "rules" / "regions" / "afghanistan.yaml").write_text("".join(lines))
    rng = random.Random(seed)
    start = dt.date(2023, 1, 2)
    rows: list[dict[str, object]] = []
    categories = ["armed_clash", "airstrike", "explosive", "attack", "protest"]
    for week in range(weeks):
        for n, province in enumerate(PROVINCES):
            rate = 4 + 9 * n * (1 + 0.5 * np.sin(week / 4 + n))
            for _ in range(max(0, int(rng.gauss(rate, rate / 3)))):
                rows.append(
                    {
                        "date": (start + dt.timedelta(weeks=week, days=rng.randrange(7))),
                        "country": "Afghanistan",
                        "admin1": province,
                        "category": rng.choice(categories),
                        "fatalities": rng.choice((0, 0, 1, 2, 4)),
                    }
                )
    (target / "data").mkdir()
    write_log(target / "data" / "afghanistan.csv", rows)
    return target


def test_a_high_intensity_country_is_spread_across_the_levels(tmp_path: Path):
    """Hundreds of incidents a week put every province at Extreme by the shipped thresholds;
    calibrated to the default targets, each level holds its target share of region-weeks
    within 3 percentage points (the tolerance docs/rules.md states)."""
    site = conflict_site(tmp_path)
    result = run_advisory(
        "calibrate", "--profile", "conflict", "--since", "2023-02-06", "--until", "2023-07-30",
        "--format", "json", cwd=site,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [proposal] = json.loads(result.stdout)["proposals"]
    assert proposal["profile"] == "conflict"
    assert proposal["regions"] == len(PROVINCES)
    assert proposal["region_weeks"] == 25 * len(PROVINCES)
    levels = proposal["levels"]
    assert levels[-1]["share_now"] > 0.5  # today: most weeks Extreme
    for level in levels:
        assert abs(level["share_proposed"] - level["target"]) <= 0.03, level
    thresholds = [level["threshold_proposed"] for level in levels]
    assert thresholds == sorted(set(thresholds))
    backtest_rows = json.loads(result.stdout)["backtest"]
    assert {r["profile"] for r in backtest_rows} == {"conflict"}
    assert sum(r["level_changes"] for r in backtest_rows) > 0


def test_the_table_names_profiles_and_the_fragment_pastes_back(tmp_path: Path):
    site = conflict_site(tmp_path, weeks=12)
    result = run_advisory("calibrate", "--profile", "conflict", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "profile conflict: 10 regions" in result.stdout
    assert "backtest: " in result.stdout
    fragment = result.stdout[result.stdout.index("# Proposed by advisory calibrate") :]
    assert "profiles:\n  conflict:\n    description: Active conflicts.\n" in fragment
    # Pasted in place of the old profile, the rules load and rate by the new thresholds.
    scoring = site / "rules" / "scoring.yaml"
    text = scoring.read_text()
    pasted = fragment.replace("profiles:\n", "", 1)
    scoring.write_text(text[: text.index("  conflict:")] + pasted)
    explained = run_advisory(
        "rate", "--as-of", "2023-03-27", "--region", "af-helmand", "--explain", cwd=site
    )
    assert explained.returncode == 0, explained.stderr
    assert "thresholds of profile conflict: Minimal 0, Low " in explained.stdout


def test_proposed_thresholds_rise_even_when_most_weeks_are_quiet():
    """Nine quiet weeks in ten: the lowest level holds them, and the rest are split in the
    targets' proportions; thresholds always rise."""
    scores = np.array([0.0] * 90 + [float(n) for n in range(1, 11)])
    thresholds = propose_thresholds(scores, [0.5, 0.25, 0.25])
    assert thresholds[0] == 0
    assert thresholds == sorted(set(thresholds))
    found = shares(scores, thresholds)
    assert found[0] == pytest.approx(0.9)
    assert found[1] == pytest.approx(0.05, abs=0.011)


def test_the_backtest_rates_each_week_as_rate_does(tmp_path: Path):
    """Today's levels in the backtest are the ones `advisory rate` gives on each week's issue
    day: the same scores, hysteresis over the look-back weeks, floors and profiles."""
    from advisory.calibration import levels_by_week, profiles_of
    from advisory.rating import rate

    site = conflict_site(tmp_path, weeks=16)
    scoring = site / "rules" / "scoring.yaml"
    # Thresholds amid the scores, so that levels move and hysteresis holds some of them.
    scoring.write_text(
        scoring.read_text().replace(
            "{Low: 10, Moderate: 20, High: 60, Extreme: 200}",
            "{Low: 1200, Moderate: 1900, High: 2500, Extreme: 3100}",
        )
    )
    inputs = load_inputs(site / "rules", [str(site / "data" / "afghanistan.csv")], None)
    scored = weeks_between(inputs, dt.date(2023, 2, 6), dt.date(2023, 4, 23))
    ruleset = inputs.rules.ruleset
    names = ruleset.level_names()
    profile_of = profiles_of(inputs.rules)
    thresholds = np.array(
        [[lv.threshold for lv in ruleset.with_profile(None if p == "default" else p).levels]
         for p in profile_of]
    )  # fmt: skip
    floors = np.array([names.index(r.floor) if r.floor else 0 for r in inputs.rules.regions])
    levels, _ = levels_by_week(
        scored, thresholds, thresholds * (1 - ruleset.hysteresis), floors, ruleset.lookback_weeks
    )
    held = 0
    for k, monday in enumerate(scored.mondays[scored.shown_from :]):
        moment = dt.datetime.combine(monday, dt.time(6), tzinfo=dt.UTC)
        rated = rate(inputs.incidents, inputs.rules, moment, inputs.placements)
        week = scored.shown_from + k
        assert [names.index(r.level) for r in rated] == levels[:, week].tolist(), monday
        assert [r.score for r in rated] == pytest.approx(scored.score[:, week].tolist(), abs=1e-5)
        held += sum(1 for r in rated for d in r.decisions if d.kind == "hysteresis")
    assert held  # the case is not trivial: hysteresis decided some weeks


def test_fewer_than_eight_weeks_are_refused_unless_forced(small: Path):
    """Six weeks of one region: a proposal would follow a handful of incidents."""
    period = ("--since", "2024-01-01", "--until", "2024-02-11")
    refused = run_advisory("calibrate", *period, cwd=small)
    assert refused.returncode == 2
    assert "holds 6 whole weeks of history" in refused.stderr
    assert "--force" in refused.stderr and refused.stdout == ""
    forced = run_advisory("calibrate", *period, "--force", cwd=small)
    assert forced.returncode == 0, forced.stderr
    assert "calibration over 6 weeks" in forced.stdout


def test_the_end_of_the_period_as_rate_takes_it(tmp_path: Path):
    site = conflict_site(tmp_path, weeks=12)
    by_day = run_advisory("calibrate", "--profile", "conflict", "--until", "2023-03-26",
                          "--format", "json", cwd=site)  # fmt: skip
    by_moment = run_advisory("calibrate", "--profile", "conflict", "--as-of",
                             "2023-03-27T06:00Z", "--format", "json", cwd=site)  # fmt: skip
    assert by_day.returncode == 0 and by_moment.returncode == 0, by_moment.stderr
    assert json.loads(by_day.stdout) == json.loads(by_moment.stdout)
    both = run_advisory("calibrate", "--until", "2023-03-26", "--as-of", "2023-03-27", cwd=site)
    assert both.returncode == 2 and "--until or --as-of" in both.stderr


def test_regions_the_proposal_would_lower_by_two_levels_are_listed_with_their_deaths(
    tmp_path: Path,
):
    """A high-intensity country spread over the levels: provinces Extreme today that the
    proposal puts two levels lower are named with their deaths before anything is pasted."""
    site = conflict_site(tmp_path, weeks=12)
    table = run_advisory("calibrate", "--profile", "conflict", cwd=site)
    data = run_advisory("calibrate", "--profile", "conflict", "--format", "json", cwd=site)
    assert table.returncode == 0 and data.returncode == 0, table.stderr
    order = [s["level"] for s in json.loads(data.stdout)["proposals"][0]["levels"]]
    fallen = [r for r in json.loads(data.stdout)["backtest"]
              if order.index(r["level_now"]) - order.index(r["level_proposed"]) >= 2]  # fmt: skip
    assert fallen, "the case should lower some province by two levels"
    assert f"the proposal would lower {len(fallen)} regions by two levels or more" in table.stdout
    worst = sorted(fallen, key=lambda r: (-r["deaths"], r["region_id"]))[0]  # listed first
    assert (
        f"  {worst['region_name']} ({worst['region_id']}), {worst['country']}: "
        f"{worst['deaths']} killed in the last window; {worst['level_now']} now, would be "
        f"{worst['level_proposed']}"
    ) in table.stdout


def test_weeks_summed_a_block_at_a_time_are_those_summed_at_once():
    """`Scored` sums the weeks in blocks, to bound its memory: any block size gives the same
    figures as one block of every week."""
    from unittest import mock

    from advisory import calibration

    root = Path(__file__).resolve().parent.parent
    inputs = load_inputs(root / "rules", [str(root / "data" / "incidents.csv")], None, text=False)
    first, last = dt.date(2018, 1, 1), dt.date(2018, 12, 30)

    def figures(block: int) -> list[Any]:
        with mock.patch.object(calibration, "WEEKS_AT_ONCE", block):
            s = weeks_between(inputs, first, last)
        matrices = [s.score, s.incidents, s.fatalities, s.injuries, *s.without, *s.deaths]
        return [m.tolist() for m in matrices] + [{c: m.tolist() for c, m in s.categories.items()}]

    whole = figures(10_000)
    assert any(any(row) for row in whole[0])  # the demo log scores somewhere that year
    assert figures(1) == whole
    assert figures(5) == whole
