"""Commands about what was sent: `deliveries` and `purge`."""

from __future__ import annotations

import datetime as dt

import click

from advisory.cli.common import IsoWeek, config_of, echo_all, failures, now, preflight


@click.command()
@click.option("--week", type=IsoWeek(), help="Only this week, e.g. 2018-W25.")
@click.pass_context
def deliveries(ctx: click.Context, week: dt.date | None) -> None:
    """List what the weekly run sent, failed to send or skipped, and why."""
    from advisory.calendar import week_label
    from advisory.reports.deliveries import deliveries_table

    config = config_of(ctx)
    with failures():
        echo_all(deliveries_table(config, week_label(week) if week else None))


@click.command()
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="DAYS",
    help="Remove ledger rows and outboxes older than this, e.g. 180d.",
)
@click.pass_context
def purge(ctx: click.Context, older_than: str) -> None:
    """Remove old delivery records and outboxes: itineraries are personal data."""
    from advisory.delivery.retention import parse_days, purge

    try:
        days = parse_days(older_than)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--older-than") from None
    config = config_of(ctx)
    preflight(config, "state", "output")
    with failures():
        done = purge(config, now() - dt.timedelta(days=days))
    click.echo(
        f"removed {done.ledger_rows} ledger rows and {len(done.outboxes)} outboxes "
        f"older than {done.cutoff}"
    )
