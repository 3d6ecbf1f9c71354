"""Pre-trip briefs: journeys from the roster, the brief each is due, and `advisory briefs
--send` against an SMTP server on 127.0.0.1, exactly once per journey, kind and itinerary."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from advisory.delivery.briefs import BriefSettings, due
from advisory.delivery.journeys import journeys
from advisory.models import Traveler, Trip
from tests.conftest import ROOT, run_advisory
from tests.test_deliver import at, by_recipient, make_site, pdf_text, smtp  # noqa: F401

AS_OF = "2018-06-15T06:00:00Z"


def trip(destination: str, start: str, end: str, **more: str) -> Trip:
    return Trip(destination=destination, start=dt.date.fromisoformat(start),
                end=dt.date.fromisoformat(end), **more)  # fmt: skip


def traveler(*trips: Trip) -> Traveler:
    return Traveler(id="t-x", name="X", email="x@example.org", trips=list(trips))


def test_trips_that_touch_or_overlap_are_one_journey_in_any_order():
    vraem = trip("pe-vraem", "2018-06-20", "2018-07-06")
    lima = trip("pe-lima", "2018-07-06", "2018-07-09")
    cusco = trip("pe-cusco", "2018-07-10", "2018-07-12")  # the next day: it touches
    later = trip("pe-cusco", "2018-09-01", "2018-09-05")
    found = journeys(traveler(later, lima, cusco, vraem))
    assert [[t.destination for t in j.trips] for j in found] == [
        ["pe-vraem", "pe-lima", "pe-cusco"], ["pe-cusco"],
    ]  # fmt: skip
    assert [j.key for j in found] == ["t-x/pe-vraem", "t-x/pe-cusco"]
    assert (found[0].start, found[0].end) == (dt.date(2018, 6, 20), dt.date(2018, 7, 12))
    # The same first place twice: numbered, by date.
    again = journeys(traveler(trip("pe-cusco", "2018-06-01", "2018-06-03"), later))
    assert [j.key for j in again] == ["t-x/pe-cusco", "t-x/pe-cusco#2"]
    # A trip's own id keys its journey, whatever its dates become.
    moved = journeys(traveler(trip("pe-lima", "2018-08-01", "2018-08-03", id="booking-77")))
    assert moved[0].key == "booking-77"


SETTINGS = BriefSettings(horizon_days=60, days_before=10)


def row(kind: str, signature: str, status: str = "sent", issued: str = "2018-06-01") -> object:
    return SimpleNamespace(signature=f"{kind}: {signature}", status=status,
                           issued_at=f"{issued}T06:00:00+00:00")  # fmt: skip


@pytest.mark.parametrize(
    ("today", "qualifies", "recorded", "expected"),
    [
        ("2018-04-01", True, [], None),  # more than 60 days ahead
        ("2018-04-21", True, [], "booking"),  # within 60 days
        ("2018-06-12", True, [], "ten-day"),  # both due: the one before departure
        ("2018-06-12", False, [], "booking"),  # no place at the level: the booking brief only
        ("2018-07-13", True, [], None),  # ended
        ("2018-06-01", True, [("booking", "SIG")], None),  # briefed, not yet ten days before
        ("2018-06-12", True, [("booking", "SIG")], "ten-day"),
        ("2018-06-12", False, [("booking", "SIG")], None),
        ("2018-06-13", True, [("ten-day", "SIG")], None),
        ("2018-06-01", True, [("booking", "OLD")], "update"),  # changed after it was sent
        ("2018-06-01", True, [("booking", "OLD", "pending")], "booking"),  # never sent: anew
    ],
)
def test_the_brief_a_journey_is_due(today, qualifies, recorded, expected):
    [journey] = journeys(traveler(trip("pe-vraem", "2018-06-20", "2018-07-12")))
    rows = [row(k, journey.signature if s == "SIG" else s, *rest) for k, s, *rest in recorded]
    assert due(journey, dt.date.fromisoformat(today), qualifies, rows, SETTINGS) == expected


@pytest.fixture
def site(tmp_path: Path, smtp) -> Path:  # noqa: F811
    controller, _ = smtp
    return make_site(tmp_path, controller.port)


def briefs(site: Path, *args: str) -> str:
    result = at(site, "briefs", "--as-of", AS_OF, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def subjects(handler) -> dict[str, list[str]]:
    return {to: [str(m["Subject"]) for m in found] for to, found in by_recipient(handler).items()}


def edit_roster(site: Path, change) -> None:
    path = site / "data" / "travelers.yaml"
    roster = yaml.safe_load(path.read_text())
    change(roster["travelers"])
    path.write_text(yaml.safe_dump(roster, sort_keys=False))


def test_each_journey_is_briefed_once_and_again_only_when_it_changes(site: Path, smtp):  # noqa: F811
    _, handler = smtp
    said = briefs(site, "--send")
    assert "email: 3 sent" in said, said
    sent = subjects(handler)
    assert sent == {
        "Ana Torres <ana.torres@example.org>": [
            "Before you travel: VRAEM region and Lima, Peru — High — 20 June – 9 July"],
        "James Okafor <james.okafor@example.org>": [
            "Before you travel: Cusco and Machu Picchu, Peru — Minimal — 25 June – 2 July"],
        "Lukas Berg <lukas.berg@example.org>": [
            "Before you travel: Peru — High — 18 June – 15 July"],
    }  # fmt: skip
    ana = by_recipient(handler)["Ana Torres <ana.torres@example.org>"][0]
    assert "VRAEM region, Peru" in pdf_text(ana) and "Advice" in pdf_text(ana)

    assert "briefs: none due" in briefs(site, "--send")
    edit_roster(
        site,
        lambda travelers: (travelers.reverse(), [t.get("trips", []).reverse() for t in travelers]),
    )
    assert "briefs: none due" in briefs(site, "--send")
    assert len(handler.accepted) == 3

    def change(destination: str, field: str, day: dt.date) -> None:
        def edit(travelers: list[dict[str, Any]]) -> None:
            ana = next(t for t in travelers if t["id"] == "t-ana-torres")
            next(t for t in ana["trips"] if t["destination"] == destination)[field] = day

        edit_roster(site, edit)
        assert "t-ana-torres: update brief" in briefs(site, "--send")

    change("pe-vraem", "start", dt.date(2018, 6, 21))  # a later start
    change("pe-lima", "end", dt.date(2018, 7, 10))  # and, separately, a later end
    updates = subjects(handler)["Ana Torres <ana.torres@example.org>"][1:]
    assert updates == [
        # Within the 78 characters a phone shows, as the letters' subjects.
        "Updated: Before you travel: VRAEM region and Lima… — High — 21 June – 9 July",
        "Updated: Before you travel: VRAEM region and Lima… — High — 21 June – 10 July",
    ]
    assert len(handler.accepted) == 5
    listed = at(site, "deliveries").stdout
    assert "briefs     t-ana-torres" in listed and "(journey t-ana-torres/pe-vraem)" in listed
    with sqlite3.connect(site / "state" / "ledger.sqlite") as db:
        kinds = db.execute("SELECT kind, COUNT(*) FROM deliveries GROUP BY kind").fetchall()
    assert kinds == [("brief", 5)]


def test_a_dry_run_writes_the_same_messages_and_sends_nothing(site: Path, smtp):  # noqa: F811
    _, handler = smtp
    said = briefs(site, "--send", "--dry-run")
    assert "outbox: 3 briefs in" in said
    written = sorted((site / "published" / "outbox" / "briefs").glob("*.eml"))
    assert [p.name.split(".")[0] for p in written] == [
        "t-ana-torres", "t-james-okafor", "t-lukas-berg"]  # fmt: skip
    assert handler.accepted == []
    assert not (site / "state" / "ledger.sqlite").exists()
    import email
    from email.policy import default

    message = email.message_from_bytes(written[0].read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    assert str(message["Subject"]).startswith("Before you travel: VRAEM region and Lima, Peru")
    briefs(site, "--send")  # the same message, sent
    [sent] = by_recipient(handler)["Ana Torres <ana.torres@example.org>"]
    assert sent["Subject"] == message["Subject"] and sent["Message-ID"] == message["Message-ID"]
    text, again = message.get_body(("plain",)), sent.get_body(("plain",))
    assert text is not None and again is not None
    assert again.get_content() == text.get_content()


def test_a_ledger_of_version_two_gains_the_briefs_columns(site: Path, smtp):  # noqa: F811
    assert at(site, "weekly", "--week", "2018-W25", "--jobs", "1", "--send").returncode == 0
    state = site / "state" / "ledger.sqlite"
    with sqlite3.connect(state) as db:
        (letters,) = db.execute("SELECT COUNT(*) FROM deliveries").fetchone()
        db.execute("ALTER TABLE deliveries DROP COLUMN signature")
        db.execute("ALTER TABLE deliveries DROP COLUMN journey")
        db.execute("ALTER TABLE deliveries DROP COLUMN kind")
        db.execute("PRAGMA user_version = 2")
    assert "email: 3 sent" in briefs(site, "--send")
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
        kinds = db.execute("SELECT kind, COUNT(*) FROM deliveries GROUP BY kind").fetchall()
    assert kinds == [("brief", 3), ("letter", letters)]  # the week's rows kept, as letters


def test_a_brief_is_one_tagged_page_with_its_map(tmp_path: Path):
    site = tmp_path / "site"
    for folder in ("rules", "data"):
        shutil.copytree(ROOT / folder, site / folder)
    result = run_advisory("brief", "t-ana-torres", "--as-of", AS_OF, "--out", "b", cwd=site)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO((site / "b" / "brief-t-ana-torres-2018-06-20.pdf").read_bytes()))
    assert len(reader.pages) == 1
    root: Any = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en"  # tagged, as every document
    assert reader.metadata is not None
    assert reader.metadata.title == "Before you travel: VRAEM region and Lima, Peru"
    html = (site / "b" / "brief-t-ana-torres-2018-06-20.html").read_text()
    assert 'aria-labelledby="map-journey-title map-journey-desc"' in html  # the map, described
