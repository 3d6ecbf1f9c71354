"""`advisory weekly` over a synthetic global year: 200,000 events in every country of the world,
several first-level units each, mixed as ACLED's published figures say (tests/world_year.py),
under the shipped rules with world coverage by admin1. The busiest week is published as cron
would, rendering included, as a whole process.

Deterministic for a given seed. Run alone: `python benchmarks/world_weekly.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the world year is shared with the tests
ADVISORY = str(Path(sys.executable).parent / "advisory")
EVENTS = 200_000


def world_log(seed: int = 11) -> Path:
    """The world year of `seed`, written once and kept under benchmarks/data."""
    from tests.world_year import write_year

    log = ROOT / "benchmarks" / "data" / f"world-200k-acled-mix-{seed}.csv"
    if not log.exists():
        write_year(log, EVENTS, seed)
    return log


def busiest_week(log: Path) -> tuple[str, int]:
    from tests.world_year import busiest_week as of_frame

    return of_frame(pl.read_csv(log, columns=["date"]).with_columns(pl.col("date").str.to_date()))


def site_of(log: Path, prefix: str) -> Path:
    """A site in a temporary folder with the shipped rules and `log` as its incidents."""
    site = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.copytree(ROOT / "rules", site / "rules")
    (site / "data").mkdir()
    shutil.copy(log, site / "data" / "incidents.csv")
    return site


def _weekly(site: Path, week: str, env: dict[str, str], *, fresh: bool = True) -> tuple[float, str]:
    """One whole `advisory weekly` of `week` in `site` (from an empty output folder when
    `fresh`): seconds, and what it printed."""
    if fresh:
        shutil.rmtree(site / "output", ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(
        [ADVISORY, "weekly", "--week", week], cwd=site, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"weekly failed: {result.stderr[-2000:]}")
    return elapsed, result.stdout


def _raw_bulletin(html: Path, env: dict[str, str]) -> float:
    """Raw WeasyPrint laying out the same bulletin HTML alone, in one process: the floor of a
    weekly run, which lays it out while it does everything else."""
    work = Path(tempfile.mkdtemp(prefix="advisory-bench-raw-"))
    shutil.copy(html, work / "bulletin.html")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reference_weasyprint.py"), str(work),
         str(work / "pdf"), "--workers", "1"],
        env=env, capture_output=True, check=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    shutil.rmtree(work)
    return elapsed


def main(runs: int = 3) -> dict[str, dict[str, float]]:
    """The busiest week against raw WeasyPrint of its own bulletin, A B A B (no PDF from the
    cache), then a first run with an empty cache of rendered PDFs and a re-run of the
    unchanged week."""
    log = world_log()
    site = site_of(log, "advisory-bench-world-")
    (site / "data" / "travelers.yaml").write_text("version: 1\ntravelers: []\n")
    week, count = busiest_week(log)
    uncached = {**os.environ, "ADVISORY_PDF_CACHE": "0"}
    times: list[float] = []
    raw: list[float] = []
    out = ""
    for _ in range(runs):  # A B A B ...
        elapsed, out = _weekly(site, week, uncached)
        times.append(elapsed)
        raw.append(_raw_bulletin(site / "output" / week / "bulletin.html", uncached))
    cache = tempfile.mkdtemp(prefix="advisory-bench-pdf-cache-")
    cached = {k: v for k, v in os.environ.items() if k != "ADVISORY_PDF_CACHE"}
    cached["ADVISORY_CACHE_DIR"] = cache
    first, _ = _weekly(site, week, cached)
    again, _ = _weekly(site, week, cached, fresh=False)
    shutil.rmtree(cache)
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
    # Every word of every page within the margins (tests/pages.py): a layout bug a reader sees.
    from tests.pages import past_the_margin

    outside = [f"{path.name} {word}" for path in sorted((site / "output" / week).rglob("*.pdf"))
               for word in past_the_margin(path)]  # fmt: skip
    shutil.rmtree(site)
    return {
        "weekly_world_200k_busiest_week": {
            "median_s": round(statistics.median(times), 2),
            "week_events": count,
            "alerts": alerts,
            "bulletin_pages": pages,
        },
        "world_raw_bulletin_pdf": {"median_s": round(statistics.median(raw), 2)},
        "weekly_world_over_raw_bulletin": {
            "ratio": round(statistics.median(times) / statistics.median(raw), 2),
        },
        "weekly_world_rerun_with_cache": {
            "first_s": round(first, 2),
            "rerun_s": round(again, 2),
            "first_over_rerun": round(first / again, 1),
        },
        "world_bulletin_with_maps": {
            "pdf_mb": round(size / 1024 / 1024, 2),
            "summary_rows": summary.count("<tr>") - 1,
            "points_in_week": placed.height,
            "dots_drawn": week_map.count("<circle "),
            "week_map_kb": round(len(week_map.encode()) / 1024, 1),
            "words_past_the_margin": len(outside),
        },
    }


def world_sanity(seeds: tuple[int, ...] = (11, 12, 13)) -> dict[str, dict[str, float]]:
    """The world profile's sanity figures on the busiest week of three full world years
    (tests/world_year.sanity): at most 10% of regions with incidents Extreme, at least 40%
    Minimal or Low, Spearman of level and deaths plus kidnapped at least 0.7, and none of the
    ten highest scores short of 10 deaths and of 10 kidnapped."""
    from tests.world_year import sanity

    out = {}
    for seed in seeds:
        log = world_log(seed)
        site = site_of(log, "advisory-bench-sanity-")
        week, _ = busiest_week(log)
        as_of = dt.date.fromisoformat(f"{week}-1") + dt.timedelta(days=7)
        result = subprocess.run(
            [ADVISORY, "rate", "--as-of", as_of.isoformat(), "--format", "json"],
            cwd=site, capture_output=True, text=True, check=False,
        )  # fmt: skip
        shutil.rmtree(site)
        if result.returncode != 0:
            sys.exit(f"rate failed: {result.stderr[-2000:]}")
        figures = sanity(json.loads(result.stdout)["ratings"])
        failed = [
            name for name, bad in (
                ("extreme_share", figures["extreme_share"] > 0.10),
                ("minimal_or_low_share", figures["minimal_or_low_share"] < 0.40),
                ("spearman", figures["spearman"] < 0.7),
                ("top10", figures["top10_short_of_10_deaths_or_kidnapped"] > 0),
            ) if bad
        ]  # fmt: skip
        print(
            f"world profile, seed {seed}, {week}: {figures}"
            + (f" FAILED {failed}" if failed else "")
        )
        out[f"world_profile_seed_{seed}"] = {**figures, "failed": len(failed)}
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
