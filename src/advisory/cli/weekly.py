"""The scheduled run and its companions: `weekly`, `flash` and `history`."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from advisory.cli.common import (
    EXIT_FAILED,
    AsOf,
    IsoWeek,
    config_of,
    configure_logging,
    echo_all,
    failures,
    incident_options,
    jobs_option,
    jobs_or_cores,
    known_regions,
    load,
    moment,
    now,
    outcome,
    preflight,
    print_problems,
    progress_bar,
    wait_option,
    workers_for,
)

if TYPE_CHECKING:
    from advisory.delivery.send import Mode, Report

log = logging.getLogger("advisory")


def _mode(send: bool, dry_run: bool) -> Mode | None:
    if dry_run and not send:
        raise click.UsageError("--dry-run goes with --send")
    if not send:
        return None
    return "dry-run" if dry_run else "send"


@click.command()
@click.option(
    "--week", type=IsoWeek(), help="The ISO week to publish. [default: the last full one]"
)
@click.option(
    "--as-of",
    "as_of",
    type=AsOf(),
    help="Publish the last full week before this moment. [default: now]",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder that holds the published weeks. [default: output]",
)
@wait_option
@click.option(
    "--allow-stale", is_flag=True, help="Publish even when the incident feed has gone quiet."
)
@click.option(
    "--send/--no-send",
    "send",
    default=None,
    help="Email travelers after publishing. [default: the `send` setting; the demo: no]",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="With --send: write each message to OUTPUT/outbox/WEEK/ instead of sending it.",
)
@jobs_option
@click.pass_context
def weekly(
    ctx: click.Context,
    week: dt.date | None,
    as_of: dt.datetime | None,
    out_dir: Path | None,
    wait: float,
    allow_stale: bool,
    send: bool | None,
    dry_run: bool,
    jobs: int | None,
) -> None:
    """Publish a week: validate, rate, compose, render, then write OUTPUT/YYYY-Www/ atomically.

    The issue time is derived from the week (the Monday after it, 06:00 UTC by default), never
    from the clock, so a week published again on another day gives the same bytes. Exit status:
    0 published or unchanged, 1 failed, 2 bad input (nothing written), 75 locked.
    """
    from advisory.calendar import last_full_week

    if week is not None and as_of is not None:
        raise click.UsageError("give --week or --as-of, not both")
    config = config_of(ctx, output=out_dir)
    mode = _mode(config.settings.send if send is None else send, dry_run)
    preflight(config, "output", "log_file", "state")
    configure_logging(ctx.obj.get("verbose", False), config.log_file)
    with failures(), workers_for(config, jobs_or_cores(jobs)) as workers:
        from advisory.runs import run_weekly

        result = run_weekly(
            config, week or last_full_week(moment(config, as_of), config.zone),
            workers=workers, wait=wait, allow_stale=allow_stale, mode=mode,
            progress=progress_bar(), now=now,
        )  # fmt: skip
    published = result.published
    assert published is not None
    alerts = f"{result.alerts} alert{'' if result.alerts == 1 else 's'}"
    line = f"{published.week}: {published.status} at {published.folder}, {alerts}"
    if published.changes:
        line += f" ({'; '.join(published.changes)})"
    if result.delivery is not None:
        line += f"; {_email_line(result.delivery)}"
    click.echo(line)
    outcome.info("%s", line)
    if result.delivery is not None:
        _failures(result.delivery)


@click.command()
@click.argument("region_id", metavar="REGION")
@click.option("--as-of", "as_of", type=AsOf(), help="The moment of the flash. [default: now]")
@click.option("--send", is_flag=True, help="Email the travelers whose trips touch REGION.")
@click.option("--dry-run", is_flag=True, help="With --send: write the messages to the outbox.")
@click.pass_context
def flash(
    ctx: click.Context, region_id: str, as_of: dt.datetime | None, send: bool, dry_run: bool
) -> None:
    """Write one region's alert now, between weekly runs, and with --send email it.

    For a Critical incident that cannot wait for Monday. The alert counts the incidents of the
    seven days to the end of the as-of day; the weekly run then sends its own message as an
    update, not as news. REGION is written even below the alert bar, with a note.
    """
    from advisory.runs import run_flash

    mode = _mode(send, dry_run)
    config = config_of(ctx)
    preflight(config, "output", "state")
    with failures():
        written = run_flash(config, region_id, moment(config, as_of), mode, now)
    print_problems(written.warnings)
    echo_all(written.notes, err=True)
    echo_all([str(path) for path in written.paths])
    if written.delivery is not None:
        _report(written.delivery)


def _email_line(report: Report) -> str:
    """`email: 4 sent, 0 corrections, 0 sent before, 0 failed, 2 without alerts`, with what
    was owed from earlier weeks (`6 sent, 2 from 2018-W25, ...`)."""
    if report.written:
        return f"outbox: {len(report.written)} messages in {report.written[0].parent}"
    sent = f"{len(report.sent)} sent"
    for week, count in sorted(report.backlog.items()):
        sent += f", {count} from {week}"
    return (
        f"email: {sent}, {len(report.corrections)} corrections, "
        f"{len(report.already)} sent before, {len(report.failed)} failed, "
        f"{len(report.skipped)} without alerts"
        + (f", {len(report.deferred)} left for the next run" if report.deferred else "")
        + (f", {len(report.expired)} too old to send" if report.expired else "")
        + (f", {len(report.unstored)} not retryable" if report.unstored else "")
    )


def _failures(report: Report) -> None:
    """Each message not delivered, on stderr and in the log file; exit 1 if any."""
    lines = [f"  not delivered to {t}: {reason}" for t, reason in report.failed]
    if report.deferred:
        lines.append(f"  left for the next run: {report.deferred[0][1]}")
    lines += [
        f"  not sent to {traveler} ({week}): still owed after delivery.backlog_days; "
        f"`advisory deliveries --retry --week {week}` sends it"
        for week, traveler in report.expired
    ]
    lines += [
        f"  not retryable: {traveler} ({week}) was recorded before messages were stored"
        for week, traveler in report.unstored
    ]
    for line in lines:
        outcome.error("%s", line.strip())
    echo_all(lines, err=True)
    if report.failed or report.deferred or report.expired or report.unstored:
        sys.exit(EXIT_FAILED)


def _report(report: Report) -> None:
    """The delivery's outcome; exit 1 when a message could not be delivered."""
    line = _email_line(report)
    click.echo(line)
    outcome.info("%s", line)
    _failures(report)


