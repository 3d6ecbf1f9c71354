"""A synthetic world year of incidents, shaped like ACLED's global data: the benchmarks' world
year (`benchmarks/world_weekly.py`, 200,000 events) and, scaled down, the tests' (the world
profile's sanity checks in `tests/test_world_profile.py`).

Deterministic for a seed. The mixes follow figures ACLED publishes, cited here; where ACLED
publishes no figure, the choice is ours and says so.

- **Volume and toll.** ACLED's Conflict Index of December 2024 counts nearly 200,000
  political-violence events worldwide from December 2023 to November 2024, with about 233,000
  fatalities (1.2 per event); its 2019 Year in Review counts 91,448 political-violence events
  and 126,047 fatalities (1.4 per event), reported in 96% of the countries covered, at over
  23,000 locations. Our political-violence events carry 1.2 deaths each on average, most of
  them none and a few very many (`_deaths`).
- **Country groups.** The Conflict Index ranks 50 countries in its extreme, high and turbulent
  categories (10 extreme), and the rest below; one conflict (Palestine, in the July 2024 index)
  averages about 52 events a day. We draw 10 extreme, 10 high and 30 turbulent countries and
  give them 60%, 20% and 15% of the political violence (our choice: the index publishes ranks,
  not shares), the other countries 5%.
- **Event types.** ACLED codes battles, explosions/remote violence and violence against
  civilians (political violence) and protests and riots (demonstrations), and records more
  demonstrations than political violence. The split below is ours, rounded from that order:
  55% demonstrations (protests five in six), 45% political violence (battles a third,
  explosions/remote violence a third, violence against civilians a third). Demonstrations are
  spread over every country; political violence follows the country groups.
- **Repeated reports.** An extreme country's front line is shelled at a few villages day after
  day: ACLED codes each report as an event, so one village has many events of one kind a day.
  A third of an extreme country's remote violence falls on four front-line villages of one
  unit, with about one death in a hundred reports.

Crime and kidnappings (the product's own reports, not ACLED's) are added at 4% and 1%.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl

#: Political violence by event type: (category, share of the group's political violence).
VIOLENCE = [
    ("armed_clash", 0.33), ("shelling", 0.16), ("airstrike", 0.10), ("explosive", 0.07),
    ("attack_on_civilians", 0.27), ("kidnapping", 0.02), ("ambush", 0.05),
]  # fmt: skip
#: Demonstrations: (category, share).
DEMONSTRATIONS = [("protest", 0.83), ("riot", 0.12), ("strike_blockade", 0.05)]
#: Shares of all events.
DEMONSTRATION_SHARE = 0.55
CRIME_SHARE = 0.04
#: Country groups of the Conflict Index: (name, countries, share of political violence).
GROUPS = [("extreme", 10, 0.60), ("high", 10, 0.20), ("turbulent", 30, 0.15), ("calm", 0, 0.05)]
#: Mean deaths per event by category (political violence averages 1.2 with these mixes).
MEAN_DEATHS = {
    "armed_clash": 1.8, "shelling": 0.3, "airstrike": 1.5, "explosive": 1.0, "ambush": 2.5,
    "attack_on_civilians": 1.0, "kidnapping": 0.1, "riot": 0.04, "crime": 0.3,
}  # fmt: skip
COLUMNS = (
    "id", "date", "country", "admin1", "location", "latitude", "longitude", "category",
    "fatalities", "civilian_targeting", "target_kind", "summary", "sources",
)  # fmt: skip
START = dt.date(2023, 1, 1)
#: One autumn week with 3% of the year's events: the busiest week.
SURGE = dt.date(2023, 10, 9)


def write_year(target: Path, events: int = 200_000, seed: int = 11) -> None:
    """A year of `events` incidents in every country with an outline but Peru, as CSV."""
    pl.DataFrame(year_rows(events, seed), schema=dict.fromkeys(COLUMNS, pl.String)).write_csv(
        _parent(target)
    )


def _parent(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def year_rows(events: int, seed: int) -> dict[str, list[str | None]]:
    from advisory.places.countries import countries

    rng = random.Random(seed)
    table = {c.name: c for c in countries().countries if c.iso2 != "PE"}
    names = sorted(table)
    shuffled = names[:]
    rng.shuffle(shuffled)
    group_of: dict[str, str] = {}
    at = 0
    for group, size, _ in GROUPS[:-1]:
        for name in shuffled[at : at + size]:
            group_of[name] = group
        at += size
    for name in shuffled[at:]:
        group_of[name] = "calm"
    units = {name: rng.randint(1, 25) for name in names}
    centres = {name: [_inside_point(rng, table[name].iso3) for _ in range(units[name])]
               for name in names}  # fmt: skip
    # Busier units first: a unit's share falls with its rank (hot spots).
    unit_weights = {name: [1 / (k + 1) for k in range(units[name])] for name in names}
    by_group = {g: [n for n in names if group_of[n] == g] for g, *_ in GROUPS}
    rows: dict[str, list[str | None]] = {c: [] for c in COLUMNS}

    def add(country: str, category: str, unit: int, location: str, day: dt.date) -> None:
        n = len(rows["id"])
        rows["id"].append(f"g{n:07d}")
        rows["date"].append(day.isoformat())
        rows["country"].append(country)
        rows["admin1"].append("" if unit == 0 else f"Province {unit:02d}")
        rows["location"].append(location)
        centre = centres[country][unit]
        for column, value in (("latitude", 1), ("longitude", 0)):
            rows[column].append(
                None if centre is None else f"{centre[value] + rng.uniform(-0.3, 0.3):.3f}"
            )
        rows["category"].append(category)
        rows["fatalities"].append(str(_deaths(rng, category, location)))
        civilians = category in ("attack_on_civilians", "kidnapping")
        rows["civilian_targeting"].append("yes" if civilians else "")
        foreigners = category == "kidnapping" and rng.random() < 0.2
        rows["target_kind"].append("tourists" if foreigners else "")
        rows["summary"].append(f"An event was reported near {location} on {day}.")
        rows["sources"].append("Synthetic feed")

    def day_of() -> dt.date:
        if rng.random() < 0.03:
            return SURGE + dt.timedelta(days=rng.randrange(7))
        return START + dt.timedelta(days=rng.randrange(365))

    violence = round(events * (1 - DEMONSTRATION_SHARE - CRIME_SHARE))
    crime = round(events * CRIME_SHARE)
    demonstrations = events - violence - crime
    group_names = [g for g, *_ in GROUPS]
    group_shares = [share for *_, share in GROUPS]
    categories, weights = zip(*VIOLENCE, strict=True)
    for _ in range(violence):
        group = rng.choices(group_names, group_shares)[0]
        country = rng.choice(by_group[group])
        category = rng.choices(categories, weights)[0]
        unit = rng.choices(range(units[country]), unit_weights[country])[0]
        location = f"Town {rng.randrange(200)}"
        if group == "extreme" and category == "shelling" and rng.random() < 0.67:
            unit, location = 0 if units[country] == 1 else 1, f"Village {rng.randrange(4)}"
        add(country, category, unit, location, day_of())
    categories, weights = zip(*DEMONSTRATIONS, strict=True)
    for _ in range(demonstrations):
        country = rng.choice(names)
        unit = rng.choices(range(units[country]), unit_weights[country])[0]
        add(country, rng.choices(categories, weights)[0], unit, f"Town {rng.randrange(200)}",
            day_of())  # fmt: skip
    for _ in range(crime):
        country = rng.choice(names)
        unit = rng.choices(range(units[country]), unit_weights[country])[0]
        add(country, "crime", unit, f"Town {rng.randrange(200)}", day_of())
    return rows


def _deaths(rng: random.Random, category: str, location: str) -> int:
    """A toll with the category's mean: none most of the time, a few very many."""
    mean = MEAN_DEATHS.get(category, 0.0)
    if location.startswith("Village"):
        return 1 if rng.random() < 0.01 else 0
    if not mean or rng.random() > 0.3:
        return 0
    # Three in ten events carry deaths; of those a few are massacres (a Pareto tail).
    deaths = mean / 0.3 * (rng.paretovariate(2.0) - 1)
    return min(round(deaths), 400)


