"""The incident log: CSV, YAML and JSON files read into one columnar table and checked column-wise.

Row-by-row validation cannot keep up with a million-row archive, so the files are read as text
columns and every check runs over whole columns. The physical line of a bad row is worked out only
when there is something to report (a quoted CSV field can hold line breaks, so a row number is not
a line number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from advisory.calendar import FIRST_YEAR, LAST_YEAR
from advisory.errors import (
    Location,
    Problem,
    Severity,
    display_path,
    not_one_of,
)
from advisory.inputs.coverage import Coverage
from advisory.inputs.yamlfile import (
    field_name,
    load_yaml,
    not_regular,
    read_text,
    unknown_field,
)
from advisory.models import (
    ACTOR_KINDS,
    DATE_PRECISIONS,
    FATALITIES_CERTAINTIES,
    GEO_PRECISIONS,
    Incident,
)

REQUIRED = ("id", "date", "country", "category", "summary", "sources")
#: Without admin1 an incident is country-level: it counts for the regions that take in the
#: whole country (an event at sea, or one a feed places only by country).
OPTIONAL = (
    "admin1", "admin2", "location", "latitude", "longitude", "actors", "fatalities",
    "injuries", "note", "feed", "date_precision", "geo_precision", "perpetrator",
    "perpetrator_kind", "target", "target_kind", "civilian_targeting", "victims", "feed_id",
    "fatalities_certainty", "claimed_fatalities", "claimed_by", "weapon", "planned",
)  # fmt: skip
COLUMNS = (
    "id", "date", "country", "admin1", "admin2", "location", "latitude", "longitude",
    "category", "actors", "fatalities", "injuries", "summary", "sources", "note", "feed",
    "date_precision", "geo_precision", "perpetrator", "perpetrator_kind", "target",
    "target_kind", "civilian_targeting", "victims", "feed_id", "fatalities_certainty",
    "claimed_fatalities", "claimed_by", "weapon", "planned",
)  # fmt: skip
#: Columns that hold one of a fixed set of words: (what one is called, the words).
CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "date_precision": ("a date precision", DATE_PRECISIONS),
    "geo_precision": ("a place precision", GEO_PRECISIONS),
    "perpetrator_kind": ("a kind of actor", tuple(ACTOR_KINDS)),
    "target_kind": ("a kind of actor", tuple(ACTOR_KINDS)),
    "victims": ("a kind of victims", tuple(ACTOR_KINDS)),
    "fatalities_certainty": ("a certainty", FATALITIES_CERTAINTIES),
}
#: How a yes-or-no column may be written (case aside).
YES_NO = {"yes": True, "true": True, "no": False, "false": False}
#: Columns that hold several items separated by LIST_SEPARATOR (lists in YAML and JSON).
LIST_COLUMNS = ("actors", "sources")
LIST_SEPARATOR = ";"
#: Free text, tested for content but not trimmed (models trim it when they are built).
LONG_TEXT = ("summary", "actors", "sources", "note")
#: Reports of one kind in one file beyond this many are summed up in one line.
MAX_REPORTS = 20
#: The longest text each column may hold, in bytes of UTF-8 (a character of Latin text is one or
#: two, of most other scripts two or three); other columns hold up to MAX_SHORT. Counted in bytes
#: because that is free to count over a million rows.
MAX_LENGTH = {"summary": 10_000, "sources": 4000, "actors": 2000, "note": 10_000}
MAX_SHORT = 400
#: The longest word (a run without spaces) in free text: a longer one makes page layout slow
#: for no reader's benefit. Sources may hold web addresses, which run longer.
MAX_WORD = {"summary": 200, "actors": 200, "sources": 300}

SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "date": pl.Date(),
    "country": pl.String(),
    "admin1": pl.String(),
    "admin2": pl.String(),
    "location": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "category": pl.String(),
    "actors": pl.String(),
    "fatalities": pl.Int64(),
    "injuries": pl.Int64(),
    "summary": pl.String(),
    "sources": pl.String(),
    "note": pl.String(),
    "feed": pl.String(),
    "date_precision": pl.String(),
    "geo_precision": pl.String(),
    "perpetrator": pl.String(),
    "perpetrator_kind": pl.String(),
    "target": pl.String(),
    "target_kind": pl.String(),
    "civilian_targeting": pl.Boolean(),
    "victims": pl.String(),
    "feed_id": pl.String(),
    "fatalities_certainty": pl.String(),
    "claimed_fatalities": pl.Int64(),
    "claimed_by": pl.String(),
    "weapon": pl.String(),
    "planned": pl.Boolean(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
}

#: (row position in its file, column name) -> where that cell stands, and the field as shown.
Locator = Callable[[int, str], tuple[Location, str]]


@dataclass(frozen=True)
class IncidentLog:
    """Every incident of the log as one table (columns as in `SCHEMA`).

    `source_file` and `source_row` say where each incident was read: the file as shown to the
    user and the row's position in it (the physical line is found with `locate`).
    """

    frame: pl.DataFrame
    files: tuple[str, ...]
    locators: dict[str, Locator] = field(default_factory=dict, compare=False, repr=False)
    #: What the files declare they cover (inputs/coverage.py); by default, everything.
    coverage: Coverage = field(default_factory=Coverage, compare=False, repr=False)
    #: Events announced ahead (`planned: yes`), kept apart from `frame`: they never count.
    planned: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=SCHEMA), compare=False, repr=False
    )

    def locate(self, file: str, row: int, column: str) -> Location:
        """Where the cell `column` of row `row` of `file` stands in that file."""
        locator = self.locators.get(file)
        return locator(row, column)[0] if locator else Location(file)

    def __len__(self) -> int:
        return self.frame.height

    def incidents(self, frame: pl.DataFrame | None = None) -> list[Incident]:
        """The rows of `frame` (by default all) as validated `Incident` models."""
        rows = (self.frame if frame is None else frame).select(COLUMNS).to_dicts()
        return [Incident.model_validate(_as_fields(row)) for row in rows]


def split_list(text: str | None) -> list[str]:
    """`'Report A; Report B'` -> `['Report A', 'Report B']`."""
    return [item.strip() for item in (text or "").split(LIST_SEPARATOR) if item.strip()]


def _as_fields(row: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in row.items() if v is not None or k == "injuries"}
    for name in LIST_COLUMNS:
        fields[name] = split_list(row[name])
    return fields


def read_incidents(
    paths: Sequence[Path], categories: Iterable[str] | None = None
) -> tuple[IncidentLog, list[Problem]]:
    """Read incident files into one log. With `categories`, unknown categories are errors."""
    return check_files(read_files(paths), categories)


@dataclass(frozen=True)
class RawFile:
    """An incident file read as text columns, not yet checked."""

    shown: str
    frame: pl.DataFrame | None
    locate: Locator | None
    problems: list[Problem]


def read_files(paths: Sequence[Path]) -> list[RawFile]:
    """Read incident files as text. The CSV engine works outside the interpreter lock, so this
    can run in a thread while the rules are parsed."""
    files = []
    for path in paths:
        shown = display_path(path)
        files.append(RawFile(shown, *_read_raw(path, shown)))
    return files


def check_files(
    files: Sequence[RawFile],
    categories: Iterable[str] | None = None,
    planned: Iterable[str] | None = None,
) -> tuple[IncidentLog, list[Problem]]:
    """Check files read by `read_files` and join them into one log; the rows that announce an
    event ahead (`planned: yes`) are kept apart, in `IncidentLog.planned`."""
    known = sorted(categories) if categories is not None else None
    kinds = sorted(planned) if planned is not None else None
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    locators: dict[str, Locator] = {}
    for raw in files:
        problems += raw.problems
        if raw.frame is None or raw.locate is None:
            continue
        locators[raw.shown] = raw.locate
        typed, check_problems = check_columns(
            raw.frame, raw.shown, raw.locate, known, planned_kinds=kinds
        )
        problems += check_problems
        frames.append(typed)
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=SCHEMA)
    problems += _duplicate_ids(frame, locators)
    ahead = frame.filter(pl.col("planned").fill_null(False))
    if ahead.height:
        frame = frame.filter(~pl.col("planned").fill_null(False))
    shown = tuple(f.shown for f in files)
    return IncidentLog(frame, shown, locators, planned=ahead), problems


def _read_raw(path: Path, shown: str) -> tuple[pl.DataFrame | None, Locator | None, list[Problem]]:
    suffix = path.suffix.lower()
    if refused := not_regular(path, shown):
        return None, None, refused
    if suffix == ".csv":
        return _read_csv(path, shown)
    if suffix in {".yaml", ".yml", ".json"}:
        return _read_yaml(path, shown)
    problem = Problem(Location(shown), "", "incident files are .csv, .yaml, .yml or .json")
    return None, None, [problem]


# --- CSV --------------------------------------------------------------------------------------


#: Incident CSV files over this size are refused (about six million rows): split the archive.
MAX_CSV_BYTES = 1024 * 1024 * 1024
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class CsvSource:
    """A CSV file as the engine reads it: the file itself when it is UTF-8 with line feeds,
    else its text converted in memory (UTF-16 or UTF-32 with a byte-order mark; the carriage
    returns of old Mac files)."""

    path: Path
    converted: bytes | None = None

    def engine_input(self) -> Path | io.BytesIO:
        return io.BytesIO(self.converted) if self.converted is not None else self.path

    def text(self) -> io.TextIOBase:
        if self.converted is not None:
            return io.TextIOWrapper(io.BytesIO(self.converted), encoding="utf-8", newline="")
        return self.path.open(encoding="utf-8-sig", newline="")


def csv_source(path: Path, shown: str) -> tuple[CsvSource | None, list[Problem]]:
    """The file as `CsvSource`, or the problem that keeps it from being read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError as e:
        return None, [Problem(Location(shown), "", f"cannot read: {e.strerror}")]
    if size > MAX_CSV_BYTES:
        limit = MAX_CSV_BYTES // 2**20
        return None, [Problem(Location(shown), "", f"file is larger than the limit of {limit} MB")]
    if not head.startswith(_WIDE_BOMS) and (b"\n" in head or b"\r" not in head):
        return CsvSource(path), []
    text, problems = read_text(path, shown, MAX_CSV_BYTES)
    if text is None:
        return None, problems
    if "\n" not in text:  # carriage returns alone end the lines
        text = text.replace("\r", "\n")
    return CsvSource(path, text.removeprefix("\ufeff").encode("utf-8")), []


