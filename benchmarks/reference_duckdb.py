"""Reference for `make bench`: the rating's bulk arithmetic in DuckDB SQL, as a whole process.

Loads the same generated CSV, places each incident in its region (one admin1 unit per region,
as the generated rules say) and computes, for each of the 12 look-back weeks, each region's
incident count and decayed, weighted score over the window, with the demo rule set's numbers.
It does no validation, no hysteresis and no output formatting: it is a floor to measure
`advisory rate` against, not a replacement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import duckdb
import yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("incidents", type=Path)
    parser.add_argument("--rules", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()

    scoring = yaml.load((args.rules / "scoring.yaml").read_text(), Loader=yaml.CSafeLoader)
    as_day = dt.date.fromisoformat(args.as_of)
    weights = ", ".join(
        f"('{name}', {category['weight']})" for name, category in scoring["categories"].items()
    )
    casualties = scoring["casualties"]
    half_life = scoring["half_life_days"]
    window = scoring["window_days"]
    weeks = scoring.get("lookback_weeks", 12)

    con = duckdb.connect()
    rows = con.execute(
        f"""
        WITH incidents AS (
            SELECT * FROM read_csv('{args.incidents}', header = true, all_varchar = true)
        ),
        weights(category, weight) AS (VALUES {weights}),
        points AS (
            SELECT lower(i.country) || '/' || lower(i.admin1) AS region,
                   CAST(i.date AS DATE) AS day,
                   w.weight * (1 + {casualties["per_fatality"]} * CAST(i.fatalities AS INTEGER)
                                 + {casualties["per_injury"]} * CAST(i.injuries AS INTEGER)) AS base
            FROM incidents i JOIN weights w USING (category)
        ),
        weeks AS (
            SELECT k AS week, DATE '{as_day}' - INTERVAL (7 * ({weeks} - 1 - k)) DAY AS as_day
            FROM range({weeks}) t(k)
        ),
        aged AS (
            SELECT p.region, w.week, p.base, date_diff('day', p.day, CAST(w.as_day AS DATE)) AS age
            FROM points p JOIN weeks w
              ON p.day < CAST(w.as_day AS DATE)
             AND p.day >= CAST(w.as_day AS DATE) - INTERVAL {window} DAY
        )
        SELECT region, week, count(*) AS incidents, sum(base * pow(0.5, age / {half_life})) AS score
        FROM aged GROUP BY region, week ORDER BY region, week
        """
    ).fetchall()
    sys.stdout.write(f"{len(rows)} region-weeks\n")


if __name__ == "__main__":
    main()
