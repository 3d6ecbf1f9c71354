"""`advisory import`: incidents from a feed or a spreadsheet, into a CSV the incident log reads."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from advisory.cli.common import (
    EXIT_BAD_INPUT,
    Day,
    F,
    collector_paused,
    config_of,
    echo_all,
    failures,
    incident_options,
    load,
    now,
    options,
    print_problems,
)

if TYPE_CHECKING:
    from advisory.models import Source


@click.group(name="import")
def import_() -> None:
    """Bring incidents in from a feed or a spreadsheet, into a CSV the incident log reads."""


def target_options(default: str) -> Callable[[F], F]:
    """`--out FILE` (the command's own default) or `--append FILE`; `--rejects`, `--strict`."""
    return options(
        click.option(
            "--rejects",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Write the rejected rows here, as read, with a reason column: fix them and "
            "import this file again.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Import nothing when any row is rejected (exit 2).",
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path, dir_okay=False),
            help=f"Write the imported incidents here. [default: {default}]",
        ),
        click.option(
            "--append",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Add to this incident file, leaving out ids it has.",
        ),
        click.option(
            "--covers-from",
            type=Day(),
            help="First day the source covers, for the coverage file written beside the "
            "incidents. [default: its first event's]",
        ),
        click.option(
            "--covers-to",
            type=Day(),
            help="Last day the source covers. [default: its last event's]",
        ),
        click.option(
            "--exported",
            type=Day(),
            help="The day the export was taken, recorded for the documents' credit line. "
            "[default: the source file's modification day]",
        ),
    )


def _import_target(out: Path | None, append: Path | None, default: str) -> tuple[Path, bool]:
    """The file to write and whether to add to it, checked before anything is read."""
    from advisory.config import unwritable

    if out is not None and append is not None:
        raise click.UsageError("give --out or --append, not both")
    target, appending = (append, True) if append is not None else (out or Path(default), False)
    problem = unwritable(target.absolute(), folder=False)
    if problem:
        option = "--append" if appending else "--out"
        raise click.BadParameter(f"{target}: {problem}", param_hint=option)
    return target, appending


def _import_report(source: Path, run: Callable[[], Any]) -> None:
    """The import's summary; exit 2 when every row was rejected (the log left as it was), with
    the first rejection's line and reason."""
    from advisory.errors import display_path

    with failures(), collector_paused():
        summary = run()
    echo_all(summary.lines())
    if summary.all_rejected:
        first = min(summary.rejected, key=lambda r: r.line)
        click.echo(
            f"{display_path(source)}:{first.line}: {first.reason}\n"
            "advisory: every row was rejected; the log is left as it was",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)


@import_.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--country", "countries", multiple=True, help="Only this country; repeatable.")
@click.option("--since", type=Day(), help="Only events from this date.")
@target_options("data/incidents-acled.csv")
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
    since: dt.date | None,
    rejects: Path | None,
    strict: bool,
    out: Path | None,
    append: Path | None,
    covers_from: dt.date | None,
    covers_to: dt.date | None,
    exported: dt.date | None,
    mapping: Path | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """Import an ACLED CSV export (either column layout) into the incident log.

    Rows that cannot become incidents are rejected and listed by reason, and the rest is
    imported; exit 2 only when every row was rejected (or, with --strict, any).
    """
    from advisory.importers.acled import AcledMapping, default_acled_mapping, import_acled
    from advisory.importers.common import load_mapping
    from advisory.inputs import resolve_incident_paths

    _check_covers(covers_from or since, covers_to)
    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = load(config)
    target, appending = _import_target(out, append, "data/incidents-acled.csv")
    existing, _ = resolve_incident_paths(config.incidents, Path.cwd())

    def run() -> Any:
        path = mapping or default_acled_mapping(config.rules)
        chosen = load_mapping(path, inputs.rules, AcledMapping)
        return import_acled(
            source, inputs.rules, chosen, existing, target, countries=countries,
            since=since, append=appending, rejects=rejects, strict=strict,
            covers=(covers_from or since, covers_to), exported=exported or _modified(source),
        )  # fmt: skip

    _import_report(source, run)


