"""The Context an analyst wrote where it holds on the issue date, else the one the data writes."""

from __future__ import annotations

import datetime as dt

import pytest

from advisory.inputs import load_inputs
from advisory.models import Incident, Region
from advisory.writing.context import Activity, composed_context
from advisory.writing.plan import compose_week
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def demo():
    return load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv")], None)


def _context(demo, region: str, issued: dt.datetime) -> tuple[str, ...]:
    week = compose_week(demo, issued)
    [alert] = [a for a in [*week.alerts, *week.below_bar] if a.region_id == region]
    return alert.context


def test_a_context_written_after_the_issue_date_gives_way_to_the_data(demo):
    """Cusco's context cites the protests of early 2023 (`written: 2023-03-01`): a 2018 alert
    composes its own; one of March 2023 has the analysts'."""
    cusco: Region = demo.rules.region("pe-cusco")
    assert cusco.context is not None and cusco.context.written == dt.date(2023, 3, 1)
    old = _context(demo, "pe-cusco", dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC))
    assert old[0].startswith("In the past 90 days, ")
    assert "2023" not in " ".join(old)
    later = _context(demo, "pe-cusco", dt.datetime(2023, 3, 20, 6, tzinfo=dt.UTC))
    assert later[0] == cusco.context.text


def test_an_undated_context_holds_on_any_date(demo):
    vraem: Region = demo.rules.region("pe-vraem")
    context = _context(demo, "pe-vraem", dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC))
    assert vraem.context is not None and context[0] == vraem.context.text


def _incident(killed: int, **fields: object) -> Incident:
    return Incident.model_validate({
        "id": "a-1", "date": "2024-03-14", "country": "Afghanistan", "admin1": "Balkh",
        "location": "Kaldar", "category": "armed_clash", "fatalities": killed,
        "summary": "A clash.", "sources": ["ACLED"], "perpetrator": "Taliban",
        "target": "Military Forces of Afghanistan (2021-)", **fields,
    })  # fmt: skip


def test_a_log_that_begins_within_the_days_makes_no_comparison(demo):
    activity = Activity(
        incidents=12, categories=(("armed_clash", 9), ("protest", 3)),
        actors=(("Taliban", 9), ("Military Forces of Afghanistan (2021-)", 7), ("Unknown", 5)),
        places=(("Kaldar", 8), ("Charbolak", 4)), deadliest=_incident(6), before=None,
        since=dt.date(2024, 2, 19),
    )  # fmt: skip
    text = composed_context(activity, "Balkh", demo.rules.ruleset, demo.rules.actors)
    assert text == (
        "Since February 19, 12 incidents were recorded in Balkh, nine of them clashes and "
        "attacks. They included nine armed clashes and three protests. The actors most often "
        "named were the Taliban (nine incidents) and Taliban government forces (seven). The "
        "busiest places were Kaldar (eight incidents) and Charbolak (four). In the deadliest, "
        "six people were killed during an armed clash between the Taliban and Taliban "
        "government forces in Kaldar on March 14."
    )


def test_one_incident_and_a_quieter_season_before(demo):
    activity = Activity(
        incidents=1, categories=(("protest", 1),), actors=(), places=(("Kabul", 1),),
        deadliest=None, before=4,
    )  # fmt: skip
    text = composed_context(activity, "Kabul", demo.rules.ruleset, demo.rules.actors)
    assert text == (
        "In the past 90 days, one incident was recorded in Kabul: a protest. That is down from "
        "four incidents in the 90 days before."
    )
