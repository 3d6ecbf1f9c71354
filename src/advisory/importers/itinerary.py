"""A traveler's itinerary from an iCalendar file (`.ics`, as travel agencies, TripIt and Outlook
export them), read with the `icalendar` library, turned into trips.

Each event is placed: a flight by the airports its summary or location names (`LHR to LIM`,
`LA 2047 LIM-CUZ`: the traveler is at the last one from the landing, and leaves the first at
take-off); another event by its LOCATION (a region, a country, an airport code, a city, or an
address read from its end: `Av. Larco 1232, Miraflores, Lima 15074, Peru` is Lima, Peru), else
its GEO (the nearest city of 15,000 people or more within 50 km). Consecutive events at one
place make one stay: the traveler is there from 24 hours before its first event to 24 hours
after its last (from a flight's landing, to a flight's take-off, exactly). A journey that ends
with a landing and no further event ends `stay_days` after it. Days are the events' own local
days: a flight that lands at 01:15 on 13 July, Lima time, lands on 13 July.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from advisory.errors import InputError, Location, Problem, Severity
from advisory.models import Trip

#: A stay around an event: from a day before it to a day after it.
PADDING = dt.timedelta(hours=24)
#: GEO is placed at the nearest city within this distance.
NEAREST_KM = 50.0
#: The events one file may hold.
MAX_EVENTS = 5000
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")
_FLIGHT = re.compile(r"\b(flight|flug|vol|vuelo)\b|✈", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    """An event placed: where the traveler is, from when to when, and how sure the ends are."""

    uid: str
    line: int
    summary: str
    place: str  # a destination as the roster writes it: LIM, Lima, Peru, geonames:3936456
    start: dt.datetime
    end: dt.datetime
    flight: bool = False
    origin: str | None = None  # a flight's departure airport


def read(
    data: bytes,
    shown: str,
    place_of: Callable[[str], str | None],
    *,
    stay_days: int,
    same: Callable[[str], object] = lambda place: place,
) -> tuple[list[Trip], list[Problem]]:
    """The trips of an iCalendar document, and a warning for each event that could not be
    placed; raises `InputError` (located) for a document that is not iCalendar. `place_of`
    gives the destination a text names (None: none); `same` what two places must share to be
    one stay (their regions: `LIM` and `Lima, Peru` are one place)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as e:
        raise InputError([Problem(Location(shown), "", f"not an iCalendar file: {e}")]) from None
    lines = _event_lines(data)
    events: list[Event] = []
    notes: list[Problem] = []
    components = list(calendar.walk("VEVENT"))
    if len(components) > MAX_EVENTS:
        message = f"{len(components)} events, more than the {MAX_EVENTS} an itinerary may hold"
        raise InputError([Problem(Location(shown), "", message)])
    for n, component in enumerate(components):
        where = Location(shown, lines[n] if n < len(lines) else None)
        summary = " ".join(str(component.get("SUMMARY", "")).split())[:200]
        try:
            event = _event(component, lines[n] if n < len(lines) else 0, summary, place_of)
        except ValueError as e:
            label = f"event {n + 1}" + (f" ({summary!r})" if summary else "")
            notes.append(Problem(where, "VEVENT", f"{label}: {e}; left out", Severity.WARNING))
            continue
        events.append(event)
    if not events:
        raise InputError([Problem(Location(shown), "", "no event could be placed"), *notes])
    return stays(events, stay_days, same), notes


