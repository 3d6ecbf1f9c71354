"""Seeded, bounded fuzzing of the loaders: whatever the bytes, a loader returns problems that
name the file, and never raises, hangs or grows without bound."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisory.inputs.incidents import COLUMNS, read_incidents
from advisory.inputs.yamlfile import load_yaml

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same cases on every run
    suppress_health_check=[HealthCheck.too_slow],
)

#: Pieces YAML and JSON are made of, so that the fuzzer builds near-valid documents.
YAML_PIECES = st.sampled_from(
    [
        "a", ": ", "- ", "[", "]", "{", "}", ",", "\n", "  ", "&x ", "*x", "!!str ",
        "!!python/name:os.system ", "'", '"', "#", "---\n", "...\n", "? ", "|\n", ">\n", "\t",
        "1e999", "9" * 40, ".inf",
        "2018-06-20", "0000-01-01", "\\u0000", "\ufeff", "\r", "<<: ", "version: 1\n",
        "incidents:\n", "travelers:\n",
    ]
)  # fmt: skip


_FOLDER = tempfile.TemporaryDirectory(prefix="advisory-fuzz-")


def _write(data: bytes, suffix: str) -> Path:
    path = Path(_FOLDER.name) / f"fuzz{suffix}"
    path.write_bytes(data)
    return path


@FUZZ
@given(st.lists(YAML_PIECES, max_size=60).map("".join), st.sampled_from([".yaml", ".json"]))
def test_yaml_loader_never_raises(text: str, suffix: str):
    path = _write(text.encode("utf-8", "surrogatepass"), suffix)
    doc, problems = load_yaml(path)
    assert doc is not None or problems
    assert all(str(p).startswith(str(p.location.path)) for p in problems)
    _, log_problems = read_incidents([path], ["riot"])  # the same text as an incident file
    assert all(p.location.path.endswith(path.name) for p in log_problems)


@FUZZ
@given(st.binary(max_size=400))
def test_yaml_loader_takes_any_bytes(data: bytes):
    doc, problems = load_yaml(_write(data, ".yaml"))
    assert doc is not None or problems


CELLS = st.one_of(
    st.sampled_from(["", " ", "2018-06-20", "0000-01-01", "Peru", "Lima", "riot", "-1", "1e309",
                     "nan", "=1+1", '"', '""', "a;b", "\r", "\n", "x" * 250, "9" * 30]),
    st.text(max_size=20),
)  # fmt: skip


@FUZZ
@given(
    st.lists(st.lists(CELLS, min_size=1, max_size=16), max_size=8),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_loader_never_raises(rows: list[list[str]], encoding: str, newline: str):
    lines = [",".join(COLUMNS), *(",".join(row) for row in rows)]
    data = newline.join(lines).encode(encoding, "surrogatepass")
    path = _write(data, ".csv")
    log, problems = read_incidents([path], ["riot"])
    assert all(p.location.path.endswith("fuzz.csv") for p in problems)
    if not any(p.is_error for p in problems):
        log.incidents()  # every row that passed builds a valid incident


@FUZZ
@given(st.binary(max_size=400))
def test_csv_loader_takes_any_bytes(data: bytes):
    log, problems = read_incidents([_write(data, ".csv")], ["riot"])
    assert all(p.location.path.endswith("fuzz.csv") for p in problems)
    if len(log):  # a few random bytes that make a valid log: its rows build
        assert not any(p.is_error for p in problems)
