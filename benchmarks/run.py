"""`make bench`: whole-process timings of the `advisory` command, as medians of several runs.

The machine is shared and noisy, so every figure is the median of several runs, and a
comparison runs its two sides alternately (A B A B ...) in the same session. Results go to
stdout and to benchmarks/results.json; the run fails when a target is missed.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent
ADVISORY = str(BIN / "advisory")
AS_OF = "2026-11-16"
RUNS = 5


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time in seconds and peak memory in MiB of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        sys.exit(f"{' '.join(command)} failed:\n{error}")
    return elapsed, usage.ru_maxrss / 1024


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _descendants(int(child))
    return found


def _rss_mib(pid: int) -> float:
    total = 0
    for member in _descendants(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run_tree(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and the peak memory of the process and all its workers together (sampled)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        with contextlib.suppress(OSError):
            peak = max(peak, _rss_mib(process.pid))
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed")
    return elapsed, peak


def medians(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(s[0] for s in samples), 3),
        "peak_mib": round(max(s[1] for s in samples), 1),
    }


def main() -> None:
    # The rendering benchmarks measure layout against raw WeasyPrint: no PDF comes from the
    # cache of rendered PDFs (rendering/cache.py), which would measure a file read instead.
    os.environ["ADVISORY_PDF_CACHE"] = "0"
    if not (DATA / "incidents.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py")], check=True)
    roster = DATA / "travelers.yaml"
    roster.write_text("version: 1\ntravelers: []\n")
    cache = tempfile.mkdtemp(prefix="advisory-bench-cache-")
    warm = {**os.environ, "ADVISORY_CACHE_DIR": cache}
    cold = {**os.environ, "ADVISORY_CACHE_DIR": ""}
    results: dict[str, dict[str, float]] = {}

    results["help"] = medians([run([ADVISORY, "--help"]) for _ in range(9)])

    rate = [
        ADVISORY, "rate", "--rules", str(DATA / "rules"),
        "--incidents", str(DATA / "incidents.csv"), "--as-of", AS_OF, "--format", "json",
    ]  # fmt: skip
    reference = [
        str(BIN / "python"), str(ROOT / "benchmarks" / "reference_duckdb.py"),
        str(DATA / "incidents.csv"), "--rules", str(DATA / "rules"), "--as-of", AS_OF,
    ]  # fmt: skip
    run(rate, warm)  # fills the rules cache
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(RUNS):  # A B A B ...
        ours.append(run(rate, warm))
        theirs.append(run(reference, warm))
    results["rate_1m_incidents_5k_regions"] = medians(ours)
    results["duckdb_reference"] = medians(theirs)
    results["rate_over_reference"] = {
        "ratio": round(
            results["rate_1m_incidents_5k_regions"]["median_s"]
            / results["duckdb_reference"]["median_s"],
            2,
        ),
        "memory_ratio": round(
            results["rate_1m_incidents_5k_regions"]["peak_mib"]
            / results["duckdb_reference"]["peak_mib"],
            2,
        ),
    }
    results["rate_rules_not_cached"] = medians([run(rate, cold) for _ in range(3)])

    validate = [
        ADVISORY, "validate", "--rules", str(DATA / "rules"),
        "--incidents", str(DATA / "incidents.csv"), "--roster", str(roster),
    ]  # fmt: skip
    results["validate_1m_incidents_5k_regions"] = medians([run(validate, warm) for _ in range(3)])

    # Three years of weekly history (156 weeks, 5,000 regions) proposed and backtested.
    calibrate = [
        ADVISORY, "calibrate", "--rules", str(DATA / "rules"),
        "--incidents", str(DATA / "incidents.csv"), "--until", "2026-11-15", "--format", "json",
    ]  # fmt: skip
    results["calibrate_1m_incidents_5k_regions"] = medians([run(calibrate, warm) for _ in range(3)])

    results.update(rendering(warm))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import delivery
    import ledger_window

    results.update(delivery.run(warm))
    results.update(importing(warm))
    results.update(official_import(warm))
    results.update(ledger_window.main())
    import world_weekly

    results.update(world_weekly.main())
    results.update(world_weekly.world_sanity())

    # The prose checker over ten times the suite's generated weeks (tests/test_prose.py).
    weeks = 2000
    started = time.perf_counter()
    checker = subprocess.run(
        [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_prose.py"), "-k", "generated_weeks"],
        env={**warm, "ADVISORY_PROSE_WEEKS": str(weeks)}, cwd=ROOT, check=False,
    )  # fmt: skip
    results["prose_checker_2000_weeks"] = {
        "weeks": weeks,
        "total_s": round(time.perf_counter() - started, 1),
        "passed": int(checker.returncode == 0),
    }

    for name, figures in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    missed = []
    if results["world_bulletin_with_maps"]["words_past_the_margin"]:
        missed.append("words past the margin in the world week's documents")
    if results["help"]["median_s"] > 0.3:
        missed.append("advisory --help over 0.3 s")
    rate_ratios = results["rate_over_reference"]
    if rate_ratios["ratio"] > 2.0:
        missed.append("advisory rate over 2 times DuckDB's time on 1,000,000 incidents")
    if rate_ratios["memory_ratio"] > 2.5:
        missed.append("advisory rate over 2.5 times DuckDB's peak memory on 1,000,000 incidents")
    calibration = results["calibrate_1m_incidents_5k_regions"]
    if calibration["median_s"] > 10:
        missed.append("advisory calibrate over 10 s on 1,000,000 incidents")
    if calibration["peak_mib"] >= 1024:
        missed.append("advisory calibrate at 1 GB or more on 1,000,000 incidents")
    if results["alerts_200_over_reference"]["ratio"] > 1.10:
        missed.append("200 alert PDFs over 1.10 times the raw WeasyPrint reference")
    if results["alerts_200_over_reference"]["memory_ratio"] > 1.5:
        missed.append("200 alert PDFs over 1.5 times the raw WeasyPrint reference's memory")
    if results["alerts_peak_memory_200_over_50"]["ratio"] > 1.15:
        missed.append("memory grows with the number of alerts rendered")
    if results["import_acled_200k"]["median_s"] > 5:
        missed.append("importing 200,000 ACLED rows over 5 s")
    if results["import_official_200_countries"]["median_s"] > 2:
        missed.append("importing a 200-country official feed over 2 s")
    mail = results["weekly_send_1000_travelers"]
    if mail["total_s"] > 60 or mail["messages_per_s"] < 100:
        missed.append("weekly --send for 1,000 travelers over 60 s or under 100 messages/s")
    if results["weekly_send_over_raw_bulletin_plus_send"]["ratio"] > 1.2:
        missed.append("weekly --send over 1.2 times raw WeasyPrint's bulletin plus the send phase")
    if results["weekly_world_over_raw_bulletin"]["ratio"] > 1.2:
        missed.append("the world's busiest week over 1.2 times raw WeasyPrint's own bulletin")
    if results["weekly_world_rerun_with_cache"]["first_over_rerun"] < 5:
        missed.append("a re-run of the unchanged world week under 5 times faster than the first")
    if results["bulletin_maps_over_no_maps"]["ratio"] > 1.3:
        missed.append("the demo bulletin PDF with maps over 1.3 times the one without")
    if results["world_bulletin_with_maps"]["pdf_mb"] >= 3:
        missed.append("the world week's bulletin PDF with maps at 3 MB or more")
    if results["ledger_window_normal"]["median_us"] > 500:
        missed.append("a ledger window (server's acceptance to the commit) over 500 µs")
    if not results["prose_checker_2000_weeks"]["passed"]:
        missed.append("the prose checker found faults in 2,000 generated weeks")
    for name, figures in results.items():
        if name.startswith("world_profile_seed_") and figures["failed"]:
            missed.append(f"the world profile's sanity checks on {name}")
    if missed:
        sys.exit("targets missed: " + "; ".join(missed))


def importing(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """`advisory import acled` of a 200,000-row export, as a whole process."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import write_acled

    export = DATA / "acled-200k.csv"
    if not export.exists():
        write_acled(export)
    out = Path(tempfile.mkdtemp(prefix="advisory-bench-import-"))
    command = [ADVISORY, "import", "acled", str(export), "--out", str(out / "acled.csv"),
               "--incidents", str(out / "none.csv")]  # fmt: skip
    (out / "none.csv").write_text("id,date,country,admin1,category,summary,sources\n")
    return {"import_acled_200k": medians([run(command, env) for _ in range(3)])}


