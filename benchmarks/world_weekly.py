"""`advisory weekly` over a synthetic global year: 200,000 events in every country of the world,
several first-level units each, under the shipped rules with world coverage by admin1. The
busiest week is published as cron would, rendering included, as a whole process.

Deterministic for a given seed. Run alone: `python benchmarks/world_weekly.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
ADVISORY = str(Path(sys.executable).parent / "advisory")
EVENTS = 200_000
CATEGORIES = [
    ("armed_clash", 14), ("protest", 30), ("riot", 12), ("attack_on_civilians", 10),
    ("airstrike", 6), ("shelling", 6), ("explosive", 5), ("kidnapping", 3), ("crime", 8),
    ("looting", 3), ("mob_violence", 3),
]  # fmt: skip


def write_year(target: Path, events: int = EVENTS, seed: int = 11) -> None:
    """A year of events: countries weighted like a conflict feed (a few very busy), 1 to 25
    units each, and a surge in one autumn week."""
    from advisory.places.countries import countries

    rng = random.Random(seed)
    table = {c.name: c for c in countries().countries if c.iso2 != "PE"}
    names = sorted(table)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(names))]
    rng.shuffle(weights)
    units = {name: rng.randint(1, 25) for name in names}
    # Each unit has a centre inside its country's outline; events lie within about 30 km of
    # it. Countries the 1:110m outlines leave out (small islands) have no coordinates.
    centres = {name: [_inside_point(rng, table[name].iso3) for _ in range(units[name])]
               for name in names}  # fmt: skip
    start = dt.date(2023, 1, 1)
    surge = (dt.date(2023, 10, 9), dt.date(2023, 10, 15))
    categories, category_weights = zip(*CATEGORIES, strict=True)
    chosen = rng.choices(names, weights, k=events)
    rows: dict[str, list[object]] = {c: [] for c in (
        "id", "date", "country", "admin1", "location", "latitude", "longitude", "category",
        "fatalities", "summary", "sources")}  # fmt: skip
    for n, country in enumerate(chosen):
        if rng.random() < 0.03:
            day = surge[0] + dt.timedelta(days=rng.randrange(7))
        else:
            day = start + dt.timedelta(days=rng.randrange(365))
        unit = rng.randrange(units[country])
        rows["id"].append(f"g{n:07d}")
        rows["date"].append(day.isoformat())
        rows["country"].append(country)
        rows["admin1"].append("" if unit == 0 else f"Province {unit:02d}")
        rows["location"].append(f"Town {rng.randrange(200)}")
        centre = centres[country][unit]
        if centre is None:
            rows["latitude"].append(None)
            rows["longitude"].append(None)
        else:
            rows["latitude"].append(round(centre[1] + rng.uniform(-0.3, 0.3), 3))
            rows["longitude"].append(round(centre[0] + rng.uniform(-0.3, 0.3), 3))
        rows["category"].append(rng.choices(categories, category_weights)[0])
        rows["fatalities"].append(rng.choice((0, 0, 0, 1, 2, 5)))
        rows["summary"].append(f"An event was reported near town {n % 200} on {day}.")
        rows["sources"].append("Synthetic feed")
    target.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_csv(target)


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


def busiest_week(log: Path) -> tuple[str, int]:
    weeks = (
        pl.read_csv(log, columns=["date"])
        .select(pl.col("date").str.to_date().dt.strftime("%G-W%V").alias("week"))
        .group_by("week")
        .len()
        .sort("len", "week", descending=[True, False])
    )
    week, count = weeks.row(0)
    return str(week), int(count)


def main(runs: int = 3) -> dict[str, dict[str, float]]:
    site = Path(tempfile.mkdtemp(prefix="advisory-bench-world-"))
    shutil.copytree(ROOT / "rules", site / "rules")
    log = ROOT / "benchmarks" / "data" / "world-200k-placed.csv"
    if not log.exists():
        write_year(log)
    (site / "data").mkdir()
    shutil.copy(log, site / "data" / "incidents.csv")
    (site / "data" / "travelers.yaml").write_text("version: 1\ntravelers: []\n")
    week, count = busiest_week(log)
    command = [ADVISORY, "weekly", "--week", week]
    times = []
    out = ""
    for _ in range(runs):
        shutil.rmtree(site / "output", ignore_errors=True)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=site, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            sys.exit(f"weekly failed: {result.stderr[-2000:]}")
        out = result.stdout
    found = re.search(r"(\d+) alerts?\b", out)
    alerts = int(found.group(1)) if found else 0
    from pypdf import PdfReader

    bulletin = site / "output" / week / "bulletin.pdf"
    pages = len(PdfReader(bulletin).pages)
    html = (site / "output" / week / "bulletin.html").read_text(encoding="utf-8")
    week_map = html.split('<svg xmlns="http://www.w3.org/2000/svg" class="map"', 1)[1]
    week_map = week_map.split("</svg>", 1)[0]
    placed = pl.read_csv(log).filter(
        pl.col("date").str.to_date().dt.strftime("%G-W%V") == week,
        pl.col("latitude").is_not_null(),
    )
    summary = html.split('<table class="summary-table">', 1)[1].split("</table>", 1)[0]
    size = bulletin.stat().st_size
    shutil.rmtree(site)
    return {
        "weekly_world_200k_busiest_week": {
            "median_s": round(statistics.median(times), 2),
            "week_events": count,
            "alerts": alerts,
            "bulletin_pages": pages,
        },
        "world_bulletin_with_maps": {
            "pdf_mb": round(size / 1024 / 1024, 2),
            "summary_rows": summary.count("<tr>") - 1,
            "points_in_week": placed.height,
            "dots_drawn": week_map.count("<circle "),
            "week_map_kb": round(len(week_map.encode()) / 1024, 1),
        },
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
