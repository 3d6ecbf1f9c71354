"""The `advisory` command: a thin shell that parses options, calls the library and maps its errors.

Library modules are imported inside the commands, so that `advisory --help` stays fast and only
commands that render pay for WeasyPrint. Exit status: 0 done, 1 the run failed, 2 bad input or
usage (nothing written), 75 another weekly run holds the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from advisory.config import Config
    from advisory.errors import Problem
    from advisory.inputs import Inputs

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_LOCKED = 75


def _options(*options: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


incident_options = _options(
    click.option(
        "--rules",
        "rules_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Rules folder: scoring.yaml and regions/*.yaml. [default: rules]",
    ),
    click.option(
        "--incidents",
        "incident_patterns",
        multiple=True,
        metavar="FILE_OR_GLOB",
        help="Incident files (.csv, .yaml, .json) or glob patterns; repeatable. "
        "[default: data/*.csv]",
    ),
)
roster_option = click.option(
    "--roster",
    "roster_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Traveler roster. [default: data/travelers.yaml]",
)
output_options = _options(
    click.option(
        "--format",
        "formats",
        default="html,pdf",
        show_default=True,
        metavar="html,pdf",
        help="Which files to write: html, pdf or both, separated by a comma.",
    ),
    click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Folder to write into. [default: output]",
    ),
    click.option(
        "--templates",
        "templates_dir",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help="Templates folder. [default: the templates shipped with advisory]",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Fail when rendering warns (CSS it cannot use, a resource it refused to fetch).",
    ),
)


class AsOf(click.ParamType):  # type: ignore[type-arg]
    """A date (`2018-06-26`, midnight UTC) or an ISO date and time; without a zone, UTC."""

    name = "DATETIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not a date (2018-06-26) or date and time (2018-06-26T11:35Z)")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


class IsoWeek(click.ParamType):  # type: ignore[type-arg]
    """`2018-W25`: an ISO week, as the date of its Monday."""

    name = "YYYY-Www"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            year, week = str(value).strip().upper().split("-W")
            return dt.date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            self.fail(f"{value!r} is not an ISO week such as 2018-W25")


def now() -> dt.datetime:
    """The one place the program reads the clock."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    None, "-V", "--version", package_name="advisory", message="%(prog)s %(version)s"
)
@click.option("-v", "--verbose", is_flag=True, help="Log each stage and its duration to stderr.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file. [default: $ADVISORY_CONFIG, else ./advisory.yaml, else built-in]",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, config_path: Path | None) -> None:
    """Travel-security advisories from an incident log.

    Rules in rules/ turn recent incidents into a risk level per region; the commands below
    check the inputs, rate the regions, and write alerts and the weekly bulletin.
    """
    ctx.obj = {"config": config_path}
    _logging(logging.INFO if verbose else logging.WARNING)


def _logging(level: int, log_file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only: logs name travelers (by id) and their places.
        os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(message)s", handlers=handlers, force=True
    )
    # WeasyPrint narrates every layout step at INFO; its warnings still show.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--empty",
    is_flag=True,
    help="An incident log with only its header and a roster without travelers, not the demo's.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Into a folder that has files: add only the files it lacks; any that differ are kept.",
)
def init(folder: Path, empty: bool, force: bool) -> None:
    """Create a site in FOLDER: settings, rules, incident log, roster and a README.

    advisory.yaml shows every setting at its default; rules/ is the shipped rule set to edit;
    data/ holds the demo's incident log and roster (with --empty, a log with only its header
    and a roster without travelers). FOLDER must be new or empty, unless --force.
    """
    from advisory.errors import AdvisoryError
    from advisory.publishing.site import SiteError, create_site, site_files

    site = folder.expanduser().absolute()
    try:
        report = create_site(site, site_files(site, _program(), empty=empty), force=force)
    except SiteError as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except (AdvisoryError, OSError) as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_FAILED)
    for name in report.written:
        click.echo(f"  wrote {name}")
    for name in report.unchanged:
        click.echo(f"  unchanged {name}")
    for name in report.kept:
        click.echo(f"  kept {name}: it differs from the shipped version, which was not written")
    click.echo(f"site ready at {site}: cd {shlex.quote(str(folder))} && advisory validate")


