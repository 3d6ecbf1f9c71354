"""What the log knows about: coverage sidecars, and weeks without data shown as such."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from advisory.inputs.coverage import Coverage, Span, merged
from advisory.models import CoveredPeriod
from tests.conftest import ROOT, run_advisory
from tests.test_import import NEW, acled_csv, event


def feed_events() -> list[dict[str, str]]:
    """An ACLED export for Peru whose data starts on Monday 6 March 2023: a clash in the VRAEM
    (Satipo) every few days until 2 April."""
    days = ["6 March 2023", "9 March 2023", "14 March 2023", "21 March 2023", "28 March 2023",
            "2 April 2023"]  # fmt: skip
    return [
        event(n, event_date=day, event_id_cnty=f"PER{n:04d}", fatalities="2")
        for n, day in enumerate(days, start=1)
    ]


@pytest.fixture
def feed_site(tmp_path: Path) -> Path:
    """The shipped rules, and a log that is only the feed's file with its coverage."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "export.csv").write_bytes(acled_csv(NEW, feed_events()))
    result = run_advisory("import", "acled", "export.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "coverage: data/incidents-acled.csv.coverage.yaml" in result.stdout
    (tmp_path / "data" / "incidents.csv").unlink()  # the demo log declares no coverage
    return tmp_path


def test_an_import_records_what_its_source_covers(feed_site: Path):
    sidecar = feed_site / "data" / "incidents-acled.csv.coverage.yaml"
    declared = yaml.safe_load(sidecar.read_text())
    exported = dt.datetime.fromtimestamp((feed_site / "export.csv").stat().st_mtime, dt.UTC)
    assert declared == {
        "version": 1,
        "feed": "ACLED",
        "exported": exported.date().isoformat(),  # the export file's day, as none was given
        "periods": [{"start": "2023-03-06", "end": "2023-04-02", "countries": ["Peru"]}],
    }
    validate = run_advisory("validate", cwd=feed_site)
    assert validate.returncode == 0, validate.stderr
    assert "warning" not in validate.stderr


def test_weeks_before_the_feed_are_no_data_in_history(feed_site: Path):
    result = run_advisory(
        "history", "pe-vraem", "--until", "2023-W11", "--weeks", "4", "--format", "json",
        cwd=feed_site,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    weeks = {w["week"]: w["level"] for w in json.loads(result.stdout)}
    # The VRAEM's floor is High; a week without data has no level all the same.
    assert weeks == {"2023-W08": None, "2023-W09": None, "2023-W10": "High", "2023-W11": "High"}
    table = run_advisory("history", "pe-vraem", "--until", "2023-W10", "--weeks", "2",
                         cwd=feed_site)  # fmt: skip
    assert "2023-W09   no data" in table.stdout


def test_the_first_week_of_data_is_not_compared_with_the_weeks_before(feed_site: Path):
    rated = run_advisory("rate", "--as-of", "2023-03-13", "--format", "json", cwd=feed_site)
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    vraem = ratings["pe-vraem"]
    assert vraem["previous_level"] is None
    assert vraem["trend"] == "steady"
    assert vraem["has_data"] is True
    assert vraem["data_begins"] == "2023-03-06"
    assert vraem["history"]["level"][-2:] == [None, "High"]
    assert vraem["history"]["level"].count(None) == 11
    # A country the feed does not cover has no data at all.
    assert ratings["cl"]["has_data"] is False
    explained = run_advisory("rate", "--as-of", "2023-03-13", "--region", "pe-vraem",
                             "--explain", cwd=feed_site)  # fmt: skip
    assert "no level last week to compare with" in explained.stdout


def test_the_bulletin_draws_gaps_and_the_alert_says_why(feed_site: Path):
    out = feed_site / "out"
    result = run_advisory("bulletin", "--week", "2023-W10", "--format", "html", "--out",
                          str(out), cwd=feed_site)  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = (out / "bulletin-2023-W10.html").read_text()
    assert "Level by week, oldest first: no data, no data," in html
    assert 'stroke-dasharray="1 1"' in html
    assert "no data: a week the incident log does not cover" in html
    assert "first rated this week (the incident log covers Peru from March 6)" in html
    assert "raised from" not in html
    assert "249 other countries and territories: no data (the incident log does not cover" in html
    # The week after is compared with the first as usual.
    later = run_advisory("bulletin", "--week", "2023-W11", "--format", "html", "--out",
                         str(out), cwd=feed_site)  # fmt: skip
    assert later.returncode == 0, later.stderr
    assert "unchanged from last week" in (out / "bulletin-2023-W11.html").read_text()


def test_a_log_without_declared_coverage_keeps_every_week(demo_workspace: Path):
    """The demo log declares no coverage: every week of every country has data, as always."""
    rated = run_advisory("rate", "--as-of", "2018-06-26", "--format", "json", cwd=demo_workspace)
    ratings = json.loads(rated.stdout)["ratings"]
    assert all(r["has_data"] and r["data_begins"] is None for r in ratings)
    assert all(None not in r["history"]["level"] for r in ratings)


def test_a_file_without_coverage_beside_one_with_it_covers_everything(feed_site: Path):
    shutil.copy(ROOT / "data" / "incidents.csv", feed_site / "data" / "incidents.csv")
    rated = run_advisory("rate", "--as-of", "2023-03-13", "--format", "json", cwd=feed_site)
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    assert None not in ratings["pe-vraem"]["history"]["level"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: 1\nperiods:\n  - {start: 2023-03-06, end: 2023-03-01}\n",
            "data/incidents.csv.coverage.yaml:3:5: periods[0]: end 2023-03-01 is before start "
            "2023-03-06",
        ),
        (
            "version: 1\nperiods:\n  - start: 2023-03-06\n    countries: [Peru, Narnia]\n",
            "data/incidents.csv.coverage.yaml:4:23: periods[0].countries[1]: 'Narnia' is not a "
            "country",
        ),
        (
            "version: 1\nperiods:\n  - {start: 2023-03-06, until: 2023-04-01}\n",
            "data/incidents.csv.coverage.yaml:3:25: periods[0].until: unknown field",
        ),
    ],
)
def test_a_bad_coverage_file_is_located(demo_workspace: Path, text: str, message: str):
    (demo_workspace / "data" / "incidents.csv.coverage.yaml").write_text(text)
    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 2
    assert message in result.stderr


