"""The world profile on a world year shaped like ACLED's data (tests/world_year.py): on the
busiest week, few Extremes, most regions Minimal or Low, levels that rank like the deaths, and no
region among the ten highest scores without ten deaths or ten kidnapped. One seed, scaled down
to the weeks the busiest week's rating reads (its window and look-back, a third of the year);
`make bench` runs three full seeds (benchmarks/world_weekly.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl

from tests.conftest import ROOT, run_advisory
from tests.world_year import busiest_week, sanity, year_rows

SEED = 5


def test_the_world_profile_rates_the_busiest_week_as_a_manager_would(tmp_path: Path):
    rows = pl.DataFrame(year_rows(200_000, SEED)).with_columns(pl.col("date").str.to_date())
    week, _ = busiest_week(rows)
    as_of = dt.date.fromisoformat(f"{week}-1") + dt.timedelta(days=7)
    first = as_of - dt.timedelta(days=30 + 7 * 12)
    rows = rows.filter(pl.col("date") >= first)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    rows.write_csv(tmp_path / "data" / "incidents.csv")
    result = run_advisory("rate", "--as-of", as_of.isoformat(), "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    figures = sanity(json.loads(result.stdout)["ratings"])
    assert figures["regions_with_incidents"] >= 2000, figures
    assert figures["extreme_share"] <= 0.10, figures
    assert figures["minimal_or_low_share"] >= 0.40, figures
    assert figures["spearman"] >= 0.7, figures
    assert figures["top10_short_of_10_deaths_or_kidnapped"] == 0, figures