@import_.command(name="csv")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--map",
    "mapping",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="YAML naming which column holds which field, and how dates are written.",
)
@target_options("data/incidents-imported.csv")
@incident_options
@click.pass_context
def csv_import(
    ctx: click.Context,
    source: Path,
    mapping: Path,
    rejects: Path | None,
    strict: bool,
    out: Path | None,
    append: Path | None,
    covers_from: dt.date | None,
    covers_to: dt.date | None,
    exported: dt.date | None,
    rules_dir: Path | None,
    incident_patterns: tuple[str, ...],
) -> None:
    """Import an analyst's own spreadsheet export (CSV), its columns named by --map.

    Rows that cannot become incidents are rejected and listed by reason, as for ACLED.
    """
    from advisory.importers.common import load_mapping
    from advisory.importers.spreadsheet import ColumnMapping, import_mapped
    from advisory.inputs import resolve_incident_paths

    _check_covers(covers_from, covers_to)
    config = config_of(ctx, rules=rules_dir, incidents=incident_patterns)
    inputs = load(config)
    target, appending = _import_target(out, append, "data/incidents-imported.csv")
    existing, _ = resolve_incident_paths(config.incidents, Path.cwd())

    def run() -> Any:
        chosen = load_mapping(mapping, inputs.rules, ColumnMapping)
        return import_mapped(
            source, inputs.rules, chosen, existing, target, append=appending, rejects=rejects,
            strict=strict, covers=(covers_from, covers_to),
            exported=exported or _modified(source),
        )  # fmt: skip

    _import_report(source, run)


def _check_covers(first: dt.date | None, last: dt.date | None) -> None:
    """A period the source covers ends on or after its first day (usage error, exit 2)."""
    if first is not None and last is not None and last < first:
        raise click.BadParameter(
            f"{last} is before the first day covered ({first}, --covers-from or --since)",
            param_hint="--covers-to",
        )


def _modified(source: Path) -> dt.date:
    """The day (UTC) a downloaded export was last written: the day it was taken, unless told."""
    return dt.datetime.fromtimestamp(source.stat().st_mtime, dt.UTC).date()


@import_.command()
@click.argument("source", type=click.Choice(["us-state", "uk-fcdo", "ca"]))
@click.argument("location", metavar="FILE_OR_URL")
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=30,
    show_default=True,
    help="Seconds to wait on the address for each step (four times that for the whole body).",
)
@click.pass_context
def official(ctx: click.Context, source: str, location: str, timeout: float) -> None:
    """Import a government's travel advice into the `official` folder (data/official/).

    SOURCE is whose advice: us-state, the State Department's RSS feed (travel.state.gov);
    uk-fcdo, GOV.UK's content API for foreign travel advice (a country's document, the index,
    or a list of documents); ca, the Government of Canada's travel-advice JSON. FILE_OR_URL is
    a saved document or an https:// address, fetched conditionally (docs/official.md).

    Each import adds a file of its records, dated by the moment they were read, and never
    replaces an earlier one. A malformed document changes nothing (exit 2); an address that
    cannot be fetched keeps the last good records (exit 1).
    """
    from advisory.errors import InputError, display_path
    from advisory.inputs.yamlfile import read_bounded
    from advisory.official import ca, uk_fcdo, us_state
    from advisory.official.fetch import FetchFailed, fetch, is_url
    from advisory.official.fetch import shown as without_password
    from advisory.official.store import last_import, write_import

    parsers = {"us-state": us_state.parse, "uk-fcdo": uk_fcdo.parse, "ca": ca.parse}
    chosen = cast("Source", source)  # one of click's choices
    config = config_of(ctx)
    moment = now()

    def keep(
        data: bytes, origin: str, etag: str | None = None, modified: str | None = None
    ) -> None:
        """Read a whole document and add its records; a malformed one raises, nothing kept."""
        parsed = parsers[source](data, origin)
        print_problems(parsed.notes)
        written = write_import(config.official, chosen, moment, origin, parsed.records,
                               etag=etag, last_modified=modified)  # fmt: skip
        click.echo(f"official: {len(parsed.records)} countries from {source} written to {written}")

    with failures():
        if not is_url(location):
            shown = display_path(Path(location))
            data, problems = read_bounded(Path(location), shown, OFFICIAL_BYTES)
            if data is None:
                raise InputError(problems)
            keep(data, shown)
            return
        origin = without_password(location)  # no password in the file
        last = last_import(config.official, source, origin)
        try:
            got = fetch(
                location, limit=OFFICIAL_BYTES, timeout=timeout,
                etag=last[1].etag if last else None,
                last_modified=last[1].last_modified if last else None,
            )  # fmt: skip
        except FetchFailed as e:
            kept = (
                f"the last good records stand: {display_path(last[0])} (fetched "
                f"{last[1].fetched:%Y-%m-%d %H:%M} UTC)"
                if last
                else "no earlier import of this address"
            )
            raise FetchFailed(f"{e.message}; {kept}") from None
        if got.data is None:
            if last is None:
                raise FetchFailed(f"{origin}: answered 304 to a request that was not conditional")
            previous = last[1]
            written = write_import(
                config.official, chosen, moment, origin, previous.records,
                etag=got.etag, last_modified=got.last_modified,
                carried=previous.carried or previous.fetched,
            )  # fmt: skip
            click.echo(
                f"official: {source} not modified since {previous.fetched:%Y-%m-%d %H:%M} UTC; "
                f"its {len(previous.records)} countries confirmed in {written}"
            )
            return
        keep(got.data, origin, got.etag, got.last_modified)


