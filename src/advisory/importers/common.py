"""What both importers share: reading a CSV file as a table, deciding its date format, checking
the rows as the incident log is checked, merging events already logged, and the summary.

Files are read with Python's csv module (quoted fields with line breaks and commas, CRLF or LF,
a UTF-8 byte-order mark). The date format is decided per file, from the whole column: a column
whose format is ambiguous or mixed is an error naming the first line that shows it.

A feed is never refused over a few rows: a row that cannot become an incident (a truncated
line, an empty or repeated id, a field the log would refuse, an unmapped category) is
*rejected*, with its line, the file's own column and the reason, and the rest is imported.
Rejected rows are never half-filled; with `rejects`, they are written out as they were read,
with a reason column, to be fixed and imported again. `strict` makes any rejection refuse the
whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, TypeVar

import polars as pl
import yaml

from advisory.errors import InputError, Location, Problem, display_path, not_one_of
from advisory.inputs.coverage import merged, sidecar_of
from advisory.inputs.incidents import COLUMNS, LIST_SEPARATOR, read_incidents, split_list
from advisory.inputs.regions import assign_regions, normalize_expr
from advisory.inputs.yamlfile import YamlDocument, load_yaml, read_text, validate_model
from advisory.models import CoverageFile, CoveredPeriod, Rules, UserModel
from advisory.publishing.atomic import write_bytes_atomic, write_text_atomic
from advisory.writing.prose import counted


class Mapping(UserModel):
    """A mapping file: its categories are checked against the rule set's."""

    def targets(self) -> Iterable[tuple[tuple[str | int, ...], str | None]]:
        """(where in the file, category) for each category the mapping names."""
        raise NotImplementedError

    def check(self, doc: YamlDocument) -> list[Problem]:
        """Problems of the mapping beyond its categories (none by default)."""
        return []


M = TypeVar("M", bound=Mapping)


DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%b-%y")


@dataclass(frozen=True)
class Rejection:
    """A row that could not become an incident: where, why, and the row as it was read."""

    line: int
    reason: str
    values: tuple[str, ...] = ()


#: Lines listed for each reason in the summary; the rejects file has them all.
SHOWN_LINES = 5


@dataclass
class Summary:
    read: int = 0
    imported: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    unplaced: Counter[tuple[str, str]] = field(default_factory=Counter)
    unread: Counter[str] = field(default_factory=Counter)  # values read as empty, and why
    merged: list[str] = field(default_factory=list)
    in_log: int = 0  # events that are incidents the log already has
    first: dt.date | None = None
    last: dt.date | None = None
    written: Path | None = None
    coverage: Path | None = None  # the coverage sidecar written beside it
    notes: list[str] = field(default_factory=list)  # what the import did that the user should know

    def reject(self, line: int, reason: str, values: Sequence[str] = ()) -> None:
        self.rejected.append(Rejection(line, reason, tuple(values)))

    @property
    def all_rejected(self) -> bool:
        """Rows were rejected and none imported (rows already in the log do not count)."""
        return bool(self.rejected) and self.imported == 0 and not self.duplicates

    @property
    def duplicates(self) -> int:
        return self.skipped.get("already imported (same id)", 0) + self.in_log

    def lines(self) -> list[str]:
        out = [f"rows read: {self.read}", f"imported: {self.imported}"]
        if self.rejected:
            out.append(f"rejected: {len(self.rejected)}")
        by_reason: dict[str, list[int]] = {}
        for rejection in self.rejected:
            by_reason.setdefault(_reason_kind(rejection.reason), []).append(rejection.line)
        for reason, at in sorted(by_reason.items()):
            shown = ", ".join(str(n) for n in sorted(at)[:SHOWN_LINES])
            more = f" and {len(at) - SHOWN_LINES} more" if len(at) > SHOWN_LINES else ""
            noun = "line" if len(at) == 1 else "lines"
            out.append(f"rejected, {reason}: {len(at)} ({noun} {shown}{more})")
        out += [f"skipped, {reason}: {count}" for reason, count in sorted(self.skipped.items())]
        out += [
            f"read as empty, {what}: {counted(count, 'row')}"
            for what, count in sorted(self.unread.items())
        ]
        out += [
            f"matching no region, {country} / {admin1}: {count}"
            for (country, admin1), count in sorted(self.unplaced.items())
        ]
        out += [f"merged: {line}" for line in self.merged]
        out += self.notes
        if self.first and self.last:
            out.append(f"dates: {self.first} to {self.last}")
        if self.written:
            out.append(f"written: {self.written}")
        if self.coverage:
            out.append(f"coverage: {self.coverage}")
        return out


