"""`advisory import csv`: an analyst's spreadsheet or a research dataset, its columns named by
`--map`: which column holds which field, a date in one column or over year, month and day,
fixed and default values, and maps from the file's values to the log's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from advisory.errors import InputError, Location, Problem, not_one_of
from advisory.importers.common import (
    Mapping,
    Summary,
    Table,
    date_format,
    finish,
    parsed_dates,
    read_table,
)
from advisory.inputs.incidents import CHOICES, COLUMNS, YES_NO
from advisory.inputs.yamlfile import YamlDocument
from advisory.models import ACTOR_KINDS, Rules, RuleSet, UserModel
from advisory.writing.prose import NO_PLACE, capitalized, counted, with_article

Precision = Literal["day", "week", "month", "year"]


def _as_text(value: object) -> object:
    """A value as the log writes it: YAML reads `yes` and `no` as true and false, and numbers
    as numbers."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return value


#: A value the mapping gives for a field.
Value = Annotated[str, BeforeValidator(_as_text)]


class DateColumns(UserModel):
    """A date over several columns, as research datasets give it. A month or a day that is
    empty or 0 makes the date coarser, and the incident says so (`date_precision`)."""

    year: str = Field(description="Column of the year.")
    month: str | None = Field(default=None, description="Column of the month, 1 to 12.")
    day: str | None = Field(default=None, description="Column of the day of the month.")