@main.command()
@incident_options
@roster_option
@click.pass_context
def validate(
    ctx: click.Context,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
    roster_path: Path | None,
) -> None:
    """Check the rules, incidents and roster, and report every problem.

    Problems are printed as `path:line:col: field: message`. Exit status 0 when the inputs are
    good (warnings allowed), 2 when any error was found.
    """
    from advisory.reports.inputs import describe_inputs

    config = _config(ctx, rules=rules_dir, incidents=incident_patterns, roster=roster_path)
    inputs = _load(config, roster=True)
    for line in describe_inputs(inputs):
        click.echo(line)
    click.echo("OK")


@main.command()
@incident_options
@click.option("--as-of", "as_of", type=AsOf(), help="Rate as of this time. [default: now]")
@click.option(
    "--region",
    "region_ids",
    multiple=True,
    metavar="ID",
    help="Only this region; repeatable. [default: every region]",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format; json is stable for other programs (docs/ratings.md).",
)
@click.option("--explain", is_flag=True, help="Show how each level was reached.")
@click.pass_context
def rate(
    ctx: click.Context,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
    as_of: dt.datetime | None,
    region_ids: tuple[str, ...],
    output_format: str,
    explain: bool,
) -> None:
    """Rate every region's risk level from the recent incidents.

    The week rated is the seven days before the as-of date; the score counts the incidents of
    the window (window_days) before it. --explain shows, per region, the incidents counted,
    the rule lines that decided the level, and what would change it.
    """
    from advisory.rating import rate as rate_regions
    from advisory.reports import ratings as report
    from advisory.timing import stage

    inputs = _load(_config(ctx, rules=rules_dir, incidents=incident_patterns))
    _known_regions(inputs, region_ids, "--region")
    with stage("rate"):
        ratings = rate_regions(inputs.incidents, inputs.rules, as_of or now(), inputs.placements)
    if region_ids:
        ratings = [r for r in ratings if r.region_id in region_ids]
    with stage("write"):
        if explain:
            click.echo("\n".join(report.explain(r, inputs.rules) for r in ratings), nl=False)
        elif output_format == "json":
            click.echo(report.json_bytes(ratings, inputs.rules), nl=False)
        elif output_format == "csv":
            click.echo(report.csv_text(ratings), nl=False)
        else:
            click.echo(report.table(ratings), nl=False)


@main.command()
@click.argument("region_ids", metavar="[REGION]...", nargs=-1)
@click.option("--all", "every_region", is_flag=True, help="Every region with an alert.")
@click.option("--as-of", "as_of", type=AsOf(), help="Issue time. [default: now]")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Processes that render PDFs. [default: one per core]",
)
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

    A region gets an alert when it had incidents in that week. Files are named
    REGION-DATE.html and .pdf.
    """
    from advisory.rendering.renderer import Renderer
    from advisory.writing.plan import rate_and_compose, write_alerts

    chosen = _formats(formats)
    if not region_ids and not every_region:
        raise click.UsageError("name at least one REGION, or give --all")
    config = _config(ctx, rules=rules_dir, incidents=incident_patterns, templates=templates_dir)
    inputs = _load(config)
    _known_regions(inputs, region_ids, "REGION")
    week = rate_and_compose(inputs, as_of or now())
    alerts = week.alerts if every_region else [a for a in week.alerts if a.region_id in region_ids]
    for rating in week.ratings:
        if rating.region_id in region_ids and rating.region_id not in {a.region_id for a in alerts}:
            click.echo(
                f"{rating.region_id}: no alert, no incident in the week "
                f"{rating.period_start} to {rating.period_end}",
                err=True,
            )
    renderer = Renderer(config.templates, strict=strict)
    written = _run(
        lambda: write_alerts(
            alerts,
            out_dir or config.output,
            chosen,
            renderer,
            _bulletin_settings(config),
            jobs or os.cpu_count() or 1,
        )
    )
    for path in written:
        click.echo(str(path))


@main.command()
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
    (06:00 UTC); without --week or --as-of, it covers the last full week.
    """
    from advisory.publishing.week import issue_time, last_full_week
    from advisory.rendering.renderer import Renderer
    from advisory.writing.plan import bulletin_of, rate_and_compose, write_bulletin

    chosen = _formats(formats)
    if week is not None and as_of is not None:
        raise click.UsageError("give --week or --as-of, not both")
    config = _config(ctx, rules=rules_dir, incidents=incident_patterns, templates=templates_dir)
    issued = as_of or issue_time(week or last_full_week(now()), config.issue_time)
    inputs = _load(config)
    rated = rate_and_compose(inputs, issued)
    document = bulletin_of(inputs, rated, _bulletin_settings(config))
    renderer = Renderer(config.templates, strict=strict)
    written = _run(
        lambda: write_bulletin(
            document, inputs, rated.ratings, out_dir or config.output, chosen, renderer, archival
        )
    )
    for path in written:
        click.echo(str(path))


