"""Commands about what was sent: `deliveries` and `purge`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from advisory.cli.common import IsoWeek, config_of, echo_all, failures, load, now, preflight

if TYPE_CHECKING:
    from advisory.models import Roster


@click.command()
@click.option("--week", type=IsoWeek(), help="Only this week, e.g. 2018-W25.")
@click.option(
    "--retry",
    is_flag=True,
    help="Send again the week's messages that were refused or failed (the last full week "
    "without --week).",
)
@click.option(
    "--traveler",
    "travelers",
    multiple=True,
    metavar="ID",
    help="With --retry: only this traveler; repeatable.",
)
@click.pass_context
def deliveries(
    ctx: click.Context, week: dt.date | None, retry: bool, travelers: tuple[str, ...]
) -> None:
    """List what the weekly run sent, failed to send or skipped, and why; with --retry, send
    the refused and failed messages again, on purpose.

    --retry publishes the week as `weekly --send` does (unchanged when nothing changed), then
    sends every message the ledger does not show as sent, the refused ones included. Sent
    messages are never sent twice.
    """
    from advisory.calendar import last_full_week, week_label
    from advisory.reports.deliveries import deliveries_table

    if travelers and not retry:
        raise click.UsageError("--traveler goes with --retry")
    config = config_of(ctx)
    if not retry:
        with failures():
            echo_all(deliveries_table(config, week_label(week) if week else None))
        return
    from advisory.cli.weekly import _report
    from advisory.runs import run_weekly

    preflight(config, "output", "log_file", "state")
    with failures():
        roster = load(config, roster=True).roster
        assert roster is not None
        known_travelers(roster, travelers)
        result = run_weekly(
            config, week or last_full_week(now()), mode="send", retry=True, only=travelers,
            now=now,
        )  # fmt: skip
    assert result.delivery is not None
    _report(result.delivery)


@click.command()
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="DAYS",
    help="Remove ledger rows and outboxes older than this, e.g. 180d.",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option(
    "--force",
    is_flag=True,
    help="Also the outboxes of this week and the last full one, which are kept otherwise.",
)
@click.pass_context
def purge(ctx: click.Context, older_than: str, dry_run: bool, force: bool) -> None:
    """Remove old delivery records and outboxes: itineraries are personal data.

    --dry-run lists each ledger row (week, traveler, status) and outbox that would go. The
    outboxes of the current week and of the last full week are kept without --force.
    """
    from advisory.delivery.retention import parse_days, purge

    try:
        days = parse_days(older_than)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--older-than") from None
    config = config_of(ctx)
    preflight(config, "state", "output")
    moment = now()
    with failures():
        done = purge(config, moment - dt.timedelta(days=days), moment, dry_run=dry_run,
                     force=force)  # fmt: skip
    verb = "would remove" if dry_run else "removed"
    if dry_run:
        echo_all([f"  ledger {week} {traveler} ({status})" for week, traveler, status in done.rows])
        echo_all([f"  outbox {week}" for week in done.outboxes])
    echo_all([f"  kept outbox {week}: the current week's (--force removes it)"
              for week in done.kept])  # fmt: skip
    click.echo(
        f"{verb} {done.ledger_rows} ledger rows and {len(done.outboxes)} outboxes "
        f"older than {done.cutoff}"
    )


def known_travelers(roster: Roster, wanted: tuple[str, ...]) -> None:
    """Each `--traveler` is a traveler of the roster (a usage error names the nearest)."""
    from advisory.errors import not_one_of

    ids = [t.id for t in roster.travelers]
    for traveler in wanted:
        if traveler not in ids:
            raise click.BadParameter(
                not_one_of(traveler, ids, "a traveler", show_choices=False),
                param_hint="--traveler",
            )
