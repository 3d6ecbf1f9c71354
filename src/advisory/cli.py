"""The `advisory` command: a thin shell that parses options, calls the library and maps its errors.

Library modules are imported inside the commands, so that `advisory --help` stays fast and only
commands that render pay for WeasyPrint.
"""

from __future__ import annotations

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


def input_options(func: F) -> F:
    """The options every command that reads the inputs takes."""
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
        click.option(
            "--roster",
            "roster_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default="data/travelers.yaml",
            show_default=True,
            help="Traveler roster.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


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
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@main.command()
@input_options
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
