"""`make bench` part: `advisory weekly --send` for 1,000 travelers against a local SMTP server.

1,000 travelers over 20 distinct sets of places, 200 regions with alerts; the server is aiosmtpd
on 127.0.0.1, in this process, accepting and counting. Each run starts from a fresh copy of the
site (nothing published, an empty ledger). Against it, A B A B in the same session: raw
WeasyPrint rendering the run's bulletin HTML alone (one process), the floor of a run whose
alerts and letters render beside the bulletin. Reports medians of the whole run, the send phase
(from the run's own stage log) and the sending rate.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import region_places, write_alert_batch  # noqa: E402

TRAVELERS = 1000
SETS = 20


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 OK"


def _site(folder: Path, port: int) -> str:
    issued = write_alert_batch(folder)
    rng = random.Random(5)
    regions = [admin1.lower().replace(" ", "-") for _, admin1 in region_places(200)]
    sets = [rng.sample(regions, rng.randint(1, 3)) for _ in range(SETS)]
    lines = ["version: 1", "travelers:"]
    for n in range(TRAVELERS):
        lines += [
            f"  - id: t-{n:04d}",
            f"    name: Traveler {n}",
            f"    email: traveler{n}@example.org",
            "    trips:",
        ]
        lines += [
            f"      - {{destination: {r}, start: 2026-11-10, end: 2026-11-30}}"
            for r in sets[n % SETS]
        ]
    (folder / "travelers.yaml").write_text("\n".join(lines) + "\n")
    (folder / "advisory.yaml").write_text(
        "version: 1\nrules: rules\nincidents: [incidents/*.csv]\nroster: travelers.yaml\n"
        "output: published\nstate: state\nstale_after_days: 30\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n"
        "delivery: {retry_delays: [0.1, 0.5]}\n"
    )
    return issued


def _weekly(site: Path, env: dict[str, str]) -> tuple[float, float]:
    """One whole `weekly --send` from a fresh copy of `site`: (seconds, send phase seconds)."""
    work = Path(tempfile.mkdtemp(prefix="advisory-bench-run-"))
    shutil.copytree(site, work, dirs_exist_ok=True)
    advisory = str(Path(sys.executable).parent / "advisory")
    start = time.perf_counter()
    result = subprocess.run(
        [advisory, "-v", "--config", str(work / "advisory.yaml"), "weekly", "--week", "2026-W46",
         "--send"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    total = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"weekly --send failed:\n{result.stderr[-2000:]}")
    sending = float(re.findall(r"INFO send: ([0-9.]+) s", result.stderr)[-1])
    shutil.copy(work / "published" / "2026-W46" / "bulletin.html", site.parent / "bulletin.html")
    shutil.rmtree(work)
    return total, sending


def _raw_bulletin(html: Path, env: dict[str, str]) -> float:
    """Raw WeasyPrint rendering the same bulletin HTML alone, as a whole process."""
    out = Path(tempfile.mkdtemp(prefix="advisory-bench-raw-"))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reference_weasyprint.py"), str(html.parent),
         str(out), "--workers", "1"],
        env=env, capture_output=True, check=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    shutil.rmtree(out)
    return elapsed


def run(env: dict[str, str], runs: int = 3) -> dict[str, dict[str, float]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        folder = Path(tempfile.mkdtemp(prefix="advisory-bench-mail-"))
        site = folder / "site"
        site.mkdir()
        _site(site, port)
        html = folder / "bulletin" / "bulletin.html"
        html.parent.mkdir()
        ours: list[tuple[float, float]] = []
        raw: list[float] = []
        for _ in range(runs):  # A B A B ...
            ours.append(_weekly(site, env))
            shutil.move(folder / "bulletin.html", html)
            raw.append(_raw_bulletin(html, env))
    finally:
        controller.stop()
    total = statistics.median(t for t, _ in ours)
    sending = statistics.median(s for _, s in ours)
    bulletin = statistics.median(raw)
    return {
        "weekly_send_1000_travelers": {
            "total_s": round(total, 2),
            "messages": sink.count // runs,
            "send_s": round(sending, 2),
            "messages_per_s": round(sink.count / runs / sending, 1),
        },
        "raw_bulletin_pdf": {"median_s": round(bulletin, 2)},
        "weekly_send_over_raw_bulletin_plus_send": {
            "ratio": round(total / (bulletin + sending), 2),
            "budget_s": round(1.2 * bulletin + sending, 2),
        },
    }


if __name__ == "__main__":
    for name, figures in run(dict(os.environ)).items():
        print(name, figures)
