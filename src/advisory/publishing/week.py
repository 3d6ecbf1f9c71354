"""`advisory weekly`: the scheduled run. Validate, rate, compose, render, publish a week.

A week is published as `OUTPUT/2026-W47/`: built in a temporary folder beside it and renamed into
place, so a published week is never half-written; the same inputs give the same bytes, and a
re-run reports "unchanged". One run at a time holds `OUTPUT/.advisory-weekly.lock`; the lock
dies with its process, so a killed run does not block the next.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
from filelock import FileLock, Timeout

from advisory import program_version
from advisory.config import Config
from advisory.delivery.ledger import opened
from advisory.delivery.letters import (
    Delivery,
    Report,
    recipients,
    send_all,
    tell_desk,
    write_outbox,
)
from advisory.delivery.mailer import Mailer
from advisory.errors import AdvisoryError, ConfigError, Location, Problem, not_one_of
from advisory.faults import checkpoint
from advisory.inputs import Inputs, load_inputs, resolve_incident_paths
from advisory.models import Roster
from advisory.publishing.atomic import write_bytes_atomic
from advisory.rendering.renderer import Renderer, alerts_page, bulletin_page
from advisory.reports.ratings import json_bytes
from advisory.timing import stage
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import AlertBar, Week, bulletin_of, rate_and_compose

log = logging.getLogger("advisory")
LOCK_FILE = ".advisory-weekly.lock"
MANIFEST = "manifest.json"


class Locked(AdvisoryError):
    """Another weekly run holds the lock."""

    exit_code = 75


class StaleFeed(AdvisoryError):
    """The incident log stopped too long before the week's end."""


@dataclass(frozen=True)
class Published:
    week: str
    folder: Path
    status: Literal["published", "republished", "unchanged"]
    changes: list[str] = field(default_factory=list)
    alerts: int = 0
    delivery: Report | None = None


