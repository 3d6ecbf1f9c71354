"""Dates as precise as the source: a month-precise incident is never written as a day, and
carries its year where that is not the issue's — in headlines, prose, tables, figures and
`rate --explain` alike."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from advisory.inputs import load_inputs
from advisory.models import Incident
from advisory.reports.ratings import explain
from advisory.writing.compose import BulletinSettings, compose_bulletin
from advisory.writing.figures import alert_figure
from advisory.writing.plan import compose_week
from advisory.writing.prose import dateline, when
from tests.conftest import ROOT

ISSUED = dt.datetime(2024, 2, 5, 6, tzinfo=dt.UTC)  # the Monday after 2024-W05


def _incident(day: str, precision: str | None) -> Incident:
    return Incident.model_validate({
        "id": "x", "date": day, "country": "Peru", "admin1": "Puno", "category": "riot",
        "summary": "A riot.", "sources": ["Press"], "date_precision": precision,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("day", "precision", "year", "prose", "line"),
    [
        ("1982-05-01", "month", 1982, "in May", "May"),
        ("1982-05-01", "month", 2024, "in May 1982", "May 1982"),
        ("1982-05-01", "month", None, "in May 1982", "May 1982"),
        ("2024-05-14", "week", 2024, "around May 14", "c. May 14"),
        ("1982-01-01", "year", 2024, "in 1982", "1982"),
        ("2024-06-24", None, 2024, "on June 24", "June 24"),
    ],
)
def test_when_and_dateline(day, precision, year, prose, line):
    assert when(_incident(day, precision), year) == prose
    assert dateline(_incident(day, precision), year) == line


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """Puno's riots from a month-precise December 2023 (the deadliest) to a month-precise
    lead of February 2024, a riot a week between."""
    path = tmp_path_factory.mktemp("dates") / "log.csv"
    days = [("2023-12-01", "month", 10)] + [
        ((dt.date(2023, 12, 8) + dt.timedelta(weeks=k)).isoformat(), "", 0) for k in range(8)
    ] + [("2024-02-01", "month", 1)]  # fmt: skip
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "date", "country", "admin1", "location", "latitude", "longitude",
                         "category", "fatalities", "injuries", "summary", "sources",
                         "date_precision"])  # fmt: skip
        for n, (day, precision, killed) in enumerate(days):
            writer.writerow([f"pu-{n}", day, "Peru", "Puno", "Juliaca", "-15.5", "-70.13", "riot",
                             killed, 0, f"Rioters clashed with police ({n}).", "Press",
                             precision])  # fmt: skip
    inputs = load_inputs(ROOT / "rules", [str(path)], None)
    return inputs, compose_week(inputs, ISSUED)


def test_the_alert_dates_a_month_as_a_month(week):
    inputs, composed = week
    [alert] = [a for a in [*composed.alerts, *composed.below_bar] if a.region_id == "pe-puno"]
    assert alert.headline.split(" /update")[0].endswith(" February")
    assert " in February" in alert.summary and "February 1" not in alert.summary
    text = " ".join(alert.event)
    assert "in December 2023" in text, text  # the series' deadliest, of another year
    assert "December 1," not in text and "December 1 " not in text
    figure = alert_figure(alert, inputs.rules, {})
    assert figure is not None
    assert "February, Juliaca" in figure.svg  # the map's text names the lead by its month
    assert "February 1" not in figure.svg


def test_the_first_page_and_the_incident_table(week):
    inputs, composed = week
    bulletin = compose_bulletin(composed.ratings, composed.alerts or composed.below_bar,
                                inputs.rules, BulletinSettings(maps=False), composed.closings,
                                composed.beyond)  # fmt: skip
    lead = [t for t in bulletin.top if t.incident_id == "pu-9"]
    assert lead and lead[0].date_text == "February"
    rows = [r for r in bulletin.appendix if r.date == dt.date(2024, 2, 1)]
    assert rows and rows[0].date_text == "2024-02"


def test_rate_explains_with_the_dates_the_source_gives(week):
    inputs, composed = week
    [rating] = [r for r in composed.ratings if r.region_id == "pe-puno"]
    lines = explain(rating, inputs.rules)
    assert "2024-02  pu-9  " in lines
    assert "2024-02-01" not in lines
