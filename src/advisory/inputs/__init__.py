"""Everything a run reads, loaded and cross-checked at once, so that all problems show together.

The readers are imported where they are used, not here: a command that reads one small file
(`advisory import official`, through `advisory.inputs.yamlfile`) does not load polars and the
incident checks with this package.
"""

from __future__ import annotations

import dataclasses
import glob
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisory.errors import InputError, Location, Problem, display_path

if TYPE_CHECKING:
    import polars as pl

    from advisory.config import Config
    from advisory.inputs.incidents import IncidentLog
    from advisory.inputs.overrides import Entry
    from advisory.models import Roster, Rules
    from advisory.official.advice import OfficialAdvice

DEFAULT_RULES = "rules"
DEFAULT_INCIDENTS = ("data/*.csv",)
DEFAULT_ROSTER = "data/travelers.yaml"


@dataclass(frozen=True)
class Inputs:
    """The checked inputs of a run, and where each incident belongs."""

    rules: Rules
    incidents: IncidentLog
    roster: Roster | None
    #: Pairs (`pos`, `region`): an incident's position in `incidents.frame` and its region.
    placements: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    #: Analysts' changes to alerts (rules/overrides.yaml), applied as each week is composed.
    overrides: list[Entry] = field(default_factory=list)
    #: The governments' advice (`advisory import official`) and how it is used; None: not read.
    official: OfficialAdvice | None = None


def resolve_incident_paths(patterns: Sequence[str], base: Path) -> tuple[list[Path], list[Problem]]:
    """Expand file names and glob patterns (relative to `base`) in order, without repeats."""
    from advisory.inputs.coverage import is_sidecar

    paths: list[Path] = []
    problems: list[Problem] = []
    for pattern in patterns:
        full = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        if glob.has_magic(pattern):
            matches = glob.glob(str(full))  # noqa: PTH207 - absolute patterns
            found = sorted(Path(p) for p in matches if not is_sidecar(Path(p)))
            if not found:
                problems.append(
                    Problem(Location(display_path(full)), "", "no incident file matches")
                )
        else:
            found = [full]
        paths += [p for p in found if p not in paths]
    return paths, problems


def load_inputs(
    rules_dir: Path,
    incident_patterns: Sequence[str],
    roster_path: Path | None,
    base: Path | None = None,
    itineraries: Path | None = None,
    *,
    text: bool = True,
) -> Inputs:
    """Load rules, incidents and roster. Raises `InputError` with every problem of all of them.

    Without `text`, the incidents' free text is checked but not kept (`IncidentLog.text`): a
    command that only rates needs none of it."""
    from advisory.inputs.incidents import check_files, read_files, unmatched_warnings

    base = base or Path.cwd()
    paths, path_problems = resolve_incident_paths(incident_patterns, base)
    # The incident files are read in a thread while the rest is imported and the rules are
    # parsed: the CSV engine releases the interpreter lock, YAML parsing does not.
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(read_files, paths, text=text)
        import polars as pl

        from advisory.inputs.coverage import outside_warnings, read_coverage
        from advisory.inputs.overrides import read_overrides
        from advisory.inputs.regions import assign_regions
        from advisory.inputs.roster import add_itineraries, read_roster
        from advisory.inputs.rules import read_rules
        from advisory.timing import stage

        with stage("read rules"):
            rules, vocabulary, problems = read_rules(rules_dir)
        with stage("read incident files"):
            files = reading.result()
    problems += path_problems
    with stage("check incidents"):
        log, incident_problems = check_files(files, vocabulary.categories, vocabulary.planned)
    problems += incident_problems
    roster = None
    if roster_path is not None:
        with stage("read roster"):
            roster, roster_problems = read_roster(roster_path, vocabulary)
            if roster is not None and itineraries is not None:
                roster, itinerary_problems = add_itineraries(itineraries, roster, vocabulary)
                roster_problems += itinerary_problems
        problems += roster_problems
    coverage, coverage_problems = read_coverage(paths, rules)
    problems += coverage_problems
    log = dataclasses.replace(log, coverage=coverage)
    if rules is None:
        raise InputError(problems)
    problems += outside_warnings(log, coverage)
    from advisory.places.nearmiss import place_warnings
    from advisory.places.repair import repaired_places
    from advisory.places.world import cover_world

    with stage("match regions"):
        log, repairs = repaired_places(log, rules)
        problems += repairs
        country_problems, not_countries = _country_problems(log, rules)
        problems += country_problems
        rules = cover_world(rules, log.frame)
        placements = assign_regions(log.frame, rules)
        unmatched = (
            pl.DataFrame({"pos": pl.int_range(len(log), dtype=pl.Int64, eager=True)})
            .join(placements, on="pos", how="anti")
            .get_column("pos")
        )
        if not_countries:  # an incident in no country is an error already
            countries = log.frame.get_column("country").gather(unmatched)
            unmatched = unmatched.filter(~countries.is_in(not_countries))
        problems += unmatched_warnings(log, unmatched)
        problems += place_warnings(log, rules, placements)
    overrides, override_problems = read_overrides(rules_dir, list(rules.countries))
    problems += override_problems
    if any(p.is_error for p in problems):
        raise InputError(problems)
    return Inputs(rules, log, roster, placements, problems, overrides)


def _country_problems(log: IncidentLog, rules: Rules) -> tuple[list[Problem], list[str]]:
    """An error for each country in the log that is no country (at its first row), and those
    names."""
    import polars as pl

    from advisory.places.world import unknown_countries

    names = log.frame.get_column("country").drop_nulls().unique().sort().to_list()
    unknown = unknown_countries(names, rules)
    if not unknown:
        return [], []
    rows = (
        log.frame.select("country", "source_file", "source_row")
        .filter(pl.col("country").is_in(list(unknown)))
        .group_by("country", maintain_order=True)
        .agg(pl.first("source_file"), pl.first("source_row"), pl.len().alias("rows"))
        .sort("source_file", "source_row")
    )
    problems = []
    for country, file, row, count in rows.iter_rows():
        more = f" ({count} rows)" if count > 1 else ""
        where = log.locate(file, row, "country")
        problems.append(Problem(where, "country", unknown[country] + more))
    return problems, list(unknown)


def load_configured(config: Config, *, roster: bool = False, text: bool = True) -> Inputs:
    """The inputs the settings name (the roster only when asked; the incidents' free text
    unless `text` is false). Raises `InputError`."""
    inputs = load_inputs(
        config.rules, config.incidents, config.roster if roster else None,
        itineraries=config.itineraries, text=text,
    )  # fmt: skip
    from advisory.official.advice import OfficialAdvice

    settings = config.settings
    official = OfficialAdvice(
        config.official, settings.official_stale_days, settings.official_floor
    )
    return dataclasses.replace(inputs, official=official)