def _reason_kind(reason: str) -> str:
    """A reason without what differs from row to row: the value quoted in it, the first line."""
    return re.sub(r" \(first on line \d+\)", "", re.sub(r"'[^']*'", "…", reason))


@dataclass
class Table:
    path: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line where the row starts, values in header order)

    def column(self, name: str) -> int:
        return self.header.index(name)


#: Exports over this size are refused: split them (an ACLED year of the world is about 60 MB).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def read_table(path: Path, summary: Summary) -> Table:
    """A CSV export: UTF-8 (a byte-order mark allowed), or UTF-16 or UTF-32 with one; lines
    ended by line feeds, both, or carriage returns alone."""
    shown = display_path(path)
    text, problems = read_text(path, shown, MAX_IMPORT_BYTES)
    if text is None:
        raise InputError(problems)
    if "\n" not in text:
        text = text.replace("\r", "\n")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        rows: list[tuple[int, list[str]]] = []
        width = len(header)
        last_line = text.rstrip("\r\n").count("\n") + 1
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if len(values) == width and values[0].strip():  # the common case, quickly
                summary.read += 1
                rows.append((start, values))
                continue
            if not any(v.strip() for v in values):
                continue
            summary.read += 1
            if len(values) != len(header):
                reason = (
                    "truncated line (the file ends inside it)"
                    if reader.line_num == last_line and len(values) < len(header)
                    else f"{len(values)} fields where the header has {len(header)}"
                )
                summary.reject(start, reason, values)
                continue
            rows.append((start, values))
    except csv.Error as e:  # an unterminated quote, or a field past the reader's limit
        summary.read += 1
        summary.reject(line + 1, csv_trouble(e))
    return Table(shown, header, rows)


def date_format(table: Table, column: str, given: str | None = None) -> str:
    """The one format the whole column is written in, else an error naming the first line that
    is ambiguous or breaks it."""
    at = table.column(column)
    values = [(line, row[at].strip()) for line, row in table.rows if row[at].strip()]
    candidates = [given] if given else list(DATE_FORMATS)
    if not values:  # no date to tell by (every row rejected, or none given): any will do
        return candidates[0]
    text = pl.Series([v for _, v in values], dtype=pl.String)
    first_failure: dict[str, int | None] = {}
    for fmt in candidates:
        failed = _dates(text, fmt).is_null().arg_true()
        first_failure[fmt] = values[failed[0]][0] if len(failed) else None
    fitting = [fmt for fmt, failed in first_failure.items() if failed is None]
    if len(fitting) == 1:
        return fitting[0]
    if not fitting:
        worst = max(first_failure.values(), key=lambda n: n or 0) or 1
        value = next(v for line, v in values if line == worst)
        return fail(
            table, worst, column, f"{value!r}: dates of this column are not all in one format"
        )
    line, value = values[0] if values else (1, "")
    fail(
        table, line, column,
        f"{value!r}: the date format is ambiguous ({' or '.join(fitting)}); "
        "give it with date_format in the mapping",
    )  # fmt: skip


def parsed_dates(table: Table, column: str, fmt: str) -> list[dt.date | None]:
    """The column's dates, read in the one format `date_format` found; None where empty."""
    at = table.column(column)
    text = pl.Series([row[at].strip() for _, row in table.rows], dtype=pl.String)
    days: list[dt.date | None] = _dates(text, fmt).to_list()
    return days


def _dates(text: pl.Series, fmt: str) -> pl.Series:
    """Dates read in `fmt`, null where they do not fit; a 4-digit year must be four digits
    (the date engine would read '23' as the year 23)."""
    parsed = text.str.to_date(fmt, strict=False)
    return (
        parsed.to_frame("d")
        .select(pl.when(pl.col("d").dt.year() >= 1900).then(pl.col("d")))
        .to_series()
    )


