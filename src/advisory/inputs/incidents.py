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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

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
#: Free text, tested for content but not trimmed (models trim it when they are built). Only
#: documents read it: a log read for rating alone keeps none of it (`IncidentLog.text`).
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
    "source_file": pl.Categorical(),  # one name for a file's every row: codes, not copies
    "source_row": pl.Int64(),
}

T = TypeVar("T")

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

    @property
    def text(self) -> bool:
        """Whether the table keeps the free text (`LONG_TEXT`); without it, the log rates
        regions but cannot make `Incident` models."""
        return "summary" in self.frame.columns

    def locate(self, file: str, row: int, column: str) -> Location:
        """Where the cell `column` of row `row` of `file` stands in that file."""
        locator = self.locators.get(file)
        return locator(row, column)[0] if locator else Location(file)

    def __len__(self) -> int:
        return self.frame.height

    def incidents(self, frame: pl.DataFrame | None = None) -> list[Incident]:
        """The rows of `frame` (by default all) as validated `Incident` models."""
        if not self.text:
            raise ValueError("the log was read without its free text (read_files(text=False))")
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
class ReadFile:
    """An incident file read and checked column-wise, except for the checks that need the
    rules' words (categories, planned events): `check_files` makes those."""

    shown: str
    frame: pl.DataFrame | None
    locate: Locator | None
    problems: list[Problem]
    found: list[_Found] = field(default_factory=list)


def read_files(paths: Sequence[Path], *, text: bool = True) -> list[ReadFile]:
    """Read and check incident files; without `text`, their free text is checked but not kept.
    The CSV engine and the checks work outside the interpreter lock, so this can run in a
    thread while the rules are parsed."""
    return [_read_raw(path, display_path(path), text) for path in paths]


def schema(text: bool = True) -> dict[str, pl.DataType]:
    """The log's columns, with or without the free text."""
    return SCHEMA if text else {k: v for k, v in SCHEMA.items() if k not in LONG_TEXT}


def check_files(
    files: Sequence[ReadFile],
    categories: Iterable[str] | None = None,
    planned: Iterable[str] | None = None,
) -> tuple[IncidentLog, list[Problem]]:
    """Check the categories of files read by `read_files` and join them into one log; the rows
    that announce an event ahead (`planned: yes`) are kept apart, in `IncidentLog.planned`."""
    known = sorted(categories) if categories is not None else None
    kinds = sorted(planned) if planned is not None else None
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    locators: dict[str, Locator] = {}
    for read in files:
        problems += read.problems
        if read.frame is None or read.locate is None:
            continue
        locators[read.shown] = read.locate
        found = read.found + _vocabulary_found(read.frame, known, kinds, MAX_REPORTS)
        problems += _reports(found, read.shown, read.locate, MAX_REPORTS)
        frames.append(read.frame)
    text = all(read.frame is None or "summary" in read.frame.columns for read in files)
    frame = pl.concat(frames, rechunk=False) if frames else pl.DataFrame(schema=schema(text))
    problems += _duplicate_ids(frame, locators)
    ahead = frame.filter(pl.col("planned").fill_null(False))
    if ahead.height:
        frame = frame.filter(~pl.col("planned").fill_null(False))
    shown = tuple(f.shown for f in files)
    return IncidentLog(frame, shown, locators, planned=ahead), problems


def _read_raw(path: Path, shown: str, text: bool) -> ReadFile:
    suffix = path.suffix.lower()
    if refused := not_regular(path, shown):
        return ReadFile(shown, None, None, refused)
    if suffix == ".csv":
        return _read_csv(path, shown, text)
    if suffix in {".yaml", ".yml", ".json"}:
        raw, locate, problems = _read_yaml(path, shown)
        if raw is None or locate is None:
            return ReadFile(shown, None, None, problems)
        typed, found = _check_text(raw, shown, 0, MAX_REPORTS, text)
        return ReadFile(shown, typed, locate, problems, found)
    problem = Problem(Location(shown), "", "incident files are .csv, .yaml, .yml or .json")
    return ReadFile(shown, None, None, [problem])


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

    def binary(self) -> IO[bytes]:
        return io.BytesIO(self.converted) if self.converted is not None else self.path.open("rb")

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


