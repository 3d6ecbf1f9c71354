"""`advisory import csv`: an analyst's own spreadsheet export, its columns named by `--map`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import Field

from advisory.errors import InputError, Location, Problem
from advisory.importers.common import (
    Mapping,
    Summary,
    date_format,
    finish,
    parsed_dates,
    read_table,
)
from advisory.inputs.incidents import COLUMNS
from advisory.models import Rules


class ColumnMapping(Mapping):
    """`--map FILE` for `advisory import csv`: which column holds which field."""

    version: int = 1
    columns: dict[str, str] = Field(description="Incident field -> column of the spreadsheet.")
    date_format: str | None = Field(default=None, description="strptime format; empty: detect.")
    categories: dict[str, str] = Field(
        default_factory=dict, description="Spreadsheet value -> category; empty: used as is."
    )
    merge_distance_km: float = Field(default=5.0, ge=0)

    def targets(self) -> Iterable[tuple[tuple[str | int, ...], str | None]]:
        return ((("categories", k), v) for k, v in self.categories.items())


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
) -> Summary:
    """An analyst's spreadsheet, its columns named by the mapping; rows that cannot become
    incidents are rejected (see `common.finish`)."""
    summary = Summary()
    table = read_table(path, summary)
    missing = [f"{name} ({column})" for name, column in mapping.columns.items()
               if column not in table.header]  # fmt: skip
    unknown = [name for name in mapping.columns if name not in COLUMNS]
    if unknown or missing:
        problems = (
            [
                Problem(
                    Location(table.path, 1),
                    "",
                    f"mapping names unknown fields: {', '.join(unknown)}",
                )
            ]
            if unknown
            else []
        )
        if missing:
            problems.append(
                Problem(Location(table.path, 1), "", f"columns missing: {', '.join(missing)}")
            )
        raise InputError(problems)
    fmt = date_format(table, mapping.columns["date"], mapping.date_format)
    days = parsed_dates(table, mapping.columns["date"], fmt)
    records = []
    at = {name: table.column(column) for name, column in mapping.columns.items()}
    for (line, values), day in zip(table.rows, days, strict=True):
        if day is None:
            summary.reject(line, f"empty {mapping.columns['date']}", values)
            continue
        record = {name: values[i].strip() for name, i in at.items()}
        record["date"] = day.isoformat()
        value = record.get("category", "")
        record["category"] = mapping.categories.get(value, value)
        record["_line"] = str(line)
        records.append(record)
    return finish(
        records, table, rules, existing, target, mapping.merge_distance_km, append, summary,
        columns=mapping.columns, rejects=rejects, strict=strict,
    )  # fmt: skip
