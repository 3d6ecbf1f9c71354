"""Who is written to: travelers whose trips are under way or start within the look-ahead, with
the alerts for the places those trips touch; managers and the desk get the whole bulletin."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisory.models import Roster, Rules, Traveler, Trip
from advisory.writing.bar import AlertBar
from advisory.writing.compose import Alert, most_serious_first

if TYPE_CHECKING:
    from advisory.places.destinations import Destination


@dataclass(frozen=True)
class Recipient:
    traveler: Traveler
    trips: tuple[Trip, ...]
    alerts: tuple[Alert, ...]
    #: The trips as a traveler reads them: `VRAEM region, Peru, 20 June – 6 July`.
    trip_lines: tuple[str, ...] = ()

    @property
    def whole_bulletin(self) -> bool:
        return self.traveler.receives == "bulletin"

    @property
    def places(self) -> tuple[str, ...]:
        if self.whole_bulletin:
            return ("*bulletin*",)
        return tuple(a.region_id for a in self.alerts)


def recipients(
    roster: Roster,
    rules: Rules,
    alerts: Sequence[Alert],
    issued: dt.date,
    lookahead_days: int,
    bar: AlertBar | None = None,
    *,
    whole_bulletin: bool = True,
) -> tuple[list[Recipient], list[tuple[str, str]]]:
    """Travelers to write to, and (traveler id, reason) for those left out. Roster entries that
    receive the whole bulletin are written to only when `whole_bulletin` (the weekly run)."""
    levels, words = rules.ruleset.level_names(), rules.ruleset.severity.words
    by_region = {a.region_id: a for a in alerts if bar is None or bar.admits(a, levels, words)}
    order = {a.region_id: n for n, a in enumerate(most_serious_first(alerts, words))}
    horizon = issued + dt.timedelta(days=lookahead_days)
    known = destinations(rules)
    names = known.names
    chosen: list[Recipient] = []
    left_out: list[tuple[str, str]] = []
    for traveler in roster.travelers:
        if traveler.receives == "bulletin":
            if not whole_bulletin:
                continue
            chosen.append(Recipient(traveler, (), tuple(most_serious_first(alerts, words))))
            continue
        trips = tuple(t for t in traveler.trips if t.start <= horizon and t.end >= issued)
        if not trips:
            left_out.append(
                (traveler.id, f"no trip under way or starting within {lookahead_days} days")
            )
            continue
        places: set[str] = set()
        for trip in trips:
            places.update(known.regions(trip.destination))
        # Their places by level, then severity, highest first: the subject names the first.
        found = sorted(
            (by_region[p] for p in places if p in by_region),
            key=lambda a: (-a.level_rank, order[a.region_id]),
        )
        if not found:
            left_out.append((traveler.id, "no alert for their places this week"))
            continue
        lines = tuple(f"{names(t.destination)}, {dates(t.start, t.end)}" for t in trips)
        chosen.append(Recipient(traveler, trips, tuple(found), lines))
    return chosen, left_out


def dates(start: dt.date, end: dt.date) -> str:
    """`20 June – 6 July`; `28 December 2025 – 4 January 2026` across a year's end; `20 June`
    for one day."""
    if start == end:
        return f"{start.day} {start:%B}"
    if start.year != end.year:
        return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%B}"
    return f"{start.day} {start:%B} – {end.day} {end:%B}"


@dataclass(frozen=True)
class Destinations:
    """What the roster's destinations stand for under one rule set, each worked out once: a run
    asks for the same few places again and again (a letter, a brief, a journey's map)."""

    #: The regions a destination covers (none for one that no longer resolves).
    regions: Callable[[str], tuple[str, ...]]
    #: A destination named for people: `VRAEM region, Peru`, `Bogotá, Colombia`.
    names: Callable[[str], str]


def destinations(rules: Rules) -> Destinations:
    found_in = _finder(rules)
    return Destinations(_regions(rules, found_in), _names(rules, found_in))


def region_label(rules: Rules, region_id: str) -> str:
    """`VRAEM region, Peru`; `Peru` for a region that is its country."""
    region, country = rules.region(region_id), rules.countries[region_id]
    return region.name if region.name == country else f"{region.name}, {country}"


def _names(rules: Rules, found_in: Callable[[str], Destination | None]) -> Callable[[str], str]:
    """A destination as the roster writes it, named for people: `VRAEM region, Peru` for a
    region id, the country's name, `Bogotá, Colombia` for a city or an airport's city."""
    from advisory.places.countries import countries

    @functools.cache
    def name(text: str) -> str:
        found = found_in(text)
        if found is None:
            return text
        if found.region_id is not None:
            return region_label(rules, found.region_id)
        country_found = countries().by_iso2(found.country)
        country_name = country_found.name if country_found else text
        return f"{found.city}, {country_name}" if found.city else country_name

    return name


def _finder(rules: Rules) -> Callable[[str], Destination | None]:
    """What a destination as the roster writes it stands for (places/destinations.py), each
    worked out once; None for one that no longer resolves (the roster was checked when read)."""
    from advisory.places.destinations import NotADestination, find

    ids = sorted(rules.countries)
    written = sorted({rules.countries[r.id] for r in rules.regions if r.id not in rules.generated})

    @functools.cache
    def destination(text: str) -> Destination | None:
        try:
            return find(text, ids, written)
        except NotADestination:
            return None

    return destination


def _regions(
    rules: Rules, found_in: Callable[[str], Destination | None]
) -> Callable[[str], tuple[str, ...]]:
    """The regions of a destination as the roster writes it, each worked out once; a
    destination that no longer resolves covers no region."""
    from advisory.places.destinations import regions_of

    @functools.cache
    def regions(text: str) -> tuple[str, ...]:
        found = found_in(text)
        return regions_of(found, rules) if found is not None else ()

    return regions