def _event_lines(data: bytes) -> list[int]:
    """The line of each `BEGIN:VEVENT`, in order (for the report)."""
    return [
        n
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _event(component: Any, line: int, summary: str, place_of: Callable[[str], str | None]) -> Event:
    errors = [f"{name}: {message}" for name, message in getattr(component, "errors", [])]
    if errors:
        raise ValueError(errors[0])
    start, end = _moment(component, "DTSTART"), _moment(component, "DTEND")
    if start is None:
        raise ValueError("it has no start (DTSTART)")
    if end is None or end < start:
        end = start
    uid = " ".join(str(component.get("UID", "")).split())[:200]
    location = " ".join(str(component.get("LOCATION", "")).split())[:500]
    # A flight by its summary's airports (`LHR to LIM`), else its location's (`LHR`).
    codes = [c for c in _CODE.findall(summary) if place_of(c) == c]
    codes = codes or [c for c in _CODE.findall(location) if place_of(c) == c]
    if len(codes) >= 2 or (codes and _FLIGHT.search(summary)):
        return Event(uid, line, summary, codes[-1], start, end, flight=True,
                     origin=codes[0] if len(codes) >= 2 else None)  # fmt: skip
    place = _located(location, place_of) if location else None
    geo = component.get("GEO")
    if place is None and geo is not None:
        place = nearest_city(float(geo.latitude), float(geo.longitude))
    if place is None:
        said = f"LOCATION {location!r}" if location else "no LOCATION"
        raise ValueError(f"{said}{', no GEO' if geo is None else ', GEO'} names no known place")
    return Event(uid, line, summary, place, start, end)


def _moment(component: Any, name: str) -> dt.datetime | None:
    """A DTSTART or DTEND as a moment in its own zone (a date: its midnight; floating: UTC)."""
    value = component.get(name)
    if value is None:
        return None
    found = value.dt
    if isinstance(found, dt.datetime):
        return found if found.tzinfo else found.replace(tzinfo=dt.UTC)
    if isinstance(found, dt.date):
        return dt.datetime.combine(found, dt.time(), dt.UTC)
    raise ValueError(f"{name} is not a date or a time")


def _located(location: str, place_of: Callable[[str], str | None]) -> str | None:
    """The place a LOCATION names: an address read from its end (the country last, then the
    town before it, postal codes left out: `Av. Larco 1232, Miraflores, Lima 15074, Peru` is
    `Lima, Peru`), else the whole (`LIM`, `Cusco`, a region)."""
    parts = [p.strip() for p in location.split(",") if p.strip()]
    if len(parts) > 2 and place_of(parts[-1]) is not None:
        country = parts[-1]
        for part in reversed(parts[:-1]):
            town = " ".join(w for w in part.split() if not any(ch.isdigit() for ch in w))
            if town and (found := place_of(f"{town}, {country}")) is not None:
                return found
    return place_of(location)


def stays(
    events: Sequence[Event], stay_days: int, same: Callable[[str], object] = lambda p: p
) -> list[Trip]:
    """Consecutive events at one place as one stay each, as trips by date."""
    ordered = sorted(events, key=lambda e: (e.start, e.end, e.line))
    runs: list[list[Event]] = []
    for event in ordered:
        if runs and same(runs[-1][-1].place) == same(event.place):
            runs[-1].append(event)
        else:
            runs.append([event])
    trips: list[Trip] = []
    for k, run in enumerate(runs):
        first, last = run[0], run[-1]
        begins = first.end if first.flight else first.start - PADDING  # landed, or a day before
        after = runs[k + 1][0] if k + 1 < len(runs) else None
        if after is not None and after.flight:
            ends = after.start  # taking off
        elif after is None and last.flight:
            ends = last.end + dt.timedelta(days=stay_days)  # one way: no return said
        else:
            ends = last.end + PADDING
        # Each end's day where it happens: a landing's in the zone it lands in.
        start_day, end_day = begins.date(), ends.date()
        trips.append(
            Trip(
                id=_trip_id(first.uid, first.place, start_day),
                destination=first.place,
                start=start_day,
                end=max(end_day, start_day),
            )
        )
    return trips


def _trip_id(uid: str, place: str, day: dt.date) -> str:
    """A roster id from the event's UID (`a1@tripit.com` -> `ics-a1-tripit-com`)."""
    base = re.sub(r"[^a-z0-9]+", "-", uid.lower()).strip("-")
    if not base:
        base = re.sub(r"[^a-z0-9]+", "-", f"{place}-{day}".lower()).strip("-")
    return f"ics-{base}"[:64].rstrip("-")


def nearest_city(lat: float, lon: float) -> str | None:
    """The nearest city of 15,000 people or more within `NEAREST_KM`, as `geonames:ID`."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    best: tuple[float, int] | None = None
    for city_lat, city_lon, geonameid in _city_points():
        if abs(city_lat - lat) > 1 or abs(city_lon - lon) > 1.5:
            continue
        km = _km(lat, lon, city_lat, city_lon)
        if km <= NEAREST_KM and (best is None or km < best[0]):
            best = (km, geonameid)
    return f"geonames:{best[1]}" if best else None


@functools.cache
def _city_points() -> tuple[tuple[float, float, int], ...]:
    from advisory.places.destinations import _cities_by_id

    return tuple((c.latitude, c.longitude, c.geonameid) for c in _cities_by_id().values())


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))
