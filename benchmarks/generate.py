"""Synthetic archive-scale inputs: an incident log of N rows and a rules folder of R regions.

Deterministic for a given seed, so that every run measures the same work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = [
    "armed_clash", "ambush", "attack", "explosive", "kidnapping",
    "riot", "protest", "strike_blockade", "crime", "natural_hazard",
]  # fmt: skip
COUNTRIES = 50


def region_places(regions: int) -> list[tuple[str, str]]:
    """(country, admin1) of each synthetic region."""
    return [(f"Country {i % COUNTRIES:02d}", f"Province {i:05d}") for i in range(regions)]


def write_rules(target: Path, regions: int) -> None:
    """The demo rule set with `regions` regions, one admin1 unit each, over 50 countries."""
    if target.exists():
        shutil.rmtree(target)
    (target / "regions").mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "scoring.yaml", target / "scoring.yaml")
    by_country: dict[str, list[str]] = {}
    for country, admin1 in region_places(regions):
        by_country.setdefault(country, []).append(admin1)
    for n, (country, provinces) in enumerate(sorted(by_country.items())):
        lines = ["version: 1", f"country: {country}", "regions:"]
        for admin1 in provinces:
            rid = admin1.lower().replace(" ", "-")
            lines += [
                f"  - id: {rid}",
                f"    name: {admin1}",
                f"    match: [{{admin1: {admin1}}}]",
                f"    context: Standing context of {admin1}.",
                "    advice: [Exercise increased caution.]",
            ]
        (target / "regions" / f"country-{n:02d}.yaml").write_text("\n".join(lines) + "\n")


def write_incidents(target: Path, rows: int, regions: int, seed: int = 7) -> None:
    """`rows` incidents over three years ending 2026-11-15, spread over the regions."""
    rng = random.Random(seed)
    places = region_places(regions)
    end = dt.date(2026, 11, 15)
    start = end - dt.timedelta(days=3 * 365)
    span = (end - start).days
    picks = [rng.randrange(regions) for _ in range(rows)]
    frame = pl.DataFrame(
        {
            "id": [f"SYN{i:07d}" for i in range(rows)],
            "date": [start + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(rows)],
            "country": [places[p][0] for p in picks],
            "admin1": [places[p][1] for p in picks],
            "admin2": [""] * rows,
            "location": [f"Town {rng.randrange(1000)}" for _ in range(rows)],
            "category": [rng.choice(CATEGORIES) for _ in range(rows)],
            "fatalities": [rng.choice((0, 0, 0, 0, 1, 2, 5)) for _ in range(rows)],
            "injuries": [rng.choice((0, 0, 0, 1, 3)) for _ in range(rows)],
            "summary": [f"Synthetic incident number {i}, for benchmarks." for i in range(rows)],
            "sources": ["Synthetic feed; Second source"] * rows,
        }
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "data")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=5_000)
    args = parser.parse_args()
    write_rules(args.out / "rules", args.regions)
    write_incidents(args.out / "incidents.csv", args.rows, args.regions)
    print(f"wrote {args.rows} incidents and {args.regions} regions under {args.out}")


if __name__ == "__main__":
    main()


def write_alert_batch(target: Path, regions: int = 200, seed: int = 11) -> str:
    """Rules and incidents under `target` such that `regions` regions each have an alert in the
    week 2026-W46; returns that week's issue time."""
    rng = random.Random(seed)
    write_rules(target / "rules", regions)
    week_start = dt.date(2026, 11, 9)
    rows = []
    for n, (country, admin1) in enumerate(region_places(regions)):
        for k in range(rng.randint(2, 4)):
            day = week_start + dt.timedelta(days=rng.randrange(7) - 7 * rng.randrange(3))
            category = rng.choice(CATEGORIES)
            rows.append(
                {
                    "id": f"ALB{n:04d}-{k}",
                    "date": day.isoformat(),
                    "country": country,
                    "admin1": admin1,
                    "category": category,
                    "fatalities": rng.choice((0, 0, 1, 3)),
                    "injuries": rng.choice((0, 2, 5)),
                    "summary": f"A {category.replace('_', ' ')} was reported in {admin1} on "
                    f"{day:%B} {day.day}; security forces responded and the area was cordoned off "
                    "for several hours while investigators collected evidence.",
                    "sources": "Synthetic feed; Local press",
                }
            )
        rows.append(
            {
                "id": f"ALB{n:04d}-now",
                "date": (week_start + dt.timedelta(days=rng.randrange(7))).isoformat(),
                "country": country,
                "admin1": admin1,
                "category": rng.choice(CATEGORIES),
                "fatalities": 0,
                "injuries": 1,
                "summary": f"A further incident was reported in {admin1}.",
                "sources": "Synthetic feed",
            }
        )
    (target / "incidents").mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_csv(target / "incidents" / "incidents.csv")
    return "2026-11-16T06:00Z"


def write_acled(target: Path, rows: int = 200_000, seed: int = 3) -> None:
    """A synthetic export in ACLED's current layout: Peru's demo provinces, two years."""
    from advisory.importers.acled import ACLED_LAYOUTS

    columns = ACLED_LAYOUTS["ACLED API (current layout)"]
    rng = random.Random(seed)
    places = [("Junin", "Satipo"), ("Ayacucho", "Huanta"), ("Lima", "Lima"), ("Puno", "Puno"),
              ("Cusco", "Cusco"), ("Loreto", "Putumayo"), ("Piura", "Piura")]  # fmt: skip
    kinds = [("Battles", "Armed clash"), ("Protests", "Peaceful protest"),
             ("Riots", "Violent demonstration"), ("Violence against civilians", "Attack"),
             ("Explosions/Remote violence", "Remote explosive/landmine/IED")]  # fmt: skip
    start = dt.date(2023, 1, 1)
    data = {c: [""] * rows for c in columns}
    for n in range(rows):
        admin1, admin2 = rng.choice(places)
        event_type, sub = rng.choice(kinds)
        day = start + dt.timedelta(days=rng.randrange(730))
        data["event_id_cnty"][n] = f"PER{n:07d}"
        data["event_date"][n] = f"{day.day} {day:%B %Y}"
        data["event_type"][n], data["sub_event_type"][n] = event_type, sub
        data["actor1"][n], data["actor2"][n] = "Military Forces of Peru", "Unidentified Armed Group"
        data["inter1"][n], data["inter2"][n] = "State forces", "Political militia"
        data["civilian_targeting"][n] = "Civilian targeting" if event_type.startswith("Vio") else ""
        data["time_precision"][n] = rng.choice("1112")
        data["geo_precision"][n] = rng.choice("1123")
        data["country"][n], data["admin1"][n], data["admin2"][n] = "Peru", admin1, admin2
        data["location"][n] = f"Town {rng.randrange(500)}"
        data["latitude"][n] = f"{-10 - rng.random() * 5:.4f}"
        data["longitude"][n] = f"{-75 + rng.random() * 3:.4f}"
        data["source"][n] = "Local press; Andina"
        data["notes"][n] = f"On {day}, an event was reported near town {n % 500}, with details."
        data["fatalities"][n] = str(rng.choice((0, 0, 1, 2)))
    target.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(data).write_csv(target)
