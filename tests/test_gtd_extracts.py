"""GTD extracts import as they are: a column the shipped map marks optional may be left out,
every row is still kept, and the alerts claim no toll, name or place the extract lacks."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from advisory.inputs import Inputs, load_inputs
from advisory.writing.plan import compose_week
from tests.conftest import ROOT, run_advisory
from tests.gtd_corpus import FULL, OPTIONAL, extract, write
from tests.sendable import unsendable

#: A count of the dead said as a fact, not "at least" and not a side's claim.
_KILLED = re.compile(r"(?<![Aa]t least )(?<![\w-])(?:\d[\d,]*|[A-Z]?[a-z]+) (?:people|person|"
                     r"[a-z ]+) (?:was|were) killed")  # fmt: skip
_NONE_HURT = re.compile(r"no casualties|none with casualties")


def imported(tmp_path: Path, columns: tuple[str, ...], *, year: int) -> tuple[Inputs, str]:
    """An extract of `columns` imported with the shipped map: the inputs, and what the import
    said."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "log.csv").write_text("id,date,country,category,summary,sources\n")
    (tmp_path / "extract.csv").write_bytes(write(extract(5, 80, year, months=3), columns))
    done = run_advisory("import", "csv", "extract.csv", "--map", "rules/mappings/gtd.yaml",
                        "--out", "data/gtd.csv", "--incidents", "data/log.csv",
                        cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    inputs = load_inputs(tmp_path / "rules", [str(tmp_path / "data" / "gtd.csv")], None)
    return inputs, done.stdout


def alerts_text(inputs: Inputs, year: int) -> list[tuple[str, str]]:
    """(region, text) of every alert of the extract's weeks."""
    found = []
    monday = dt.date(year, 1, 4) - dt.timedelta(days=dt.date(year, 1, 4).weekday())
    for week in range(14):
        issued = dt.datetime.combine(monday + dt.timedelta(weeks=week + 1), dt.time(6),
                                     tzinfo=dt.UTC)  # fmt: skip
        composed = compose_week(inputs, issued)
        for alert in [*composed.alerts, *composed.below_bar, *composed.beyond]:
            text = " ".join([alert.headline, alert.summary, *alert.event, *alert.context])
            found.append((alert.region_id, text))
    return found


@pytest.mark.parametrize("dropped", [(c,) for c in OPTIONAL] + [OPTIONAL], ids=lambda d:
                         "all" if len(d) > 1 else d[0])  # fmt: skip
def test_an_extract_without_optional_columns_imports_whole(tmp_path: Path, dropped):
    columns = tuple(c for c in FULL if c not in dropped)
    inputs, said = imported(tmp_path, columns, year=1999)
    assert "imported: 80" in said and "rejected" not in said, said
    assert "columns left out" in said
    texts = alerts_text(inputs, 1999)
    assert texts
    for region, text in texts:
        assert not unsendable(text), (region, unsendable(text))
        assert not re.search(r"\bin Unknown\b|\bUnknown\b", text), (region, text)
        if "nkill" in dropped:  # no toll is known: none is told as a fact
            assert not _KILLED.search(text), (region, _KILLED.search(text))
        if "nkill" in dropped or "nwound" in dropped:
            assert not _NONE_HURT.search(text), (region, text)


def test_an_old_extract_composes_its_summaries(tmp_path: Path):
    """GTD wrote no summaries before 1998: each is composed from the attack type, weapon,
    target and place, and a place GTD does not know is no place."""
    inputs, said = imported(tmp_path, FULL, year=1982)
    assert "summaries composed from the other fields: 80 rows" in said
    summaries = inputs.incidents.frame.get_column("summary").to_list()
    assert "An explosive attack with explosives against police in Usulutan, El Salvador." in (
        summaries
    ) or any(s.startswith("An explosive attack with explosives") for s in summaries)
    assert any("in an unknown place in Guatemala" in s for s in summaries)
    assert not any("Unknown" in s for s in summaries)
    for region, text in alerts_text(inputs, 1982):
        assert not unsendable(text), (region, unsendable(text))
        assert "May 1" not in text and "Unknown" not in text, (region, text)
