"""Plain-text summaries of the loaded inputs, for `advisory validate`."""

from __future__ import annotations

import polars as pl

from advisory.inputs import Inputs
from advisory.reports.ratings import plural


def describe_inputs(inputs: Inputs) -> list[str]:
    """One line per input: what was read and how much of it."""
    rules = inputs.rules
    rs = rules.ruleset
    written = [r for r in rules.regions if r.id not in rules.generated]
    countries = sorted({rules.countries[r.id] for r in written})
    shown = ", ".join(countries[:5]) + (
        f" and {len(countries) - 5} more" if len(countries) > 5 else ""
    )
    line = (
        f"rules: {plural(len(rs.levels), 'level')} ({', '.join(rs.level_names())}), "
        f"{plural(len(rs.categories), 'category', 'categories')}, "
        f"{plural(len(written), 'region')} in "
        f"{plural(len(countries), 'country', 'countries')} ({shown})"
    )
    if rules.world is not None:
        generated = {rules.countries[i] for i in rules.generated}
        line += (
            f"; the rest of the world: {plural(len(generated), 'country', 'countries')} and "
            f"territories in {plural(len(rules.generated), 'generated region')} "
            f"(coverage: {rules.world.coverage})"
        )
    lines = [line]
    frame = inputs.incidents.frame
    files = plural(len(inputs.incidents.files), "file")
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
    ahead = inputs.incidents.planned
    if ahead.height:
        first, last = ahead.select(
            pl.col("date").min().alias("first"), pl.col("date").max().alias("last")
        ).row(0)
        lines.append(
            f"planned: {plural(ahead.height, 'event')} announced, {first} to {last} "
            "(never counted; shown ahead of their day)"
        )
    if inputs.roster is not None:
        travelers = inputs.roster.travelers
        trips = sum(len(t.trips) for t in travelers)
        lines.append(f"roster: {plural(len(travelers), 'traveler')}, {plural(trips, 'trip')}")
    return lines
