"""`rules/overrides.yaml`: analysts' changes to alerts, by region and ISO week.

An entry replaces an alert's summary line or its Event, adds Event paragraphs or advice, or
suppresses the alert, with the analyst's name and the reason. Entries are read with the rules on
every run, so a re-run of a week keeps them; `apply` changes the composed week and says what it
changed, for the manifest and `--explain`.

Checks, each a located error: the file's fields (the model), an unknown region, an ISO week that
does not exist, one region and week given twice, `suppress` with changes beside it (at load);
and a week in which the region has no alert (`week_problems`, once the week is composed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisory.calendar import parse_week
from advisory.errors import Location, Problem, not_one_of
from advisory.inputs.yamlfile import field_name, load_yaml, present, validate_model
from advisory.models import Override, OverridesFile

OVERRIDES_FILE = "overrides.yaml"


@dataclass(frozen=True)
class Entry:
    """An override and where it stands in its file."""

    override: Override
    where: Location  # the entry's `week`
    field: str  # `overrides[0].week`

    @property
    def key(self) -> tuple[str, str]:
        return self.override.region, self.override.week


@dataclass(frozen=True)
class Applied:
    """An override applied to a week, as the manifest and `--explain` list it."""

    region: str
    week: str
    analyst: str
    reason: str
    changes: tuple[str, ...]

    def line(self) -> str:
        """`pe-vraem 2018-W25: summary replaced; by A. Analyst (source confirmed the toll)`."""
        return (
            f"{self.region} {self.week}: {'; '.join(self.changes)}; by {self.analyst} "
            f"({self.reason})"
        )

    def as_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def changes(override: Override) -> tuple[str, ...]:
    """What an entry changes, in words: `summary replaced`, `two Event paragraphs added`."""
    if override.suppress:
        return ("alert suppressed",)
    from advisory.writing.prose import spelled  # (its plurals load slowly: only when needed)

    found = []
    if override.summary is not None:
        found.append("summary replaced")
    if override.event is not None:
        found.append("Event replaced")
    if override.add_event:
        found.append(f"{spelled(len(override.add_event), 'Event paragraph')} added")
    if override.add_advice:
        found.append(f"{spelled(len(override.add_advice), 'piece')} of advice added")
    return tuple(found)


def read_overrides(folder: Path, region_ids: Sequence[str]) -> tuple[list[Entry], list[Problem]]:
    """The entries of `folder/overrides.yaml` (none without the file), checked against the
    regions there are."""
    path = folder / OVERRIDES_FILE
    if not present(path):
        return [], []
    doc, problems = load_yaml(path)
    if doc is None:
        return [], problems
    model, model_problems = validate_model(doc, OverridesFile)
    problems += model_problems
    if model is None:
        return [], problems
    entries: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    known = sorted(region_ids)
    for n, override in enumerate(model.overrides):
        region, week, suppress = (("overrides", n, name) for name in ("region", "week", "suppress"))
        if override.region not in region_ids:
            problems.append(
                doc.problem(
                    region, not_one_of(override.region, known, "a region", show_choices=False)
                )
            )
        try:
            parse_week(override.week)
        except ValueError as e:
            year = int(override.week[:4])
            weeks = dt.date(year, 12, 28).isocalendar().week if year >= 1 else 0
            message = (
                f"{override.week!r} is not a week: {year} has {weeks} ISO weeks"
                if "week" in str(e).lower() and weeks
                else str(e)
            )
            problems.append(doc.problem(week, message))
        key = (override.region, override.week)
        if key in seen:
            message = f"{override.region} {override.week} is given twice (entry {seen[key] + 1})"
            problems.append(doc.problem(week, message))
        seen.setdefault(key, n)
        if override.suppress and changes(override.model_copy(update={"suppress": False})):
            message = "a suppressed alert cannot also be changed: remove one or the other"
            problems.append(doc.problem(suppress, message))
        entries.append(Entry(override, doc.locate(week), field_name(week)))
    return entries, problems


def of_week(entries: Sequence[Entry], label: str) -> list[Entry]:
    return [e for e in entries if e.override.week == label]


def week_problems(entries: Sequence[Entry], label: str, alerted: set[str]) -> list[Problem]:
    """Entries of week `label` whose region has no alert that week."""
    return [
        Problem(e.where, e.field,
                f"{e.override.region} has no alert in {label}: it had no incident that week")
        for e in of_week(entries, label)
        if e.override.region not in alerted
    ]  # fmt: skip
