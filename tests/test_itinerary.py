"""`advisory import itinerary`: a real-shaped iCalendar export (flights by IATA code, a hotel
by its address, a meeting by GEO, an all-day event, a one-way leg, a landing after midnight in
another zone) becomes trips in a file of their own, which every run adds to the roster."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_advisory
from tests.forkserver import Run

ICS = ROOT / "tests" / "fixtures" / "itinerary-peru-colombia.ics"
WRITTEN = Path("data/itineraries/t-ana-torres--itinerary-peru-colombia.yaml")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    assert run_advisory("init", "site", cwd=tmp_path).returncode == 0
    return tmp_path / "site"


def imported(site: Path, path: Path = ICS, traveler: str = "t-ana-torres") -> Run:
    return run_advisory("import", "itinerary", str(path), "--traveler", traveler, cwd=site)


def test_an_exported_itinerary_becomes_stays(site: Path):
    result = imported(site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"itinerary: 3 trips for t-ana-torres written to {WRITTEN}\n"
    document = yaml.safe_load((site / WRITTEN).read_text())
    assert document["traveler"] == "t-ana-torres"
    assert [(t["id"], t["destination"], t["start"], t["end"]) for t in document["trips"]] == [
        # Landed 06:30 on 12 July; the hotel by its address (Miraflores, Lima), the same place;
        # left on the 08:00 flight of 14 July.
        ("ics-item-4e1c2a90-tripit-com", "LIM", "2018-07-12", "2018-07-14"),
        # Landed in Cusco; the meeting by its GEO (Cusco) and the all-day visit the same stay;
        # left on the 23:30 flight of 17 July, Lima time.
        ("ics-item-9a0b44d2-tripit-com", "CUZ", "2018-07-14", "2018-07-17"),
        # Landed at 03:10 on 18 July, Bogotá time; no return: a week, as --stay-days says.
        ("ics-item-c3d5e6f7-tripit-com", "BOG", "2018-07-18", "2018-07-25"),
    ]
    # The one event no place could be found for, at its line.
    assert result.stderr.splitlines() == [
        f"{ICS}:55: warning: VEVENT: event 6 ('Team dinner'): LOCATION 'TBD', no GEO names no "
        "known place; left out"
    ]
    # Every run reads it: the roster's traveler has the journey, briefed on its own.
    listed = run_advisory("briefs", "--as-of", "2018-06-15T06:00Z", cwd=site)
    assert listed.returncode == 0, listed.stderr
    assert "t-ana-torres: booking brief, Lima, Peru, and 2 more places, 12–25 July 2018" in (
        listed.stdout
    )
    assert run_advisory("validate", cwd=site).returncode == 0
    # Imported again: the same file, the same bytes.
    before = (site / WRITTEN).read_bytes()
    assert imported(site).returncode == 0
    assert (site / WRITTEN).read_bytes() == before
    assert sorted(p.name for p in (site / "data" / "itineraries").iterdir()) == [WRITTEN.name]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"not a calendar\r\n", "not an iCalendar file: "),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "not an iCalendar file: "),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:nonsense\r\n"
            b"SUMMARY:Hotel\r\nLOCATION:Lima\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cal.ics: no event could be placed",
        ),
    ],
)
def test_a_malformed_file_writes_nothing(site: Path, content: bytes, said: str):
    (site / "cal.ics").write_bytes(content)
    result = imported(site, site / "cal.ics")
    assert result.returncode == 2
    assert said in result.stderr
    assert not (site / "data" / "itineraries").exists()


def test_a_traveler_not_in_the_roster_and_a_fifo_are_refused(site: Path):
    unknown = imported(site, ICS, "t-nobody")
    assert unknown.returncode == 2 and "t-nobody" in unknown.stderr
    os.mkfifo(site / "pipe.ics")
    fifo = imported(site, site / "pipe.ics")
    assert fifo.returncode == 2 and "not a regular file: not read" in fifo.stderr
    assert not (site / "data" / "itineraries").exists()


def test_an_itinerary_for_a_traveler_the_roster_lost_is_reported_at_its_line(site: Path):
    assert imported(site).returncode == 0
    path = site / WRITTEN
    path.write_text(path.read_text().replace("traveler: t-ana-torres", "traveler: t-ana-toress"))
    checked = run_advisory("validate", cwd=site)
    assert checked.returncode == 2
    assert f"{WRITTEN}:4:11: traveler: 't-ana-toress' is not a traveler of the roster" in (
        checked.stderr
    )


def test_a_city_and_its_country_is_the_city_not_the_country():
    from advisory.places.destinations import find

    assert find("Cusco, Peru", [], ["Peru"]).city == "Cusco"
    assert find("Bogotá, Colombia", [], []).city == "Bogotá"
    assert find("Korea, Republic of", [], []).country == "KR"  # a country's own name, whole
    assert find("Peru", [], ["Peru"]).city is None
