"""The score's terms, shared by `rate` and `calibrate` (docs/rules.md, How a region is scored).

An incident's **points** before decay are the sum of three terms:

- **activity**: its category's `weight`, shared with the other reports of the same category at
  the same place (admin1, admin2, location) on the same day: n such reports together count
  `weight × (1 + repeats × (n - 1))`, each an equal share, so that a village shelled forty
  times in a day counts little more than once;
- **harm**: `per_fatality × fatalities + per_injury × injuries`, times the weight of the toll's
  certainty (`casualties.certainty`: an estimated toll counts less than a counted one);
- **targeting**: `targeting.civilians` if it was aimed at civilians, `targeting.foreigners` if
  at tourists or aid workers, `targeting.kidnapping` if its category is a kidnapping.

A **unit** is where a region is scored: the whole region, or, for a catch-all (a region that
matches a whole country), each first-level unit on its own. A unit's score is the sum of its
incidents' decayed points plus the **spread**: `spread.per_place` for each distinct place with
violence (incidents of `spread.families`) beyond the first, at most `spread.max_places`. A
region's score is the score of its worst unit.

A family's **cap** is applied to levels, not scores (`capped`): a level it could only
reach with that family's points is held at the cap, unless the family's incidents in the
window killed at least `unless_deaths`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from advisory.models import Incident, Region, Rules, RuleSet

#: Kinds of target or victim that are civilians, and of them those that are foreigners.
CIVILIAN_KINDS = ("civilians", "journalists", "aid_workers", "tourists")
FOREIGNER_KINDS = ("tourists", "aid_workers")
#: The columns of a place, for repeated reports and the spread.
PLACE = ("country", "admin1", "admin2", "location")
#: The columns of the incident log the terms need.
COLUMNS = (
    "date", "category", "fatalities", "fatalities_certainty", "injuries", "civilian_targeting",
    "target_kind", "victims", *PLACE,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cap:
    """A family's cap, as indexes: the family, the highest level it may set alone, and the
    deaths at which the cap is lifted."""

    family: str
    level: int
    unless_deaths: int
    categories: tuple[str, ...]


def caps(ruleset: RuleSet) -> list[Cap]:
    names = ruleset.level_names()
    return [
        Cap(name, names.index(f.cap.level), f.cap.unless_deaths, tuple(f.categories))
        for name, f in ruleset.families.items()
        if f.cap is not None and f.cap.level in names
    ]


def with_terms(frame: pl.LazyFrame, ruleset: RuleSet) -> pl.LazyFrame:
    """The incidents with their terms before decay: `reports` (of its kind at its place that
    day), `activity`, `harm`, `targeting`, `base_points`, and `place` (a key of its place),
    `violent` (whether it counts for the spread)."""
    weights = {name: c.weight for name, c in ruleset.categories.items()}
    per = ruleset.casualties
    certainty = {c: per.weight_of(c) for c in ("exact", "estimated", "claimed", "unknown")}
    aim = ruleset.targeting
    kinds = pl.col("target_kind").fill_null(pl.col("victims"))
    civilians = pl.col("civilian_targeting").fill_null(False) | kinds.is_in(CIVILIAN_KINDS)
    foreigners = kinds.is_in(FOREIGNER_KINDS).fill_null(False)
    kidnapping = pl.col("category").is_in(aim.kidnapping_categories)
    families = ruleset.families
    spreading = [c for name in ruleset.spread.families if name in families
                 for c in families[name].categories]  # fmt: skip
    reports = pl.len().over(*PLACE, "date", "category").cast(pl.Float64)
    return (
        frame.with_columns(reports.alias("reports"))
        .with_columns(
            (
                pl.col("category").replace_strict(weights, default=0.0, return_dtype=pl.Float64)
                * (1 + ruleset.repeats * (pl.col("reports") - 1))
                / pl.col("reports")
            ).alias("activity"),
            (
                pl.col("fatalities_certainty")
                .fill_null("exact")
                .replace_strict(certainty, default=1.0, return_dtype=pl.Float64)
                * (
                    per.per_fatality * pl.col("fatalities")
                    + per.per_injury * pl.col("injuries").fill_null(0)
                )
            ).alias("harm"),
            (
                pl.when(civilians).then(aim.civilians).otherwise(0.0)
                + pl.when(foreigners).then(aim.foreigners).otherwise(0.0)
                + pl.when(kidnapping).then(aim.kidnapping).otherwise(0.0)
            ).alias("targeting"),
            pl.struct(*PLACE[1:]).hash(7).alias("place"),
            pl.col("category").is_in(spreading).alias("violent"),
        )
        .with_columns(
            (pl.col("activity") + pl.col("harm") + pl.col("targeting")).alias("base_points")
        )
    )


def incident_points(incident: Incident, ruleset: RuleSet) -> float:
    """An incident's points before decay, as if reported once (`with_terms` for one incident):
    for prose that orders incidents by how serious they are."""
    per = ruleset.casualties
    aim = ruleset.targeting
    kind = incident.target_kind or incident.victims
    harm = per.per_fatality * incident.fatalities + per.per_injury * (incident.injuries or 0)
    return (
        ruleset.categories[incident.category].weight
        + per.weight_of(incident.fatalities_certainty or "exact") * harm
        + (aim.civilians if incident.civilian_targeting or kind in CIVILIAN_KINDS else 0.0)
        + (aim.foreigners if kind in FOREIGNER_KINDS else 0.0)
        + (aim.kidnapping if incident.category in aim.kidnapping_categories else 0.0)
    )


def unit_of(rules: Rules) -> pl.Expr:
    """The unit an incident is scored in: its admin1 in a catch-all region, else the region."""
    catchalls = [r.id for r in rules.regions if catch_all(r)]
    return (
        pl.when(pl.col("region").is_in(catchalls))
        .then(pl.col("admin1").fill_null(""))
        .otherwise(pl.lit(""))
        .alias("unit")
    )


def catch_all(region: Region) -> bool:
    """A region with an entry that matches its whole country."""
    return any(entry.whole_country() for entry in region.match)


def unit_scores(rows: pl.LazyFrame, ruleset: RuleSet, keys: Sequence[str]) -> pl.LazyFrame:
    """Per `keys` and unit: `score` (its points and spread), `spread`, and per capped family
    `i`, `without_i` (the score without the family's points) and `deaths_i` (its deaths).

    `rows` has a row per incident, region and week with `keys`, `unit`, `points` (decayed),
    `place`, `violent`, `category` and `fatalities`.
    """
    spread = ruleset.spread
    found = caps(ruleset)
    return (
        rows.group_by(*keys, "unit")
        .agg(
            pl.col("points").sum(),
            pl.col("place").filter(pl.col("violent")).n_unique().alias("places"),
            *[
                (pl.col("points") * pl.col("category").is_in(cap.categories)).sum().alias(f"f{i}")
                for i, cap in enumerate(found)
            ],
            *[
                (pl.col("fatalities") * pl.col("category").is_in(cap.categories))
                .sum()
                .alias(f"deaths_{i}")
                for i, cap in enumerate(found)
            ],
        )
        .with_columns(
            (
                spread.per_place * (pl.col("places").cast(pl.Int64) - 1).clip(0, spread.max_places)
            ).alias("spread")
        )
        .with_columns((pl.col("points") + pl.col("spread")).alias("score"))
        .with_columns(
            [(pl.col("score") - pl.col(f"f{i}")).alias(f"without_{i}") for i in range(len(found))]
        )
    )


def region_scores(rows: pl.LazyFrame, ruleset: RuleSet, keys: Sequence[str]) -> pl.LazyFrame:
    """Per `keys` (a region and a week), the figures of its worst unit (`unit_scores`):
    `score`, `unit` (empty when the region is scored whole), `spread`, `without_i`,
    `deaths_i`."""
    count = len(caps(ruleset))
    carried = ["unit", "spread", *[f"without_{i}" for i in range(count)],
               *[f"deaths_{i}" for i in range(count)]]  # fmt: skip
    worst = (pl.col("score"), pl.col("unit"))
    return (
        unit_scores(rows, ruleset, keys)
        .group_by(*keys)
        .agg(
            pl.col("score").max(),
            *[pl.col(name).sort_by(*worst, descending=[True, False]).first() for name in carried],
        )
    )


def capped(level: np.ndarray, without: Sequence[np.ndarray], deaths: Sequence[np.ndarray],
           found: Sequence[Cap]) -> np.ndarray:  # fmt: skip
    """`level` (indexes) with each family's cap applied: where the family's deaths are under
    its number, a level above the cap is lowered to the cap, or to the level the score reaches
    without the family's points if that is higher. `without` holds those levels."""
    out = level
    for cap, alone, killed in zip(found, without, deaths, strict=True):
        held = np.minimum(out, np.maximum(cap.level, alone))
        out = np.where(killed >= cap.unless_deaths, out, held)
    return out