def test_incidents_outside_their_files_coverage_are_warned_of(demo_workspace: Path):
    (demo_workspace / "data" / "incidents.csv.coverage.yaml").write_text(
        "version: 1\nperiods:\n  - {start: 2018-03-01}\n"
    )
    result = run_advisory("validate", cwd=demo_workspace)
    assert result.returncode == 0, result.stderr
    assert "warning: date: 2018-02-14 lies outside the coverage that" in result.stderr
    # A glob of the data folder does not take the sidecar for an incident file.
    globbed = run_advisory("validate", "--incidents", "data/*", cwd=demo_workspace)
    assert "incidents.csv.coverage.yaml" not in globbed.stdout


def test_appending_adds_the_new_period(feed_site: Path):
    later = [event(n, event_date="20 April 2023", event_id_cnty=f"PER{n:04d}") for n in (20, 21)]
    (feed_site / "later.csv").write_bytes(acled_csv(NEW, later))
    result = run_advisory("import", "acled", "later.csv", "--append",
                          "data/incidents-acled.csv", "--covers-to", "2023-04-30",
                          cwd=feed_site)  # fmt: skip
    assert result.returncode == 0, result.stderr
    sidecar = feed_site / "data" / "incidents-acled.csv.coverage.yaml"
    periods = yaml.safe_load(sidecar.read_text())["periods"]
    assert periods == [
        {"start": "2023-03-06", "end": "2023-04-02", "countries": ["Peru"]},
        {"start": "2023-04-20", "end": "2023-04-30", "countries": ["Peru"]},
    ]