@main.command()
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
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for another run's lock before giving up (exit 75).",
)
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
) -> None:
    """Publish a week: validate, rate, compose, render, then write OUTPUT/YYYY-Www/ atomically.

    The issue time is derived from the week (the Monday after it, 06:00 UTC by default), never
    from the clock, so a week published again on another day gives the same bytes. Exit status:
    0 published or unchanged, 1 failed, 2 bad input (nothing written), 75 locked.
    """
    from advisory.errors import AdvisoryError, InputError
    from advisory.publishing.week import Locked, last_full_week, run_weekly

    if week is not None and as_of is not None:
        raise click.UsageError("give --week or --as-of, not both")
    config = _config(ctx, output=out_dir)
    _logging(logging.INFO, config.log_file)
    monday = week or last_full_week(as_of or now())
    sending = config.settings.send if send is None else send
    if dry_run and not sending:
        raise click.UsageError("--dry-run goes with --send")
    mode: Literal["send", "dry-run"] | None = None
    if sending:
        mode = "dry-run" if dry_run else "send"
    try:
        result = run_weekly(
            config,
            monday,
            wait=wait,
            allow_stale=allow_stale,
            progress=_progress_bar(),
            deliver=mode,
            now=now,
        )
    except InputError as e:
        _fail_with_problems(e.problems)
    except Locked as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_LOCKED)
    except AdvisoryError as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{result.week}: {result.status} at {result.folder} ({result.alerts} alerts)")
    for change in result.changes:
        click.echo(f"  {change}")
    report = result.delivery
    if report is None:
        return
    if report.written:
        click.echo(f"outbox: {len(report.written)} messages in {report.written[0].parent}")
    else:
        click.echo(
            f"email: {len(report.sent)} sent, {len(report.corrections)} corrections, "
            f"{len(report.already)} sent before, {len(report.failed)} failed, "
            f"{len(report.skipped)} without alerts"
        )
    for traveler, reason in report.failed:
        click.echo(f"  not delivered to {traveler}: {reason}", err=True)
    if report.failed:
        sys.exit(EXIT_FAILED)


