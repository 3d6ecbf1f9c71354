"""Commands that write documents into a folder: `alert` and `bulletin`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from advisory.cli.common import (
    AsOf,
    IsoWeek,
    config_of,
    echo_all,
    failures,
    formats_of,
    incident_options,
    jobs_option,
    jobs_or_cores,
    moment,
    now,
    output_options,
    preflight,
    print_problems,
    workers_for,
)


@click.command()
@click.argument("region_ids", metavar="[REGION]...", nargs=-1)
@click.option("--all", "every_region", is_flag=True, help="Every region with an alert.")
@click.option("--as-of", "as_of", type=AsOf(), help="Issue time. [default: now]")
@jobs_option
@incident_options
@output_options
@click.pass_context
def alert(
    ctx: click.Context,
    region_ids: tuple[str, ...],
    every_region: bool,
    as_of: dt.datetime | None,
    jobs: int | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
    formats: str,
    out_dir: Path | None,
    templates_dir: Path | None,
    strict: bool,
) -> None:
    """Write the alert of each REGION (or --all) for the week before the issue time.

    A region gets an alert when it had incidents in that week; with --all, only the alerts
    that clear the alert bar of the settings (alerts.min_level, alerts.min_severity). A REGION
    named is written even below the bar, with a note. Files are named REGION-DATE.html and .pdf.
    """
    chosen = formats_of(formats)
    if not region_ids and not every_region:
        raise click.UsageError("name at least one REGION, or give --all")
    config = config_of(
        ctx, rules=rules_dir, incidents=incident_patterns, templates=templates_dir, output=out_dir
    )
    preflight(config, "output")
    with failures(), workers_for(config, jobs_or_cores(jobs), strict=strict) as workers:
        from advisory.runs import write_documents
        from advisory.writing.plan import Want

        want = Want(alerts="all" if every_region else region_ids, formats=chosen)
        written = write_documents(
            config, moment(config, as_of), want, config.output, workers=workers
        )
    print_problems(written.warnings)
    echo_all(written.notes, err=True)
    echo_all([str(path) for path in written.paths])


@click.command()
@click.option("--week", type=IsoWeek(), help="The ISO week to report on, e.g. 2018-W25.")
@click.option(
    "--as-of",
    "as_of",
    type=AsOf(),
    help="Issue time; the bulletin covers the seven days before it. [default: the last full week]",
)
@click.option(
    "--archival", is_flag=True, help="Write an archival PDF/A-3b with the ratings attached."
)
@incident_options
@output_options
@click.pass_context
def bulletin(
    ctx: click.Context,
    week: dt.date | None,
    as_of: dt.datetime | None,
    archival: bool,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
    formats: str,
    out_dir: Path | None,
    templates_dir: Path | None,
    strict: bool,
) -> None:
    """Write the weekly bulletin: every region's level, the week's alerts, its incidents.

    With --week, the bulletin is issued the Monday after the week at the configured hour
    (06:00 UTC) and is the one `advisory weekly` publishes for that week; without --week or
    --as-of, it covers the last full week. Alerts are those that clear the alert bar.
    """
    from advisory.calendar import issue_time, last_full_week

    chosen = formats_of(formats)
    if week is not None and as_of is not None:
        raise click.UsageError("give --week or --as-of, not both")
    config = config_of(
        ctx, rules=rules_dir, incidents=incident_patterns, templates=templates_dir, output=out_dir
    )
    preflight(config, "output")
    issued = (
        config.local(as_of)
        if as_of is not None
        else issue_time(week or last_full_week(now(), config.zone), config.issue_time)
    )
    with failures(), workers_for(config, 1, strict=strict) as workers:
        from advisory.runs import write_documents
        from advisory.writing.plan import Want

        want = Want(bulletin_name="bulletin-{period}", archival=archival, formats=chosen)
        written = write_documents(config, issued, want, config.output, workers=workers)
    print_problems(written.warnings)
    echo_all([str(path) for path in written.paths])