def _read_csv(path: Path, shown: str) -> tuple[pl.DataFrame | None, Locator | None, list[Problem]]:
    source, problems = csv_source(path, shown)
    if source is None:
        return None, None, problems
    try:
        raw = pl.read_csv(source.engine_input(), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.ComputeError as e:
        return _read_ragged_csv(source, shown, str(e))
    try:
        header = _csv_header(source)
    except UnicodeDecodeError:
        return None, None, [_diagnose_csv(source, shown, "")]
    header_problems = _check_header(header, shown)
    if any(p.is_error for p in header_problems):
        return None, None, header_problems
    if len(raw.columns) != len(header):  # line ends the two readers take differently
        message = (
            f"the header has {len(header)} fields, but the rows are read with "
            f"{len(raw.columns)}: are carriage returns and line feeds mixed?"
        )
        return None, None, [Problem(Location(shown, 1), "", message)]
    raw = raw.rename(dict(zip(raw.columns, header, strict=True)))
    frame, locate = _with_locator(raw, header, shown, _LineIndex(source).line_of)
    return frame, locate, header_problems


def _with_locator(
    raw: pl.DataFrame, header: list[str], shown: str, line_of: Callable[[int], int | None]
) -> tuple[pl.DataFrame, Locator]:
    """The rows, and where each row's field stands in the file."""

    def locate(row: int, name: str) -> tuple[Location, str]:
        column = header.index(name) + 1 if name in header else None
        return Location(shown, line_of(row), column), name

    return raw, locate


def _read_ragged_csv(
    source: CsvSource, shown: str, engine_message: str
) -> tuple[pl.DataFrame | None, Locator | None, list[Problem]]:
    """A file the CSV engine refused because rows differ in their number of fields: each such
    row is an error (the first `MAX_REPORTS`, then a count), and the other rows are read and
    checked as usual, so that all their problems show at once. Anything else the engine
    refused (not UTF-8, a quote left open) is one problem, where it is."""
    data = source.converted if source.converted is not None else source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = [name.strip() for name in next(reader, [])]
        rows: list[list[str]] = []
        lines: list[int] = []
        ragged: list[Problem] = []
        previous_end = reader.line_num
        for row in reader:
            if row and len(row) != len(header):
                message = f"row has {len(row)} fields, the header has {len(header)}"
                ragged.append(Problem(Location(shown, previous_end + 1), "", message))
            elif row:
                rows.append(row)
                lines.append(previous_end + 1)
            previous_end = reader.line_num
    except (UnicodeDecodeError, csv.Error):
        return None, None, [_diagnose_csv(source, shown, engine_message)]
    if not ragged:
        return None, None, [_diagnose_csv(source, shown, engine_message)]
    header_problems = _check_header(header, shown)
    if any(p.is_error for p in header_problems):
        return None, None, header_problems + ragged[:1]
    shown_ragged = ragged[:MAX_REPORTS]
    if len(ragged) > MAX_REPORTS:
        shown_ragged.append(Problem(Location(shown), "",
                                    f"{len(ragged) - MAX_REPORTS} more rows with the wrong number "
                                    "of fields"))  # fmt: skip
    raw = pl.DataFrame(
        {name: [row[i] if row[i] != "" else None for row in rows] for i, name in enumerate(header)},
        schema=dict.fromkeys(header, pl.String),
    )
    frame, locate = _with_locator(
        raw, header, shown, lambda row: lines[row] if 0 <= row < len(lines) else None
    )
    return frame, locate, header_problems + shown_ragged


def _csv_header(source: CsvSource) -> list[str]:
    """The header row as written (the CSV engine renames repeated names)."""
    with source.text() as f:
        return [name.strip() for name in next(csv.reader(f), [])]


def _check_header(header: list[str], shown: str) -> list[Problem]:
    problems = []
    for i, name in enumerate(header, start=1):
        where = Location(shown, 1, i)
        if name not in COLUMNS:
            problems.append(Problem(where, name, not_one_of(name, COLUMNS, "a column")))
        elif header.index(name) != i - 1:
            problems.append(Problem(where, name, "column given twice"))
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(Location(shown, 1), name, "required column is missing"))
    return problems


