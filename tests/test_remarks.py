"""The feeds' coding remarks never reach a sentence the product writes; the note keeps them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisory.remarks import without_remarks
from tests.acled_corpus import OTHER_REMARKS, TOLL_REMARKS, export
from tests.conftest import ROOT, run_advisory
from tests.sendable import REMARK


@pytest.mark.parametrize(
    ("note", "summary"),
    [
        ("On 14 March 2024, soldiers clashed with Taliban militants in Kaldar. Several people "
         "were reported killed; unknown reported fatalities coded as 10.",
         "On 14 March 2024, soldiers clashed with Taliban militants in Kaldar. Several people "
         "were reported killed."),
        ("On 14 March 2024, an air strike hit Sangin. Fatalities are split across 3 events (5).",
         "On 14 March 2024, an air strike hit Sangin."),
        ("On 14 March 2024, soldiers clashed with Taliban militants in Balkh. Fatalities coded "
         "as 0 (Taliban reported 12).",
         "On 14 March 2024, soldiers clashed with Taliban militants in Balkh."),
        ("On 3 May 2024, Houthi forces shelled Al Qahirah (coded to Taiz). Casualties unknown.",
         "On 3 May 2024, Houthi forces shelled Al Qahirah."),
        ("On 2 May 2024, students marched in Lima. [size=",
         "On 2 May 2024, students marched in Lima."),
        ("03/14/2015: Assailants attacked a checkpoint in Kandahar. Casualty numbers for this "
         "incident conflict across sources.",
         "Assailants attacked a checkpoint in Kandahar."),
        ("He said \"we will not leave.\" 3 fatalities.", "He said \"we will not leave.\""),
        ("unknown reported fatalities coded as 10.", ""),
        ("Four police officers were killed in an ambush.",
         "Four police officers were killed in an ambush."),
    ],
)  # fmt: skip
def test_remarks_leave_the_summary(note: str, summary: str):
    assert without_remarks(note) == summary


def test_every_remark_of_a_real_shaped_export_is_taken_out_and_the_event_kept():
    corpus = export(seed=31, size=3000)
    for event in corpus.events:
        notes = event.row["notes"]
        story = notes.split(". ")[0]
        cleaned = without_remarks(notes)
        assert cleaned.startswith(story), (notes, cleaned)
        assert not REMARK.search(cleaned), (notes, cleaned)
        for remark in event.truth.remarks:
            assert remark not in cleaned
    shapes = [r for rs in TOLL_REMARKS.values() for r in rs] + list(OTHER_REMARKS)
    assert len(shapes) >= 15  # the table is tested against every shape the corpus writes


def test_a_log_of_the_previous_version_reads_without_remarks(tmp_path: Path):
    """A log imported before remarks were taken out at import, and a note pasted by hand: the
    alerts quote no remark, a summary of remarks alone gives way to a sentence of the fields,
    and the incident file's note is untouched."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")  # the roster
    rows = [
        ("af-1", "2024-03-14", "Balkh", "Kaldar", "armed_clash", "10",
         "On 14 March 2024, Taliban militants clashed with soldiers in Kaldar. Fatalities are "
         "split across 3 events (30). [size=no report]", "Taliban",
         "Military Forces of Afghanistan (2014-2021)"),
        ("af-2", "2024-03-15", "Balkh", "Charbolak", "armed_clash", "0",
         "Fatalities coded as 0 (Taliban reported 12).", "Taliban",
         "Military Forces of Afghanistan (2021-)"),
        ("af-3", "2024-03-16", "Balkh", "Mazar-e Sharif", "attack", "3",
         "On 16 March 2024, gunmen attacked a shop in Mazar-e Sharif (coded to Balkh). "
         "unknown reported fatalities coded as 3.", "Unidentified Armed Group (Afghanistan)",
         "Civilians (Afghanistan)"),
    ]  # fmt: skip
    with (tmp_path / "data" / "log.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "date", "country", "admin1", "location", "category", "fatalities",
                         "summary", "sources", "perpetrator", "target"])  # fmt: skip
        for id_, day, admin1, location, category, killed, summary, by, against in rows:
            writer.writerow([id_, day, "Afghanistan", admin1, location, category, killed,
                             summary, "ACLED", by, against])  # fmt: skip
    (tmp_path / "advisory.yaml").write_text(
        "version: 1\nincidents: [data/log.csv]\nmaps: false\n"
        "alerts: {min_level: Minimal, min_severity: Informational}\n"
    )
    done = run_advisory("alert", "--all", "--as-of", "2024-03-18T06:00Z", "--format", "html",
                        "--out", "out", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    [page] = (tmp_path / "out").glob("af-balkh*.html")
    html = page.read_text()  # the alert page: its prose, and no incident table
    assert not REMARK.search(html), REMARK.search(html)
    assert "On 14 March 2024, Taliban militants clashed with soldiers in Kaldar." in html
    assert "Afghan military forces" in html or "Taliban government forces" in html


def _full_toll_certainty(note: str, fatalities: int) -> tuple[str, int | None, str | None]:
    """`toll_certainty` with no quick look first: every pattern run on every note."""
    from advisory import remarks

    text = " ".join(note.split())
    if fatalities == 0:
        for pattern in remarks.CLAIMS:
            if found := pattern.search(text):
                return "claimed", int(found["n"]), found["by"].strip()
    if fatalities and remarks.ESTIMATED.search(text):
        return "estimated", None, None
    if not fatalities and remarks.UNKNOWN.search(text):
        return "unknown", None, None
    return "exact", None, None


_FRAGMENTS = [
    *(
        remark.format(n=3, parts=2, total=6, side="Taliban", claim=12, admin1="Taiz")
        for remark in [*OTHER_REMARKS, *(r for remarks in TOLL_REMARKS.values() for r in remarks)]
    ),
    "Taliban", "(CPI (Maoist) reported 4 killed)", "Police claimed to have killed 7",
    "claimed 3 dead", "REPORTED 5 KILLED", "ſplit across 2 events", "KILLED",
    "Fatalİties coded as 10", "caſualties unknown", "03/14/2015: ", "[size=no report]", "deaths",
    "ça", "Number unknown", "the toll is unclear", "No information on casualties",
    "On 3 May 2024, Houthi forces shelled Al Qahirah.", "9 fatalities.", ";", ".", " ", "(",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=8), max_size=8),
    fatalities=st.sampled_from([0, 1, 10]),
)
def test_the_quick_looks_never_change_a_reading(parts, fatalities):
    """The words looked for before a pattern is run only save time: the certainty and the
    text without remarks are those of running every pattern on every note."""
    from advisory import remarks

    note = " ".join(parts)
    assert remarks.toll_certainty(note, fatalities) == _full_toll_certainty(note, fatalities)
    text = " ".join(note.split())
    full = remarks.taken_out(text) if text and remarks._ANY.search(text) else text
    assert without_remarks(note) == full
