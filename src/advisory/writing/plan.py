"""The stages in order for the commands that write documents: load, rate, compose, render."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from advisory.inputs import Inputs
from advisory.models import Incident, Rating
from advisory.publishing.atomic import write_bytes_atomic
from advisory.rating import rate
from advisory.rendering.renderer import ARCHIVAL, Renderer, alerts_page, bulletin_page
from advisory.reports.ratings import json_bytes
from advisory.timing import stage
from advisory.writing.compose import (
    Alert,
    Bulletin,
    BulletinSettings,
    Closing,
    closing_week,
    compose_alert,
    compose_bulletin,
    compose_closing,
    series_window,
)


@dataclass(frozen=True)
class Week:
    """What a run reports on: the ratings as of a moment, the alerts of their week, and the
    series that ended with it."""

    ratings: list[Rating]
    alerts: list[Alert]
    closings: list[Closing]


@dataclass(frozen=True)
class AlertBar:
    """Which alerts clear a bar (for publishing, or for a traveler's email): level or severity
    at or above either bar; no bar, every one."""

    min_level: str | None = None
    min_severity: str | None = None

    def admits(self, alert: Alert, levels: list[str], words: list[str]) -> bool:
        if self.min_level is None and self.min_severity is None:
            return True
        by_level = self.min_level is not None and levels.index(alert.level) >= levels.index(
            self.min_level
        )
        by_severity = self.min_severity is not None and words.index(alert.severity) >= words.index(
            self.min_severity
        )
        return by_level or by_severity


def rate_and_compose(inputs: Inputs, as_of: dt.datetime, bar: AlertBar | None = None) -> Week:
    """Rate every region at `as_of`, compose an alert for each with incidents in the week
    (that clears `bar`), and a closing update for each whose series ended this week."""
    rules = inputs.rules
    with stage("rate"):
        ratings = rate(inputs.incidents, rules, as_of, inputs.placements)
    with stage("compose"):
        quiet = rules.ruleset.series.quiet_weeks
        windows = {
            r.region_id: found for r in ratings if (found := series_window(r, quiet)) is not None
        }
        ended = {
            r.region_id: (
                r.history.period_end[week] - dt.timedelta(days=6),
                r.history.period_end[week],
            )
            for r in ratings
            if (week := closing_week(r.history.incidents, quiet)) is not None
        }
        series = incidents_by_region(inputs, windows)
        last_weeks = incidents_by_region(inputs, ended)
        levels, words = rules.ruleset.level_names(), rules.ruleset.severity.words
        alerts = []
        closings = []
        for rating in ratings:
            if rating.region_id in windows:
                points = {c.incident_id: c.points for c in rating.contributions}
                alert = compose_alert(rating, rules, series.get(rating.region_id, []), points)
                if alert is not None and (bar is None or bar.admits(alert, levels, words)):
                    alerts.append(alert)
            elif last_weeks.get(rating.region_id):
                last = max(i.date for i in last_weeks[rating.region_id])
                closings.append(compose_closing(rating, rules, last))
    return Week(ratings, alerts, closings)


def bulletin_of(inputs: Inputs, week: Week, settings: BulletinSettings) -> Bulletin:
    return compose_bulletin(week.ratings, week.alerts, inputs.rules, settings, week.closings)


def incidents_by_region(
    inputs: Inputs, windows: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, list[Incident]]:
    """Each region's incidents dated within its (first, last) days, as validated models."""
    if not windows:
        return {}
    first = min(start for start, _ in windows.values())
    last = max(end for _, end in windows.values())
    bounds = pl.DataFrame(
        {
            "region": list(windows),
            "start": [start for start, _ in windows.values()],
            "end": [end for _, end in windows.values()],
        }
    )
    frame = inputs.incidents.frame.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    chosen = (
        frame.filter(pl.col("date").is_between(first, last))
        .join(inputs.placements, on="pos")
        .join(bounds, on="region")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort("region", "date", "id")
    )
    models = inputs.incidents.incidents(chosen)
    found: dict[str, list[Incident]] = defaultdict(list)
    for region, incident in zip(chosen.get_column("region"), models, strict=True):
        found[region].append(incident)
    return dict(found)


# --- rendering and writing --------------------------------------------------------------------

_worker: Renderer | None = None


def _start_worker(templates: Path, strict: bool) -> None:
    global _worker
    _worker = Renderer(templates, strict=strict)


def _render_in_worker(html: str) -> bytes:
    assert _worker is not None
    return _worker.pdf(html)


def render_pdfs(renderer: Renderer, pages: Sequence[str], jobs: int) -> Iterator[bytes]:
    """PDFs of `pages`, in order, each as soon as it is ready, so that a batch is written as
    it goes and memory stays flat. With more than one job, worker processes each keep one
    renderer (and its font configuration) for all the pages they are given."""
    if jobs <= 1 or len(pages) <= 1:
        yield from (renderer.pdf(html) for html in pages)
        return
    # Forked workers start at once; they render only and never touch polars' thread pool.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(pages)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(renderer.templates, renderer.strict),
    ) as pool:
        chunk = max(1, min(8, len(pages) // (jobs * 4)))
        yield from pool.map(_render_in_worker, pages, chunksize=chunk)


def write_alerts(
    alerts: Sequence[Alert],
    out: Path,
    formats: Sequence[str],
    renderer: Renderer,
    settings: BulletinSettings,
    jobs: int = 1,
) -> list[Path]:
    """One HTML and/or PDF file per alert, named `<region-id>-<as-of date>`, written atomically."""
    written: list[Path] = []
    pages = [
        renderer.html(
            "alerts.html.j2",
            alerts_page([a], settings.organisation, settings.classification, a.issued),
        )
        for a in alerts
    ]
    names = [f"{a.region_id}-{a.issued:%Y-%m-%d}" for a in alerts]
    if "html" in formats:
        for name, html in zip(names, pages, strict=True):
            written.append(_write(out / f"{name}.html", html.encode()))
    if "pdf" in formats:
        with stage(f"render and write {len(pages)} PDF"):
            for name, pdf in zip(names, render_pdfs(renderer, pages, jobs), strict=True):
                written.append(_write(out / f"{name}.pdf", pdf))
    return written


def write_bulletin(
    bulletin: Bulletin,
    inputs: Inputs,
    ratings: Sequence[Rating],
    out: Path,
    formats: Sequence[str],
    renderer: Renderer,
    archival: bool = False,
) -> list[Path]:
    """The bulletin as HTML and/or PDF, named after its week; archival PDFs carry the ratings."""
    written: list[Path] = []
    page = bulletin_page(bulletin, inputs.rules.ruleset.window_days)
    html = renderer.html("bulletin.html.j2", page)
    name = "bulletin-" + (
        bulletin.week if "-W" in bulletin.week else f"{bulletin.period_start}_{bulletin.period_end}"
    )
    if "html" in formats:
        written.append(_write(out / f"{name}.html", html.encode()))
    if "pdf" in formats:
        with stage("render bulletin PDF"):
            if archival:
                data = json_bytes(ratings, inputs.rules)
                pdf = renderer.pdf(
                    html,
                    variant=ARCHIVAL,
                    attachments=[("ratings.json", data)],
                    moment=bulletin.issued,
                )
            else:
                pdf = renderer.pdf(html)
        written.append(_write(out / f"{name}.pdf", pdf))
    return written


def _write(path: Path, data: bytes) -> Path:
    write_bytes_atomic(path, data)
    return path
