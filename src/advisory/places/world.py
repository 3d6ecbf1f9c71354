"""World coverage: with `rules/world.yaml`, every country and territory that no region file
covers is a region, and (with `coverage: admin1`) so is each of its first-level units that the
incident log names.

Generated regions are made afresh from the log at every run, in an order and with ids that
depend only on the log's names: `co` for Colombia, `co-bogota-d-c` for its admin1 `Bogota,
D.C.` (the id is the name without case, accents or punctuation, so `Junin` and `Junín` are one
region, named by the spelling the log uses most). They carry no Context unless the world file
gives one, and the level and category advice of `scoring.yaml`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import polars as pl

from advisory.errors import not_one_of
from advisory.models import (
    CountryCover,
    MatchEntry,
    OfficialFloor,
    Rating,
    Region,
    Rules,
    WrittenContext,
)
from advisory.places.countries import countries
from advisory.places.names import normalize

#: Longest id of a generated region (ids are at most 64 characters).
_MAX_SLUG = 48


@functools.lru_cache(maxsize=16384)
def country_key(name: str) -> str:
    """What a country name is matched by: its ISO code when it is a country or territory the
    world knows (so `Perú`, `PE` and `Peru` are one), else the name without case or accents."""
    found = countries().resolve(name)
    return found.iso2 if found is not None else f"?{normalize(name)}"


def slug(name: str) -> str:
    """`'Bogota, D.C.'` -> `'bogota-d-c'`; a name with no Latin letters gets a short hash."""
    text = re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")
    if not text:
        return "x" + hashlib.sha256(normalize(name).encode()).hexdigest()[:10]
    if len(text) > _MAX_SLUG:
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        text = f"{text[: _MAX_SLUG - 9].rstrip('-')}-{digest}"
    return text


def cover_world(rules: Rules, log: pl.DataFrame) -> Rules:
    """The rules with the world file's regions added; the rules as they are without one."""
    world = rules.world
    if world is None:
        return rules
    table = countries()
    covered = {country_key(name) for name in rules.countries.values()}
    settings: dict[str, CountryCover] = {}
    for name, given in world.countries.items():
        found = table.resolve(name)
        if found is not None:
            settings[found.iso2] = given
    units = _admin1_names(log)
    taken = {r.id for r in rules.regions}
    generated: list[Region] = []
    countries_of: dict[str, str] = {}

    def add(region_id: str, name: str, country: str, match: MatchEntry,
            context: WrittenContext | None, profile: str | None,
            long_name: str | None = None, floor: OfficialFloor | None = None) -> None:  # fmt: skip
        while region_id in taken:  # a region file uses the id: the generated one steps aside
            region_id += "-w"
        taken.add(region_id)
        region = Region.model_construct(
            id=region_id, name=name, long_name=long_name, descriptor=None, floor=None,
            match=[match], context=context, advice=[], profile=profile,
            official_part=False, official_floor=floor,
        )  # fmt: skip
        generated.append(region)
        countries_of[region_id] = country

    for country in sorted(table.countries, key=lambda c: c.iso2):
        if country.iso2 in covered:
            continue
        cover = settings.get(country.iso2)
        coverage = (cover.coverage if cover else None) or world.coverage
        context = cover.context if cover else None
        profile = (cover.profile if cover else None) or world.profile
        floor = cover.official_floor if cover else None
        code = country.iso2.lower()
        add(code, country.name, country.name, MatchEntry.model_construct(
            admin1=[], admin2=[], location=[], aliases=None), context, profile,
            floor=floor)  # fmt: skip
        if coverage != "admin1":
            continue
        for unit, spellings in sorted(units.get(country.iso2, {}).items()):
            name = min(spellings, key=lambda s: (-spellings[s], s))
            entry = MatchEntry.model_construct(
                admin1=sorted(spellings), admin2=[], location=[], aliases=None
            )
            add(f"{code}-{unit}", name, country.name, entry, context, profile,
                f"{name}, {country.name}", floor)  # fmt: skip
    return rules.model_copy(
        update={
            "regions": rules.regions + tuple(generated),
            "countries": {**rules.countries, **countries_of},
            "generated": frozenset(countries_of),
        }
    )


def _admin1_names(log: pl.DataFrame) -> dict[str, dict[str, Counter[str]]]:
    """For each country (ISO code), the first-level units the log names, by slug, with each
    spelling's count."""
    counted = log.group_by("country", "admin1").len().drop_nulls()
    units: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for country, admin1, count in counted.iter_rows():
        key = country_key(country)
        if key.startswith("?") or not admin1.strip():
            continue
        units[key][slug(admin1)][" ".join(admin1.split())] += count
    return units


def unknown_countries(names: list[str], rules: Rules) -> dict[str, str]:
    """Of `names`, those that are no country a region file names and none the world knows,
    each with its message (and a did-you-mean)."""
    known = {country_key(name) for name in rules.countries.values()}
    table = countries()
    found = {}
    for name in names:
        key = country_key(name)
        if key.startswith("?") and key not in known:
            choices = table.suggestions(name) + sorted(
                n for n in set(rules.countries.values()) if country_key(n).startswith("?")
            )
            found[name] = not_one_of(name, choices, "a country", show_choices=False)
    return found


def is_quiet(rating: Rating, rules: Rules) -> bool:
    """A generated region with nothing to show: no incident in the window, the lowest level.
    Lists leave it out and count it in one line (`quiet_line`)."""
    return (
        rating.region_id in rules.generated
        and not rating.window_incidents
        and (rating.level_rank == 1)
    )


def quiet_line(ratings: Sequence[Rating], rules: Rules) -> str | None:
    """`212 other countries and territories: no incidents recorded in the past 30 days.`: the
    countries of the world file all of whose regions are quiet (those the log has no data for
    counted apart); None when there are none."""
    shown = {r.country for r in ratings if not is_quiet(r, rules)}
    quiet = {r.country for r in ratings if is_quiet(r, rules)} - shown
    if not quiet:
        return None
    covered = {r.country for r in ratings if r.has_data}
    unknown = quiet - covered
    days = rules.ruleset.window_days
    parts = []
    if quiet - unknown:
        parts.append(
            f"{_countries(len(quiet - unknown))}: no incidents recorded in the past {days} days."
        )
    if unknown:
        parts.append(f"{_countries(len(unknown))}: no data (the incident log does not cover them).")
    return " ".join(parts)


def _countries(count: int) -> str:
    return f"{count} other {'country or territory' if count == 1 else 'countries and territories'}"