class _LineIndex:
    """Physical line numbers of CSV rows, read with the csv module only when first needed."""

    def __init__(self, source: CsvSource) -> None:
        self._source = source
        self._starts: list[int] | None = None

    def line_of(self, row: int) -> int | None:
        if self._starts is None:
            self._starts = _row_start_lines(self._source)
        return self._starts[row] if 0 <= row < len(self._starts) else None


def _row_start_lines(source: CsvSource) -> list[int]:
    """The line on which each data row starts (blank lines count as rows, as in the table).
    The CSV engine took fields of any length, so this reader takes them too (up to the file's
    own limit) to name the line of one too long."""
    previous_limit = csv.field_size_limit(MAX_CSV_BYTES)
    try:
        starts: list[int] = []
        with source.text() as f:
            reader = csv.reader(f)
            next(reader, None)
            previous_end = reader.line_num
            for _ in reader:
                starts.append(previous_end + 1)
                previous_end = reader.line_num
        return starts
    finally:
        csv.field_size_limit(previous_limit)


def _diagnose_csv(source: CsvSource, shown: str, engine_message: str) -> Problem:
    """Name the line of a file the CSV engine refused."""
    data = source.converted if source.converted is not None else source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return Problem(Location(shown, line), "", "not UTF-8 text: save the file as UTF-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, [])
        previous_end = reader.line_num
        for row in reader:
            if row and len(row) != len(header):
                where = Location(shown, previous_end + 1)
                return Problem(
                    where, "", f"row has {len(row)} fields, the header has {len(header)}"
                )
            previous_end = reader.line_num
    except csv.Error as e:
        return Problem(Location(shown, reader.line_num), "", f"CSV syntax: {e}")
    first_line = engine_message.strip().splitlines()[0] if engine_message.strip() else "unreadable"
    return Problem(Location(shown), "", f"CSV syntax: {first_line}")


# --- YAML and JSON ----------------------------------------------------------------------------


def _read_yaml(path: Path, shown: str) -> tuple[pl.DataFrame | None, Locator | None, list[Problem]]:
    doc, problems = load_yaml(path, construct=False)
    if doc is None:
        return None, None, problems
    root = doc.root
    records = _child(root, "incidents") if isinstance(root, yaml.MappingNode) else None
    if not isinstance(records, yaml.SequenceNode):
        where = doc.locate(())
        return None, None, [*problems, Problem(where, "incidents", "expected a list of incidents")]
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if not isinstance(key, yaml.ScalarNode):  # `? [a, b]`: a complex key
                where = Location(shown, key.start_mark.line + 1, key.start_mark.column + 1)
                message = "a key must be a plain name, not a list or a mapping"
                problems.append(Problem(where, "", message))
                continue
            if key.value == "version" and value.value != "1":
                problems.append(doc.problem(("version",), f"{value.value!r} is not one of 1"))
            elif key.value not in {"version", "incidents"}:
                problems.append(doc.problem((key.value,), "unknown field"))

    columns: dict[str, list[object]] = {c: [] for c in COLUMNS}
    marks: list[dict[str, yaml.Mark]] = []
    for i, record in enumerate(records.value):
        row_marks: dict[str, yaml.Mark] = {"": record.start_mark}
        values: dict[str, object] = {}
        if not isinstance(record, yaml.MappingNode):
            problems.append(doc.problem(("incidents", i), "expected a mapping"))
        else:
            for key, value in record.value:
                if not isinstance(key, yaml.ScalarNode):  # `? [a, b]`: a complex key
                    where = Location(shown, key.start_mark.line + 1, key.start_mark.column + 1)
                    message = "a key must be a plain name, not a list or a mapping"
                    problems.append(Problem(where, f"incidents[{i}]", message))
                    continue
                name = key.value
                row_marks[name] = value.start_mark
                if name not in COLUMNS:
                    loc = ("incidents", i, name)
                    message = unknown_field(name, COLUMNS)
                    problems.append(Problem(doc.locate_key(loc), field_name(loc), message))
                    continue
                if name in LIST_COLUMNS:
                    values[name] = _scalar_list(value)
                elif isinstance(value, yaml.ScalarNode):
                    values[name] = None if value.tag.endswith(":null") else value.value
                else:
                    problems.append(doc.problem(("incidents", i, name), "expected a single value"))
        marks.append(row_marks)
        for c in COLUMNS:
            columns[c].append(values.get(c))
    raw = pl.DataFrame(columns, schema=dict.fromkeys(COLUMNS, pl.String))

    def locate(row: int, name: str) -> tuple[Location, str]:
        mark = marks[row].get(name, marks[row][""])
        return Location(shown, mark.line + 1, mark.column + 1), f"incidents[{row}].{name}"

    return raw, locate, problems


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v  # type: ignore[no-any-return]
    return None


def _scalar_list(node: yaml.Node) -> str | None:
    """A YAML list (or one text) as the table keeps it: items joined by the list separator."""
    if isinstance(node, yaml.SequenceNode):
        items = [str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode)]
        return f"{LIST_SEPARATOR} ".join(items)
    if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        return str(node.value)
    return None


