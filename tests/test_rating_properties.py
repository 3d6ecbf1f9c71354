"""Properties of `rate` that hold for any incidents (hypothesis)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from advisory.inputs.incidents import SCHEMA, IncidentLog
from advisory.models import Rules
from advisory.rating import _weekly_figures, _weekly_levels, rate, step_level
from tests.test_rating_cases import BASE_RULES, COUNTRY, case_rules

REGIONS = [
    {"id": "a", "match": [{"admin1": "A"}]},
    {"id": "ab", "match": [{"admin1": ["A", "B"]}], "floor": "Low"},
    {"id": "c", "match": [{"admin1": "C"}], "floor": "High"},
    {"id": "rest", "match": [{}]},
]
START = dt.date(2018, 1, 1)
AS_OF = dt.datetime(2018, 4, 1, 6, tzinfo=dt.UTC)

incident = st.fixed_dictionaries(
    {
        "date": st.integers(min_value=0, max_value=100).map(lambda d: START + dt.timedelta(days=d)),
        "admin1": st.sampled_from(["A", "B", "C", "D"]),
        "category": st.sampled_from(sorted(BASE_RULES["categories"])),
        "fatalities": st.integers(min_value=0, max_value=10),
        "injuries": st.integers(min_value=0, max_value=20),
    }
)
rule_changes = st.fixed_dictionaries(
    {
        "hysteresis": st.sampled_from([0, 0.1, 0.15, 0.5]),
        "half_life_days": st.sampled_from([None, 7, 14]),
        "window_days": st.sampled_from([7, 30]),
        "lookback_weeks": st.sampled_from([1, 4, 12]),
    }
)


def make_rules(changes: dict[str, Any]) -> Rules:
    return case_rules({"rules": changes, "regions": REGIONS})


def make_log(records: list[dict[str, Any]]) -> IncidentLog:
    rows = [
        {
            "id": f"i-{n}",
            "country": COUNTRY,
            "admin2": None,
            "location": None,
            "latitude": None,
            "longitude": None,
            "actors": None,
            "summary": "An incident.",
            "sources": "Test",
            "source_file": "generated",
            "source_row": n,
            **record,
        }
        for n, record in enumerate(records)
    ]
    return IncidentLog(pl.DataFrame(rows, schema=SCHEMA), ("generated",))


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.floats(min_value=0, max_value=80), min_size=1, max_size=12),
    changes=rule_changes,
)
def test_weekly_levels_follow_step_level(scores, changes):
    """The week-by-week levels `rate` computes for all regions at once are `step_level`'s."""
    rules = make_rules(changes)
    expected: list[int] = []
    previous: int | None = None
    for score in scores:
        previous, _ = step_level(rules.ruleset, previous, score)
        expected.append(previous)
    scored = pl.DataFrame(
        {
            "region": ["a"] * len(scores),
            "week": list(range(len(scores))),
            "points": scores,
            "in_period": [True] * len(scores),
            "fatalities": [0] * len(scores),
            "injuries": [0] * len(scores),
            "unit": [""] * len(scores),
            "place": [0] * len(scores),
            "violent": [False] * len(scores),
            "category": ["clash"] * len(scores),
        },
        schema_overrides={"week": pl.Int32, "place": pl.UInt64},
    )
    figures = _weekly_figures(scored.lazy(), rules, len(scores)).collect()
    weekly = _weekly_levels(figures, rules, len(scores), None)
    row = weekly.rows()[[r.id for r in rules.regions].index("a")]
    assert row["score_levels"] == expected


def scores(log: IncidentLog, rules: Rules, as_of: dt.datetime = AS_OF) -> dict[str, float]:
    return {r.region_id: r.score for r in rate(log, rules, as_of)}


@settings(max_examples=60, deadline=None)
@given(records=st.lists(incident, max_size=25), extra=incident, changes=rule_changes)
def test_adding_an_incident_never_lowers_a_score(records, extra, changes):
    rules = make_rules(changes)
    before = scores(make_log(records), rules)
    after = scores(make_log([*records, extra]), rules)
    assert all(after[r] >= before[r] - 1e-9 for r in before)


@settings(max_examples=60, deadline=None)
@given(records=st.lists(incident, max_size=25), changes=rule_changes)
def test_level_never_below_floor(records, changes):
    rules = make_rules(changes)
    names = rules.ruleset.level_names()
    for rating in rate(make_log(records), rules, AS_OF):
        floor = rules.region(rating.region_id).floor
        assert names.index(rating.level) >= (names.index(floor) if floor else 0)
        lowest = names.index(floor) if floor else 0
        assert all(names.index(level or "") >= lowest for level in rating.history.level)


@settings(max_examples=40, deadline=None)
@given(records=st.lists(incident, max_size=25), changes=rule_changes, seed=st.integers())
def test_order_of_incidents_does_not_matter(records, changes, seed):
    rules = make_rules(changes)
    shuffled = list(enumerate(records))
    random.Random(seed).shuffle(shuffled)
    first = rate(make_log(records), rules, AS_OF)
    # Same ids for the same incidents, in another order.
    log = make_log([r for _, r in shuffled])
    log = IncidentLog(
        log.frame.with_columns(pl.Series("id", [f"i-{n}" for n, _ in shuffled])), log.files
    )
    second = rate(log, rules, AS_OF)
    assert first == second


@settings(max_examples=40, deadline=None)
@given(records=st.lists(incident, min_size=1, max_size=25), changes=rule_changes)
def test_quiet_past_the_window_brings_every_region_to_its_floor(records, changes):
    rules = make_rules(changes)
    last = max(r["date"] for r in records)
    later = dt.datetime.combine(
        last + dt.timedelta(days=rules.ruleset.window_days + 1), dt.time(6), tzinfo=dt.UTC
    )
    for rating in rate(make_log(records), rules, later):
        floor = rules.region(rating.region_id).floor
        assert rating.score == 0
        assert rating.level == (floor or rules.ruleset.levels[0].name)
