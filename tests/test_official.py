"""`advisory import official`: the State Department's RSS feed, read safely and kept as a
file per import under the `official` folder."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from advisory.errors import InputError
from advisory.official.us_state import parse
from tests.conftest import ROOT, run_advisory
from tests.official_feeds import US_STATE, us_state_rss


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.rmtree(tmp_path / "data" / "official")  # the demo's: these tests import their own
    return tmp_path


def test_every_country_of_the_feed_is_matched_by_its_name_not_its_tag():
    parsed = parse(us_state_rss(), "feed.xml")
    assert parsed.notes == []  # every name matched, every tag agrees (CG is DR Congo in FIPS)
    records = {r.iso2: r for r in parsed.records}
    assert len(records) == len(US_STATE) == 34
    # The Department's tags are not ISO codes: UK, EZ, GM, IV, BM name other countries in ISO.
    assert records["GB"].country == "United Kingdom" and records["CZ"].country == "Czechia"
    assert records["CI"].country == "Côte d'Ivoire" and records["MM"].level == 4
    peru = records["PE"]
    assert (peru.level, peru.words, peru.parts_only) == (2, "Exercise Increased Caution", False)
    assert peru.indicators == ["C", "T", "U"]  # as the text gives them
    assert str(peru.published) == "2018-06-14"
    assert peru.link is not None and peru.link.endswith("/peru-travel-advisory.html")


def test_an_import_adds_a_file_of_records(site: Path):
    (site / "feed.xml").write_bytes(us_state_rss())
    result = run_advisory("import", "official", "us-state", "feed.xml", cwd=site)
    assert result.returncode == 0, result.stderr
    [written] = (site / "data" / "official").glob("us-state-*.json")
    assert result.stdout.startswith("official: 34 countries from us-state written to ")
    document = json.loads(written.read_text())
    schema = json.loads((ROOT / "rules" / "schema" / "official.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["source"] == "us-state" and document["origin"] == "feed.xml"
    assert (
        written.name
        == f"us-state-{document['fetched'][:19].replace('-', '').replace(':', '')}Z.json"
    )
    assert [r["iso2"] for r in document["records"]] == sorted(
        r["iso2"] for r in document["records"]
    )


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("not-xml", b"<rss><channel><item>", r"feed\.xml:1:\d+: not XML"),
        ("not-rss", b"<feed/>", r"feed\.xml: not an RSS feed"),
        (
            "no-items",
            b"<rss><channel><title>x</title></channel></rss>",
            r"feed\.xml: no country's advice in it",
        ),
        (
            "entity-bomb",
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<rss><channel><item><title>&b;</title></item></channel></rss>",
            r"feed\.xml: refused: the document declares a DTD",
        ),
        (
            "only-unknown-countries",
            us_state_rss([("Atlantis", "XX", 2, "C")]),
            r"feed\.xml: warning: channel\.item\[0\]: item 1 \('Atlantis - Level 2: .*'\): "
            r"'Atlantis' is no country",
        ),
        (
            "levels-that-disagree",
            us_state_rss([("Peru", "PE", 2, "C")]).replace(
                b'"Threat-Level">Level 2', b'"Threat-Level">Level 4'
            ),
            r"the title says Level 2 and the Threat-Level category 'Level 4: ",
        ),
    ],
)
def test_a_malformed_document_changes_nothing(site: Path, name: str, content: bytes, said: str):
    (site / "feed.xml").write_bytes(content)
    result = run_advisory("import", "official", "us-state", "feed.xml", cwd=site)
    assert result.returncode == 2, result.stderr
    assert re.search(said, result.stderr), result.stderr
    assert not (site / "data" / "official").exists()


def test_a_fifo_is_refused_not_read(site: Path):
    os.mkfifo(site / "feed.xml")
    result = run_advisory("import", "official", "us-state", "feed.xml", cwd=site)
    assert result.returncode == 2
    assert "feed.xml: is a named pipe (FIFO), not a regular file: not read" in result.stderr


def test_the_parser_keeps_nothing_of_a_document_with_one_bad_item():
    feed = us_state_rss([*US_STATE[:3], ("Peru", "PE", 2, "C")]).replace(
        b"<title>Peru - Level 2", b"<title>Peru - Level 7", 1
    )
    with pytest.raises(InputError) as raised:
        parse(feed, "feed.xml")
    assert len(raised.value.problems) == 1
    assert "channel.item[0]" in str(raised.value.problems[0])


def test_a_country_no_one_knows_is_skipped_and_said_and_a_tag_only_checks_the_name():
    feed = us_state_rss(
        [
            *US_STATE[:2],
            ("Atlantis", "XX", 2, "C"),  # no name, no tag: skipped, said
            ("Republic of Freedonia", "EZ", 1, ""),  # no name, a known tag: Czechia, said
            ("Germany", "SP", 2, "T"),  # a tag that is Spain's: kept as Germany, said
        ]
    )
    parsed = parse(feed, "feed.xml")
    assert [r.iso2 for r in parsed.records] == ["PE", "CO", "CZ", "DE"]
    notes = [str(n) for n in parsed.notes]
    assert len(notes) == 3
    assert "'Atlantis' is no country advisory knows" in notes[0] and "skipped" in notes[0]
    assert "matched by its Country-Tag EZ as Czechia" in notes[1]
    assert "the Country-Tag SP stands for Spain; kept as Germany" in notes[2]


def test_the_shipped_scales_map_every_value_of_every_source():
    from advisory.inputs.rules import read_rules
    from advisory.models import SOURCE_VALUES

    rules, _, problems = read_rules(ROOT / "rules")
    assert rules is not None and problems == []
    assert rules.official is not None
    scales = {str(source): scale for source, scale in rules.official.scales.items()}
    for source, values in SOURCE_VALUES.items():
        assert sorted(scales[source]) == sorted(values)
    assert rules.official.scales["us-state"] == {
        "1": "Minimal", "2": "Low", "3": "High", "4": "Extreme",
    }  # fmt: skip


def test_validate_reports_a_bad_scale_at_its_line(site: Path):
    scales = site / "rules" / "official.yaml"
    scales.write_text(
        scales.read_text()
        .replace('"3": High              # Reconsider Travel', '"3": Hihg')
        .replace('    "0": Minimal           # Take normal security precautions\n', "")
    )
    result = run_advisory("validate", cwd=site)
    assert result.returncode == 2
    said = result.stderr
    assert re.search(
        r"rules/official\.yaml:\d+:\d+: scales\.us-state\.3: 'Hihg' is not a level .*did you "
        r"mean 'High'\?",
        said,
    ), said
    assert re.search(r"rules/official\.yaml:\d+:\d+: .*0 not mapped to a level", said), said
