"""Events announced ahead: a strike called for a day, a march, an election, a summit (incident
rows with `planned: yes`, whose category is one of scoring.yaml's `planned`).

They never count: the log keeps them apart from its incidents (inputs/incidents.py), so no
score, count, series, trend, map, incident table or CAP message sees them, before or after their
day. They are shown ahead: in the bulletin's "Coming up" (the next 30 days), in the alerts of
their region, and in the briefs of the journeys they fall in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from advisory.calendar import prose_date, table_date
from advisory.inputs import Inputs
from advisory.inputs.regions import assign_regions

#: How far ahead the bulletin and the alerts look.
AHEAD_DAYS = 30


@dataclass(frozen=True, slots=True)
class Planned:
    """An event announced ahead, placed in its regions."""

    id: str
    date: dt.date
    country: str
    place: str  # the location, else the first-level unit, else the country
    kind: str  # scoring.yaml's planned: strike, demonstration, election, summit
    label: str  # "strike"
    summary: str
    regions: tuple[str, ...]  # the regions it falls in
    advice: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        """`A strike is planned in Lima for June 28.`"""
        article = "An" if self.label[:1].lower() in "aeiou" else "A"
        where = f" in {self.place}" if self.place != self.country else f" in {self.country}"
        return f"{article} {self.label} is planned{where} for {prose_date(self.date)}."

    @property
    def date_text(self) -> str:
        return table_date(self.date)


def planned_events(inputs: Inputs) -> list[Planned]:
    """Every planned event of the log, by date, each with the regions it falls in."""
    frame = inputs.incidents.planned
    if frame.height == 0:
        return []
    kinds = inputs.rules.ruleset.planned
    placed: dict[int, list[str]] = {}
    for pos, region in assign_regions(frame, inputs.rules).iter_rows():
        placed.setdefault(pos, []).append(region)
    found = []
    for pos, row in enumerate(frame.iter_rows(named=True)):
        kind = kinds.get(row["category"])
        if kind is None:
            continue  # checked when the log was read
        place = row["location"] or row["admin1"] or row["country"]
        found.append(
            Planned(
                id=row["id"],
                date=row["date"],
                country=row["country"],
                place=place,
                kind=row["category"],
                label=kind.label,
                summary=" ".join(row["summary"].split()),
                regions=tuple(placed.get(pos, [])),
                advice=tuple(kind.advice),
            )
        )
    return sorted(found, key=lambda p: (p.date, p.id))


def ahead(events: Sequence[Planned], after: dt.date, days: int = AHEAD_DAYS) -> list[Planned]:
    """The events after `after`, up to `days` later, by date."""
    last = after + dt.timedelta(days=days)
    return [p for p in events if after < p.date <= last]


def in_regions(events: Sequence[Planned], regions: Sequence[str]) -> list[Planned]:
    wanted = set(regions)
    return [p for p in events if wanted.intersection(p.regions)]


def during(events: Sequence[Planned], first: dt.date, last: dt.date) -> list[Planned]:
    """The events from `first` to `last`, both days included."""
    return [p for p in events if first <= p.date <= last]
