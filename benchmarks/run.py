"""`make bench`: whole-process timings of the `advisory` command, as medians of several runs.

The machine is shared and noisy, so every figure is the median of several runs, and
comparisons are made within one run. Results go to stdout and to benchmarks/results.json.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
ADVISORY = str(Path(sys.executable).parent / "advisory")


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall time in seconds and the largest peak memory in MiB of `runs` runs."""
    times: list[float] = []
    peak = 0.0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = max(peak, after / 1024, before / 1024)
    return statistics.median(times), peak


def main() -> None:
    if not (DATA / "incidents.csv").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py")], check=True)
    roster = DATA / "travelers.yaml"
    roster.write_text("version: 1\ntravelers: []\n")

    results: dict[str, dict[str, float]] = {}
    help_time, _ = timed([ADVISORY, "--help"], runs=9)
    results["help"] = {"median_s": help_time, "target_s": 0.3}

    validate = [
        ADVISORY, "validate", "--rules", str(DATA / "rules"),
        "--incidents", str(DATA / "incidents.csv"), "--roster", str(roster),
    ]  # fmt: skip
    validate_time, validate_peak = timed(validate, runs=3)
    results["validate_1m_incidents_5k_regions"] = {
        "median_s": validate_time,
        "peak_mib": validate_peak,
    }

    for name, figures in results.items():
        shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
        print(f"{name}: {shown}")
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if help_time > 0.3:
        sys.exit("advisory --help is slower than its 0.3 s target")


if __name__ == "__main__":
    main()
