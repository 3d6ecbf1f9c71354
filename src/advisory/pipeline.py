"""The stages in order for the commands that write documents: load, rate, compose, render."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from advisory.compose import (
    Alert,
    Bulletin,
    BulletinSettings,
    compose_alert,
    compose_bulletin,
    series_window,
)
from advisory.inputs import Inputs
from advisory.models import Incident, Rating
from advisory.rating import rate
from advisory.timing import stage


@dataclass(frozen=True)
class Week:
    """What a run reports on: the ratings as of a moment, and the alerts of their week."""

    ratings: list[Rating]
    alerts: list[Alert]


def rate_and_compose(inputs: Inputs, as_of: dt.datetime) -> Week:
    """Rate every region at `as_of` and compose an alert for each with incidents in the week."""
    with stage("rate"):
        ratings = rate(inputs.incidents, inputs.rules, as_of, inputs.placements)
    with stage("compose"):
        quiet = inputs.rules.ruleset.series.quiet_weeks
        windows = {
            r.region_id: found for r in ratings if (found := series_window(r, quiet)) is not None
        }
        series = incidents_by_region(inputs, windows)
        alerts = []
        for rating in ratings:
            if rating.region_id not in windows:
                continue
            points = {c.incident_id: c.points for c in rating.contributions}
            alert = compose_alert(rating, inputs.rules, series.get(rating.region_id, []), points)
            if alert is not None:
                alerts.append(alert)
    return Week(ratings, alerts)


def bulletin_of(inputs: Inputs, week: Week, settings: BulletinSettings) -> Bulletin:
    return compose_bulletin(week.ratings, week.alerts, inputs.rules, settings)


def incidents_by_region(
    inputs: Inputs, windows: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, list[Incident]]:
    """Each region's incidents dated within its (first, last) days, as validated models."""
    if not windows:
        return {}
    first = min(start for start, _ in windows.values())
    last = max(end for _, end in windows.values())
    bounds = pl.DataFrame(
        {
            "region": list(windows),
            "start": [start for start, _ in windows.values()],
            "end": [end for _, end in windows.values()],
        }
    )
    frame = inputs.incidents.frame.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    chosen = (
        frame.filter(pl.col("date").is_between(first, last))
        .join(inputs.placements, on="pos")
        .join(bounds, on="region")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort("region", "date", "id")
    )
    models = inputs.incidents.incidents(chosen)
    found: dict[str, list[Incident]] = defaultdict(list)
    for region, incident in zip(chosen.get_column("region"), models, strict=True):
        found[region].append(incident)
    return dict(found)


def only(alerts: Sequence[Alert], region_ids: Sequence[str]) -> list[Alert]:
    return [a for a in alerts if a.region_id in region_ids]
