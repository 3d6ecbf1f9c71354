"""The `advisory` command: a thin shell that parses options, calls the library and maps its errors.

Library modules are imported inside the commands, so that `advisory --help` stays fast and only
commands that render pay for WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from advisory.errors import Problem

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def incident_options(func: F) -> F:
    """The options of every command that reads rules and incidents."""
    options = [
        click.option(
            "--rules",
            "rules_dir",
            type=click.Path(path_type=Path, file_okay=False),
            default="rules",
            show_default=True,
            help="Rules folder: scoring.yaml and regions/*.yaml.",
        ),
        click.option(
            "--incidents",
            "incident_patterns",
            multiple=True,
            metavar="FILE_OR_GLOB",
            help="Incident files (.csv, .yaml, .json) or glob patterns; repeatable. "
            "[default: data/*.csv]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def roster_option(func: F) -> F:
    """The option of every command that reads the roster."""
    return click.option(
        "--roster",
        "roster_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default="data/travelers.yaml",
        show_default=True,
        help="Traveler roster.",
    )(func)


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


def now() -> dt.datetime:
    """The one place the program reads the clock."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="advisory")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def main(verbose: bool) -> None:
    """Travel-security advisories from an incident log.

    Rules in rules/ turn recent incidents into a risk level per region; the commands below
    check the inputs and report on them.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    # WeasyPrint narrates every layout step at INFO; its warnings still show.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.WARNING)


@main.command()
@incident_options
@roster_option
def validate(rules_dir: Path, incident_patterns: tuple[str, ...], roster_path: Path) -> None:
    """Check the rules, incidents and roster, and report every problem.

    Problems are printed as `path:line:col: field: message`. Exit status 0 when the inputs are
    good (warnings allowed), 2 when any error was found.
    """
    from advisory.inputs import DEFAULT_INCIDENTS
    from advisory.summary import describe_inputs

    inputs = _load(rules_dir, incident_patterns or DEFAULT_INCIDENTS, roster_path)
    _print_problems(inputs.warnings)
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
def rate(
    rules_dir: Path,
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
    from advisory import report
    from advisory.errors import not_one_of
    from advisory.inputs import DEFAULT_INCIDENTS
    from advisory.rating import rate as rate_regions
    from advisory.timing import stage

    inputs = _load(rules_dir, incident_patterns or DEFAULT_INCIDENTS, None)
    _print_problems(inputs.warnings)
    known = [r.id for r in inputs.rules.regions]
    for region_id in region_ids:
        if region_id not in known:
            raise click.BadParameter(
                not_one_of(region_id, known, "a region"), param_hint="--region"
            )
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


def output_options(func: F) -> F:
    """The options of every command that writes documents."""
    options = [
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
            default="output",
            show_default=True,
            help="Folder to write into.",
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
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _formats(value: str) -> list[str]:
    chosen = [part.strip().lower() for part in value.split(",") if part.strip()]
    wrong = [part for part in chosen if part not in {"html", "pdf"}]
    if wrong or not chosen:
        raise click.BadParameter("give html, pdf or html,pdf", param_hint="--format")
    return chosen


class IsoWeek(click.ParamType):  # type: ignore[type-arg]
    """`2018-W25`: the reporting week, issued the Monday after it at 06:00 UTC."""

    name = "YYYY-Www"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip().upper()
        try:
            year, week = text.split("-W")
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            self.fail(f"{value!r} is not an ISO week such as 2018-W25")
        return monday


def week_issue_time(monday: dt.date) -> dt.datetime:
    """The issue time of the week that starts on `monday`: the next Monday, 06:00 UTC."""
    return dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(6), tzinfo=dt.UTC)


@main.command()
@click.argument("region_ids", metavar="[REGION]...", nargs=-1)
@click.option("--all", "every_region", is_flag=True, help="Every region with an alert.")
@click.option("--as-of", "as_of", type=AsOf(), help="Issue time. [default: now]")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that render PDFs. [default: one per core]",
)
@incident_options
@output_options
def alert(
    region_ids: tuple[str, ...],
    every_region: bool,
    as_of: dt.datetime | None,
    jobs: int | None,
    rules_dir: Path,
    incident_patterns: tuple[str, ...],
    formats: str,
    out_dir: Path,
    templates_dir: Path | None,
    strict: bool,
) -> None:
    """Write the alert of each REGION (or --all) for the week before the issue time.

    A region gets an alert when it had incidents in that week. Files are named
    REGION-DATE.html and .pdf.
    """
    import os

    from advisory.compose import BulletinSettings
    from advisory.errors import not_one_of
    from advisory.inputs import DEFAULT_INCIDENTS
    from advisory.pipeline import rate_and_compose, write_alerts
    from advisory.render import Renderer

    chosen_formats = _formats(formats)
    if not region_ids and not every_region:
        raise click.UsageError("name at least one REGION, or give --all")
    inputs = _load(rules_dir, incident_patterns or DEFAULT_INCIDENTS, None)
    _print_problems(inputs.warnings)
    known = [r.id for r in inputs.rules.regions]
    for region_id in region_ids:
        if region_id not in known:
            raise click.BadParameter(not_one_of(region_id, known, "a region"), param_hint="REGION")
    week = rate_and_compose(inputs, as_of or now())
    alerts = week.alerts if every_region else [a for a in week.alerts if a.region_id in region_ids]
    for region_id in region_ids:
        if region_id not in {a.region_id for a in alerts}:
            rating = next(r for r in week.ratings if r.region_id == region_id)
            click.echo(
                f"{region_id}: no alert, no incident in the week "
                f"{rating.period_start} to {rating.period_end}",
                err=True,
            )
    renderer = Renderer(templates_dir, strict=strict)
    written = _run(
        lambda: write_alerts(
            alerts,
            out_dir,
            chosen_formats,
            renderer,
            BulletinSettings(),
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
    "--archival",
    is_flag=True,
    help="Write an archival PDF/A-3b with the ratings (ratings.json) attached.",
)
@incident_options
@output_options
def bulletin(
    week: dt.date | None,
    as_of: dt.datetime | None,
    archival: bool,
    rules_dir: Path,
    incident_patterns: tuple[str, ...],
    formats: str,
    out_dir: Path,
    templates_dir: Path | None,
    strict: bool,
) -> None:
    """Write the weekly bulletin: every region's level, the week's alerts, its incidents.

    With --week, the bulletin is issued the Monday after the week at 06:00 UTC; without
    --week or --as-of, it covers the last full week.
    """
    from advisory.compose import BulletinSettings
    from advisory.inputs import DEFAULT_INCIDENTS
    from advisory.pipeline import bulletin_of, rate_and_compose, write_bulletin
    from advisory.render import Renderer

    chosen_formats = _formats(formats)
    if week is not None and as_of is not None:
        raise click.UsageError("give --week or --as-of, not both")
    if week is not None:
        issued = week_issue_time(week)
    elif as_of is not None:
        issued = as_of
    else:
        today = now().date()
        issued = week_issue_time(today - dt.timedelta(days=today.weekday() + 7))
    inputs = _load(rules_dir, incident_patterns or DEFAULT_INCIDENTS, None)
    _print_problems(inputs.warnings)
    rated = rate_and_compose(inputs, issued)
    document = bulletin_of(inputs, rated, BulletinSettings())
    renderer = Renderer(templates_dir, strict=strict)
    written = _run(
        lambda: write_bulletin(
            document, inputs, rated.ratings, out_dir, chosen_formats, renderer, archival
        )
    )
    for path in written:
        click.echo(str(path))


def _run(step: Callable[[], Any]) -> Any:
    """Run a step that renders or writes; its failures are the run's, exit status 1."""
    from advisory.errors import AdvisoryError

    try:
        return step()
    except AdvisoryError as e:
        click.echo(f"advisory: {e}", err=True)
        sys.exit(EXIT_FAILED)


@main.command()
@click.argument(
    "kind", required=False, type=click.Choice(["ruleset", "regions", "incidents", "roster"])
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
    rule, region, incident and roster files as they are typed.
    """
    from advisory.publish import write_text_atomic
    from advisory.schema import KINDS, schema_text

    if out_dir is None:
        if kind is None:
            raise click.UsageError("name a KIND to print, or give --out DIR to write them all")
        click.echo(schema_text(kind), nl=False)
        return
    kinds = [kind] if kind else list(KINDS)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in kinds:
        target = out_dir / f"{name}.schema.json"
        write_text_atomic(target, schema_text(name))
        click.echo(str(target))


def _load(rules_dir: Path, patterns: Sequence[str], roster_path: Path | None) -> Any:
    from advisory.errors import InputError
    from advisory.inputs import load_inputs

    try:
        return load_inputs(rules_dir, patterns, roster_path)
    except InputError as e:
        _fail_with_problems(e.problems)


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
