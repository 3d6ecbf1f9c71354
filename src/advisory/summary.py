"""Plain-text summaries of the loaded inputs, for `advisory validate`."""

from __future__ import annotations

import polars as pl

from advisory.inputs import Inputs


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def describe_inputs(inputs: Inputs) -> list[str]:
    """One line per input: what was read and how much of it."""
    rules = inputs.rules
    rs = rules.ruleset
    countries = rules.country_names()
    shown = ", ".join(countries[:5]) + (
        f" and {len(countries) - 5} more" if len(countries) > 5 else ""
    )
    lines = [
        f"rules: {_count(len(rs.levels), 'level')} ({', '.join(rs.level_names())}), "
        f"{_count(len(rs.categories), 'category', 'categories')}, "
        f"{_count(len(rules.regions), 'region')} in "
        f"{_count(len(countries), 'country', 'countries')} ({shown})"
    ]
    frame = inputs.incidents.frame
    files = _count(len(inputs.incidents.files), "file")
    if frame.height:
        first, last = frame.select(
            pl.col("date").min().alias("first"), pl.col("date").max().alias("last")
        ).row(0)
        placed = inputs.placements.get_column("pos").n_unique()
        lines.append(
            f"incidents: {frame.height} in {files}, {first} to {last}; "
            f"{placed} placed in regions, {frame.height - placed} in none"
        )
    else:
        lines.append(f"incidents: none in {files}")
    if inputs.roster is not None:
        travelers = inputs.roster.travelers
        trips = sum(len(t.trips) for t in travelers)
        lines.append(f"roster: {_count(len(travelers), 'traveler')}, {_count(trips, 'trip')}")
    return lines
