"""Commands about what was sent: `deliveries` and `purge`."""

from __future__ import annotations

import datetime as dt

import click

from advisory.cli.common import (
    IsoWeek,
    config_of,
    configure_logging,
    echo_all,
    failures,
    now,
    outcome,
    preflight,
    wait_option,
)


@click.command()
@click.option("--week", type=IsoWeek(), help="Only this week, e.g. 2018-W25.")
@click.option(
    "--retry",
    is_flag=True,
    help="Send again the stored messages still owed or refused (of every week without --week).",
)
@click.option(
    "--traveler",
    "travelers",
    multiple=True,
    metavar="ID",
    help="With --retry: only this traveler; repeatable.",
)
@wait_option
@click.pass_context
def deliveries(
    ctx: click.Context,
    week: dt.date | None,
    retry: bool,
    travelers: tuple[str, ...],
    wait: float,
) -> None:
    """List what the sending runs sent, still owe, failed to send or skipped, and why; with
    --retry, send the owed and refused messages again, on purpose.

    --retry sends the messages as they were stored when their week was published (it
    publishes nothing and reads no incidents), under the site's lock, and logs to log_file
    like the weekly run. Sent messages are never sent twice. Messages recorded before the
    ledger stored them cannot be retried: they are listed, and the exit status is 1.
    """
    from advisory.calendar import week_label
    from advisory.reports.deliveries import deliveries_table

    if travelers and not retry:
        raise click.UsageError("--traveler goes with --retry")
    config = config_of(ctx)
    label = week_label(week) if week else None
    if not retry:
        with failures():
            echo_all(deliveries_table(config, label, now()))
        return
    from advisory.cli.weekly import _report
    from advisory.delivery.send import retry as send_again
    from advisory.delivery.send import travelers_in
    from advisory.publishing.week import locked

    preflight(config, "output", "log_file", "state")
    configure_logging(ctx.obj.get("verbose", False), config.log_file)
    known_travelers(travelers_in(config), travelers)
    with failures(), locked(config.output, wait, config.state, sending=True):
        report = send_again(config, now, week=label, travelers=travelers)
    if not (report.sent or report.corrections or report.failed or report.deferred
            or report.unstored):  # fmt: skip
        line = "email: nothing to send again (no message owed or refused)"
        click.echo(line)
        outcome.info("%s", line)
        return
    _report(report)


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


def known_travelers(ids: list[str], wanted: tuple[str, ...]) -> None:
    """Each `--traveler` is a traveler the ledger has rows for (a usage error names the
    nearest)."""
    from advisory.errors import not_one_of

    for traveler in wanted:
        if traveler not in ids:
            raise click.BadParameter(
                not_one_of(traveler, ids, "a traveler", show_choices=False),
                param_hint="--traveler",
            )