def official_import(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """`advisory import official us-state` of a 200-country feed, as a whole process (the State
    Department's whole feed has about 210 items)."""
    sys.path.insert(0, str(ROOT))
    from tests.official_feeds import us_state_rss

    from advisory.official.common import fips_codes
    from advisory.places.countries import countries

    tags = {iso: tag for tag, iso in fips_codes().items()}  # the Department's FIPS tags
    table = [c for c in sorted(countries().countries, key=lambda c: c.iso2) if c.iso2 in tags]
    entries = [
        (c.name, tags[c.iso2], 1 + n % 4, "CTU"[: 1 + n % 3]) for n, c in enumerate(table[:200])
    ]
    out = Path(tempfile.mkdtemp(prefix="advisory-bench-official-"))
    feed = out / "TAsTWs.xml"
    feed.write_bytes(us_state_rss(entries))
    (out / "advisory.yaml").write_text(f"version: 1\nrules: {ROOT / 'rules'}\n")
    command = [ADVISORY, "import", "official", "us-state", str(feed)]
    samples = []
    for _ in range(RUNS):
        samples.append(run(command, {**env, "ADVISORY_CONFIG": str(out / "advisory.yaml")}))
        time.sleep(1.0)  # each import is named by its second: keep them apart
    written = len(list((out / "data" / "official").glob("us-state-*.json")))
    return {"import_official_200_countries": {**medians(samples), "files": written}}


def rendering(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """One alert PDF, the demo bulletin PDF, and 200 alert PDFs against raw WeasyPrint."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import write_alert_batch

    results: dict[str, dict[str, float]] = {}
    out = Path(tempfile.mkdtemp(prefix="advisory-bench-out-"))
    one = [ADVISORY, "alert", "pe-vraem", "--as-of", "2018-06-25T06:00Z", "--format", "pdf",
           "--out", str(out / "one")]  # fmt: skip
    results["alert_pdf_demo"] = medians([run(one, env) for _ in range(RUNS)])
    bulletin = [ADVISORY, "bulletin", "--week", "2018-W25", "--format", "pdf",
                "--out", str(out / "bulletin")]  # fmt: skip
    results["bulletin_pdf_demo"] = medians([run(bulletin, env) for _ in range(RUNS)])
    # The same bulletin with and without its maps, alternately, as whole commands.
    sides = {}
    for maps in ("true", "false"):
        settings = out / f"maps-{maps}.yaml"
        settings.write_text(
            f"version: 1\nrules: {ROOT / 'rules'}\nincidents: ['{ROOT / 'data'}/*.csv']\n"
            f"maps: {maps}\n"
        )
        sides[maps] = [ADVISORY, "--config", str(settings), "bulletin", "--week", "2018-W25",
                       "--format", "pdf", "--out", str(out / f"maps-{maps}")]  # fmt: skip
    with_maps: list[tuple[float, float]] = []
    without: list[tuple[float, float]] = []
    for _ in range(RUNS):  # A B A B ...
        with_maps.append(run(sides["true"], env))
        without.append(run(sides["false"], env))
    results["bulletin_pdf_demo_maps"] = medians(with_maps)
    results["bulletin_pdf_demo_no_maps"] = medians(without)
    results["bulletin_maps_over_no_maps"] = {
        "ratio": round(
            results["bulletin_pdf_demo_maps"]["median_s"]
            / results["bulletin_pdf_demo_no_maps"]["median_s"],
            2,
        )
    }

    batch = DATA / "alerts"
    issued = write_alert_batch(batch)
    inputs = ["--rules", str(batch / "rules"), "--incidents", str(batch / "incidents" / "*.csv"),
              "--as-of", issued]  # fmt: skip
    html = out / "html"
    run([ADVISORY, "alert", "--all", *inputs, "--format", "html", "--out", str(html)], env)
    ours = [ADVISORY, "alert", "--all", *inputs, "--format", "pdf", "--jobs", "2",
            "--out", str(out / "ours")]  # fmt: skip
    reference = [str(BIN / "python"), str(ROOT / "benchmarks" / "reference_weasyprint.py"),
                 str(html), str(out / "reference"), "--workers", "2"]  # fmt: skip
    mine: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(3):  # A B A B ...
        mine.append(run_tree(ours, env))
        theirs.append(run_tree(reference, env))
    results["alerts_200_pdf"] = medians(mine)
    results["alerts_200_reference"] = medians(theirs)
    results["alerts_200_over_reference"] = {
        "ratio": round(
            results["alerts_200_pdf"]["median_s"] / results["alerts_200_reference"]["median_s"], 2
        ),
        "memory_ratio": round(
            results["alerts_200_pdf"]["peak_mib"] / results["alerts_200_reference"]["peak_mib"], 2
        ),
    }
    regions = [f"province-{n:05d}" for n in range(50)]
    fifty = [ADVISORY, "alert", *regions, *inputs, "--format", "pdf", "--jobs", "2",
             "--out", str(out / "fifty")]  # fmt: skip
    results["alerts_50_pdf"] = medians([run_tree(fifty, env) for _ in range(2)])
    results["alerts_peak_memory_200_over_50"] = {
        "ratio": round(
            results["alerts_200_pdf"]["peak_mib"] / results["alerts_50_pdf"]["peak_mib"], 2
        )
    }
    return results


if __name__ == "__main__":
    main()