class ColumnMapping(Mapping):
    """`--map FILE` for `advisory import csv`."""

    version: int = 1
    columns: dict[str, str] = Field(description="Incident field -> column of the file.")
    date_columns: DateColumns | None = Field(
        default=None, description="Instead of columns.date: the date over several columns."
    )
    date_format: str | None = Field(default=None, description="strptime format; empty: detect.")
    date_precision: Precision = Field(
        default="day",
        description="What the dates of columns.date give: a format without a day (%Y-%m) is "
        "refused unless this says month (or year).",
    )
    constants: dict[str, Value] = Field(
        default_factory=dict, description="Incident field -> the value every row gets."
    )
    defaults: dict[str, Value] = Field(
        default_factory=dict, description="Incident field -> the value where its column is empty."
    )
    values: dict[str, dict[Value, Value]] = Field(
        default_factory=dict,
        description="Incident field -> {value in the file: value in the log}; a value the map "
        "lacks rejects the row, naming the entry to add.",
    )
    categories: dict[str, str] = Field(
        default_factory=dict, description="The same as values.category (older maps)."
    )
    optional: list[str] = Field(
        default_factory=list,
        description="Incident fields whose column an extract may leave out: the field is then "
        "empty (a toll not known, a summary composed from the other fields).",
    )
    merge_distance_km: float = Field(default=5.0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> ColumnMapping:
        named = [*self.columns, *self.constants, *self.defaults, *self.values, *self.optional]
        unknown = sorted({name for name in named if name not in COLUMNS})
        if unknown:
            raise ValueError(f"unknown incident fields: {', '.join(unknown)}")
        if ("date" in self.columns) == (self.date_columns is not None):
            raise ValueError("give the date once: columns.date, or date_columns")
        required = sorted(set(self.optional) & {"id", "date", "country", "category"})
        if required:
            raise ValueError(f"{', '.join(required)} cannot be optional: no incident without it")
        unmapped = sorted(set(self.optional) - set(self.columns))
        if unmapped:
            raise ValueError(f"optional fields that no column maps: {', '.join(unmapped)}")
        fmt = self.date_format
        if fmt and "%d" not in fmt and "%j" not in fmt and self.date_precision == "day":
            raise ValueError(
                f"date_format {fmt!r} gives no day: every event would fall on the 1st. "
                "Say what the dates give with date_precision: month (or year)"
            )
        return self

    def value_map(self, field: str) -> dict[str, str] | None:
        if field == "category" and self.categories:
            return {**self.categories, **self.values.get("category", {})}
        return self.values.get(field)

    def targets(self) -> Iterable[tuple[tuple[str | int, ...], str | None]]:
        yield from ((("categories", k), v) for k, v in self.categories.items())
        for k, v in self.values.get("category", {}).items():
            yield ("values", "category", k), v

    def check(self, doc: YamlDocument) -> list[Problem]:
        """The values given for fields of fixed words (kinds, precisions, yes or no) are among
        those words, so that a typo is an error here and not a rejected row per event."""
        problems = []
        words = {name: (noun, list(choices)) for name, (noun, choices) in CHOICES.items()}
        words["civilian_targeting"] = ("yes or no", list(YES_NO))
        for part in ("constants", "defaults"):
            given: dict[str, str] = getattr(self, part)
            for name, value in given.items():
                if name in words and value and _word(name, value) not in words[name][1]:
                    noun, choices = words[name]
                    message = not_one_of(value, choices, noun)
                    problems.append(doc.problem((part, name), message))
        for name, table_map in self.values.items():
            if name not in words:
                continue
            noun, choices = words[name]
            for key, value in table_map.items():
                if value and _word(name, value) not in choices:
                    message = not_one_of(value, choices, noun)
                    problems.append(doc.problem(("values", name, key), message))
        return problems


#: The place fields, where a feed may write a placeholder (`NO_PLACE`) for a place it does not know.
PLACES = ("admin1", "admin2", "location")


def composed_summary(record: dict[str, str], ruleset: RuleSet) -> str:
    """A summary for a row that has none (GTD's before 1998): `An explosive attack with
    explosives against police in Usulután, El Salvador.` from its category, weapon, target and
    place, as the log's fields give them."""
    category = record.get("category", "")
    what = (
        with_article(ruleset.label(category)) if category in ruleset.categories else "an incident"
    )
    weapon = record.get("weapon", "")
    kind = record.get("target_kind", "")
    target = record.get("target") or (ACTOR_KINDS[kind][1] if kind in ACTOR_KINDS else "")
    country = record["country"]
    names = [record.get("location"), record.get("admin1")]
    place = ", ".join(dict.fromkeys(name for name in names if name and name != country))
    where = f"in {place}, {country}" if place else f"in an unknown place in {country}"
    text = what + (f" with {weapon.lower()}" if weapon else "")
    text += f" against {target}" if target and kind != "unknown" else ""
    return capitalized(f"{text} {where}.")


def _word(field: str, value: str) -> str:
    """A value of a field of fixed words as the log compares it (yes or no in any case)."""
    return value.lower() if field == "civilian_targeting" else value


def import_mapped(
    path: Path,
    rules: Rules,
    mapping: ColumnMapping,
    existing: Sequence[Path],
    target: Path,
    *,
    append: bool = False,
    rejects: Path | None = None,
    strict: bool = False,
    covers: tuple[dt.date | None, dt.date | None] = (None, None),
    exported: dt.date | None = None,
) -> Summary:
    """A file whose columns the mapping names; rows that cannot become incidents are rejected
    (see `common.finish`)."""
    summary = Summary()
    table = read_table(path, summary)
    wanted = {**mapping.columns}
    if mapping.date_columns is not None:
        dates = mapping.date_columns
        wanted |= {f"date ({part})": column for part, column in dates if column is not None}
    absent = {name for name, column in mapping.columns.items()
              if column not in table.header and name in mapping.optional}  # fmt: skip
    missing = [f"{name} ({column})" for name, column in wanted.items()
               if column not in table.header and name not in absent]  # fmt: skip
    if absent:
        summary.notes.append(f"columns left out, their fields empty: {', '.join(sorted(absent))}")
    if missing:
        problem = Problem(Location(table.path, 1), "", f"columns missing: {', '.join(missing)}")
        raise InputError([problem])
    days, precision = _dates(table, mapping, summary)
    at = {name: table.column(column) for name, column in mapping.columns.items()
          if name not in absent}  # fmt: skip
    tolls = "fatalities" in mapping.columns
    composed = 0
    maps = {name: mapping.value_map(name) for name in COLUMNS}
    records = []
    for (line, values), day in zip(table.rows, days, strict=True):
        if day is None:
            continue
        record = {name: values[i].strip() for name, i in at.items()}
        for name in PLACES:  # a feed's placeholder ("Unknown") is no place
            if record.get(name, "").casefold() in NO_PLACE:
                record[name] = ""
        if tolls and not record.get("fatalities"):  # a toll the source left empty: not known
            record["fatalities_certainty"] = "unknown"
        record |= {k: v for k, v in mapping.defaults.items() if not record.get(k)}
        record |= mapping.constants
        unmapped = [
            (name, record[name]) for name, table_map in maps.items()
            if table_map is not None and record.get(name) and record[name] not in table_map
        ]  # fmt: skip
        if unmapped:
            name, value = unmapped[0]
            column = mapping.columns.get(name, name)
            summary.reject(
                line, f"{column} {value!r} is not in the map (add it under values: {name}:)",
                values,
            )  # fmt: skip
            continue
        for name, table_map in maps.items():
            if table_map is not None and record.get(name):
                record[name] = table_map[record[name]]
        record["date"] = day.isoformat()
        record["date_precision"] = precision.get(line, "") if precision else ""
        if not record.get("summary"):
            record["summary"] = composed_summary(record, rules.ruleset)
            composed += 1
        record["_line"] = str(line)
        records.append(record)
    if composed:
        summary.notes.append(
            f"summaries composed from the other fields: {counted(composed, 'row')}"
        )
    columns = {**mapping.columns}
    if mapping.date_columns is not None:
        columns["date"] = mapping.date_columns.year
    return finish(
        records, table, rules, existing, target, mapping.merge_distance_km, append, summary,
        columns=columns, rejects=rejects, strict=strict, covers=covers, exported=exported,
    )  # fmt: skip


def _dates(
    table: Table, mapping: ColumnMapping, summary: Summary
) -> tuple[list[dt.date | None], dict[int, str]]:
    """Each row's date (None for a rejected row), and the precision of those coarser than a
    day, by line."""
    if mapping.date_columns is None:
        column = mapping.columns["date"]
        fmt = date_format(table, column, mapping.date_format)
        days = parsed_dates(table, column, fmt)
        for (line, values), day in zip(table.rows, days, strict=True):
            if day is None:
                summary.reject(line, f"empty {column}", values)
        coarse = mapping.date_precision if mapping.date_precision != "day" else ""
        return days, {line: coarse for line, _ in table.rows} if coarse else {}
    parts = mapping.date_columns
    found: list[dt.date | None] = []
    precision: dict[int, str] = {}
    for line, values in table.rows:
        day, kind, problem = date_of(table, values, parts)
        if problem:
            summary.reject(line, problem, values)
        elif kind != "day":
            precision[line] = kind
        found.append(day)
    return found, precision


def date_of(
    table: Table, values: Sequence[str], parts: DateColumns
) -> tuple[dt.date | None, Precision, str]:
    """A date from year, month and day columns: (date, precision, problem). An empty or 0 month
    gives the year (1 January, precision "year"); an empty or 0 day, the month."""

    def number(column: str | None) -> int | None:
        if column is None:
            return 0
        text = values[table.column(column)].strip()
        if not text:
            return 0
        return int(text) if text.isdigit() and len(text) <= 4 else None

    year, month, day = number(parts.year), number(parts.month), number(parts.day)
    for column, value in ((parts.year, year), (parts.month, month), (parts.day, day)):
        if value is None and column is not None:
            shown = values[table.column(column)].strip()
            return None, "day", f"{column}: {shown!r} is not a whole number"
    assert year is not None and month is not None and day is not None
    if not year:
        return None, "day", f"empty {parts.year}"
    kind: Precision = "day" if month and day else "month" if month else "year"
    try:
        return dt.date(year, month or 1, day or 1), kind, ""
    except ValueError as e:
        return None, "day", f"{parts.year}/{parts.month}/{parts.day}: no such date ({e})"