@main.command()
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
    update, not as news.
    """
    from advisory.errors import AdvisoryError, InputError
    from advisory.publishing.week import run_flash

    if dry_run and not send:
        raise click.UsageError("--dry-run goes with --send")
    config = _config(ctx)
    inputs = _load(config)
    _known_regions(inputs, [region_id], "REGION")
    mode: Literal["send", "dry-run"] | None = None
    if send:
        mode = "dry-run" if dry_run else "send"
    try:
        written, report = run_flash(config, region_id, as_of or now(), mode, now)
    except InputError as e:
        _fail_with_problems(e.problems)
    except AdvisoryError as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_FAILED)
    for path in written:
        click.echo(str(path))
    if report is not None:
        for path in report.written:
            click.echo(str(path))
        if not report.written:
            delivered = len(report.sent) + len(report.corrections)
            click.echo(
                f"email: {delivered} sent, {len(report.already)} sent before, "
                f"{len(report.failed)} failed"
            )
        if report.failed:
            sys.exit(EXIT_FAILED)


@main.command()
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
    import shutil

    from advisory.delivery.ledger import opened

    text = older_than.strip().lower().removesuffix("d")
    if not text.isdigit():
        raise click.BadParameter("give a number of days, e.g. 180d", param_hint="--older-than")
    cutoff = now() - dt.timedelta(days=int(text))
    config = _config(ctx)
    removed_rows = 0
    ledger_path = config.state / "ledger.sqlite"
    if ledger_path.exists():
        with opened(ledger_path) as ledger:
            removed_rows = ledger.purge(cutoff)
    removed_weeks = []
    outbox = config.output / "outbox"
    for folder in sorted(outbox.glob("*-W*")) if outbox.is_dir() else []:
        try:
            year, week = folder.name.split("-W")
            ended = dt.date.fromisocalendar(int(year), int(week), 7)
        except ValueError:
            continue
        if ended < cutoff.date():
            shutil.rmtree(folder)
            removed_weeks.append(folder.name)
    click.echo(f"removed {removed_rows} ledger rows and {len(removed_weeks)} outboxes "
               f"older than {cutoff.date()}")  # fmt: skip


@main.group(name="import")
def import_() -> None:
    """Bring incidents in from a feed or a spreadsheet, into a CSV the incident log reads."""


def _import_target(out: Path | None, append: Path | None, default: str) -> tuple[Path, bool]:
    if out is not None and append is not None:
        raise click.UsageError("give --out or --append, not both")
    return (append, True) if append is not None else (out or Path(default), False)


def _import_report(run: Callable[[], Any]) -> None:
    from advisory.errors import InputError

    try:
        summary = run()
    except InputError as e:
        _fail_with_problems(e.problems)
    for line in summary.lines():
        click.echo(line)


@import_.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--country", "countries", multiple=True, help="Only this country; repeatable.")
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only events from this date."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the imported incidents here. [default: data/incidents-acled.csv]",
)
@click.option(
    "--append",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Add to this incident file, leaving out ids it has.",
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Category mapping. [default: RULES/acled.yaml, else the one shipped with advisory]",
)
@incident_options
@click.pass_context
def acled(
    ctx: click.Context,
    source: Path,
    countries: tuple[str, ...],
    since: dt.datetime | None,
    out: Path | None,
    append: Path | None,
    mapping: Path | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """Import an ACLED CSV export (either column layout) into the incident log."""
    from advisory.importers.feeds import (
        AcledMapping,
        default_acled_mapping,
        import_acled,
        load_mapping,
    )
    from advisory.inputs import resolve_incident_paths

    config = _config(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = _load(config)
    target, appending = _import_target(out, append, "data/incidents-acled.csv")
    existing, _ = resolve_incident_paths(config.incidents, Path.cwd())

    def run() -> Any:
        path = mapping or default_acled_mapping(config.rules)
        chosen = load_mapping(path, inputs.rules, AcledMapping)
        return import_acled(
            source, inputs.rules, chosen, existing, target, countries=countries,
            since=since.date() if since else None, append=appending,
        )  # fmt: skip

    _import_report(run)


@import_.command(name="csv")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--map",
    "mapping",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML naming which column holds which field, and how dates are written.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the imported incidents here. [default: data/incidents-imported.csv]",
)
@click.option(
    "--append",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Add to this incident file, leaving out ids it has.",
)
@incident_options
@click.pass_context
def csv_import(
    ctx: click.Context,
    source: Path,
    mapping: Path,
    out: Path | None,
    append: Path | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """Import an analyst's own spreadsheet export (CSV), its columns named by --map."""
    from advisory.importers.feeds import ColumnMapping, import_mapped, load_mapping
    from advisory.inputs import resolve_incident_paths

    config = _config(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = _load(config)
    target, appending = _import_target(out, append, "data/incidents-imported.csv")
    existing, _ = resolve_incident_paths(config.incidents, Path.cwd())

    def run() -> Any:
        chosen = load_mapping(mapping, inputs.rules, ColumnMapping)
        return import_mapped(source, inputs.rules, chosen, existing, target, append=appending)

    _import_report(run)


@main.command()
@click.option("--week", "week_label", metavar="YYYY-Www", help="Only this week.")
@click.pass_context
def deliveries(ctx: click.Context, week_label: str | None) -> None:
    """List what the weekly run sent, failed to send or skipped, and why."""
    from advisory.delivery.ledger import opened

    config = _config(ctx)
    path = config.state / "ledger.sqlite"
    if not path.exists():
        click.echo(f"no deliveries recorded ({path} does not exist)")
        return
    with opened(path) as ledger:
        rows = ledger.rows(week_label.upper() if week_label else None)
    click.echo(f"{'week':<9}  {'traveler':<20}  {'status':<8}  {'tries':>5}  {'when':<20}  detail")
    for row in rows:
        click.echo(
            f"{row.week:<9}  {row.traveler:<20}  {row.status:<8}  {row.attempts:>5}  "
            f"{row.updated_at:<20}  {row.detail}"
        )


@main.command()
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
    import dataclasses
    import json

    from advisory.errors import ConfigError
    from advisory.publishing.week import alert_bar, last_full_week
    from advisory.reports.history import summarise, weekly_history

    config = _config(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = _load(config)
    if region_id is not None:
        _known_regions(inputs, [region_id], "REGION")
    try:
        bar = alert_bar(config, inputs)
    except ConfigError as e:
        _fail_with_problems(e.problems)
    found = weekly_history(inputs, until or last_full_week(now()), weeks, config.issue_time, bar)
    if region_id is not None:
        entries = found[region_id]
        if output_format == "json":
            click.echo(json.dumps([dataclasses.asdict(w) for w in entries], indent=2))
            return
        click.echo(f"{'week':<9}  {'level':<10}  {'severity':<13}  issued")
        for w in entries:
            click.echo(f"{w.week:<9}  {w.level:<10}  {w.severity or '-':<13}  {w.issued or '-'}")
        return
    summary = summarise(inputs, found)
    if output_format == "json":
        click.echo(json.dumps([dataclasses.asdict(s) for s in summary], indent=2))
        return
    width = max(len(s.region_id) for s in summary)
    click.echo(f"{'region':<{width}}  changes  alerts  updates  closings  highest")
    for s in summary:
        click.echo(
            f"{s.region_id:<{width}}  {s.level_changes:>7}  {s.alerts:>6}  {s.updates:>7}  "
            f"{s.closings:>8}  {s.highest_level}"
        )


@main.command()
@click.argument(
    "kind",
    required=False,
    type=click.Choice(["ruleset", "regions", "incidents", "roster", "settings"]),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write every kind's schema as KIND.schema.json into this folder.",
)
def schema(kind: str | None, out_dir: Path | None) -> None:
    """Print the JSON Schema of a file kind, or write them all with --out.

    Editors that understand JSON Schema (VS Code's YAML extension, JetBrains IDEs) then check
    rule, region, incident, roster and settings files as they are typed.
    """
    from advisory.inputs.schema import KINDS, schema_text
    from advisory.publishing.atomic import write_text_atomic

    if out_dir is None:
        if kind is None:
            raise click.UsageError("name a KIND to print, or give --out DIR to write them all")
        click.echo(schema_text(kind), nl=False)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in [kind] if kind else list(KINDS):
        target = out_dir / f"{name}.schema.json"
        write_text_atomic(target, schema_text(name))
        click.echo(str(target))


# --- helpers ----------------------------------------------------------------------------------


def _config(ctx: click.Context, **overrides: Any) -> Config:
    """Settings from the command line over the environment over the file over the defaults."""
    from advisory.config import load_config
    from advisory.errors import ConfigError

    chosen = {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items()}
    try:
        return load_config(ctx.obj["config"] if ctx.obj else None, chosen)
    except ConfigError as e:
        _fail_with_problems(e.problems)


def _load(config: Config, *, roster: bool = False) -> Inputs:
    from advisory.errors import InputError
    from advisory.inputs import load_inputs

    try:
        inputs = load_inputs(config.rules, config.incidents, config.roster if roster else None)
    except InputError as e:
        _fail_with_problems(e.problems)
    _print_problems(inputs.warnings)
    return inputs


def _bulletin_settings(config: Config) -> Any:
    from advisory.writing.compose import BulletinSettings

    s = config.settings
    return BulletinSettings(s.organisation, s.title, s.classification, s.timezone)


def _program() -> str:
    """The `advisory` command being run, by its full path where it has one: cron's PATH is short."""
    script = Path(sys.executable).parent / "advisory"
    return str(script) if script.is_file() else "advisory"


def _progress_bar() -> Callable[[int], None] | None:
    """A rendering progress bar on stderr, only when a person watches a terminal."""
    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        return None
    bar: Any = None

    def step(total: int) -> None:
        nonlocal bar
        if total:
            bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
            bar.__enter__()
            return
        bar.update(1)
        if bar.pos >= bar.length:
            bar.__exit__(None, None, None)

    return step


def _known_regions(inputs: Inputs, region_ids: Sequence[str], hint: str) -> None:
    from advisory.errors import not_one_of

    known = [r.id for r in inputs.rules.regions]
    for region_id in region_ids:
        if region_id not in known:
            raise click.BadParameter(not_one_of(region_id, known, "a region"), param_hint=hint)


def _formats(value: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not chosen or any(part not in {"html", "pdf"} for part in chosen):
        raise click.BadParameter("give html, pdf or html,pdf", param_hint="--format")
    return chosen


def _run(step: Callable[[], Any]) -> Any:
    """Run a step that renders or writes; its failures are the run's, exit status 1."""
    from advisory.errors import AdvisoryError

    try:
        return step()
    except AdvisoryError as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_FAILED)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _fail_with_problems(problems: Sequence[Problem]) -> NoReturn:
    _print_problems(problems)
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    summary = f"{errors} error{'s' if errors != 1 else ''}"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    click.echo(f"advisory: bad input ({summary}); nothing was written", err=True)
    sys.exit(EXIT_BAD_INPUT)
