"""The ACLED-shaped corpus keeps the codebook's conventions, and the importer reads it whole."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from advisory.importers.acled import ACLED_TAXONOMY
from tests.acled_corpus import (
    EXTRACT,
    INTER_NUMBER,
    INTER_WORD,
    NEW,
    OLD,
    THEATRES,
    TOLL_REMARKS,
    export,
    write,
)
from tests.conftest import ROOT, run_advisory

STATE = re.compile(
    r"^(Military|Police) Forces of (?:the )?[A-Z][\w ]+ \((\d{4})-(\d{4})?\)( [\w ]+)?$"
)
GENERIC = re.compile(r"^[A-Z][\w ]+ \((?P<country>[A-Z][\w ]+)\)$")
ACRONYM = re.compile(r"^[A-Z][\w()-]*(?: \([\w ]+\))?: [A-Z]")


def test_every_event_is_coded_as_the_codebook_says():
    corpus = export(seed=1, size=600)
    assert len(corpus.events) == 600
    kinds: Counter[str] = Counter()
    for event in corpus.events:
        row = event.row
        assert row["sub_event_type"] in ACLED_TAXONOMY[row["event_type"]]
        for actor in filter(None, (event.actor1, event.actor2)):
            named = actor.name
            if actor.kind == "state" or named.startswith(("Military Forces", "Police Forces")):
                match = STATE.match(named)
                assert match, named
                assert match[3] is None or int(match[3]) > int(match[2]), named
                kinds["state"] += 1
            elif GENERIC.match(named) and not named.startswith(("Islamic State", "Meitei",
                                                                "Kuki", "Fulani")):  # fmt: skip
                assert GENERIC.match(named)["country"] in {t.country for t in THEATRES}  # type: ignore[index]
                kinds["generic"] += 1
            elif ":" in named:
                assert ACRONYM.match(named), named
                kinds["acronym"] += 1
            else:
                kinds["named"] += 1
        assert row["inter1"] == INTER_NUMBER[event.actor1.kind]
    assert min(kinds.values()) >= 30, kinds  # every convention, many times


def test_tolls_are_coded_and_remarked_as_the_codebook_says():
    corpus = export(seed=2, size=800)
    seen = Counter(event.truth.certainty for event in corpus.events)
    assert min(seen[c] for c in ("exact", "estimated", "claimed", "unknown")) >= 10, seen
    remarks = [r.split("{")[0] for rs in TOLL_REMARKS.values() for r in rs]
    for event in corpus.events:
        truth, notes = event.truth, event.row["notes"]
        assert event.row["fatalities"] == str(truth.coded)
        for remark in truth.remarks:
            assert remark in notes
        if truth.certainty == "exact":
            assert not any(r and r in notes for r in remarks), notes
        if truth.certainty == "claimed":
            assert truth.coded == 0 and truth.claimed and str(truth.claimed) in notes
        if truth.certainty == "estimated":
            assert re.search(r"coded as (10|3)|split", notes), notes
        assert "injur" not in ",".join(event.row)  # ACLED has no column for the injured


def test_the_same_seed_writes_the_same_bytes_in_either_layout():
    for layout in (OLD, NEW):
        assert write(export(7, 50, layout=layout), layout) == write(
            export(7, 50, layout=layout), layout
        )
    api = list(csv.DictReader(io.StringIO(write(export(7, 50, layout=NEW), NEW).decode())))
    assert {row["inter1"] for row in api} <= set(INTER_WORD.values())
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", row["event_date"]) for row in api)
    old = list(csv.DictReader(io.StringIO(write(export(7, 50), OLD).decode())))
    assert {row["inter1"] for row in old} <= set(INTER_NUMBER.values())
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", row["event_date"]) for row in old)


@pytest.mark.parametrize(
    ("layout", "columns", "accents"),
    [(OLD, None, "kept"), (NEW, None, "kept"), (OLD, None, "lost"), (NEW, None, "doubled")],
    ids=["older-export", "api", "accents-lost", "api-mojibake"],
)
def test_the_importer_reads_the_corpus_whole(tmp_path: Path, layout, columns, accents):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    corpus = export(seed=3, size=300, layout=layout)
    (tmp_path / "export.csv").write_bytes(write(corpus, layout, columns=columns, accents=accents))
    done = run_advisory("import", "acled", "export.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "rows read: 300" in done.stdout, done.stdout
    with (tmp_path / "data" / "incidents-acled.csv").open(newline="") as f:
        imported = list(csv.DictReader(f))
    # Strategic developments other than looting are no incidents; everything else is read.
    wanted = [e for e in corpus.events if e.row["event_type"] != "Strategic developments"]
    assert len(imported) == len(wanted), done.stdout


def test_an_extract_of_some_columns_is_refused_with_what_it_lacks(tmp_path: Path):
    """docs/import.md: a file that fits neither layout is refused, naming the columns it
    lacks, and nothing is written."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "export.csv").write_bytes(write(export(4, 20), OLD, columns=EXTRACT))
    done = run_advisory("import", "acled", "export.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "export.csv:1: not an ACLED export;" in done.stderr
    assert "time_precision" in done.stderr and "geo_precision" in done.stderr
    assert not (tmp_path / "data" / "incidents-acled.csv").exists()


def test_the_import_records_each_toll_as_the_source_knows_it(tmp_path: Path):
    """Placeholder and split tolls are `estimated`, a side's claim where 0 was coded is
    `claimed` with its number and claimant, "casualties unknown" is `unknown`: as the corpus's
    truth says, for every event imported."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    corpus = export(seed=5, size=600)
    (tmp_path / "export.csv").write_bytes(write(corpus, OLD))
    done = run_advisory("import", "acled", "export.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    truth = {e.row["event_id_cnty"]: e.truth for e in corpus.events}
    with (tmp_path / "data" / "incidents-acled.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    seen: Counter[str] = Counter()
    for row in rows:
        known = truth[row["id"]]
        seen[known.certainty] += 1
        assert (row["fatalities_certainty"] or "exact") == known.certainty, row
        assert row["claimed_fatalities"] == ("" if known.claimed is None else str(known.claimed))
        assert row["claimed_by"] == (known.claimed_by or "")
        assert row["fatalities"] == str(known.coded)
    assert min(seen.values()) >= 5 and len(seen) == 4, seen
    assert run_advisory("validate", cwd=tmp_path).returncode == 0


def test_a_bad_certainty_is_reported_where_it_is(tmp_path: Path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "log.csv").write_text(
        "id,date,country,admin1,category,fatalities,summary,sources,fatalities_certainty,"
        "claimed_fatalities\n"
        "a,2024-03-01,Peru,Lima,protest,0,A march.,Report,guessed,\n"
        "b,2024-03-01,Peru,Lima,protest,0,A march.,Report,claimed,-3\n"
    )
    shutil.copy(ROOT / "data" / "travelers.yaml", tmp_path / "data" / "travelers.yaml")
    (tmp_path / "advisory.yaml").write_text("version: 1\nincidents: [data/log.csv]\n")
    checked = run_advisory("validate", cwd=tmp_path)
    assert checked.returncode == 2
    assert "data/log.csv:2:9: fatalities_certainty: 'guessed' is not" in checked.stderr
    assert "data/log.csv:3:10: claimed_fatalities: must be at least 0" in checked.stderr