# --- column checks ----------------------------------------------------------------------------


def check_columns(
    raw: pl.DataFrame,
    shown: str,
    locate: Locator,
    categories: list[str] | None,
    *,
    limit: int | None = MAX_REPORTS,
    planned_kinds: list[str] | None = None,
) -> tuple[pl.DataFrame, list[Problem]]:
    """Type the text columns of one file and report every bad cell (at most `limit` of one
    kind, the rest counted). Blank rows are dropped.

    The checks and the typed table come from one lazy plan, so that the file's columns are
    scanned together and nothing is copied for rows that are fine.
    """
    # A column the file does not have is empty: nothing in it to check, its cells null in the
    # typed table (a feed's export has a dozen of the thirty columns).
    present = [c for c in COLUMNS if c in raw.collect_schema().names()]
    absent = [pl.lit(None, dtype=pl.String).alias(c) for c in COLUMNS if c not in present]
    # Short fields are trimmed; long free text is only tested for having something in it.
    trimmed = [c for c in present if c not in LONG_TEXT]
    text = raw.lazy().with_columns(
        *[_blank_to_null(pl.col(c).str.strip_chars()) for c in trimmed],
        *[pl.when(pl.col(c).str.contains(r"[^;\s]")).then(pl.col(c))
          for c in LONG_TEXT if c in present],
        *absent,
        pl.int_range(pl.len(), dtype=pl.Int64).alias("source_row"),
    )  # fmt: skip
    date_ok = pl.col("date").str.contains(r"^\d{4}-\d{2}-\d{2}$")
    yes_no = pl.col("civilian_targeting").str.to_lowercase()
    planned_yes_no = pl.col("planned").str.to_lowercase()
    parsed = {
        "date": pl.when(date_ok).then(pl.col("date").str.to_date("%Y-%m-%d", strict=False)),
        "latitude": pl.col("latitude").cast(pl.Float64, strict=False),
        "longitude": pl.col("longitude").cast(pl.Float64, strict=False),
        "fatalities": pl.col("fatalities").cast(pl.Int64, strict=False),
        "injuries": pl.col("injuries").cast(pl.Int64, strict=False),
        "claimed_fatalities": pl.col("claimed_fatalities").cast(pl.Int64, strict=False),
        "civilian_targeting": yes_no.replace_strict(YES_NO, default=None, return_dtype=pl.Boolean),
        "planned": planned_yes_no.replace_strict(YES_NO, default=None, return_dtype=pl.Boolean),
    }
    unreadable = {
        "date": "{date!r} is not a date (YYYY-MM-DD)",
        "latitude": "{latitude!r} is not a number",
        "longitude": "{longitude!r} is not a number",
        "fatalities": "{fatalities!r} is not a whole number",
        "injuries": "{injuries!r} is not a whole number",
        "claimed_fatalities": "{claimed_fatalities!r} is not a whole number",
    }
    # (field, which rows are bad, message: a template over the row's text, or a function of it)
    checks: list[tuple[str, pl.Expr, str | Callable[[dict[str, Any]], str]]] = []
    checks += [(name, pl.col(name).is_null(), "required field is empty") for name in REQUIRED]
    checks += [
        (name, pl.col(name).is_not_null() & parsed[name].is_null(), template)
        for name, template in unreadable.items()
    ]
    for name, bound in (("latitude", 90), ("longitude", 180)):
        outside = ~parsed[name].is_between(-bound, bound).fill_null(True)
        checks.append((name, outside, f"{{{name}}} is outside -{bound} to {bound}"))
    for name in ("fatalities", "injuries", "claimed_fatalities"):
        checks.append((name, parsed[name].fill_null(0) < 0, f"must be at least 0, got {{{name}}}"))
    early, late = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
    out_of_range = ~parsed["date"].is_between(early, late).fill_null(True)
    checks.append(
        ("date", out_of_range, f"{{date}} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    )
    for name in COLUMNS:
        if name in parsed:
            continue
        most = MAX_LENGTH.get(name, MAX_SHORT)
        checks.append((name, pl.col(name).str.len_bytes() > most, _too_long(name, most)))
        if name in MAX_WORD:
            word = MAX_WORD[name]
            long_word = pl.col(name).str.contains(rf"[^\s;]{{{word + 1},}}")
            checks.append((name, long_word, _long_word(name, word)))
    for name, (noun, choices) in CHOICES.items():
        odd = pl.col(name).is_not_null() & ~pl.col(name).is_in(choices)
        checks.append((name, odd, _not_one_of(name, noun, choices)))
    odd_yes_no = yes_no.is_not_null() & ~yes_no.is_in(list(YES_NO))
    checks.append(("civilian_targeting", odd_yes_no, "{civilian_targeting!r} is not yes or no"))
    odd_planned = planned_yes_no.is_not_null() & ~planned_yes_no.is_in(list(YES_NO))
    checks.append(("planned", odd_planned, "{planned!r} is not yes or no"))
    is_planned = parsed["planned"].fill_null(False)
    if categories is not None:
        known = categories

        def unknown_category(row: dict[str, Any]) -> str:
            return not_one_of(str(row["category"]), known, "a category")

        unknown = (
            pl.col("category").is_not_null() & ~pl.col("category").is_in(categories) & ~is_planned
        )
        checks.append(("category", unknown, unknown_category))
    if planned_kinds is not None:
        kinds = planned_kinds

        def unknown_kind(row: dict[str, Any]) -> str:
            said = not_one_of(str(row["category"]), kinds, "a planned event's category")
            return (
                f"{said} (scoring.yaml planned:)"
                if kinds
                else (f"{row['category']!r}: scoring.yaml names no planned events (planned:)")
            )

        odd_kind = pl.col("category").is_not_null() & is_planned & ~pl.col("category").is_in(kinds)
        checks.append(("category", odd_kind, unknown_kind))

    # (A required column is always checked: absent, every row lacks it.)
    checks = [check for check in checks if check[0] in present or check[0] in REQUIRED]
    parsed = {
        name: expr if name in present else pl.lit(None, dtype=SCHEMA[name])
        for name, expr in parsed.items()
    }

    # Blank rows (spreadsheets leave them) are skipped; the table is filtered only if there are any.
    text = text.with_columns(
        pl.all_horizontal([pl.col(c).is_null() for c in present]).alias("_blank")
    )
    blank = pl.col("_blank")
    typed = text.with_columns(
        *[expr.alias(name) for name, expr in parsed.items()],
    ).with_columns(
        # A date out of range is reported above, and kept from every later step.
        pl.when(pl.col("date").is_between(early, late)).then(pl.col("date")).alias("date"),
        pl.col("fatalities").fill_null(0),
        pl.lit(shown).alias("source_file"),
    )
    counts_plan = text.select(
        blank.sum().alias("blank"),
        *[(bad & ~blank).sum().alias(str(i)) for i, (_, bad, _) in enumerate(checks)],
    )
    counts_frame, result = pl.collect_all([counts_plan, typed.select(*SCHEMA, "_blank")])
    blank_rows, *counts = counts_frame.row(0)
    if blank_rows:
        result = result.filter(~pl.col("_blank"))
    result = result.drop("_blank")
    text = text.filter(~blank)

    problems: list[Problem] = []
    if any(counts):
        found = text.collect()
        for (name, bad, message_of), count in zip(checks, counts, strict=True):
            if not count:
                continue
            rows = found.filter(bad)
            for r in (rows if limit is None else rows.head(limit)).to_dicts():
                where, shown_field = locate(int(r["source_row"]), name)
                message = message_of(r) if callable(message_of) else message_of.format(**r)
                problems.append(Problem(where, shown_field, message))
            if limit is not None and count > limit:
                more = count - limit
                problems.append(
                    Problem(
                        Location(shown),
                        name,
                        f"... and {more} more rows with the same problem as above",
                    )
                )
    return result.cast(SCHEMA), problems  # type: ignore[arg-type]


def _not_one_of(name: str, noun: str, choices: Sequence[str]) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        return not_one_of(str(row[name]), list(choices), noun)

    return message


def _too_long(name: str, limit: int) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        text = row[name]
        size = len(text.encode())
        return f"{size:,} bytes of text ({len(text):,} characters); at most {limit:,} bytes"

    return message


def _long_word(name: str, limit: int) -> Callable[[dict[str, Any]], str]:
    def message(row: dict[str, Any]) -> str:
        longest = max(re.findall(r"[^\s;]+", row[name]), key=len, default="")
        return (
            f"a word of {len(longest):,} characters ({longest[:20]}...); at most {limit}: "
            "put spaces in it or shorten it"
        )

    return message


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return expr.replace("", None)


def _duplicate_ids(frame: pl.DataFrame, locators: dict[str, Locator]) -> list[Problem]:
    ids = frame.get_column("id").drop_nulls()
    # Distinct hashes prove distinct ids, at a fraction of the cost of comparing the text.
    if ids.hash().n_unique() == ids.len():
        return []
    repeated = (
        frame.select("id", "source_file", "source_row")
        .filter(pl.col("id").is_not_null())
        .with_columns(pl.col("id").is_first_distinct().alias("first"))
        .filter(pl.col("id").is_duplicated())
    )
    if repeated.height == 0:
        return []
    firsts = {
        r["id"]: locators[r["source_file"]](r["source_row"], "id")[0]
        for r in repeated.filter(pl.col("first")).to_dicts()
    }
    problems = []
    later = repeated.filter(~pl.col("first"))
    for r in later.head(MAX_REPORTS).to_dicts():
        where, shown_field = locators[r["source_file"]](r["source_row"], "id")
        message = f"incident id {r['id']!r} is already used at {firsts[r['id']]}"
        problems.append(Problem(where, shown_field, message))
    if later.height > MAX_REPORTS:
        more = later.height - MAX_REPORTS
        problems.append(
            Problem(Location(later["source_file"][0]), "id", f"... and {more} more repeated ids")
        )
    return problems


def unmatched_warnings(log: IncidentLog, unmatched: pl.Series) -> list[Problem]:
    """Warnings for incidents that match no region (they are kept, but no rating counts them).

    `unmatched` holds positions in `log.frame`.
    """
    rows = log.frame.with_row_index("_pos").filter(pl.col("_pos").is_in(unmatched.implode()))
    problems: list[Problem] = []
    for file_name, group in rows.group_by("source_file", maintain_order=True):
        shown = str(file_name[0])
        locator = log.locators[shown]
        for r in group.head(MAX_REPORTS).to_dicts():
            place = ", ".join(str(r[k]) for k in ("country", "admin1", "admin2") if r[k])
            where, shown_field = locator(r["source_row"], "admin1")
            problems.append(
                Problem(
                    where,
                    shown_field,
                    f"incident {r['id']!r} matches no region ({place})",
                    Severity.WARNING,
                )
            )
        if group.height > MAX_REPORTS:
            more = group.height - MAX_REPORTS
            problems.append(
                Problem(
                    Location(shown),
                    "admin1",
                    f"... and {more} more incidents that match no region",
                    Severity.WARNING,
                )
            )
    return problems
