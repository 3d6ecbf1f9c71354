"""The governments' advice beside our levels: the records that stood at a week's issue time,
stale ones marked, the mapping onto our scale, disagreements flagged, and `official_floor`."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisory.official import ca, uk_fcdo, us_state
from advisory.official.records import OfficialRecord
from advisory.official.store import write_import
from tests.conftest import ROOT, run_advisory
from tests.official_feeds import ALL_PARTS, ca_json, uk_fcdo_document, us_state_rss

ISSUE = "2018-06-25T06:00:00Z"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The demo, without its illustrative official records (each test imports its own)."""
    assert run_advisory("init", "site", cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    shutil.rmtree(site / "data" / "official")
    return site


def us(level: int, day: str = "09 Apr 2018") -> list[OfficialRecord]:
    return us_state.parse(us_state_rss([("Peru", "PE", level, "CT")], day=day), "feed").records


def uk(statuses: list[str]) -> list[OfficialRecord]:
    document = uk_fcdo_document("Peru", "peru", statuses, "2018-05-30T10:55:14.000+01:00")
    return uk_fcdo.parse(json.dumps(document).encode(), "uk").records


def canada(level: int) -> list[OfficialRecord]:
    return ca.parse(ca_json([("PE", "Peru", level, 1)]), "ca").records


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ratings(site: Path, *args: str, when: str = ISSUE) -> dict[str, Any]:
    result = run_advisory("rate", "--as-of", when, "--format", "json", *args, cwd=site)
    assert result.returncode == 0, result.stderr
    return {r["region_id"]: r for r in json.loads(result.stdout)["ratings"]}


def settings(site: Path, **values: Any) -> None:
    path = site / "advisory.yaml"
    data = yaml.safe_load(path.read_text()) or {}
    path.write_text(yaml.safe_dump({**data, **values}))


def test_rate_carries_every_source_s_record_for_every_region_of_the_country(site: Path):
    (site / "feed.xml").write_bytes(us_state_rss())
    assert run_advisory("import", "official", "us-state", "feed.xml", cwd=site).returncode == 0
    rated = ratings(site, when=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    peru = [r for r in rated.values() if r["country"] == "Peru"]
    assert len(peru) == 6
    for r in peru:
        [o] = r["official"]
        assert (o["source"], o["level"], o["words"]) == (
            "us-state",
            2,
            "Exercise Increased Caution",
        )
        assert (o["mapped"], o["parts_only"], o["published"]) == ("Low", False, "2018-06-14")
        assert o["link"].endswith("/peru-travel-advisory.html") and o["applies"] is True
    assert [o["short"] for o in rated["af"]["official"]] == ["US 4"]  # a country of the world file
    assert rated["fr"]["official"] == []  # no record for it


def test_a_week_reads_the_records_that_stood_at_its_issue_time(site: Path):
    folder = site / "data" / "official"
    write_import(folder, "us-state", at("2018-06-10T06:00:00Z"), "feed", us(2))
    write_import(folder, "us-state", at("2018-06-27T06:00:00Z"), "feed", us(4))
    [before] = ratings(site)["pe-lima"]["official"]
    [after] = ratings(site, when="2018-06-28T06:00:00Z")["pe-lima"]["official"]
    assert (before["level"], before["fetched"]) == (2, "2018-06-10T06:00:00Z")
    assert (after["level"], after["fetched"]) == (4, "2018-06-27T06:00:00Z")
    # Before the first import, none.
    assert ratings(site, when="2018-06-01T06:00:00Z")["pe-lima"]["official"] == []


def test_a_record_imported_long_before_the_issue_time_is_stale_and_compared_with_nothing(
    site: Path,
):
    folder = site / "data" / "official"
    write_import(folder, "us-state", at("2018-03-01T06:00:00Z"), "feed", us(4))  # 116 days
    settings(site, official_floor="us")
    [stale] = ratings(site)["pe-lima"]["official"]
    assert (stale["stale"], stale["applies"]) == (True, False)
    assert ratings(site)["pe-lima"]["level"] == "Minimal"  # no floor from stale advice
    settings(site, official_stale_days=120)
    assert ratings(site)["pe-lima"]["level"] == "Extreme"


def test_a_parts_only_record_is_compared_only_with_the_regions_named_as_its_part(site: Path):
    write_import(site / "data" / "official", "uk-fcdo", at("2018-06-20T06:00:00Z"), "uk",
                 uk([ALL_PARTS]))  # fmt: skip
    rated = ratings(site)
    vraem, lima = rated["pe-vraem"]["official"][0], rated["pe-lima"]["official"][0]
    assert (vraem["applies"], vraem["mapped"]) == (True, "Extreme")
    assert vraem["applies_as"] == "the part its advice names (official_part)"
    assert (lima["applies"], lima["applies_as"]) == (
        False, "parts of the country only, not named as this region"
    )  # fmt: skip
    explained = run_advisory("rate", "--as-of", ISSUE, "--explain", "--region", "pe-north-border",
                             cwd=site)  # fmt: skip
    assert (
        "differs from official advice: the UK Foreign, Commonwealth & Development Office's "
        "UK parts, all travel maps to Extreme, ours is Moderate (2 steps)"
    ) in explained.stdout


def test_official_floor_holds_a_level_up_and_says_so(site: Path):
    folder = site / "data" / "official"
    write_import(folder, "us-state", at("2018-06-20T06:00:00Z"), "feed", us(3))
    write_import(folder, "uk-fcdo", at("2018-06-20T06:00:00Z"), "uk", uk([ALL_PARTS]))
    write_import(folder, "ca", at("2018-06-20T06:00:00Z"), "ca", canada(1))
    plain = ratings(site)
    assert plain["pe-lima"]["level"] == "Minimal" and plain["pe-lima"]["official_floor"] is None

    settings(site, official_floor="us")
    held = ratings(site)
    assert {r["level"] for k, r in held.items() if k.startswith("pe-")} == {"High"}
    lima = held["pe-lima"]
    assert lima["score_level"] == "Minimal" and lima["official_floor"] == "us"
    assert lima["official_hold"] == "level held at High by the US State Department's Level 3"
    [decision] = [d for d in lima["decisions"] if d["kind"] == "official"]
    assert "official_floor: us; rules/official.yaml maps it to High" in decision["text"]
    assert held["pe-lima"]["history"]["level"][-1] == "High"

    # The highest applying: the UK's parts-only advice floors only the parts it names.
    settings(site, official_floor="highest")
    highest = ratings(site)
    assert highest["pe-vraem"]["level"] == "Extreme" and highest["pe-lima"]["level"] == "High"

    # A region's own setting wins over the settings'.
    regions = site / "rules" / "regions" / "peru.yaml"
    regions.write_text(regions.read_text().replace(
        "  - id: pe-lima\n", "  - id: pe-lima\n    official_floor: none\n"))  # fmt: skip
    assert ratings(site)["pe-lima"]["level"] == "Minimal"
    explained = run_advisory("rate", "--as-of", ISSUE, "--explain", "--region", "pe-cusco",
                             cwd=site)  # fmt: skip
    assert "official: level held at High by the US State Department's Level 3" in explained.stdout


def test_the_weekly_run_lists_the_records_it_used_and_shows_them(site: Path):
    folder = site / "data" / "official"
    for when, level in (("2018-06-20T06:00:00Z", 3), ("2018-06-26T06:00:00Z", 4)):
        write_import(folder, "us-state", at(when), "feed", us(level))
    settings(site, official_floor="us")
    result = run_advisory("weekly", "--week", "2018-W25", cwd=site)
    assert result.returncode == 0, result.stderr
    week = site / "output" / "2018-W25"
    manifest = json.loads((week / "manifest.json").read_text())
    [used] = manifest["official"]
    assert (used["source"], used["file"]) == ("us-state", "us-state-20180620T060000Z.json")
    alert = (week / "alerts" / "pe-lima.html").read_text()
    assert "US State Department: Level 3 — Reconsider Travel (9 Apr 2018)" in alert
    assert "level held at High by the US State Department&#39;s Level 3" in alert
    bulletin = (week / "bulletin.html").read_text()
    assert '<th class="official">Official</th>' in bulletin
    region = (site / "output" / "regions" / "pe-lima.html").read_text()  # the archive's page
    assert "US State Department: Level 3 — Reconsider Travel (9 Apr 2018)" in region
    # A later import does not change the published week.
    again = run_advisory("bulletin", "--week", "2018-W25", "--out", "again", cwd=site)
    assert again.returncode == 0, again.stderr
    assert (site / "again" / "bulletin-2018-W25.pdf").read_bytes() == (
        week / "bulletin.pdf"
    ).read_bytes()


def test_validate_reports_a_bad_official_file_at_its_line(site: Path):
    write_import(site / "data" / "official", "us-state", at("2018-06-20T06:00:00Z"), "f", us(2))
    path = site / "data" / "official" / "us-state-20180620T060000Z.json"
    path.write_text(path.read_text().replace('"level": 2', '"level": 0'))
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    assert (
        "data/official/us-state-20180620T060000Z.json:10:16: records[0].level: 0 is no level of "
        "us-state (1, 2, 3, 4)"
    ) in checked.stderr
    path.write_text(path.read_text().replace('"source": "us-state"', '"source": "fr"'))
    checked = run_advisory("validate", cwd=site)
    assert "us-state-20180620T060000Z.json:3:13: source: " in checked.stderr
    assert ROOT.is_dir()


def test_the_world_file_sets_a_country_s_floor(site: Path):
    feed = us_state_rss([("Afghanistan", "AF", 4, "TK"), ("Chile", "CI", 2, "C")])
    write_import(site / "data" / "official", "us-state", at("2018-06-20T06:00:00Z"), "feed",
                 us_state.parse(feed, "feed").records)  # fmt: skip
    world = site / "rules" / "world.yaml"
    world.write_text(world.read_text().replace(
        "countries: {}", "countries: {Afghanistan: {official_floor: us}}"))  # fmt: skip
    rated = ratings(site)
    assert (rated["af"]["level"], rated["af"]["official_floor"]) == ("Extreme", "us")
    assert rated["cl"]["level"] == "Minimal" and rated["cl"]["official_floor"] is None
