"""Warnings for places that almost match: a feed's `Lima Province` where the rules say `Lima`,
and a capital left to a country's catch-all region. Both are almost always a name missing from
the rules, and both silently move incidents to the wrong region."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from advisory.errors import Problem, Severity
from advisory.inputs.incidents import IncidentLog
from advisory.models import Rules
from advisory.places.countries import countries
from advisory.places.names import normalize
from advisory.places.world import country_key

LEVELS = ("admin1", "admin2")
#: Words that say what kind of unit a name is, not which: `Lima Province` is Lima.
_GENERIC = re.compile(
    r"\b(province|provincia|department|departamento|departement|region|region de|governorate|"
    r"gouvernorat|state|estado|district|distrito|prefecture|county|oblast|krai|municipality|"
    r"municipio|division|territory|of|de|del|la|the|al|el)\b"
)


def core(name: str) -> str:
    """`'Departamento de Lima'` -> `'lima'`: the name without case, accents, punctuation, or
    the words that only say what kind of unit it is."""
    text = re.sub(r"[^a-z0-9]+", " ", normalize(name))
    return " ".join(_GENERIC.sub(" ", text).split())


def near(a: str, b: str) -> bool:
    """Two names that are probably one place: the same core, or cores a letter or two apart."""
    ca, cb = core(a), core(b)
    if not ca or not cb:
        return False
    if ca == cb:
        return True
    return min(len(ca), len(cb)) >= 5 and difflib.SequenceMatcher(None, ca, cb).ratio() >= 0.85


@dataclass(frozen=True)
class _Named:
    name: str  # as the rules write it
    region_id: str


def place_warnings(log: IncidentLog, rules: Rules, placements: pl.DataFrame) -> list[Problem]:
    """Near misses at admin1 and admin2 in the countries the region files cover, and capitals
    that fall to a catch-all."""
    written = [r for r in rules.regions if r.id not in rules.generated]
    if not written or log.frame.height == 0:
        return []
    named: dict[tuple[str, str], dict[str, _Named]] = defaultdict(dict)
    catch_alls: dict[str, list[str]] = defaultdict(list)
    for region in written:
        key = country_key(rules.countries[region.id])
        for entry in region.match:
            if entry.whole_country():
                catch_alls[key].append(region.id)
            for level in LEVELS:
                aliases = getattr(entry.aliases, level) if entry.aliases else []
                for name in [*getattr(entry, level), *aliases]:
                    named[(key, level)].setdefault(normalize(name), _Named(name, region.id))
    # Planned, not run: each step below reads only its own columns, and a filter's rows are
    # never copied whole.
    frame = (
        log.frame.lazy()
        .select("country", "admin1", "admin2", "location", "source_file", "source_row")
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
    )
    keys = {c: country_key(c) for c in log.frame.get_column("country").drop_nulls().unique()}
    problems = []
    for level in LEVELS:
        firsts = (
            frame.filter(pl.col(level).is_not_null())
            .group_by("country", level, maintain_order=True)
            .agg(pl.first("source_file"), pl.first("source_row"), pl.len().alias("n"))
            .collect()
        )
        for country, value, file, row, count in firsts.iter_rows():
            names = named.get((keys.get(country, ""), level))
            if not names or normalize(value) in names:
                continue
            close = [n for n in names.values() if near(value, n.name)]
            if not close:
                continue
            target = close[0]
            where = log.locate(file, row, level)
            problems.append(
                Problem(
                    where, level,
                    f"{value!r} is named by no region of {country}, but is close to "
                    f"{target.name!r} ({target.region_id}); if it is the same place, add to "
                    f"that match entry: aliases: {{{level}: [{value}]}} "
                    f"({_incidents(count)})",
                    Severity.WARNING,
                )
            )  # fmt: skip
    problems += _capitals(log, rules, frame, placements, catch_alls)
    return problems


def _capitals(
    log: IncidentLog,
    rules: Rules,
    frame: pl.LazyFrame,
    placements: pl.DataFrame,
    catch_alls: dict[str, list[str]],
) -> list[Problem]:
    """A warning for each country whose capital's incidents fall to its catch-all region."""
    ids = {region_id for found in catch_alls.values() for region_id in found}
    if not ids:
        return []
    caught = frame.join(
        placements.lazy().filter(pl.col("region").is_in(list(ids))), on="pos"
    ).collect()
    table = countries()
    problems = []
    for (region_id,), group in caught.group_by("region", maintain_order=True):
        country = table.resolve(rules.countries[str(region_id)])
        if country is None or country.capital is None:
            continue
        capital = core(country.capital)
        for level in ("admin1", "admin2", "location"):
            values = group.get_column(level).drop_nulls().unique().to_list()
            # A name the rules give, restricted (the department "Lima" by its province or
            # places), left the rest of it to the catch-all on purpose.
            named = _named(rules, str(region_id), level)
            same = [v for v in values if core(v) == capital and normalize(v) not in named]
            hits = group.filter(pl.col(level).is_in(same))
            if hits.height:
                first = hits.row(0, named=True)
                where = log.locate(first["source_file"], first["source_row"], level)
                region = rules.region(str(region_id))
                problems.append(
                    Problem(
                        where, level,
                        f"{first[level]!r} is {country.capital}, the capital of {country.name}, "
                        f"but falls to the catch-all region {region.name!r} ({region_id}): "
                        f"name it in a region's match, or as an alias ({_incidents(hits.height)})",
                        Severity.WARNING,
                    )
                )  # fmt: skip
                break
    return problems


def _named(rules: Rules, region_id: str, level: str) -> set[str]:
    """The names (and aliases) at `level` of the regions of the region's country, normalized."""
    country = rules.countries[region_id]
    found: set[str] = set()
    for region in rules.regions:
        if rules.countries.get(region.id) != country:
            continue
        for entry in region.match:
            aliases = getattr(entry.aliases, level, None) if entry.aliases else None
            found.update(normalize(name) for name in [*getattr(entry, level), *(aliases or [])])
    return found


def _incidents(count: int) -> str:
    return "1 incident" if count == 1 else f"{count} incidents"
