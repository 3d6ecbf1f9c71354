"""Journeys: a traveler's runs of trips whose dates touch or overlap (Ana Torres's stay in the
VRAEM, then Lima, is one journey), each known by a key that survives a reordered roster and a
changed date or place, so that a brief is sent once per journey and again only as an update.

A journey's key is its first trip's `id` where the roster (or the imported itinerary) gives
one, else the traveler and its first destination, numbered when the traveler goes to the same
first place more than once (`t-james-okafor/pe-cusco`, `t-james-okafor/pe-cusco#2`). Its
signature is its places and dates: a brief stands for the signature it was sent for.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from advisory.models import Traveler, Trip


@dataclass(frozen=True)
class Journey:
    traveler: str  # the traveler's id
    key: str
    trips: tuple[Trip, ...]  # by date

    @property
    def start(self) -> dt.date:
        return min(t.start for t in self.trips)

    @property
    def end(self) -> dt.date:
        return max(t.end for t in self.trips)

    @property
    def signature(self) -> str:
        """`pe-vraem 2018-06-20 2018-07-06; pe-lima 2018-07-06 2018-07-09`."""
        return "; ".join(f"{t.destination} {t.start} {t.end}" for t in self.trips)


def journeys(traveler: Traveler) -> list[Journey]:
    """The traveler's journeys, by date: trips sorted by start, end and place, a new journey
    wherever a trip starts more than a day after the last one ended."""
    runs: list[list[Trip]] = []
    for trip in sorted(traveler.trips, key=lambda t: (t.start, t.end, t.destination)):
        if runs and trip.start <= max(t.end for t in runs[-1]) + dt.timedelta(days=1):
            runs[-1].append(trip)
        else:
            runs.append([trip])
    found: list[Journey] = []
    seen: Counter[str] = Counter()
    for run in runs:
        first = run[0]
        if first.id:
            key = first.id
        else:
            base = f"{traveler.id}/{first.destination.strip().lower()}"
            seen[base] += 1
            key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        found.append(Journey(traveler.id, key, tuple(run)))
    return found
