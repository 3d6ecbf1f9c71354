"""What the incident log knows about: the periods (and countries) its files declare they cover.

A file's coverage is declared in a sidecar beside it, `NAME.coverage.yaml` for `NAME` (for
`incidents.csv`, `incidents.csv.coverage.yaml`): an import writes one for the file it writes,
analysts write their own log's. A week inside a covering period with no incident was quiet; a
week outside every one is **no data**: it has no level, and nothing is compared with it.

A file without a sidecar declares nothing, and is taken to cover every country at every date,
as the log always was: while any such file is in the log, every week has data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from advisory.errors import Problem, Severity, display_path
from advisory.inputs.yamlfile import load_yaml, validate_model
from advisory.models import CoverageFile, CoveredPeriod, Rules

if TYPE_CHECKING:
    from advisory.inputs.incidents import IncidentLog

SIDECAR_SUFFIX = ".coverage.yaml"


def sidecar_of(path: Path) -> Path:
    """`data/incidents.csv` -> `data/incidents.csv.coverage.yaml`."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIX)


@dataclass(frozen=True, slots=True)
class Span:
    """A covered period: its days (`end` None: open) and countries (by `country_key`; None:
    every country)."""

    start: dt.date
    end: dt.date | None
    countries: frozenset[str] | None

    def covers(self, key: str, first: dt.date, last: dt.date) -> bool:
        """Whether any day from `first` to `last` is covered for the country `key`."""
        if self.countries is not None and key not in self.countries:
            return False
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass(frozen=True)
class Coverage:
    """The log's coverage: the spans of every file that declares one; `complete` when some file
    declares none (then every week of every country has data)."""

    spans: tuple[Span, ...] = ()
    complete: bool = True
    #: Each sidecar's own spans, by the incident file it describes (as shown).
    by_file: dict[str, tuple[Span, ...]] = field(default_factory=dict, compare=False)
    #: The day each feed's export was taken (the newest of its files), where recorded.
    exported: dict[str, dt.date] = field(default_factory=dict, compare=False)

    def covers(self, key: str, first: dt.date, last: dt.date) -> bool:
        """Whether the log covers any day from `first` to `last` in the country `key`."""
        return self.complete or any(s.covers(key, first, last) for s in self.spans)

    def begins(self, key: str) -> dt.date | None:
        """The first day covered in the country `key`; None when coverage is complete or the
        country is not covered at all."""
        if self.complete:
            return None
        starts = [s.start for s in self.spans if s.countries is None or key in s.countries]
        return min(starts, default=None)

    def weeks(self, keys: Sequence[str], period_ends: Sequence[dt.date]) -> list[list[bool]]:
        """For each country key, whether each week (ending on the day of `period_ends`) has
        data: a row per key, a column per week. A week partly covered has data."""
        if self.complete:
            return [[True] * len(period_ends) for _ in keys]
        found: dict[str, list[bool]] = {}
        for key in dict.fromkeys(keys):
            found[key] = [self.covers(key, end - dt.timedelta(days=6), end) for end in period_ends]
        return [found[key] for key in keys]


def read_coverage(paths: Sequence[Path], rules: Rules | None) -> tuple[Coverage, list[Problem]]:
    """The coverage that the sidecars of the incident files `paths` declare.

    Countries are checked against the world and the region files (with `rules`); an error in a
    sidecar is located in it.
    """
    from advisory.places.world import country_key, unknown_countries

    spans: list[Span] = []
    problems: list[Problem] = []
    by_file: dict[str, tuple[Span, ...]] = {}
    exported: dict[str, dt.date] = {}
    complete = not paths
    for path in paths:
        sidecar = sidecar_of(path)
        if not sidecar.is_file():
            complete = True
            continue
        doc, load_problems = load_yaml(sidecar)
        problems += load_problems
        if doc is None:
            continue
        declared, model_problems = validate_model(doc, CoverageFile)
        problems += model_problems
        if declared is None:
            continue
        if declared.feed and declared.exported:
            exported[declared.feed] = max(
                declared.exported, exported.get(declared.feed, dt.date.min)
            )
        own = []
        for i, period in enumerate(declared.periods):
            keys = None
            if period.countries is not None:
                unknown = unknown_countries(list(period.countries), rules) if rules else {}
                for j, name in enumerate(period.countries):
                    if name in unknown:
                        problems.append(doc.problem(("periods", i, "countries", j), unknown[name]))
                keys = frozenset(country_key(name) for name in period.countries)
            own.append(Span(period.start, period.end, keys))
        by_file[display_path(path)] = tuple(own)
        spans += own
    return Coverage(tuple(spans), complete, by_file, exported), problems


def outside_warnings(log: IncidentLog, coverage: Coverage) -> list[Problem]:
    """A warning for each file with incidents dated outside the periods its own sidecar
    declares (at the first such row, with their count): the sidecar is out of date."""
    from advisory.places.world import country_key

    problems: list[Problem] = []
    for shown, own in coverage.by_file.items():
        rows = (
            log.frame.select("date", "country", "source_row", "source_file")
            .filter(pl.col("source_file") == shown)
            .drop("source_file")
        )
        names = rows.get_column("country").unique().to_list()
        keys = {name: country_key(name) for name in names}
        key = pl.col("country").replace_strict(keys, return_dtype=pl.String)
        inside = [
            (pl.col("date") >= s.start)
            & (pl.lit(True) if s.end is None else pl.col("date") <= s.end)
            & (pl.lit(True) if s.countries is None else key.is_in(sorted(s.countries)))
            for s in own
        ]
        outside = rows.filter(~pl.any_horizontal(inside)).sort("source_row")
        if not outside.height:
            continue
        day, _, row = outside.row(0)
        more = f" ({outside.height} rows in all)" if outside.height > 1 else ""
        problems.append(
            Problem(
                log.locate(shown, row, "date"),
                "date",
                f"{day} lies outside the coverage that {shown}{SIDECAR_SUFFIX} declares{more}: "
                "add the period there",
                Severity.WARNING,
            )
        )
    return problems


def merged(periods: Iterable[CoveredPeriod]) -> list[CoveredPeriod]:
    """Periods with the same countries that overlap or touch, joined into one; sorted."""
    by_countries: dict[tuple[str, ...] | None, list[CoveredPeriod]] = {}
    for p in periods:
        key = tuple(sorted(p.countries)) if p.countries is not None else None
        by_countries.setdefault(key, []).append(p)
    out: list[CoveredPeriod] = []
    for key, group in by_countries.items():
        group.sort(key=lambda p: p.start)
        current = group[0]
        for p in group[1:]:
            reaches = current.end is None or p.start <= current.end + dt.timedelta(days=1)
            if reaches:
                end = None if current.end is None or p.end is None else max(current.end, p.end)
                current = CoveredPeriod(start=current.start, end=end, countries=key and list(key))
            else:
                out.append(current)
                current = p
        out.append(current)
    return sorted(out, key=lambda p: (p.start, p.countries or []))