@import_.command()
@click.argument("path", metavar="FILE.ics", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--traveler", "traveler_id", required=True, metavar="ID",
              help="The roster's traveler whose itinerary it is.")  # fmt: skip
@click.option(
    "--stay-days",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="A journey that ends with a landing and no return: the days it is taken to last.",
)
@click.pass_context
def itinerary(ctx: click.Context, path: Path, traveler_id: str, stay_days: int) -> None:
    """Import a traveler's itinerary from an iCalendar file (.ics, as TripIt, Outlook and
    travel agencies export them) as trips.

    Flights are placed by their airport codes, hotels and meetings by their LOCATION (an
    address is read from its end) or GEO; consecutive events at one place are one stay, from
    24 hours before its first event to 24 hours after its last. The trips are written to their
    own file beside the roster (the `itineraries` setting, data/itineraries/), replacing that
    traveler's earlier import of the same file; every event that could not be placed is
    reported at its line (docs/delivery.md).
    """
    import yaml

    from advisory.errors import InputError, display_path
    from advisory.importers.itinerary import read
    from advisory.inputs.roster import destination_problem
    from advisory.inputs.rules import read_rules
    from advisory.inputs.yamlfile import read_bounded

    config = config_of(ctx)
    shown = display_path(path)
    with failures():
        inputs = load(config, roster=True)
        roster = inputs.roster
        known = sorted(t.id for t in roster.travelers) if roster else []
        if traveler_id not in known:
            from advisory.errors import not_one_of

            raise click.BadParameter(
                not_one_of(traveler_id, known, "a traveler of the roster"),
                param_hint="--traveler",
            )
        _, vocabulary, _ = read_rules(config.rules)

        def place_of(text: str) -> str | None:
            return None if destination_problem(text, vocabulary) else text

        data, problems = read_bounded(path, shown, ITINERARY_BYTES)
        if data is None:
            raise InputError(problems)
        from advisory.delivery.recipients import destinations

        regions = destinations(inputs.rules).regions
        trips, notes = read(data, shown, place_of, stay_days=stay_days, same=regions)
        print_problems(notes)
        folder = config.itineraries.parent
        if any(ch in str(folder) for ch in "*?["):
            raise click.UsageError(f"the itineraries setting {config.itineraries} names no folder")
        target = folder / f"{traveler_id}--{_stem(path)}.yaml"
        document = {
            "version": 1,
            "traveler": traveler_id,
            "source": shown,
            "trips": [t.model_dump(mode="json", exclude_none=True) for t in trips],
        }
        text = (
            f"# Imported by `advisory import itinerary` from {shown}: importing it again\n"
            "# replaces this file; the roster's own trips are in the roster.\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        )
        from advisory.publishing.atomic import write_bytes_atomic

        write_bytes_atomic(target, text.encode())
    click.echo(f"itinerary: {len(trips)} trips for {traveler_id} written to {display_path(target)}")


def _stem(path: Path) -> str:
    """The calendar file's name as a file-name part: `Trip to Peru.ics` -> `trip-to-peru`."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60] or "calendar"


#: The largest calendar file read: a year of a frequent traveler's bookings is under 1 MB.
ITINERARY_BYTES = 8 * 1024 * 1024


#: The largest official document read: the State Department's whole feed is about 2 MB,
#: GOV.UK's index about 1 MB, Canada's about 2 MB.
OFFICIAL_BYTES = 32 * 1024 * 1024
