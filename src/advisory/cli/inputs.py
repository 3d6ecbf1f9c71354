"""Commands about the inputs: `validate`, `rate`, `schema` and `init`."""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

import click

from advisory.cli.common import (
    AsOf,
    config_of,
    echo_all,
    failures,
    incident_options,
    known_regions,
    load,
    moment,
    preflight,
    program,
    roster_option,
)


@click.command()
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
    from advisory.publishing.site import create_site, site_files

    site = folder.expanduser().absolute()
    with failures():
        report = create_site(site, site_files(site, program(), empty=empty), force=force)
    echo_all([f"  wrote {name}" for name in report.written])
    echo_all([f"  unchanged {name}" for name in report.unchanged])
    echo_all(
        [
            f"  kept {name}: it differs from the shipped version, which was not written"
            for name in report.kept
        ]
    )
    click.echo(f"site ready at {site}: cd {shlex.quote(str(folder))} && advisory validate")


@click.command()
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
    from advisory.errors import InputError
    from advisory.importers.mappings import check_mappings
    from advisory.official.advice import check_folder
    from advisory.rendering.renderer import Renderer
    from advisory.reports.inputs import describe_inputs
    from advisory.writing.bar import alert_bars
    from advisory.writing.plan import check_overrides

    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns, roster=roster_path)
    preflight(config, "output", "state", "log_file")
    inputs = load(config, roster=True)
    with failures():
        alert_bars(config, inputs.rules)
        check_mappings(config.rules, inputs.rules)
        problems = check_overrides(inputs, config.issue_time)
        problems += config.delivery_problems(send=False)
        problems += Renderer(config.templates).problems()
        official_problems, official_lines = check_folder(config.official)
        problems += official_problems
        if problems:
            raise InputError(problems)
    echo_all(describe_inputs(inputs) + official_lines)
    click.echo("OK")


@click.command()
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
    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = load(config, text=False)  # rating reads no summary, source or note
    # (Imported once the log is being read: reading starts as soon as the table engine loads.)
    from advisory.rating import rate as rate_regions
    from advisory.reports import ratings as report
    from advisory.timing import stage

    known_regions(inputs, region_ids, "--region")
    with failures(), stage("rate"):  # an official-advice file that cannot be read: exit 2
        at = moment(config, as_of)
        ratings = rate_regions(
            inputs.incidents, inputs.rules, at, inputs.placements, inputs.official
        )
    if region_ids:
        ratings = [r for r in ratings if r.region_id in region_ids]
    with stage("write"):
        if output_format in ("json", "csv") and not explain:
            text = report.json_bytes(ratings, inputs.rules) if output_format == "json" else None
            click.echo(
                text
                if text is not None
                else report.csv_text(ratings, inputs.rules.ruleset.level_names()),
                nl=False,
            )
            return
        # In text, the world's quiet regions are counted in a line, not listed.
        from advisory.places.world import is_quiet, quiet_line

        shown = [r for r in ratings if region_ids or not is_quiet(r, inputs.rules)]
        if explain:
            from advisory.reports.ratings import overrides_lines

            click.echo(
                "\n".join(
                    report.explain(r, inputs.rules) + overrides_lines(r, inputs.overrides)
                    for r in shown
                ),
                nl=False,
            )
        else:
            click.echo(report.table(shown), nl=False)
        line = None if region_ids else quiet_line(ratings, inputs.rules)
        if line:
            click.echo(line)


@click.command()
@click.argument(
    "kind",
    required=False,
    type=click.Choice(
        [
            "ruleset",
            "regions",
            "incidents",
            "roster",
            "settings",
            "world",
            "coverage",
            "overrides",
            "actors",
        ]
    ),
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
    with failures():
        for name in [kind] if kind else list(KINDS):
            target = out_dir / f"{name}.schema.json"
            write_text_atomic(target, schema_text(name))
            click.echo(str(target))