#: A CSV file is read and checked in pieces of about this many bytes, cut between records, so
#: that its text is never all in memory at once: only the typed table grows.
PIECE_BYTES = 16 * 2**20


def _read_csv(path: Path, shown: str, text: bool) -> ReadFile:
    source, problems = csv_source(path, shown)
    if source is None:
        return ReadFile(shown, None, None, problems)
    try:
        header = _csv_header(source)
    except UnicodeDecodeError:
        return ReadFile(shown, None, None, [_diagnose_csv(source, shown, "")])
    header_problems = _check_header(header, shown)
    if any(p.is_error for p in header_problems):
        return ReadFile(shown, None, None, header_problems)
    locate = _locator(header, shown, _LineIndex(source).line_of)
    pieces: list[pl.DataFrame] = []
    found: list[_Found] = []
    try:
        for first_row, raw in _one_ahead(_csv_pieces(source)):
            if len(raw.columns) != len(header):  # line ends the two readers take differently
                message = (
                    f"the header has {len(header)} fields, but the rows are read with "
                    f"{len(raw.columns)}: are carriage returns and line feeds mixed?"
                )
                return ReadFile(shown, None, None, [Problem(Location(shown, 1), "", message)])
            raw = raw.rename(dict(zip(raw.columns, header, strict=True)))
            typed, piece_found = _check_text(raw, shown, first_row, MAX_REPORTS, text)
            pieces.append(typed)
            found = _merged(found, piece_found, MAX_REPORTS)
    except pl.exceptions.ComputeError as e:
        ragged, ragged_locate, problems = _read_ragged_csv(source, shown, str(e))
        if ragged is None or ragged_locate is None:
            return ReadFile(shown, None, None, problems)
        typed, found = _check_text(ragged, shown, 0, MAX_REPORTS, text)
        return ReadFile(shown, typed, ragged_locate, problems, found)
    return ReadFile(shown, pl.concat(pieces, rechunk=False), locate, header_problems, found)


def _csv_pieces(source: CsvSource) -> Iterator[tuple[int, pl.DataFrame]]:
    """The file's rows as text columns, a piece at a time, with the position of each piece's
    first row. Every piece is read as the header followed by whole records, so the engine
    reads each as it would the file. Raises the engine's `ComputeError`."""
    header: bytes | None = None
    first_row = 0
    with source.binary() as stream:
        for block in _record_blocks(stream, PIECE_BYTES):
            if header is None:
                end = _record_end(block)
                header = block[:end] if end else block
                text = block
            else:
                text = header + block
            raw = pl.read_csv(io.BytesIO(text), infer_schema=False, raise_if_empty=False)
            yield first_row, raw
            first_row += raw.height
    if header is None:  # an empty file
        yield 0, pl.read_csv(io.BytesIO(b""), infer_schema=False, raise_if_empty=False)


def _one_ahead(items: Iterator[T]) -> Iterator[T]:
    """`items`, the next one made in a thread while the caller works on the current one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        coming = pool.submit(next, items, None)
        while (item := coming.result()) is not None:
            coming = pool.submit(next, items, None)
            yield item


def _record_blocks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """The stream in blocks of about `size` bytes, each ending where a record ends: at a line
    end after an even number of quotes, the rule by which the CSV engine itself cuts a file
    for its threads (a quoted field may hold line ends, and its quotes come in pairs)."""
    rest = b""
    while block := stream.read(max(size, len(rest))):
        data = rest + block
        cut = _last_record_end(data)
        rest = data[cut:]
        if cut:
            yield data[:cut]
    if rest:
        yield rest


def _last_record_end(data: bytes) -> int:
    """Where the last whole record of `data` ends (after its line end), or 0 if none does."""
    quotes = data.count(b'"')
    end = len(data)
    while (line_end := data.rfind(b"\n", 0, end)) >= 0:
        quotes -= data.count(b'"', line_end, end)
        if quotes % 2 == 0:
            return line_end + 1
        end = line_end
    return 0


def _record_end(data: bytes) -> int:
    """Where the first record of `data` ends (after its line end), or 0."""
    quotes = start = 0
    while (line_end := data.find(b"\n", start)) >= 0:
        quotes += data.count(b'"', start, line_end)
        if quotes % 2 == 0:
            return line_end + 1
        start = line_end + 1
    return 0


def _locator(header: list[str], shown: str, line_of: Callable[[int], int | None]) -> Locator:
    """Where each row's field stands in the file."""

    def locate(row: int, name: str) -> tuple[Location, str]:
        column = header.index(name) + 1 if name in header else None
        return Location(shown, line_of(row), column), name

    return locate


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
    locate = _locator(header, shown, lambda row: lines[row] if 0 <= row < len(lines) else None)
    return raw, locate, header_problems + shown_ragged


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


