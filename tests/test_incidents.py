"""Reading the incident log: CSV as spreadsheets write it, YAML and JSON, and located errors."""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from advisory.inputs.incidents import MAX_REPORTS, read_incidents

HEADER = "id,date,country,admin1,category,summary,sources"
CATEGORIES = ["crime", "protest"]


def _write(path: Path, text: str, *, bom: bool = False, newline: str = "\n") -> Path:
    data = text.replace("\n", newline).encode()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_csv_with_bom_and_crlf(tmp_path: Path):
    path = _write(
        tmp_path / "i.csv",
        f"{HEADER}\na-1,2018-06-07,Peru,Lima,crime,A robbery.,Report A; Report B\n",
        bom=True,
        newline="\r\n",
    )
    log, problems = read_incidents([path], CATEGORIES)
    assert problems == []
    [incident] = log.incidents()
    assert incident.id == "a-1"
    assert incident.sources == ("Report A", "Report B")
    assert incident.summary == "A robbery."


def test_optional_columns_default(tmp_path: Path):
    path = _write(tmp_path / "i.csv", f"{HEADER}\na-1,2018-06-07,Peru,Lima,crime,A robbery.,R\n")
    [incident] = read_incidents([path], CATEGORIES)[0].incidents()
    # An empty injuries cell is not known (a feed that counts deaths only), not "none".
    assert (incident.fatalities, incident.injuries, incident.actors) == (0, None, ())
    assert incident.fatalities_certainty is None  # read as exact
    assert incident.admin2 is None and incident.latitude is None


def test_quoted_newlines_do_not_shift_line_numbers(tmp_path: Path):
    text = (
        f"{HEADER}\n"
        'a-1,2018-06-07,Peru,Lima,crime,"Line one,\nline two\nline three",R\n'
        "\n"
        "a-2,2018-06-31,Peru,Lima,crime,Bad date.,R\n"
    )
    _, problems = read_incidents([_write(tmp_path / "i.csv", text)], CATEGORIES)
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'i.csv'}:6:2: date: '2018-06-31' is not a date (YYYY-MM-DD)"
    ]


def test_blank_and_comma_only_rows_are_skipped(tmp_path: Path):
    text = f"{HEADER}\n\n,,,,,,\na-1,2018-06-07,Peru,Lima,crime,A robbery.,R\n\n"
    log, problems = read_incidents([_write(tmp_path / "i.csv", text)], CATEGORIES)
    assert problems == []
    assert len(log) == 1


def test_many_bad_rows_are_summed_up(tmp_path: Path):
    rows = "".join(f"a-{i},2018-06-07,Peru,Lima,crime,,R\n" for i in range(MAX_REPORTS + 5))
    _, problems = read_incidents([_write(tmp_path / "i.csv", f"{HEADER}\n{rows}")], CATEGORIES)
    assert len(problems) == MAX_REPORTS + 1
    assert problems[-1].message == "... and 5 more rows with the same problem as above"


def test_json_incidents_are_located(tmp_path: Path):
    document = {
        "version": 1,
        "incidents": [
            {
                "id": "j-1",
                "date": "2018-06-07",
                "country": "Peru",
                "admin1": "Lima",
                "category": "crime",
                "fatalities": 1,
                "summary": "A robbery.",
                "sources": ["Report A"],
            },
            {"id": "j-2", "date": "June 8", "country": "Peru", "admin1": "Lima"},
        ],
    }
    path = tmp_path / "i.json"
    path.write_text(json.dumps(document, indent=2))
    log, problems = read_incidents([path], CATEGORIES)
    messages = [str(p).removeprefix(f"{path}:") for p in problems]
    assert messages == [
        "16:5: incidents[1].category: required field is empty",
        "16:5: incidents[1].summary: required field is empty",
        "16:5: incidents[1].sources: required field is empty",
        "18:15: incidents[1].date: 'June 8' is not a date (YYYY-MM-DD)",
    ]
    assert log.frame.height == 2
    assert log.frame.row(0, named=True)["fatalities"] == 1


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


cell = st.text(alphabet=string.ascii_letters + ' ,"\n', min_size=1, max_size=12).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(summaries=st.lists(cell.filter(bool), min_size=1, max_size=8), bad=st.data())
def test_reported_line_is_the_physical_line(tmp_path_factory, summaries, bad):
    """Whatever line breaks and quotes the cells hold, an error names the row's first line."""
    rows = [HEADER.split(",")]
    rows += [
        [f"a-{i}", "2018-06-07", "Peru", "Lima", "crime", s, "R"] for i, s in enumerate(summaries)
    ]
    broken = bad.draw(st.integers(min_value=0, max_value=len(summaries) - 1))
    rows[broken + 1][1] = "not-a-date"
    text = _csv_text(rows)
    path = tmp_path_factory.mktemp("csv") / "i.csv"
    path.write_text(text)

    _, problems = read_incidents([path], CATEGORIES)

    expected_line = _csv_text(rows[: broken + 1]).count("\n") + 1
    assert [(p.location.line, p.field) for p in problems] == [(expected_line, "date")]