def fail(table: Table, line: int, column: str, message: str) -> NoReturn:
    where = Location(table.path, line, table.header.index(column) + 1)
    raise InputError([Problem(where, column, message)])


def finish(
    records: list[dict[str, str]],
    table: Table,
    rules: Rules,
    existing: Sequence[Path],
    target: Path,
    merge_km: float,
    append: bool,
    summary: Summary,
    *,
    columns: dict[str, str],
    rejects: Path | None = None,
    strict: bool = False,
    covers: tuple[dt.date | None, dt.date | None] = (None, None),
    countries: Sequence[str] = (),
    exported: dt.date | None = None,
) -> Summary:
    """Reject the rows the log would refuse, merge and deduplicate the rest, and write the file
    and its coverage sidecar (inputs/coverage.py), which records the day the export was taken
    (`exported`).

    `columns` names the file's own column for each incident field, for the reasons. Nothing is
    written when every row was rejected (or, with `strict`, when any was); the rejects file is.
    The coverage recorded is `covers` (first and last day; by default the source's first and
    last event) in `countries` (by default those of the source's events), added to what the
    sidecar held before when appending.
    """
    frame = _reject_rows(records, table, rules, summary, columns)
    if rejects is not None:
        write_rejects(rejects, table, summary.rejected)
    if strict and summary.rejected:
        raise InputError(
            Problem(Location(table.path, r.line), "", f"rejected: {r.reason}")
            for r in summary.rejected
        )
    previous = [] if not (append and target.exists()) else _rows(target)
    known = {r["id"] for r in previous}
    log, _ = read_incidents(
        [p for p in existing if p.resolve() != target.resolve()], sorted(rules.ruleset.categories)
    )
    candidates = frame.filter(~pl.col("id").is_in(list(known)))
    logged = _twins(candidates, log.frame.cast({"date": pl.String}), rules, merge_km)
    earlier = _twins(candidates, _frame(previous), rules, merge_km)
    by_id = {r["id"]: r for r in previous}
    for new_id, old_id in sorted(logged.items()):
        summary.merged.append(f"{new_id} is {old_id} (already in the log)")
    summary.in_log = len(logged)
    joined = {k: v for k, v in earlier.items() if k not in logged}
    if joined:
        for record in candidates.filter(pl.col("id").is_in(list(joined))).to_dicts():
            twin_row = by_id[joined[record["id"]]]
            sources = split_list(twin_row["sources"]) + split_list(record["sources"])
            twin_row["sources"] = f"{LIST_SEPARATOR} ".join(dict.fromkeys(sources))
            summary.merged.append(f"{record['id']} into {twin_row['id']} (sources joined)")
    fresh = candidates.filter(~pl.col("id").is_in([*logged, *joined]))
    summary.skipped["already imported (same id)"] += frame.filter(
        pl.col("id").is_in(list(known))
    ).height
    if not summary.skipped["already imported (same id)"]:
        del summary.skipped["already imported (same id)"]
    summary.imported = fresh.height
    if fresh.height:
        dates = fresh.get_column("date").str.to_date("%Y-%m-%d")
        summary.first, summary.last = dates.min(), dates.max()  # type: ignore[assignment]
        placed = assign_regions(fresh, rules)
        unplaced = (
            fresh.with_row_index("pos")
            .with_columns(pl.col("pos").cast(pl.Int64))
            .join(placed, on="pos", how="anti")
            .group_by("country", "admin1")
            .len()
        )
        for country, admin1, count in unplaced.iter_rows():
            summary.unplaced[(country or "", admin1 or "")] = count
    if summary.all_rejected:
        return summary  # the log is left as it was
    everything = pl.concat([_frame(previous), fresh.select(COLUMNS)]).sort("date", "id")
    out = io.BytesIO()  # the engine writes UTF-8: written as it is, not decoded and encoded
    everything.write_csv(out, null_value="")
    write_bytes_atomic(target, out.getvalue())
    summary.written = target
    period = source_period(records, covers, countries)
    if period is not None:
        periods = [period]
        if previous and not sidecar_of(target).is_file():
            # Rows appended to before coverage was recorded: they cover what they span.
            spanned = source_period(previous, (None, None), ())
            periods += [spanned] if spanned is not None else []
        feeds = sorted({r["feed"] for r in records if r.get("feed")})
        feed = feeds[0] if len(feeds) == 1 else None
        summary.coverage = write_coverage(target, periods, feed, append=append, exported=exported)
    return summary