def _inside_point(rng: random.Random, iso3: str) -> tuple[float, float] | None:
    """A point inside the country's largest outline ring, or None without an outline."""
    from advisory.places.areas import contains
    from advisory.places.outlines import outlines

    rings = outlines().get(iso3)
    if not rings:
        return None
    ring = max(rings, key=len)
    west, east = min(p[0] for p in ring), max(p[0] for p in ring)
    south, north = min(p[1] for p in ring), max(p[1] for p in ring)
    for _ in range(200):
        point = (rng.uniform(west, east), rng.uniform(south, north))
        if contains(ring, point):
            return point
    return ring[0]


def busiest_week(frame: pl.DataFrame) -> tuple[str, int]:
    """The ISO week with the most incidents (the earliest of ties) and its count."""
    weeks = (
        frame.select(pl.col("date").dt.strftime("%G-W%V").alias("week"))
        .group_by("week")
        .len()
        .sort("len", "week", descending=[True, False])
    )
    week, count = weeks.row(0)
    return str(week), int(count)


def sanity(ratings: list[dict[str, Any]]) -> dict[str, float]:
    """The world profile's sanity figures over ratings (as `rate --format json` gives them):
    of the regions with an incident in the window, the share Extreme and the share Minimal or
    Low; the rank correlation (Spearman, ties by average ranks) between level and the window's
    deaths plus kidnapped; and, of the ten highest scores, the fewest deaths and the fewest
    kidnapped (each must reach 10 in one of the two)."""
    rows = pl.DataFrame(
        [
            {
                "score": r["score"],
                "rank": r["level_rank"],
                "level": r["level"],
                "deaths": r["window_fatalities"],
                "kidnapped": sum(1 for c in r["contributions"] if c["category"] == "kidnapping"),
            }
            for r in ratings
            if r["window_incidents"]
        ]
    )
    harm = pl.col("deaths") + pl.col("kidnapped")
    ranked = rows.select(pl.col("rank").rank("average").alias("a"), harm.rank("average").alias("b"))
    top = rows.sort("score", descending=True).head(10)
    short = top.filter((pl.col("deaths") < 10) & (pl.col("kidnapped") < 10))
    return {
        "regions_with_incidents": rows.height,
        "extreme_share": round(float(rows.select((pl.col("level") == "Extreme").mean()).item()), 4),
        "minimal_or_low_share": round(
            float(rows.select(pl.col("level").is_in(["Minimal", "Low"]).mean()).item()), 4
        ),
        "spearman": round(float(ranked.select(pl.corr("a", "b")).item()), 4),
        "top10_short_of_10_deaths_or_kidnapped": short.height,
    }