def test_a_table_without_a_required_column_is_refused_row_by_row():
    """Columns a file does not have are not checked cell by cell, except the required ones:
    a table that lacks one (as an importer may build it) reports every row."""
    import polars as pl

    from advisory.errors import Location
    from advisory.inputs.incidents import check_columns

    raw = pl.DataFrame(
        {
            "id": ["a", "b"],
            "date": ["2018-06-24", "2018-06-25"],
            "country": ["Peru", "Peru"],
            "category": ["ambush", "ambush"],
            "sources": ["Report", "Report"],
        }
    )
    typed, problems = check_columns(
        raw, "t.csv", lambda row, name: (Location("t.csv", row + 2), name), ["ambush"]
    )
    assert [(p.field, p.message) for p in problems] == [
        ("summary", "required field is empty"),
        ("summary", "required field is empty"),
    ]
    assert typed.height == 2 and typed.get_column("admin1").null_count() == 2


def _read_in_pieces(path: Path, piece_bytes: int):
    from unittest import mock

    from advisory.inputs import incidents

    with mock.patch.object(incidents, "PIECE_BYTES", piece_bytes):
        return read_incidents([path], CATEGORIES)


@settings(max_examples=40, deadline=None)
@given(
    summaries=st.lists(cell, min_size=1, max_size=12),
    dates=st.data(),
    piece=st.integers(min_value=1, max_value=200),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_a_file_read_in_pieces_reads_as_one(tmp_path_factory, summaries, dates, piece, crlf, bom):
    """A CSV file is read a piece at a time, cut between records: whatever its cells hold
    (quotes, commas, line breaks, blank rows), the table and every problem, with its line, are
    those of reading it whole."""
    rows = [HEADER.split(",")]
    for i, summary in enumerate(summaries):
        date = dates.draw(st.sampled_from(["2018-06-07", "2018-06-31", ""]))
        rows.append([f"a-{i}", date, "Peru", "Lima", "crime", summary, "R"] if summary else [])
    path = _write(
        tmp_path_factory.mktemp("csv") / "i.csv",
        _csv_text(rows),
        bom=bom,
        newline="\r\n" if crlf else "\n",
    )

    whole_log, whole_problems = _read_in_pieces(path, 2**30)
    log, problems = _read_in_pieces(path, piece)

    assert log.frame.equals(whole_log.frame)
    assert [str(p) for p in problems] == [str(p) for p in whole_problems]


def test_problems_are_summed_up_across_pieces(tmp_path: Path):
    rows = "".join(f"a-{i},2018-06-07,Peru,Lima,crime,,R\n" for i in range(MAX_REPORTS + 5))
    path = _write(tmp_path / "i.csv", f"{HEADER}\n{rows}")
    _, problems = _read_in_pieces(path, 100)  # a few rows to a piece
    assert [p.location.line for p in problems[:-1]] == list(range(2, MAX_REPORTS + 2))
    assert problems[-1].message == "... and 5 more rows with the same problem as above"


def test_record_blocks_end_between_records():
    from advisory.inputs.incidents import _record_blocks

    data = b'h\n"a\nb",c\n\n"d""\ne"\nf\n"g'
    for size in range(1, len(data) + 2):
        blocks = list(_record_blocks(io.BytesIO(data), size))
        assert b"".join(blocks) == data
        # Each block but the last ends with a line end after an even number of quotes.
        assert all(b.endswith(b"\n") and b.count(b'"') % 2 == 0 for b in blocks[:-1])


def test_a_log_read_has_the_schema_and_no_working_columns(tmp_path):
    """The typed log has exactly the schema's columns and types, with or without its free
    text: the checks' working columns (flags, blank rows) never reach it."""
    from advisory.inputs.incidents import read_files, schema

    path = tmp_path / "log.csv"
    path.write_text(
        "id,date,country,admin1,category,fatalities,summary,sources\n"
        "a1,2024-03-01, Peru ,Lima,protest,2,Marchers gathered.,Feed\n"
        ",,,,,,,\n"
        "a2,2024-03-02,Peru,Cusco,riot,x,Stones were thrown.,Feed\n"
    )
    for text in (True, False):
        [read] = read_files([path], text=text)
        assert read.frame is not None
        assert dict(read.frame.schema) == dict(schema(text))
        assert read.frame.get_column("country").to_list() == ["Peru", "Peru"]
        assert [(f.field, f.count) for f in read.found if f.count] == [("fatalities", 1)]


def test_a_log_read_without_its_text_rates_the_same():
    """`rate` and `calibrate` read the log without its free text: it is checked, not kept,
    and the ratings are those of the whole log."""
    import datetime as dt

    import pytest

    from advisory.inputs import load_inputs
    from advisory.rating import rate

    root = Path(__file__).resolve().parent.parent
    patterns = [str(root / "data" / "incidents.csv")]
    whole = load_inputs(root / "rules", patterns, None)
    narrow = load_inputs(root / "rules", patterns, None, text=False)
    assert {"summary", "sources", "actors", "note"} & set(narrow.incidents.frame.columns) == set()
    with pytest.raises(ValueError, match="without its free text"):
        narrow.incidents.incidents()
    at = dt.datetime(2018, 7, 2, 6, tzinfo=dt.UTC)
    assert rate(narrow.incidents, narrow.rules, at, narrow.placements) == rate(
        whole.incidents, whole.rules, at, whole.placements
    )