def source_period(
    records: Sequence[dict[str, str]],
    covers: tuple[dt.date | None, dt.date | None],
    countries: Sequence[str],
) -> CoveredPeriod | None:
    """What an import's source covers: the given days, else its first and last event's; the
    given countries, else its events'. None for a source without events."""
    days = [r["date"] for r in records if r.get("date")]  # ISO dates: as text, in date order
    if not days and None in covers:
        return None
    start = covers[0] or dt.date.fromisoformat(min(days))
    end = covers[1] or dt.date.fromisoformat(max(days))
    named = list(countries) or sorted({r["country"] for r in records if r.get("country")})
    return CoveredPeriod(start=start, end=max(start, end), countries=named or None)


def write_coverage(
    target: Path,
    periods: Sequence[CoveredPeriod],
    feed: str | None,
    *,
    append: bool,
    exported: dt.date | None = None,
) -> Path:
    """Write the sidecar of `target` with `periods` of `feed` and the day its export was taken
    (and, appending, the periods it held, under the feed it named; the newer export day)."""
    sidecar = sidecar_of(target)
    held: list[CoveredPeriod] = []
    if append and sidecar.is_file():
        doc, _ = load_yaml(sidecar)
        before, _ = validate_model(doc, CoverageFile) if doc is not None else (None, [])
        if before is not None:
            held, feed = list(before.periods), before.feed or feed
            days = [d for d in (before.exported, exported) if d is not None]
            exported = max(days) if days else None
    document = CoverageFile(
        version=1, feed=feed, exported=exported, periods=merged([*held, *periods])
    )
    text = (
        f"# What {target.name} covers: every incident its source recorded in these periods\n"
        "# and countries (a week outside them has no data). Written by advisory import;\n"
        "# see docs/inputs.md, Coverage.\n"
        + yaml.safe_dump(
            document.model_dump(mode="json", exclude_none=True), sort_keys=False,
            allow_unicode=True,
        )
    )  # fmt: skip
    write_text_atomic(sidecar, text)
    return sidecar


def _reject_rows(
    records: list[dict[str, str]],
    table: Table,
    rules: Rules,
    summary: Summary,
    columns: dict[str, str],
) -> pl.DataFrame:
    """The records the log would take, as a table; the others become rejections, one per row,
    with every reason it has, named by the file's own columns."""
    values_at = dict(table.rows)
    lines = [int(r.pop("_line")) for r in records]
    reasons: dict[int, list[str]] = {}
    first_of: dict[str, int] = {}
    id_column = columns.get("id", "id")
    for line, record in zip(lines, records, strict=True):
        incident_id = record.get("id", "").strip()
        if incident_id in first_of:
            reasons.setdefault(line, []).append(
                f"repeated {id_column} {incident_id!r} (first on line {first_of[incident_id]})"
            )
        elif incident_id:
            first_of[incident_id] = line
    frame = _frame(records)
    if frame.height:
        from advisory.inputs.incidents import check_columns

        def locate(row: int, name: str) -> tuple[Location, str]:
            return Location(table.path, lines[row]), name

        known = sorted(rules.ruleset.categories)
        _, problems = check_columns(frame, table.path, locate, known, limit=None)
        for problem in problems:
            if problem.is_error and problem.location.line is not None:
                column = columns.get(problem.field, problem.field)
                message = problem.message
                if message == "required field is empty":
                    message = f"empty {column}"
                else:
                    message = f"{column}: {message}"
                reasons.setdefault(problem.location.line, []).append(message)
    if frame.height:
        from advisory.places.world import unknown_countries

        country_column = columns.get("country", "country")
        names = frame.get_column("country").drop_nulls().unique().to_list()
        unknown = unknown_countries(names, rules)
        if unknown:
            for line, name in zip(lines, frame.get_column("country"), strict=True):
                if name in unknown:
                    reasons.setdefault(line, []).append(f"{country_column}: {unknown[name]}")
    for line in sorted(reasons):
        summary.reject(line, "; ".join(reasons[line]), values_at.get(line, ()))
    if not reasons:
        return frame
    keep = pl.Series([line not in reasons for line in lines], dtype=pl.Boolean)
    return frame.filter(keep)