def monday_of(week: str) -> dt.date:
    """`2018-W25` -> Monday 18 June 2018."""
    year, number = week.upper().split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def week_label(monday: dt.date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def issue_time(monday: dt.date, at: dt.time) -> dt.datetime:
    """The week's issue time: the Monday after it, at `at` UTC."""
    return dt.datetime.combine(monday + dt.timedelta(days=7), at, tzinfo=dt.UTC)


def last_full_week(moment: dt.datetime) -> dt.date:
    """Monday of the last full ISO week before `moment`."""
    today = moment.astimezone(dt.UTC).date()
    return today - dt.timedelta(days=today.weekday() + 7)


def run_weekly(
    config: Config,
    monday: dt.date,
    *,
    out: Path | None = None,
    wait: float = 0,
    allow_stale: bool = False,
    progress: Callable[[int], None] | None = None,
    deliver: Literal["send", "dry-run"] | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Published:
    """Publish the week that starts on `monday`. Raises `InputError` (nothing written),
    `Locked`, `StaleFeed` or another `AdvisoryError`. `progress`, if given, is told the number
    of documents to render and then called once per document rendered (with 0). With `deliver`,
    travelers are then emailed (`send`, recorded in the ledger) or their messages written to
    the outbox (`dry-run`); `now` gives the ledger's timestamps."""
    root = out or config.output
    root.mkdir(parents=True, exist_ok=True)
    label = week_label(monday)
    try:
        lock = FileLock(root / LOCK_FILE, timeout=wait)
        lock.acquire()
    except Timeout:
        raise Locked(
            f"another weekly run holds {root / LOCK_FILE}; gave up after {wait:g} s"
        ) from None
    try:
        checkpoint("locked")
        _clear_leftovers(root)
        with stage("validate"):
            inputs = load_inputs(config.rules, config.incidents, config.roster if deliver else None)
        for warning in inputs.warnings:
            log.warning("%s", warning)
        bar = alert_bar(config, inputs)
        issued = issue_time(monday, config.issue_time)
        if not allow_stale:
            _check_feed(inputs, monday, config.settings.stale_after_days)
        week = rate_and_compose(inputs, issued, bar)
        files = _documents(config, inputs, week, progress or (lambda _: None))
        files["manifest.json"] = _manifest(config, label, issued, files)
        bulletin_pdf = files["bulletin.pdf"]
        checkpoint("rendered")
        published = _publish(root, label, files, len(week.alerts))
        if deliver is None:
            return published
        with stage("deliver"):
            report = _deliver(config, inputs, week, label, issued, deliver, root, now, bulletin_pdf)
        return dataclasses.replace(published, delivery=report)
    finally:
        lock.release()


def _deliver(
    config: Config,
    inputs: Inputs,
    week: Week,
    label: str,
    issued: dt.datetime,
    mode: Literal["send", "dry-run"],
    root: Path,
    now: Callable[[], dt.datetime] | None,
    bulletin_pdf: bytes,
) -> Report:
    settings = config.settings
    wanted = settings.delivery
    delivery = Delivery(
        week=label,
        issued=issued,
        organisation=settings.organisation,
        classification=settings.classification,
        sender=settings.smtp.sender,
        lookahead_days=wanted.lookahead_days,
        bar=AlertBar(wanted.min_level, wanted.min_severity),
        renderer=Renderer(config.templates),
        bulletin_pdf=bulletin_pdf,
    )
    assert inputs.roster is not None
    chosen, left_out = recipients(
        inputs.roster, inputs.rules, week.alerts, issued.date(), wanted.lookahead_days, delivery.bar
    )
    if mode == "dry-run":
        report = write_outbox(delivery, chosen, root / "outbox")
        report.skipped = list(left_out)
        return report
    clock = now or (lambda: issued)
    with (
        opened(config.state / "ledger.sqlite") as ledger,
        Mailer(
            settings.smtp, config.smtp_password(), wanted.retry_delays, wanted.rate_per_minute
        ) as mailer,
    ):
        report = send_all(delivery, chosen, left_out, ledger, mailer, clock)
        if report.failed and wanted.desk:
            tell_desk(delivery, report, wanted.desk, ledger, mailer, clock)
        return report


def alert_bar(config: Config, inputs: Inputs) -> AlertBar:
    """The publishing bar; both bars' level and severity names are checked against the rules
    before anything is written."""
    problems = []
    levels, words = inputs.rules.ruleset.level_names(), inputs.rules.ruleset.severity.words
    where = Location(str(config.file) if config.file else "settings")
    for section, wanted in (
        ("alerts", config.settings.alerts),
        ("delivery", config.settings.delivery),
    ):
        if wanted.min_level is not None and wanted.min_level not in levels:
            message = not_one_of(wanted.min_level, levels, "a level")
            problems.append(Problem(where, f"{section}.min_level", message))
        if wanted.min_severity is not None and wanted.min_severity not in words:
            message = not_one_of(wanted.min_severity, words, "a severity word")
            problems.append(Problem(where, f"{section}.min_severity", message))
    if problems:
        raise ConfigError(problems)
    return AlertBar(config.settings.alerts.min_level, config.settings.alerts.min_severity)


def _check_feed(inputs: Inputs, monday: dt.date, limit: int) -> None:
    """A dead feed must never close series or reassure travelers."""
    end = monday + dt.timedelta(days=6)
    dates = inputs.incidents.frame.filter(pl.col("date") <= end).get_column("date")
    newest = dates.max() if len(dates) else None
    if newest is None:
        raise StaleFeed(f"no incident is dated on or before {end}: is the feed running?")
    assert isinstance(newest, dt.date)
    age = (end - newest).days
    if age > limit:
        raise StaleFeed(
            f"the newest incident is of {newest}, {age} days before the week's end ({end}); "
            f"the limit is {limit} days. Check the incident feed, or run with --allow-stale"
        )


def _documents(
    config: Config, inputs: Inputs, week: Week, progress: Callable[[int], None]
) -> dict[str, bytes]:
    """Every file of the published week, by its path inside the week's folder."""
    settings = config.settings
    bulletin_settings = BulletinSettings(
        settings.organisation, settings.title, settings.classification, settings.timezone
    )
    renderer = Renderer(config.templates)
    files: dict[str, bytes] = {}
    progress(1 + len(week.alerts))
    with stage("render"):
        bulletin = bulletin_of(inputs, week, bulletin_settings)
        html = renderer.html(
            "bulletin.html.j2", bulletin_page(bulletin, inputs.rules.ruleset.window_days)
        )
        files["bulletin.html"] = html.encode()
        files["bulletin.pdf"] = renderer.pdf(html)
        progress(0)
        checkpoint("render")
        for alert in week.alerts:
            page = alerts_page(
                [alert], settings.organisation, settings.classification, alert.issued
            )
            alert_html = renderer.html("alerts.html.j2", page)
            files[f"alerts/{alert.region_id}.html"] = alert_html.encode()
            files[f"alerts/{alert.region_id}.pdf"] = renderer.pdf(alert_html)
            progress(0)
    files["ratings.json"] = json_bytes(week.ratings, inputs.rules)
    files["incidents.csv"] = _week_incidents(inputs, week)
    return files


def _week_incidents(inputs: Inputs, week: Week) -> bytes:
    """The reporting week's incidents with the regions they count for, as CSV."""
    first = week.ratings[0]
    frame = (
        inputs.incidents.frame.with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
        .filter(pl.col("date").is_between(first.period_start, first.period_end))
        .join(inputs.placements, on="pos", how="left")
        .group_by("pos", maintain_order=True)
        .agg(pl.all().exclude("region").first(), pl.col("region").drop_nulls().sort())
        .sort("date", "id")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["id", "date", "country", "admin1", "admin2", "location", "category",
               "fatalities", "injuries", "summary", "sources"]  # fmt: skip
    writer.writerow([*columns, "regions"])
    for row in frame.iter_rows(named=True):
        cells = [row[c] if row[c] is not None else "" for c in columns]
        writer.writerow([*cells, "; ".join(row["region"])])
    return out.getvalue().encode()


def _manifest(config: Config, label: str, issued: dt.datetime, files: dict[str, bytes]) -> bytes:
    base = config.file.parent if config.file else Path.cwd()
    paths, _ = resolve_incident_paths(config.incidents, base)
    inputs = sorted([*config.rules.rglob("*.yaml"), *paths], key=lambda p: str(p))
    document = {
        "format": 1,
        "week": label,
        "as_of": issued.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "program": {"name": "advisory", "version": program_version()},
        "inputs": [_entry(p, p.read_bytes(), base) for p in inputs if p.is_file()],
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def _entry(path: Path, data: bytes, base: Path) -> dict[str, object]:
    try:
        shown = str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        shown = str(path)
    return {"path": shown, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _publish(root: Path, label: str, files: dict[str, bytes], alerts: int) -> Published:
    target = root / label
    previous = target / MANIFEST
    if previous.is_file() and previous.read_bytes() == files[MANIFEST]:
        return Published(label, target, "unchanged", alerts=alerts)
    changes = _changes(target, files) if target.is_dir() else []
    building = root / f".{label}.partial-{os.getpid()}"
    with stage("publish"):
        for name, data in files.items():
            write_bytes_atomic(building / name, data)
        _sync_folder(building)
        checkpoint("publish")
        if target.exists():
            retired = root / f".{label}.old-{os.getpid()}"
            target.rename(retired)
            checkpoint("swap")
            building.rename(target)
            shutil.rmtree(retired)
        else:
            building.rename(target)
        _sync_folder(root)
    status: Literal["published", "republished"] = "republished" if changes else "published"
    return Published(label, target, status, changes, alerts)


def _changes(target: Path, files: dict[str, bytes]) -> list[str]:
    """What a republished week changes: regions whose level moved, alerts added or removed."""
    out: list[str] = []
    try:
        old = json.loads((target / "ratings.json").read_text())["ratings"]
        new = json.loads(files["ratings.json"])["ratings"]
    except (OSError, ValueError, KeyError):
        return ["the earlier publication could not be read; published anew"]
    old_levels = {r["region_id"]: r["level"] for r in old}
    for rating in new:
        before = old_levels.get(rating["region_id"])
        if before is not None and before != rating["level"]:
            out.append(f"{rating['region_id']}: level {before} -> {rating['level']}")
    old_alerts = {p.stem for p in (target / "alerts").glob("*.pdf")}
    new_alerts = {Path(n).stem for n in files if n.startswith("alerts/") and n.endswith(".pdf")}
    out += [f"{region}: alert added" for region in sorted(new_alerts - old_alerts)]
    out += [f"{region}: alert removed" for region in sorted(old_alerts - new_alerts)]
    return out or ["documents changed; levels and alerts are as before"]


def _clear_leftovers(root: Path) -> None:
    """Folders a killed run left half-built or half-swapped; the week itself is rebuilt."""
    for leftover in [*root.glob(".*.partial-*"), *root.glob(".*.old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def run_flash(
    config: Config,
    region_id: str,
    as_of: dt.datetime,
    mode: Literal["send", "dry-run"] | None,
    now: Callable[[], dt.datetime],
) -> tuple[list[Path], Report | None]:
    """An alert for one region between weekly runs (a Critical incident cannot wait for Monday),
    rated up to the end of the as-of day so that the day's incidents count, written to
    OUTPUT/flash/ and emailed to the travelers whose trips touch the region. Sends go through
    the ledger under the ISO week that the next weekly run covers, so that run sends its
    message as an update, not as news. Returns the files written and the delivery report."""
    inputs = load_inputs(config.rules, config.incidents, config.roster if mode else None)
    end_of_day = dt.datetime.combine(as_of.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    week = rate_and_compose(inputs, end_of_day)
    alerts = [a for a in week.alerts if a.region_id == region_id]
    if not alerts:
        raise AdvisoryError(f"{region_id}: no incident in the seven days to {as_of.date()}")
    settings = config.settings
    renderer = Renderer(config.templates)
    html = renderer.html(
        "alerts.html.j2",
        alerts_page(alerts, settings.organisation, settings.classification, end_of_day),
    )
    folder = config.output / "flash"
    stem = f"{as_of.date()}-{region_id}"
    written = [folder / f"{stem}.html", folder / f"{stem}.pdf"]
    write_bytes_atomic(written[0], html.encode())
    write_bytes_atomic(written[1], renderer.pdf(html))
    if mode is None:
        return written, None
    wanted = settings.delivery
    monday = as_of.date() - dt.timedelta(days=as_of.date().weekday())
    delivery = Delivery(
        week=week_label(monday),
        issued=end_of_day,
        organisation=settings.organisation,
        classification=settings.classification,
        sender=settings.smtp.sender,
        lookahead_days=wanted.lookahead_days,
        bar=AlertBar(),
        renderer=renderer,
    )
    assert inputs.roster is not None
    travelers = Roster(
        version=1, travelers=[t for t in inputs.roster.travelers if t.receives == "trips"]
    )
    chosen, _ = recipients(travelers, inputs.rules, alerts, as_of.date(), wanted.lookahead_days)
    if mode == "dry-run":
        return written, write_outbox(delivery, chosen, config.output / "outbox")
    with (
        opened(config.state / "ledger.sqlite") as ledger,
        Mailer(
            settings.smtp, config.smtp_password(), wanted.retry_delays, wanted.rate_per_minute
        ) as mailer,
    ):
        return written, send_all(delivery, chosen, [], ledger, mailer, now)