#: How a check words what it found: a template over the row's text, or a function of the row.
Message = str | Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class _Check:
    """Which rows of a column are bad, and what to say of each."""

    field: str
    bad: pl.Expr
    message: Message


@dataclass(frozen=True)
class _Found:
    """What one check found in a file: how many rows, and the first of them (as text)."""

    field: str
    message: Message
    count: int
    rows: list[dict[str, Any]]


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
    kind, the rest counted). Blank rows are dropped."""
    typed, found = _check_text(raw, shown, 0, limit)
    found += _vocabulary_found(typed, categories, planned_kinds, limit)
    return typed, _reports(found, shown, locate, limit)


def _check_text(
    raw: pl.DataFrame, shown: str, first_row: int, limit: int | None, keep_text: bool = True
) -> tuple[pl.DataFrame, list[_Found]]:
    """Type the text columns of `raw` (rows of `shown` from `first_row` on) and find its bad
    cells, but for the checks of `_vocabulary_found`. Blank rows are dropped; so is the free
    text unless `keep_text`.

    The checks and the typed table come from one lazy plan, so that the columns are scanned
    together and nothing is copied for rows that are fine.
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
        pl.int_range(pl.len(), dtype=pl.Int64).add(first_row).alias("source_row"),
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
    checks = [_Check(name, pl.col(name).is_null(), "required field is empty") for name in REQUIRED]
    checks += [
        _Check(name, pl.col(name).is_not_null() & parsed[name].is_null(), template)
        for name, template in unreadable.items()
    ]
    for name, bound in (("latitude", 90), ("longitude", 180)):
        outside = ~parsed[name].is_between(-bound, bound).fill_null(True)
        checks.append(_Check(name, outside, f"{{{name}}} is outside -{bound} to {bound}"))
    for name in ("fatalities", "injuries", "claimed_fatalities"):
        checks.append(
            _Check(name, parsed[name].fill_null(0) < 0, f"must be at least 0, got {{{name}}}")
        )
    early, late = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
    out_of_range = ~parsed["date"].is_between(early, late).fill_null(True)
    checks.append(
        _Check("date", out_of_range, f"{{date}} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    )
    for name in COLUMNS:
        if name in parsed:
            continue
        most = MAX_LENGTH.get(name, MAX_SHORT)
        checks.append(_Check(name, pl.col(name).str.len_bytes() > most, _too_long(name, most)))
        if name in MAX_WORD:
            word = MAX_WORD[name]
            long_word = pl.col(name).str.contains(rf"[^\s;]{{{word + 1},}}")
            checks.append(_Check(name, long_word, _long_word(name, word)))
    for name, (noun, choices) in CHOICES.items():
        odd = pl.col(name).is_not_null() & ~pl.col(name).is_in(choices)
        checks.append(_Check(name, odd, _not_one_of(name, noun, choices)))
    odd_yes_no = yes_no.is_not_null() & ~yes_no.is_in(list(YES_NO))
    checks.append(
        _Check("civilian_targeting", odd_yes_no, "{civilian_targeting!r} is not yes or no")
    )
    odd_planned = planned_yes_no.is_not_null() & ~planned_yes_no.is_in(list(YES_NO))
    checks.append(_Check("planned", odd_planned, "{planned!r} is not yes or no"))

    # (A required column is always checked: absent, every row lacks it.)
    checks = [check for check in checks if check.field in present or check.field in REQUIRED]
    parsed = {
        name: expr if name in present else pl.lit(None, dtype=SCHEMA[name])
        for name, expr in parsed.items()
    }

    # Blank rows (spreadsheets leave them) are skipped; the table is filtered only if there are any.
    text = text.with_columns(
        pl.all_horizontal([pl.col(c).is_null() for c in present]).alias("_blank")
    )
    blank = pl.col("_blank")
    # Each check marks its rows in a column of flags (a bit a row), made in the same pass as the
    # typed table and summed after.
    flags = [f"_bad_{i}" for i in range(len(checks))]
    columns = schema(keep_text)
    result = (
        text.with_columns(
            *[(check.bad & ~blank).alias(f) for f, check in zip(flags, checks, strict=True)]
        )
        .with_columns(*[expr.alias(name) for name, expr in parsed.items()])
        .with_columns(
            # A date out of range is reported above, and kept from every later step.
            pl.when(pl.col("date").is_between(early, late)).then(pl.col("date")).alias("date"),
            pl.col("fatalities").fill_null(0),
            pl.lit(shown).alias("source_file"),
        )
        .select(*columns, "_blank", *flags)
        .collect()
    )
    blank_rows, *counts = result.select(pl.col("_blank", *flags).sum()).row(0)
    result = result.filter(~blank) if blank_rows else result
    result = result.drop("_blank", *flags).cast(columns)  # type: ignore[arg-type]
    found = text.filter(~blank).collect() if any(counts) else None
    return result, [
        _Found(check.field, check.message, count, _first(found.filter(check.bad), limit))
        if found is not None and count
        else _Found(check.field, check.message, 0, [])
        for check, count in zip(checks, counts, strict=True)
    ]


def _vocabulary_found(
    typed: pl.DataFrame, categories: list[str] | None, planned_kinds: list[str] | None,
    limit: int | None,
) -> list[_Found]:  # fmt: skip
    """The checks of a typed table against the rules' words: a category the rules do not
    know, and an event announced ahead (`planned: yes`) of a kind they do not plan for."""
    checks: list[_Check] = []
    is_planned = pl.col("planned").fill_null(False)
    category = pl.col("category")
    if categories is not None:
        known = categories

        def unknown_category(row: dict[str, Any]) -> str:
            return not_one_of(str(row["category"]), known, "a category")

        unknown = category.is_not_null() & ~category.is_in(categories) & ~is_planned
        checks.append(_Check("category", unknown, unknown_category))
    if planned_kinds is not None:
        kinds = planned_kinds

        def unknown_kind(row: dict[str, Any]) -> str:
            said = not_one_of(str(row["category"]), kinds, "a planned event's category")
            return (
                f"{said} (scoring.yaml planned:)"
                if kinds
                else (f"{row['category']!r}: scoring.yaml names no planned events (planned:)")
            )

        odd_kind = category.is_not_null() & is_planned & ~category.is_in(kinds)
        checks.append(_Check("category", odd_kind, unknown_kind))
    if not checks:
        return []
    counts = typed.select(*[c.bad.sum().alias(str(i)) for i, c in enumerate(checks)]).row(0)
    return [
        _Found(c.field, c.message, n, _first(typed.filter(c.bad), limit) if n else [])
        for c, n in zip(checks, counts, strict=True)
    ]


def _first(rows: pl.DataFrame, limit: int | None) -> list[dict[str, Any]]:
    return (rows if limit is None else rows.head(limit)).to_dicts()


def _merged(found: list[_Found], more: list[_Found], limit: int | None) -> list[_Found]:
    """What the checks found in a file's pieces so far, and in its next piece."""
    if not found:
        return more
    return [
        _Found(a.field, a.message, a.count + b.count, (a.rows + b.rows)[:limit])
        for a, b in zip(found, more, strict=True)
    ]


def _reports(found: list[_Found], shown: str, locate: Locator, limit: int | None) -> list[Problem]:
    """A problem for each bad cell found (at most `limit` of one kind, the rest counted)."""
    problems: list[Problem] = []
    for check in found:
        for row in check.rows:
            where, shown_field = locate(int(row["source_row"]), check.field)
            message = check.message(row) if callable(check.message) else check.message.format(**row)
            problems.append(Problem(where, shown_field, message))
        if limit is not None and check.count > limit:
            more = check.count - limit
            problems.append(
                Problem(
                    Location(shown),
                    check.field,
                    f"... and {more} more rows with the same problem as above",
                )
            )
    return problems


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