@click.command()
@click.argument("region_id", metavar="[REGION]", required=False)
@click.option(
    "--weeks", type=click.IntRange(min=1, max=520), default=52, show_default=True,
    help="How many weeks, back from --until.",
)  # fmt: skip
@click.option("--until", type=IsoWeek(), help="The last week shown. [default: the last full one]")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@incident_options
@click.pass_context
def history(
    ctx: click.Context,
    region_id: str | None,
    weeks: int,
    until: dt.date | None,
    output_format: str,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """What the rules give, week by week: level, severity and whether an alert went out.

    For REGION, one line per week; without, per region, how often the level changed and how
    many alerts, updates and closings travelers would have had. Try a rule change with --rules
    on past data before adopting it.
    """
    from advisory.calendar import last_full_week
    from advisory.reports.history import (
        as_json,
        summarise,
        summary_table,
        week_table,
        weekly_history,
    )
    from advisory.writing.bar import alert_bars

    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = load(config)
    if region_id is not None:
        known_regions(inputs, [region_id], "REGION")
    with failures():
        bar = alert_bars(config, inputs.rules).alerts
    last = until or last_full_week(now(), config.zone)
    found = weekly_history(inputs, last, weeks, config.issue_time, bar)
    if region_id is not None:
        entries = found[region_id]
        rows = [as_json(entries)] if output_format == "json" else week_table(entries)
    else:
        summary = summarise(inputs, found)
        rows = [as_json(summary)] if output_format == "json" else summary_table(summary)
    echo_all(rows)
