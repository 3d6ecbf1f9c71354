"""`advisory import`: ACLED exports as people have them, and analysts' spreadsheets.

The ACLED-layout files here are synthetic, written by the tests (ACLED's terms restrict
redistributing real data).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from advisory.importers.acled import ACLED_LAYOUTS
from tests.conftest import ROOT, run_advisory

OLD, NEW = ACLED_LAYOUTS


def acled_csv(
    layout: str, rows: list[dict[str, str]], *, newline: str = "\n", bom: bool = False
) -> bytes:
    columns = ACLED_LAYOUTS[layout]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator=newline)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    data = out.getvalue().encode()
    return (b"\xef\xbb\xbf" if bom else b"") + data


def event(n: int, **fields: str) -> dict[str, str]:
    base = {
        "event_id_cnty": f"PER{n:04d}",
        "event_date": "21 March 2023",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Peru",
        "actor2": "Shining Path",
        "country": "Peru",
        "admin1": "Junin",
        "admin2": "Satipo",
        "location": f"Place {n}",
        "latitude": "-11.9",
        "longitude": f"-74.{n:02d}",
        "source": "La Republica; Andina",
        "notes": f"On 21 March 2023, soldiers clashed with militants near place {n}.",
        "fatalities": "1",
        "inter1": "1",
    }
    return {**base, **fields}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def imported(workspace: Path, name: str = "data/incidents-acled.csv") -> list[dict[str, str]]:
    with (workspace / name).open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("layout", [OLD, NEW])
@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", True)])
def test_both_layouts_crlf_and_bom(workspace: Path, layout: str, newline: str, bom: bool):
    rows = [event(1), event(2, admin1="Ayacucho", admin2="La Mar", event_date="22 March 2023")]
    (workspace / "export.csv").write_bytes(acled_csv(layout, rows, newline=newline, bom=bom))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "rows read: 2" in result.stdout and "imported: 2" in result.stdout
    assert "dates: 2023-03-21 to 2023-03-22" in result.stdout
    [first, _] = imported(workspace)
    assert first["id"] == "PER0001" and first["date"] == "2023-03-21"
    assert first["category"] == "armed_clash"
    assert first["summary"].startswith("On 21 March 2023, soldiers clashed")
    assert first["sources"] == "La Republica; Andina"
    assert first["actors"] == "Military Forces of Peru; Shining Path"
    # Junin (no accent, as ACLED writes it) is the VRAEM's Junín: it rates with no further step.
    rate = run_advisory("rate", "--as-of", "2023-03-23", "--region", "pe-vraem", "--explain",
                        cwd=workspace)  # fmt: skip
    assert rate.returncode == 0, rate.stderr
    assert "PER0001" in rate.stdout and "PER0002" in rate.stdout
    if layout == NEW and bom:
        bulletin = run_advisory("bulletin", "--week", "2023-W12", "--format", "html", cwd=workspace)
        assert bulletin.returncode == 0, bulletin.stderr
        html = (workspace / "output" / "bulletin-2023-W12.html").read_text()
        assert "soldiers clashed with militants near place 1" in html


def test_neither_layout_names_the_missing_columns(workspace: Path):
    (workspace / "export.csv").write_text("event_id_cnty,event_date,country\nX,2023-03-21,Peru\n")
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 2
    assert "export.csv:1: not an ACLED export; as the ACLED" in result.stderr
    assert "lacks: " in result.stderr and "event_type" in result.stderr


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["2023-03-21", "2023-03-22"], None),
        (["21/03/2023", "25/03/2023"], None),  # day first: 25 cannot be a month
        (["3/21/2023", "12/25/2023"], None),  # as a US spreadsheet re-saves them
        (["21-Mar-23", "22-Mar-23"], None),
        (["21.03.2023", "22.03.2023"], None),
        (["03/04/2023", "05/06/2023"], "line 2: the date format is ambiguous"),
        (["21 March 2023", "2023-03-22"], "line 3: dates of this column are not all in one format"),
    ],
)
def test_date_format_is_decided_per_column(workspace: Path, dates, message):
    rows = [event(n, event_date=day) for n, day in enumerate(dates, start=1)]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        line, text = message.split(": ", 1)
        assert result.returncode == 2
        assert f"export.csv:{line.removeprefix('line ')}:" in result.stderr
        assert text in result.stderr
        assert not (workspace / "data" / "incidents-acled.csv").exists()  # nothing half-imported


def test_embedded_newlines_truncated_last_line_and_empty_admin2(workspace: Path):
    rows = [event(1, notes="Line one,\nline two, with commas."), event(2, admin2="")]
    data = acled_csv(OLD, rows) + b"PER0003,21 March 2023,Bat"  # cut off mid-row
    (workspace / "export.csv").write_bytes(data)
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "imported: 2" in result.stdout
    assert "rejected, truncated line (the file ends inside it): 1 (line 5)" in result.stdout
    first, second = imported(workspace)
    assert first["summary"] == "Line one, line two, with commas."
    assert second["admin2"] == ""


def test_unmapped_categories_are_counted_once(workspace: Path):
    rows = [event(n, event_type="Weird", sub_event_type="Thing") for n in range(1, 4)]
    rows += [event(9, event_type="Strategic developments", sub_event_type="Arrests")]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 2  # every row that could be an incident was rejected
    assert (
        "rejected, unmapped category Weird / Thing (add it to the mapping): 3 (lines 2, 3, 4)"
        in result.stdout
    )
    assert "skipped, not an incident (Strategic developments): 1" in result.stdout
    assert "imported: 0" in result.stdout
    assert "every row was rejected; the log is left as it was" in result.stderr
    assert not (workspace / "data" / "incidents-acled.csv").exists()


def test_mapping_is_checked_against_the_rules(workspace: Path):
    mapping = workspace / "rules" / "acled.yaml"
    mapping.write_text(mapping.read_text().replace("category: riot}", "category: riots}", 1))
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [event(1)]))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 2
    assert "rules/acled.yaml:" in result.stderr and "'riots' is not a category" in result.stderr


def test_import_twice_adds_nothing(workspace: Path):
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [event(1), event(2)]))
    assert run_advisory("import", "acled", "export.csv", cwd=workspace).returncode == 0
    before = (workspace / "data" / "incidents-acled.csv").read_bytes()
    again = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert again.returncode == 0, again.stderr
    # --out writes the file anew: the same file, and the log holds each event once.
    assert (workspace / "data" / "incidents-acled.csv").read_bytes() == before
    validate = run_advisory("validate", cwd=workspace)
    assert validate.returncode == 0, validate.stderr  # no id twice across the log
    appended = run_advisory("import", "acled", "export.csv", "--append",
                            "data/incidents-acled.csv", cwd=workspace)  # fmt: skip
    assert appended.returncode == 0, appended.stderr
    assert "already imported (same id): 2" in appended.stdout
    assert len(imported(workspace)) == 2


def test_one_event_from_two_sources_is_merged(workspace: Path):
    """The March 25, 2023 Natividad ambush is in the demo log; ACLED's record of it is the same
    incident, not a second one."""
    natividad = event(
        7, event_date="25 March 2023", event_type="Violence against civilians",
        sub_event_type="Attack", admin1="Cusco", admin2="La Convencion", location="Natividad",
        fatalities="7",
    )  # fmt: skip
    mapping = workspace / "rules" / "acled.yaml"
    text = mapping.read_text()
    mapping.write_text(
        text.replace("Attack, category: attack_on_civilians", "Attack, category: ambush")
    )
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [natividad]))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "merged: PER0007 is pe-2023-0325-natividad (already in the log)" in result.stdout
    assert "imported: 0" in result.stdout


def test_country_since_and_places_matching_no_region(workspace: Path):
    rows = [
        event(1),
        event(2, country="Bolivia", admin1="La Paz"),
        event(3, event_date="1 January 2023"),
        event(4, admin1="Tumbes", country="Chile"),
    ]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    command = ("import", "acled", "export.csv", "--country", "Peru", "--country", "Chile",
               "--since", "2023-03-01")  # fmt: skip
    result = run_advisory(*command, cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "skipped, another country: 1" in result.stdout
    assert "skipped, before --since: 1" in result.stdout
    assert "imported: 2" in result.stdout
    # The shipped rules cover the world: Chile is a region of its own.
    assert "matching no region" not in result.stdout
    # Rules without world.yaml know Peru only: the Chilean event is placed nowhere, and said so.
    (workspace / "rules" / "world.yaml").unlink()
    result = run_advisory(*command, cwd=workspace)
    assert "matching no region, Chile / Tumbes: 1" in result.stdout


def test_analyst_spreadsheet_with_a_map(workspace: Path):
    (workspace / "sheet.csv").write_text(
        "Ref,When,Nation,Department,What,Dead,Summary,Source\n"
        "A-1,07/06/2018,Peru,Lima,Robo,0,A robbery in Lima.,Desk\n"
        "A-2,21/06/2018,Peru,Lima,Marcha,0,A march in Lima.,Desk\n"
    )
    (workspace / "sheet.yaml").write_text(
        "version: 1\n"
        "columns: {id: Ref, date: When, country: Nation, admin1: Department, category: What,\n"
        "          fatalities: Dead, summary: Summary, sources: Source}\n"
        "date_format: '%d/%m/%Y'\n"
        "categories: {Robo: crime, Marcha: protest}\n"
    )
    result = run_advisory("import", "csv", "sheet.csv", "--map", "sheet.yaml", cwd=workspace)
    assert result.returncode == 0, result.stderr
    first, second = imported(workspace, "data/incidents-imported.csv")
    assert (first["id"], first["date"], first["category"]) == ("A-1", "2018-06-07", "crime")
    assert second["category"] == "protest"
    again = run_advisory(
        "import", "csv", "sheet.csv", "--map", "sheet.yaml",
        "--append", "data/incidents-imported.csv", cwd=workspace,
    )  # fmt: skip
    assert "already imported (same id): 2" in again.stdout
    assert len(imported(workspace, "data/incidents-imported.csv")) == 2


# --- rows rejected, never the whole feed ------------------------------------------------------


def _messy(workspace: Path) -> list[dict[str, str]]:
    rows = [
        event(1),
        event(2, event_id_cnty=""),  # empty id
        event(3),
        event(3, location="Elsewhere"),  # the same id again
        event(4, fatalities="many"),
        event(5, event_date=""),
        event(6),
    ]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows) + b"PER0007,21 March 2023,Bat")
    return rows


def test_bad_rows_are_rejected_and_the_rest_imported(workspace: Path):
    _messy(workspace)
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "rows read: 8" in out and "imported: 3" in out and "rejected: 5" in out
    assert "rejected, empty event_id_cnty: 1 (line 3)" in out
    assert "rejected, repeated event_id_cnty …: 1 (line 5)" in out
    assert "rejected, fatalities: … is not a whole number: 1 (line 6)" in out
    assert "rejected, empty event_date: 1 (line 7)" in out
    assert "rejected, truncated line (the file ends inside it): 1 (line 9)" in out
    assert [r["id"] for r in imported(workspace)] == ["PER0001", "PER0003", "PER0006"]


def test_rejects_round_trip(workspace: Path):
    _messy(workspace)
    first = run_advisory("import", "acled", "export.csv", "--rejects", "rejects.csv", cwd=workspace)
    assert first.returncode == 0, first.stderr
    with (workspace / "rejects.csv").open(newline="") as f:
        rejected = list(csv.DictReader(f))
    assert [r["reason"].split(":")[0] for r in rejected] == [
        "line 3", "line 5", "line 6", "line 7", "line 9",
    ]  # fmt: skip
    assert rejected[2]["fatalities"] == "many"
    # The analyst fixes what can be fixed, drops the rest, and imports the file again.
    fixed = [dict(r) for r in rejected[:4]]
    fixed[0]["event_id_cnty"] = "PER0002"
    fixed[1]["event_id_cnty"] = "PER0033"
    fixed[2]["fatalities"] = "2"
    fixed[3]["event_date"] = "22 March 2023"
    for n, row in enumerate(fixed):  # four separate events, not one reported four times
        row["latitude"] = f"-{10 + 2 * n}.5"
    columns = [c for c in rejected[0] if c != "reason"]
    with (workspace / "fixed.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(fixed)
    again = run_advisory(
        "import", "acled", "fixed.csv", "--append", "data/incidents-acled.csv", cwd=workspace
    )
    assert again.returncode == 0, again.stderr
    assert "imported: 4" in again.stdout and "rejected" not in again.stdout
    ids = [r["id"] for r in imported(workspace)]
    assert sorted(ids) == ["PER0001", "PER0002", "PER0003", "PER0004", "PER0005", "PER0006",
                           "PER0033"]  # fmt: skip
    assert len(ids) == len(set(ids))  # nothing twice
    assert run_advisory("validate", cwd=workspace).returncode == 0


def test_strict_imports_nothing_when_a_row_is_rejected(workspace: Path):
    _messy(workspace)
    result = run_advisory(
        "import", "acled", "export.csv", "--strict", "--rejects", "rejects.csv", cwd=workspace
    )
    assert result.returncode == 2
    assert "export.csv:3: rejected: empty event_id_cnty" in result.stderr
    assert not (workspace / "data" / "incidents-acled.csv").exists()
    assert (workspace / "rejects.csv").is_file()  # written all the same


def test_every_row_rejected_leaves_the_log_untouched(workspace: Path):
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [event(1)]))
    assert run_advisory("import", "acled", "export.csv", cwd=workspace).returncode == 0
    before = (workspace / "data" / "incidents-acled.csv").read_bytes()
    rows = [event(n, event_id_cnty="") for n in (2, 3)]
    (workspace / "bad.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory(
        "import", "acled", "bad.csv", "--append", "data/incidents-acled.csv",
        "--rejects", "rejects.csv", cwd=workspace,
    )  # fmt: skip
    assert result.returncode == 2
    assert (workspace / "data" / "incidents-acled.csv").read_bytes() == before
    assert len((workspace / "rejects.csv").read_text().splitlines()) == 3
    # Rows already in the log are not rejections: importing them again is fine.
    again = run_advisory(
        "import", "acled", "export.csv", "--append", "data/incidents-acled.csv", cwd=workspace
    )
    assert again.returncode == 0, again.stderr
    assert "already imported (same id): 1" in again.stdout


def test_with_country_a_truncated_line_is_still_named(workspace: Path):
    data = acled_csv(NEW, [event(1)]) + b"PER0002,21 March 2023,Bat"
    (workspace / "export.csv").write_bytes(data)
    result = run_advisory("import", "acled", "export.csv", "--country", "Peru", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "rejected, truncated line (the file ends inside it): 1 (line 3)" in result.stdout
    assert "another country" not in result.stdout


def _documented_mapping() -> dict[tuple[str, str], str | None]:
    """The table of docs/import.md: every ACLED sub-event type and its category."""
    found: dict[tuple[str, str], str | None] = {}
    for line in (ROOT / "docs" / "import.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (cells[2].startswith("`") or cells[2] == "not an incident"):
            found[(cells[0], cells[1])] = (
                cells[2].strip("`") if cells[2] != "not an incident" else None
            )
    return found


def test_every_acled_sub_type_maps_as_documented(workspace: Path):
    documented = _documented_mapping()
    assert len(documented) == 25  # the whole of ACLED's codebook
    rows = [
        event(n, event_type=kind, sub_event_type=sub)
        for n, (kind, sub) in enumerate(documented, start=1)
    ]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "rejected" not in result.stdout
    got = {r["id"]: r["category"] for r in imported(workspace)}
    for n, (pair, category) in enumerate(documented.items(), start=1):
        assert got.get(f"PER{n:04d}") == category, pair


@pytest.mark.parametrize(
    ("note", "summary"),
    [
        ("On 3 May 2023, JNIM militants attacked a military post near Djibo (Soum, Sahel). "
         "Fatalities coded as 25 (VoJ reported 22 fatalities).",
         "On 3 May 2023, JNIM militants attacked a military post near Djibo (Soum, Sahel)."),
        ("On 12 June 2023, around 200 residents of Lima protested against water cuts. "
         "[size=around 200]",
         "On 12 June 2023, around 200 residents of Lima protested against water cuts."),
        ("On 5 April 2023, an airstrike hit a market in Sanaa (Amanat al Asimah) "
         "[women targeted: Girls]. 9 fatalities.",
         "On 5 April 2023, an airstrike hit a market in Sanaa (Amanat al Asimah)."),
        ("On 6 April 2023, police dispersed protesters in Quito (fatalities coded as 0 as no "
         "deaths were confirmed). [size=no report]",
         "On 6 April 2023, police dispersed protesters in Quito."),
        ("On 7 April 2023, soldiers and ELN fighters clashed near Tame (Arauca). "
         "Fatalities unknown.",
         "On 7 April 2023, soldiers and ELN fighters clashed near Tame (Arauca)."),
        ("On 8 April 2023, 3 fatalities were reported after a mob attacked two men in Oruro.",
         "On 8 April 2023, 3 fatalities were reported after a mob attacked two men in Oruro."),
    ],
)  # fmt: skip
def test_acled_coding_remarks_leave_the_summary(note: str, summary: str):
    from advisory.importers.acled import clean_note

    assert clean_note(note) == summary


def test_the_original_note_is_kept(workspace: Path):
    note = "On 21 March 2023, soldiers clashed with militants. [size=no report] 2 fatalities."
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [event(1, notes=note), event(2)]))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    first, second = imported(workspace)
    assert first["summary"] == "On 21 March 2023, soldiers clashed with militants."
    assert first["note"] == note
    assert second["note"] == ""  # nothing was taken out
    assert run_advisory("validate", cwd=workspace).returncode == 0


def test_an_event_without_admin1_is_kept_at_country_level(workspace: Path):
    at_sea = event(1, admin1="", admin2="", location="Off the coast of Callao", latitude="",
                   longitude="")  # fmt: skip
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [at_sea]))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "imported: 1" in result.stdout and "rejected" not in result.stdout
    assert "matching no region" not in result.stdout
    rated = run_advisory(
        "rate", "--as-of", "2023-03-22", "--region", "pe-rest", "--format", "json", cwd=workspace
    )
    assert rated.returncode == 0, rated.stderr
    [rating] = json.loads(rated.stdout)["ratings"]
    assert "PER0001" in [c["incident_id"] for c in rating["contributions"]]
    lima = run_advisory(
        "rate", "--as-of", "2023-03-22", "--region", "pe-lima", "--format", "json", cwd=workspace
    )
    [rating] = json.loads(lima.stdout)["ratings"]
    assert "PER0001" not in [c["incident_id"] for c in rating["contributions"]]


def test_documents_credit_the_feed(workspace: Path):
    rows = [event(1, event_date="20 June 2018", admin1="Lima", admin2="Lima", location="Lima",
                  event_type="Riots", sub_event_type="Violent demonstration")]  # fmt: skip
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    done = run_advisory("import", "acled", "export.csv", "--exported", "2018-06-24",
                        cwd=workspace)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert imported(workspace)[0]["feed"] == "ACLED"
    result = run_advisory(
        "bulletin", "--week", "2018-W25", "--format", "pdf", "--out", "out", cwd=workspace
    )
    assert result.returncode == 0, result.stderr
    from pypdf import PdfReader

    [pdf] = (workspace / "out").glob("*.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    credit = "Armed Conflict Location & Event Data (ACLED); acleddata.com, export of 24 June 2018"
    assert f"Data: {credit}." in text  # under the Lima alert
    assert f"Incident data from feeds: {credit}." in text  # in the methodology
    # An alert made of the analysts' own reports credits no feed.
    assert text.count("Data: Armed Conflict") == 1


GTD_HEADER = ("eventid,iyear,imonth,iday,country_txt,provstate,city,latitude,longitude,"
              "attacktype1_txt,targtype1_txt,gname,nkill,nwound,summary,scite1\n")  # fmt: skip


def test_a_gtd_layout_file_with_the_shipped_mapping(workspace: Path):
    (workspace / "gtd.csv").write_text(
        GTD_HEADER
        + "201801010001,2018,6,21,Peru,Lima,Lima,-12.04,-77.03,Bombing/Explosion,Business,"
        "Unknown,0,2,An explosive device went off outside a bank in Lima.,El Comercio\n"
        + "201806000002,2018,6,0,Peru,Junin,Satipo,-11.25,-74.63,Armed Assault,Military,"
        "Shining Path (SL),3,1,Militants attacked a patrol near Satipo.,\n"
        + "201800000003,2018,0,0,Peru,Cusco,Kimbiri,,,Hostage Taking (Kidnapping),Private "
        "Citizens & Property,Shining Path (SL),0,0,Two engineers were taken near Kimbiri.,Andina\n"
        + "201806300004,2018,6,31,Peru,Lima,Lima,,,Armed Assault,Police,Unknown,0,0,No such day.,"
        "X\n"
        + "201806220005,2018,6,22,Peru,Lima,Lima,,,Vehicle Attack,Police,Unknown,0,0,New type.,X\n"
    )
    result = run_advisory(
        "import", "csv", "gtd.csv", "--map", "rules/mappings/gtd.yaml", cwd=workspace
    )
    assert result.returncode == 0, result.stderr
    assert "imported: 3" in result.stdout and "rejected: 2" in result.stdout
    assert "iyear/imonth/iday: no such date" in result.stdout  # 31 June
    assert (
        "attacktype1_txt … is not in the map (add it under values: category:): 1 (line 6)"
        in result.stdout
    )
    rows = {r["id"]: r for r in imported(workspace, "data/incidents-imported.csv")}
    bank = rows["201801010001"]
    assert (bank["date"], bank["category"], bank["feed"]) == ("2018-06-21", "explosive", "GTD")
    assert bank["date_precision"] == ""
    patrol = rows["201806000002"]
    assert (patrol["date"], patrol["date_precision"]) == (
        "2018-06-01",
        "month",
    )  # never silently the 1st
    assert patrol["sources"] == "Global Terrorism Database (GTD)"  # the default, scite1 empty
    taken = rows["201800000003"]
    assert (taken["date"], taken["date_precision"], taken["category"]) == (
        "2018-01-01", "year", "kidnapping",
    )  # fmt: skip
    assert run_advisory("validate", cwd=workspace).returncode == 0


def test_a_date_format_without_a_day_is_refused(workspace: Path):
    (workspace / "sheet.csv").write_text("Ref,Year,Where,What,Text,Src\nA-1,2018,Lima,Robo,x,D\n")
    (workspace / "sheet.yaml").write_text(
        "version: 1\n"
        "columns: {id: Ref, date: Year, admin1: Where, category: What, summary: Text,\n"
        "          sources: Src}\n"
        "constants: {country: Peru}\n"
        "date_format: '%Y'\n"
        "values: {category: {Robo: crime}}\n"
    )
    result = run_advisory("import", "csv", "sheet.csv", "--map", "sheet.yaml", cwd=workspace)
    assert result.returncode == 2
    assert "sheet.yaml:1:1: date_format '%Y' gives no day" in result.stderr
    with (workspace / "sheet.yaml").open("a") as f:
        f.write("date_precision: year\n")
    result = run_advisory("import", "csv", "sheet.csv", "--map", "sheet.yaml", cwd=workspace)
    assert result.returncode == 0, result.stderr
    [row] = imported(workspace, "data/incidents-imported.csv")
    assert (row["date"], row["date_precision"], row["country"]) == ("2018-01-01", "year", "Peru")


def test_validate_checks_the_mappings_against_acled_and_the_rules(workspace: Path):
    mapping = workspace / "rules" / "acled.yaml"
    text = mapping.read_text()
    dropped = "  - {event_type: Strategic developments, sub_event_type: Other, category: null}\n"
    assert dropped in text
    mapping.write_text(
        text.replace(dropped, "").replace("sub_event_type: Grenade", "sub_event_type: Granade")
    )
    (workspace / "rules" / "mappings" / "sheet.yaml").write_text(
        "version: 1\ncolumns: {id: Ref, date: When, colour: C}\nvalues: {category: {X: riots}}\n"
    )
    result = run_advisory("validate", cwd=workspace)
    assert result.returncode == 2
    err = result.stderr
    assert "rules/acled.yaml:" in err and "Strategic developments / Other is not mapped" in err
    assert "'Granade' is not a sub-event type of Explosions/Remote violence" in err
    assert "did you mean 'Grenade'?" in err
    assert "rules/mappings/sheet.yaml:1:1: unknown incident fields: colour" in err
    # An import refuses the incomplete mapping too, rather than skip those events in silence.
    (workspace / "export.csv").write_bytes(acled_csv(NEW, [event(1)]))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert (
        result.returncode == 2 and "Strategic developments / Other is not mapped" in result.stderr
    )


def _who(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        row[name]
        for name in ("perpetrator", "perpetrator_kind", "target", "target_kind",
                     "civilian_targeting", "victims")
    )  # fmt: skip


@pytest.mark.parametrize("layout", [OLD, NEW])
def test_perpetrators_targets_and_victims_are_kept(workspace: Path, layout: str):
    new = layout == NEW
    state, rebels, militia, civilians = (
        ("State forces", "Rebel group", "Political militia", "Civilians") if new
        else ("1", "2", "3", "7")
    )  # fmt: skip
    rows = [
        # A battle: its toll counts both sides, so whom it killed stays unknown.
        event(1, actor1="Military Forces of Peru (2021-)", inter1=state,
              actor2="Militant Communist Party of Peru", inter2=rebels, fatalities="3"),
        # Violence against civilians: the victims are civilians, by ACLED's definition.
        event(2, event_type="Violence against civilians", sub_event_type="Attack",
              actor1="Unidentified Armed Group (Peru)", inter1=militia,
              actor2="Civilians (Peru)", inter2=civilians, fatalities="2",
              civilian_targeting="Civilian targeting"),
        # Police against protesters: protesters killed.
        event(3, event_type="Protests", sub_event_type="Excessive force against protesters",
              actor1="Protesters (Peru)", inter1="Protesters" if new else "6",
              actor2="Police Forces of Peru (2021-)", inter2=state, fatalities="1"),
        # An ambush of the police: the target is the police; the toll is not said to be theirs.
        event(4, event_type="Explosions/Remote violence",
              sub_event_type="Remote explosive/landmine/IED", actor1="Shining Path",
              inter1=rebels, actor2="Police Forces of Peru (2021-)", inter2=state),
    ]  # fmt: skip
    (workspace / "export.csv").write_bytes(acled_csv(layout, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert "read as empty" not in result.stdout
    got = {r["id"]: r for r in imported(workspace)}
    assert _who(got["PER0001"]) == (
        "Military Forces of Peru (2021-)", "military",
        "Militant Communist Party of Peru", "rebels", "no", "",
    )  # fmt: skip
    assert _who(got["PER0002"]) == (
        "Unidentified Armed Group (Peru)", "unknown", "Civilians (Peru)", "civilians", "yes",
        "civilians",
    )  # fmt: skip
    assert _who(got["PER0003"]) == (
        "Protesters (Peru)", "protesters", "Police Forces of Peru (2021-)", "police", "no",
        "protesters",
    )  # fmt: skip
    assert _who(got["PER0004"])[2:] == ("Police Forces of Peru (2021-)", "police", "no", "")
    assert {r["feed_id"] for r in got.values()} == set(got)  # the feed's own id
    assert got["PER0001"]["actors"] == (
        "Military Forces of Peru (2021-); Militant Communist Party of Peru"
    )  # the analysts' text field stays
    assert run_advisory("validate", cwd=workspace).returncode == 0


def test_time_and_place_precision_are_kept(workspace: Path):
    rows = [
        event(1, time_precision="1", geo_precision="1"),
        event(2, event_date="15 May 2023", time_precision="3", geo_precision="3"),
        event(3, time_precision="2", geo_precision="2"),
        event(4, time_precision="9", geo_precision="", inter1="Space forces"),
    ]
    (workspace / "export.csv").write_bytes(acled_csv(NEW, rows))
    result = run_advisory("import", "acled", "export.csv", cwd=workspace)
    assert result.returncode == 0, result.stderr
    got = {r["id"]: r for r in imported(workspace)}
    assert (got["PER0001"]["date_precision"], got["PER0001"]["geo_precision"]) == ("", "exact")
    # Dated to the month: the source's date is kept, with its precision (never moved to the 1st).
    assert (got["PER0002"]["date"], got["PER0002"]["date_precision"]) == ("2023-05-15", "month")
    assert got["PER0002"]["geo_precision"] == "region"
    assert (got["PER0003"]["date_precision"], got["PER0003"]["geo_precision"]) == ("week", "near")
    # Codes the codebook lacks: the event is imported, the field left empty, and it is said.
    assert got["PER0004"]["date_precision"] == "" and got["PER0004"]["perpetrator_kind"] == ""
    assert "read as empty, time_precision '9' (not in ACLED's codebook): 1 row" in result.stdout
    assert "read as empty, inter1 'Space forces' (not an ACLED actor type): 1 row" in result.stdout


def test_the_gtd_target_type_gives_the_victims(workspace: Path):
    (workspace / "gtd.csv").write_text(
        GTD_HEADER
        + "201806210001,2018,6,21,Peru,Junin,Satipo,,,Armed Assault,Police,Shining Path (SL),"
        "4,2,Militants ambushed a police patrol near Satipo.,Andina\n"
        + "201806210002,2018,6,21,Peru,Lima,Lima,,,Bombing/Explosion,Unknown,Unknown,0,0,"
        "A device went off in Lima.,El Comercio\n"
        + "201806210003,2018,6,21,Peru,Cusco,Cusco,,,Armed Assault,Tourists,Unknown,0,1,"
        "A tourist was shot in Cusco.,Andina\n"
    )
    result = run_advisory(
        "import", "csv", "gtd.csv", "--map", "rules/mappings/gtd.yaml", cwd=workspace
    )
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in imported(workspace, "data/incidents-imported.csv")}
    patrol = rows["201806210001"]
    assert (patrol["perpetrator"], patrol["target_kind"], patrol["victims"]) == (
        "Shining Path (SL)", "police", "police",
    )  # fmt: skip
    assert (patrol["civilian_targeting"], patrol["injuries"], patrol["feed_id"]) == (
        "no", "2", "201806210001",
    )  # fmt: skip
    unknown = rows["201806210002"]
    assert (unknown["target_kind"], unknown["victims"], unknown["civilian_targeting"]) == (
        "",
        "",
        "",
    )  # GTD's "Unknown" says nothing
    assert (rows["201806210003"]["victims"], rows["201806210003"]["civilian_targeting"]) == (
        "tourists", "yes",
    )  # fmt: skip


def test_a_map_value_that_is_not_a_kind_is_located(workspace: Path):
    mapping = (workspace / "rules" / "mappings" / "gtd.yaml").read_text()
    (workspace / "rules" / "mappings" / "gtd.yaml").write_text(
        mapping.replace("    Military: military\n", "    Military: millitary\n", 1)
    )
    result = run_advisory("validate", cwd=workspace)
    assert result.returncode == 2
    assert "values.target_kind.Military: 'millitary' is not a kind of actor" in result.stderr
    assert "did you mean 'military'?" in result.stderr


def test_the_log_checks_the_new_fields(workspace: Path):
    header = "id,date,country,admin1,category,summary,sources,perpetrator_kind,victims,"
    header += "civilian_targeting,geo_precision,date_precision\n"
    (workspace / "data" / "extra.csv").write_text(
        header
        + "x1,2018-06-20,Peru,Lima,riot,A riot.,Andina,rioters,police,Yes,near,week\n"
        + "x2,2018-06-20,Peru,Lima,riot,A riot.,Andina,rioter,cops,maybe,close,fortnight\n"
    )
    result = run_advisory("validate", cwd=workspace)
    assert result.returncode == 2
    errors = result.stderr
    assert "data/extra.csv:3:8: perpetrator_kind: 'rioter' is not a kind of actor" in errors
    assert "did you mean 'rioters'?" in errors
    assert "data/extra.csv:3:9: victims: 'cops' is not a kind of victims" in errors
    assert "data/extra.csv:3:10: civilian_targeting: 'maybe' is not yes or no" in errors
    assert "data/extra.csv:3:11: geo_precision: 'close' is not a place precision" in errors
    assert "data/extra.csv:3:12: date_precision: 'fortnight' is not a date precision" in errors
    assert ":2:" not in errors  # the first row is right
