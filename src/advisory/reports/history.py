"""`advisory history`: what the rules would have said, week by week, derived like any week.

For trying a rule change on past data before adopting it: how often levels would have changed
and how many alerts travelers would have received.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from dataclasses import dataclass

from advisory.calendar import issue_time, week_label
from advisory.inputs import Inputs
from advisory.writing.bar import AlertBar
from advisory.writing.plan import compose_week


@dataclass(frozen=True, slots=True)
class WeekEntry:
    week: str  # 2018-W25
    level: str | None  # None: the incident log has no data for the week
    severity: str | None
    issued: str  # "alert", "update 2", "closing" or ""


@dataclass(frozen=True, slots=True)
class RegionSummary:
    region_id: str
    region_name: str
    level_changes: int
    alerts: int
    updates: int
    closings: int
    highest_level: str


def weekly_history(
    inputs: Inputs,
    last_monday: dt.date,
    weeks: int,
    at: dt.time,
    bar: AlertBar | None = None,
) -> dict[str, list[WeekEntry]]:
    """Each region's weeks, oldest first, ending with the week that starts on `last_monday`."""
    found: dict[str, list[WeekEntry]] = {r.id: [] for r in inputs.rules.regions}
    for back in range(weeks - 1, -1, -1):
        monday = last_monday - dt.timedelta(weeks=back)
        week = compose_week(inputs, issue_time(monday, at), bar, below=())
        alerts = {a.region_id: a for a in week.alerts}
        closed = {c.region_id for c in week.closings}
        for rating in week.ratings:
            alert = alerts.get(rating.region_id)
            if alert is not None:
                issued_as = f"update {alert.update}" if alert.update else "alert"
            else:
                issued_as = "closing" if rating.region_id in closed else ""
            found[rating.region_id].append(
                WeekEntry(
                    week_label(monday),
                    rating.level if rating.has_data else None,
                    rating.severity if alert else None,
                    issued_as,
                )
            )
    return found


def summarise(inputs: Inputs, history: dict[str, list[WeekEntry]]) -> list[RegionSummary]:
    names = inputs.rules.ruleset.level_names()
    out = []
    rules = inputs.rules
    for region in rules.regions:
        entries = history[region.id]
        changes = sum(
            1
            for a, b in itertools.pairwise(entries)
            if a.level is not None and b.level is not None and a.level != b.level
        )
        if region.id in rules.generated and not changes and all(not e.issued for e in entries):
            continue  # a generated region with no change and nothing issued: not listed
        out.append(
            RegionSummary(
                region_id=region.id,
                region_name=region.name,
                level_changes=changes,
                alerts=sum(1 for e in entries if e.issued == "alert"),
                updates=sum(1 for e in entries if e.issued.startswith("update")),
                closings=sum(1 for e in entries if e.issued == "closing"),
                highest_level=max(
                    (e.level for e in entries if e.level is not None),
                    key=names.index,
                    default=names[0],
                ),
            )
        )
    return out


def week_table(entries: list[WeekEntry]) -> list[str]:
    """One line per week: level, severity and what was issued."""
    lines = [f"{'week':<9}  {'level':<10}  {'severity':<13}  issued"]
    for w in entries:
        level = w.level or "no data"
        lines.append(f"{w.week:<9}  {level:<10}  {w.severity or '-':<13}  {w.issued or '-'}")
    return lines


def summary_table(summary: list[RegionSummary]) -> list[str]:
    """One line per region: level changes, alerts, updates, closings, the highest level."""
    width = max((len(s.region_id) for s in summary), default=6)
    lines = [f"{'region':<{width}}  changes  alerts  updates  closings  highest"]
    for s in summary:
        lines.append(
            f"{s.region_id:<{width}}  {s.level_changes:>7}  {s.alerts:>6}  {s.updates:>7}  "
            f"{s.closings:>8}  {s.highest_level}"
        )
    return lines


def as_json(rows: list[WeekEntry] | list[RegionSummary]) -> str:
    return json.dumps([dataclasses.asdict(row) for row in rows], indent=2)