def test_coverage_by_week_and_merged_periods():
    coverage = Coverage((Span(dt.date(2023, 3, 8), None, frozenset({"PE"})),), complete=False)
    ends = [dt.date(2023, 3, 5), dt.date(2023, 3, 12), dt.date(2023, 3, 19)]
    # A week partly covered (from Wednesday) has data.
    assert coverage.weeks(["PE", "CL"], ends) == [[False, True, True], [False] * 3]
    assert coverage.begins("PE") == dt.date(2023, 3, 8)
    periods = [
        CoveredPeriod(start=dt.date(2023, 1, 1), end=dt.date(2023, 1, 31), countries=["Peru"]),
        CoveredPeriod(start=dt.date(2023, 2, 1), end=dt.date(2023, 2, 28), countries=["Peru"]),
        CoveredPeriod(start=dt.date(2023, 1, 15), end=None),
    ]
    found = [(p.start, p.end, p.countries) for p in merged(periods)]
    assert found == [
        (dt.date(2023, 1, 1), dt.date(2023, 2, 28), ["Peru"]),
        (dt.date(2023, 1, 15), None, None),
    ]


def test_a_floor_is_not_a_level_for_a_country_the_log_does_not_cover(tmp_path: Path):
    """A team that covers Afghanistan only: the VRAEM's floor (High) says nothing of a week the
    log has no data for. It is rated the lowest, "no data", and no decision cites the floor."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "log.csv").write_text(
        "id,date,country,admin1,category,summary,sources\n"
        "a-1,2024-01-03,Afghanistan,Kabul,attack,An attack.,Press\n"
    )
    (tmp_path / "data" / "log.csv.coverage.yaml").write_text(
        "version: 1\nperiods:\n  - {start: 2023-01-01, countries: [Afghanistan]}\n"
    )
    rated = run_advisory("rate", "--as-of", "2024-01-08", "--format", "json",
                         "--incidents", "data/log.csv", cwd=tmp_path)  # fmt: skip
    assert rated.returncode == 0, rated.stderr
    ratings = {r["region_id"]: r for r in json.loads(rated.stdout)["ratings"]}
    vraem = ratings["pe-vraem"]
    assert (vraem["has_data"], vraem["level"]) == (False, "Minimal")
    assert all(d["kind"] != "floor" for d in vraem["decisions"])
    assert ratings["af-kabul"]["has_data"] is True
    table = run_advisory("rate", "--as-of", "2024-01-08", "--incidents", "data/log.csv",
                         cwd=tmp_path)  # fmt: skip
    [line] = [line for line in table.stdout.splitlines() if "(pe-vraem)" in line]
    assert "Minimal (no data)" in line


def test_the_first_page_map_frames_the_countries_the_data_covers(tmp_path: Path):
    """Peru's hand-written regions are listed, but the log covers Afghanistan only: the map
    frames Afghanistan."""
    from advisory.inputs import load_inputs
    from advisory.writing.compose import BulletinSettings, compose_bulletin
    from advisory.writing.figures import bulletin_figure
    from advisory.writing.plan import compose_week

    (tmp_path / "log.csv").write_text(
        "id,date,country,admin1,latitude,longitude,category,fatalities,summary,sources\n"
        "a-1,2024-01-03,Afghanistan,Kabul,34.5,69.2,attack,4,An attack.,Press\n"
    )
    (tmp_path / "log.csv.coverage.yaml").write_text(
        "version: 1\nperiods:\n  - {start: 2023-01-01, countries: [Afghanistan]}\n"
    )
    inputs = load_inputs(ROOT / "rules", [str(tmp_path / "log.csv")], None)
    week = compose_week(inputs, dt.datetime(2024, 1, 8, 6, tzinfo=dt.UTC))
    bulletin = compose_bulletin(week.ratings, week.alerts, inputs.rules, BulletinSettings(),
                                week.closings, week.beyond)  # fmt: skip
    assert any(row.country == "Peru" for row in bulletin.summary)  # listed, without data
    incidents = [i for a in week.alerts for i in a.incidents]
    figure = bulletin_figure(
        week.ratings, bulletin.summary, inputs.rules, {}, incidents, "2024-W01"
    )
    assert figure is not None
    assert "Map of Afghanistan, week 2024-W01" in figure.svg
