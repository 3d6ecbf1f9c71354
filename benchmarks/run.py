"""`make bench`: whole-process timings of the `advisory` command, as medians of several runs.

The machine is shared and noisy, so every figure is the median of several runs, and a
comparison runs its two sides alternately (A B A B ...) in the same session. Results go to
stdout and to benchmarks/results.json; the run fails when a target is missed.
"""

from __future__ import annotations

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


def medians(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(s[0] for s in samples), 3),
        "peak_mib": round(max(s[1] for s in samples), 1),
    }


def main() -> None:
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
        )
    }
    results["rate_rules_not_cached"] = medians([run(rate, cold) for _ in range(3)])

    validate = [
        ADVISORY, "validate", "--rules", str(DATA / "rules"),
        "--incidents", str(DATA / "incidents.csv"), "--roster", str(roster),
    ]  # fmt: skip
    results["validate_1m_incidents_5k_regions"] = medians([run(validate, warm) for _ in range(3)])

    for name, figures in results.items():
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    missed = []
    if results["help"]["median_s"] > 0.3:
        missed.append("advisory --help over 0.3 s")
    if results["rate_1m_incidents_5k_regions"]["median_s"] > 2.0:
        missed.append("advisory rate over 2 s on 1,000,000 incidents")
    if missed:
        sys.exit("targets missed: " + "; ".join(missed))


if __name__ == "__main__":
    main()
