"""Which region an incident belongs to.

A region's `match` entries name places by country, admin1, admin2 and location. An incident
belongs to the regions whose entries match it most specifically: a location match beats an
admin2 match, which beats an admin1 match, which beats a country-wide entry. So a country-wide
region catches what its country's other regions leave, and two regions that name the same
place at the same depth both get the incident. Names are compared without case or accents.
"""

from __future__ import annotations

import itertools

import polars as pl

from advisory.models import Rules
from advisory.places.names import normalize

__all__ = ["assign_regions", "match_table", "normalize", "normalize_expr"]

#: Points of each matched field; the sum orders matches from least to most specific.
_SPECIFICITY = {"admin1": 1, "admin2": 2, "location": 4}
_KEYS = ("country", "admin1", "admin2", "location")


def normalize_expr(column: str) -> pl.Expr:
    """The column-wise twin of `normalize`."""
    return (
        pl.col(column)
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _normalized(column: pl.Series) -> pl.Series:
    """`normalize_expr` over a column's distinct values only: place names repeat a great deal."""
    distinct = column.unique().drop_nulls()
    normalized = distinct.to_frame("raw").select(normalize_expr("raw")).to_series()
    return column.replace_strict(distinct, normalized, default=None).alias(column.name)


def _country_keys(column: pl.Series) -> pl.Series:
    """Each country name's key (`places.world.country_key`), worked out once per name."""
    from advisory.places.world import country_key

    distinct = column.unique().drop_nulls()
    keys = pl.Series([country_key(name) for name in distinct], dtype=pl.String)
    return column.replace_strict(distinct, keys, default=None).alias(column.name)


def match_table(rules: Rules) -> pl.DataFrame:
    """One row per (region, place) the rules name, with normalized keys and a specificity."""
    from advisory.places.world import country_key

    rows: list[dict[str, object]] = []
    for region in rules.regions:
        country = country_key(rules.countries[region.id])
        for entry in region.match:
            aliases = entry.aliases
            fields: dict[str, list[str | None]] = {
                level: [
                    normalize(v)
                    for v in [*getattr(entry, level), *(getattr(aliases, level) if aliases else [])]
                ]
                or [None]
                for level in ("admin1", "admin2", "location")
            }
            specificity = sum(_SPECIFICITY[k] for k, values in fields.items() if values != [None])
            for admin1, admin2, location in itertools.product(*fields.values()):
                rows.append(
                    {
                        "region": region.id,
                        "country": country,
                        "admin1": admin1,
                        "admin2": admin2,
                        "location": location,
                        "specificity": specificity,
                    }
                )
    schema = dict.fromkeys(("region", *_KEYS), pl.String) | {"specificity": pl.Int32}
    return pl.DataFrame(rows, schema=schema).unique()


def assign_regions(incidents: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Pairs (`pos`, `region`): each incident's position in `incidents` and a region it belongs to.

    `incidents` needs the columns country, admin1, admin2 and location. Incidents that match no
    region are absent from the result. Matching runs once per distinct place, not per incident.
    """
    table = match_table(rules)
    empty = pl.DataFrame(schema={"pos": pl.Int64, "region": pl.String})
    if table.height == 0:
        return empty
    # Only the fields some entry names take part; the rest would only split places apart.
    fields = ["country"] + [k for k in _KEYS[1:] if table.get_column(k).is_not_null().any()]
    places = (
        incidents.select(*[pl.col(k).cast(pl.String) for k in fields])
        .with_row_index("pos")
        .group_by(fields)
        .agg(pl.col("pos").cast(pl.Int64))
        .with_row_index("place")
    )
    keyed = places.select(
        "place",
        _country_keys(places.get_column("country")),
        *[_normalized(places.get_column(k)) for k in fields[1:]],
    )
    found: list[pl.DataFrame] = []
    # Entries naming the same set of fields are joined on those fields in one go.
    patterns = table.select([pl.col(k).is_not_null().alias(k) for k in _KEYS[1:]]).unique().rows()
    for pattern in patterns:
        used = ["country"] + [k for k, on in zip(_KEYS[1:], pattern, strict=True) if on]
        part = table.filter(
            pl.all_horizontal(
                [pl.col(k).is_not_null() == on for k, on in zip(_KEYS[1:], pattern, strict=True)]
            )
        ).select("region", "specificity", *used)
        found.append(
            keyed.join(part, on=used, how="inner").select("place", "region", "specificity")
        )
    matches = pl.concat(found)
    best = matches.group_by("place").agg(pl.col("specificity").max().alias("best"))
    chosen = (
        matches.join(best, on="place")
        .filter(pl.col("specificity") == pl.col("best"))
        .select("place", "region")
        .unique()
    )
    return (
        chosen.join(places.select("place", "pos"), on="place")
        .explode("pos")
        .select("pos", "region")
    )
