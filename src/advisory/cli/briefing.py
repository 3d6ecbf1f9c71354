"""Pre-trip briefs: `brief` writes one traveler's, `briefs` sends every one that is due."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from advisory.cli.common import (
    AsOf,
    config_of,
    configure_logging,
    echo_all,
    failures,
    moment,
    now,
    outcome,
    preflight,
    wait_option,
)


@click.command()
@click.argument("traveler_id", metavar="TRAVELER")
@click.option(
    "--journey",
    "number",
    type=click.IntRange(min=1),
    help="Which of the traveler's journeys, by date (1: the first not yet ended). "
    "[default: every journey not yet ended]",
)
@click.option("--as-of", "as_of", type=AsOf(), help="The moment of the brief. [default: now]")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write to. [default: the output folder]",
)
@click.pass_context
def brief(
    ctx: click.Context,
    traveler_id: str,
    number: int | None,
    as_of: dt.datetime | None,
    out_dir: Path | None,
) -> None:
    """Write the pre-trip brief of a TRAVELER's journey as HTML and PDF.

    A journey is a run of the traveler's trips whose dates touch or overlap. The brief gives
    each place's level, the official advice where it was imported, the alerts of the past 30
    days, Context and Advice, a map and the desk's contact (docs/delivery.md). Files are named
    brief-TRAVELER-START.html and .pdf.
    """
    from advisory.delivery.briefing import Briefer
    from advisory.delivery.journeys import journeys
    from advisory.errors import not_one_of
    from advisory.publishing.atomic import write_bytes_atomic
    from advisory.rendering.renderer import Renderer

    config = config_of(ctx)  # its output folder holds the published weeks the brief reads
    preflight(config, "output")
    out = out_dir or config.output
    at = moment(config, as_of)
    with failures():
        briefer = Briefer(config, at, Renderer(config.templates))
        found = {t.id: t for t in briefer.travelers}
        if traveler_id not in found:
            raise click.BadParameter(
                not_one_of(traveler_id, sorted(found), "a traveler with trips"),
                param_hint="TRAVELER",
            )
        traveler = found[traveler_id]
        ahead = [j for j in journeys(traveler) if j.end >= config.local(at).date()]
        if not ahead:
            raise click.UsageError(f"{traveler_id} has no journey that has not ended")
        if number is not None and number > len(ahead):
            raise click.BadParameter(
                f"{traveler_id} has {len(ahead)} journeys not yet ended", param_hint="--journey"
            )
        chosen = [ahead[number - 1]] if number else ahead
        written = []
        for journey in chosen:
            done = briefer.brief(traveler, journey, "booking")
            stem = out / f"brief-{traveler_id}-{journey.start}"
            write_bytes_atomic(stem.with_suffix(".html"), done.html.encode())
            write_bytes_atomic(stem.with_suffix(".pdf"), done.pdf)
            written += [stem.with_suffix(".html"), stem.with_suffix(".pdf")]
    echo_all([str(path) for path in written])


@click.command()
@click.option("--as-of", "as_of", type=AsOf(), help="The moment of the run. [default: now]")
@click.option(
    "--send",
    is_flag=True,
    help="Email the briefs that are due (through the delivery ledger, each once).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="With --send: write each message to OUTPUT/outbox/briefs/ instead of sending it.",
)
@wait_option
@click.pass_context
def briefs(
    ctx: click.Context, as_of: dt.datetime | None, send: bool, dry_run: bool, wait: float
) -> None:
    """Brief every traveler whose journey is due one: when it is booked, before it starts,
    and when it changes. For a daily cron line or systemd timer (docs/delivery.md).

    Without --send, lists the briefs that are due. Each brief is sent once: a re-run, a
    reordered roster or a changed alert sends nothing again; a journey whose places or dates
    change gets an "Updated:" brief.
    """
    from advisory.cli.weekly import _mode, _report
    from advisory.delivery.briefing import run_briefs
    from advisory.publishing.week import locked

    config = config_of(ctx)
    mode = _mode(send, dry_run)
    preflight(config, "output", "log_file", "state")
    configure_logging(ctx.obj.get("verbose", False), config.log_file)
    at = moment(config, as_of)
    with failures():
        if mode == "send":
            with locked(config.output, wait, config.state, sending=True):
                done = run_briefs(config, at, mode, now)
        else:
            done = run_briefs(config, at, mode, now)
    for made in done.briefs:
        places = made.page.title.removeprefix("Before you travel: ")
        click.echo(f"{made.traveler.id}: {made.kind} brief, {places}, {made.page.dates}")
    if not done.briefs:
        click.echo("briefs: none due")
    if mode == "dry-run":
        line = f"outbox: {len(done.paths)} briefs in {config.output / 'outbox' / 'briefs'}"
        click.echo(line)
        outcome.info("%s", line)
    elif done.report is not None:
        _report(done.report)
