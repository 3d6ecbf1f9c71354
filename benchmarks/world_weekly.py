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
    names = sorted(c.name for c in countries().countries if c.iso2 != "PE")
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(names))]
    rng.shuffle(weights)
    units = {name: rng.randint(1, 25) for name in names}
    start = dt.date(2023, 1, 1)
    surge = (dt.date(2023, 10, 9), dt.date(2023, 10, 15))
    categories, category_weights = zip(*CATEGORIES, strict=True)
    chosen = rng.choices(names, weights, k=events)
    rows: dict[str, list[object]] = {c: [] for c in (
        "id", "date", "country", "admin1", "location", "category", "fatalities", "summary",
        "sources")}  # fmt: skip
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
        rows["category"].append(rng.choices(categories, category_weights)[0])
        rows["fatalities"].append(rng.choice((0, 0, 0, 1, 2, 5)))
        rows["summary"].append(f"An event was reported near town {n % 200} on {day}.")
        rows["sources"].append("Synthetic feed")
    target.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows).write_csv(target)


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
    log = ROOT / "benchmarks" / "data" / "world-200k.csv"
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
    alerts = int(re.search(r"\((\d+) alerts?\)", out).group(1)) if "alert" in out else 0  # type: ignore[union-attr]
    from pypdf import PdfReader

    bulletin = site / "output" / week / "bulletin.pdf"
    pages = len(PdfReader(bulletin).pages)
    shutil.rmtree(site)
    return {
        "weekly_world_200k_busiest_week": {
            "median_s": round(statistics.median(times), 2),
            "week_events": count,
            "alerts": alerts,
            "bulletin_pages": pages,
        }
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
