"""`advisory calibrate`: thresholds proposed from the log's history, with their backtest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from advisory.cli.common import (
    AsOf,
    Day,
    config_of,
    echo_all,
    failures,
    incident_options,
    load,
    now,
)


class Targets(click.ParamType):  # type: ignore[type-arg]
    """`Minimal=52,Low=26,Moderate=13,High=6,Extreme=3`: percent of region-weeks per level."""

    name = "LEVEL=PERCENT,..."

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> object:
        if isinstance(value, dict):
            return value
        found: dict[str, float] = {}
        for part in str(value).split(","):
            name, sep, number = part.partition("=")
            try:
                share = float(number)
            except ValueError:
                share = -1.0
            if not sep or not name.strip() or not 0 <= share <= 100:
                self.fail(f"{part.strip()!r} is not LEVEL=PERCENT (a number from 0 to 100)")
            if name.strip() in found:
                self.fail(f"{name.strip()!r} is given twice")
            found[name.strip()] = share
        return found


def checked_targets(given: dict[str, float], levels: list[str]) -> dict[str, float]:
    """The targets as shares of 1, every level named once and the whole adding up to 100 %."""
    from advisory.errors import not_one_of

    for name in given:
        if name not in levels:
            raise click.BadParameter(not_one_of(name, levels, "a level"), param_hint="--targets")
    missing = [name for name in levels if name not in given]
    if missing:
        raise click.BadParameter(f"give a share for {', '.join(missing)}", param_hint="--targets")
    total = sum(given.values())
    if abs(total - 100) > 0.5:
        raise click.BadParameter(
            f"the shares add up to {total:g}%, not 100%", param_hint="--targets"
        )
    return {name: given[name] / total for name in levels}


#: Fewer weeks of history than this, and a proposal follows a few incidents, not the country:
#: refused unless forced.
MIN_WEEKS = 8


@click.command()
@click.option(
    "--since", type=Day(), help="First day of the weeks calibrated. [default: the log's first]"
)
@click.option(
    "--until", type=Day(),
    help="Last day of the weeks calibrated. [default: the log's last, at most the last full week]",
)  # fmt: skip
@click.option(
    "--as-of", "as_of", type=AsOf(),
    help="The end of the period, as `rate` takes it: the weeks up to the one before this moment. "
    "[default: --until]",
)  # fmt: skip
@click.option(
    "--force", is_flag=True,
    help=f"Propose thresholds from fewer than {MIN_WEEKS} weeks of history.",
)  # fmt: skip
@click.option(
    "--profile", "profiles", multiple=True, metavar="NAME",
    help="Only this profile (`default` for the levels' own thresholds); repeatable. "
    "[default: every profile a region uses]",
)  # fmt: skip
@click.option(
    "--targets", type=Targets(),
    help="Percent of region-weeks wanted at each level, e.g. "
    "Minimal=52,Low=26,Moderate=13,High=6,Extreme=3. [default: each level half as common as "
    "the one below]",
)  # fmt: skip
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table",
    show_default=True, help="Output format; json lists every region's backtest.",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the proposal, a YAML fragment for scoring.yaml, to this file.",
)  # fmt: skip
@incident_options
@click.pass_context
def calibrate(
    ctx: click.Context,
    since: dt.date | None,
    until: dt.date | None,
    as_of: dt.datetime | None,
    force: bool,
    profiles: tuple[str, ...],
    targets: dict[str, float] | None,
    output_format: str,
    out: Path | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """Propose thresholds from the log's history, and backtest them.

    For each profile, the thresholds proposed split the weekly scores of its regions into the
    target shares of levels. The backtest rates every week of the period by today's thresholds
    and by the proposal, and counts per region the weeks whose level would change and the
    alerts that would have been issued or not. The rules are never edited: paste the fragment
    into scoring.yaml (docs/rules.md, Calibrating for your countries).
    """
    from advisory.calendar import last_full_week
    from advisory.calibration import DEFAULT_PROFILE, default_targets, whole_weeks
    from advisory.calibration import calibrate as run
    from advisory.config import unwritable
    from advisory.errors import not_one_of
    from advisory.publishing.atomic import write_text_atomic
    from advisory.reports import calibration as report
    from advisory.writing.bar import alert_bars

    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns)
    if out is not None and (problem := unwritable(out.absolute(), folder=False)):
        raise click.BadParameter(f"{out}: {problem}", param_hint="--out")
    inputs = load(config, text=False)  # rating reads no summary, source or note
    ruleset = inputs.rules.ruleset
    known = [DEFAULT_PROFILE, *ruleset.profiles]
    for name in profiles:
        if name not in known:
            raise click.BadParameter(not_one_of(name, known, "a profile"), param_hint="--profile")
    names = ruleset.level_names()
    shares = checked_targets(targets, names) if targets is not None else default_targets(names)
    dates = inputs.incidents.frame.get_column("date")
    if dates.is_empty():
        raise click.UsageError("the incident log is empty: there is no history to calibrate on")
    if as_of is not None and until is not None:
        raise click.BadParameter("give the end once: --until or --as-of", param_hint="--as-of")
    first: dt.date = since or dates.min()  # type: ignore[assignment]
    latest: dt.date = dates.max()  # type: ignore[assignment]
    if as_of is not None:  # as `rate`: the reporting week is the seven days before the moment
        until = config.local(as_of).date() - dt.timedelta(days=1)
    last = until or min(latest, last_full_week(now(), config.zone) + dt.timedelta(days=6))
    if last < first + dt.timedelta(days=6):
        raise click.BadParameter(
            f"{first} to {last} holds no whole week to calibrate on", param_hint="--since/--until"
        )
    _, weeks = whole_weeks(first, last)
    if weeks < MIN_WEEKS and not force:
        raise click.UsageError(
            f"{first} to {last} holds {weeks} whole weeks of history: thresholds proposed from "
            f"fewer than {MIN_WEEKS} follow a few incidents, not the country. Give a longer "
            "period (--since), or --force to see them anyway"
        )
    with failures():
        bar = alert_bars(config, inputs.rules).alerts
        found = run(inputs, first, last, bar, profiles=profiles, targets=shares)
        if out is not None:
            write_text_atomic(out, found.fragment)
    if output_format == "json":
        click.echo(report.json_bytes(found), nl=False)
    else:
        echo_all(report.text(found))