def write_rejects(path: Path, table: Table, rejected: Sequence[Rejection]) -> None:
    """The rejected rows as they were read, with a `reason` column, to fix and import again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*table.header, "reason"])
    width = len(table.header)
    for rejection in sorted(rejected, key=lambda r: r.line):
        cells = list(rejection.values[:width]) + [""] * (width - len(rejection.values))
        writer.writerow([*cells, f"line {rejection.line}: {rejection.reason}"])
    write_text_atomic(path, out.getvalue())


def _rows(path: Path) -> list[dict[str, str]]:
    """The records of an incident file to append to; raises `InputError`, located, for one
    that is not a text file of incidents."""
    shown = display_path(path)
    text, problems = read_text(path, shown, MAX_IMPORT_BYTES)
    if text is None:
        raise InputError(problems)
    if not text.strip():
        return []  # an empty file to start from
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        rows = [{c: row.get(c) or "" for c in COLUMNS} for row in reader]
    except csv.Error as e:
        raise InputError([Problem(Location(shown, reader.line_num), "", csv_trouble(e))]) from None
    missing = [c for c in ("id", "date", "country") if c not in (reader.fieldnames or [])]
    if missing:
        message = f"not an incident file to append to: no {', '.join(missing)} column"
        raise InputError([Problem(Location(shown, 1), "", message)])
    return rows


def csv_trouble(error: csv.Error) -> str:
    """What a CSV reader's error means for the person who made the file."""
    if "field larger than field limit" in str(error):
        return f"a field longer than {csv.field_size_limit():,} characters"
    return "truncated line (a quote is never closed)"


def _frame(rows: Sequence[dict[str, str]]) -> pl.DataFrame:
    """Records as a table of the log's columns, an empty text as null."""
    schema = dict.fromkeys(COLUMNS, pl.String)
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.from_dicts(rows, schema=schema).with_columns(pl.all().replace("", None))


def _twins(new: pl.DataFrame, old: pl.DataFrame, rules: Rules, km: float) -> dict[str, str]:
    """For each new incident that is an old one, the old one's id: same date, category and
    region, and the same place (case and accents aside) or within `km`."""
    if new.height == 0 or old.height == 0:
        return {}

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        places = assign_regions(frame, rules)
        return (
            frame.select(
                "id", pl.col("date").cast(pl.String), "category", "location",
                pl.col("latitude").cast(pl.Float64, strict=False).alias("lat"),
                pl.col("longitude").cast(pl.Float64, strict=False).alias("lon"),
            )
            .with_row_index("pos")
            .with_columns(pl.col("pos").cast(pl.Int64), normalize_expr("location").alias("place"))
            .join(places, on="pos")
        )  # fmt: skip

    pairs = keyed(new).join(keyed(old), on=["date", "category", "region"], suffix="_old")
    if pairs.height == 0:
        return {}
    rad = math.pi / 180
    dlat = (pl.col("lat_old") - pl.col("lat")) * rad
    dlon = (pl.col("lon_old") - pl.col("lon")) * rad
    h = (dlat / 2).sin() ** 2 + (pl.col("lat") * rad).cos() * (pl.col("lat_old") * rad).cos() * (
        dlon / 2
    ).sin() ** 2
    distance = 2 * 6371.0 * h.sqrt().arcsin()
    same = (pl.col("place").is_not_null() & (pl.col("place") == pl.col("place_old"))) | (
        distance <= km
    ).fill_null(False)
    found = pairs.filter(same).sort("id", "id_old").unique("id", keep="first")
    return dict(zip(found.get_column("id"), found.get_column("id_old"), strict=True))


def load_mapping(path: Path, rules: Rules, kind: type[M]) -> M:
    """A mapping file, its categories checked against the rule set's."""
    doc, problems = load_yaml(path)
    if doc is None:
        raise InputError(problems)
    mapping, model_problems = validate_model(doc, kind)
    problems += model_problems
    if mapping is not None:
        known = sorted(rules.ruleset.categories)
        for loc, category in mapping.targets():
            if category is not None and category not in known:
                problems.append(doc.problem(loc, not_one_of(category, known, "a category")))
        problems += mapping.check(doc)
    if mapping is None or problems:
        raise InputError(problems)
    return mapping
