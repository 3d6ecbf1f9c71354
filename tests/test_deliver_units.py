"""Delivery without a server: who gets what, and how many PDFs that takes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from advisory.delivery.letters import Sender, letters, subject
from advisory.delivery.recipients import Recipient, recipients
from advisory.inputs import load_inputs
from advisory.models import Roster, Traveler, Trip
from advisory.rendering.pool import Workers
from advisory.rendering.renderer import Renderer
from advisory.writing.bar import AlertBar
from advisory.writing.compose import BulletinSettings
from advisory.writing.plan import LETTERS, Letters, Want, compose_week, plan
from tests.conftest import ROOT

ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo():
    inputs = load_inputs(
        ROOT / "rules", [str(ROOT / "data" / "*.csv")], ROOT / "data" / "travelers.yaml"
    )
    return inputs, compose_week(inputs, ISSUED)


def test_trips_and_places(demo):
    inputs, week = demo
    assert inputs.roster is not None
    chosen, left_out = recipients(inputs.roster, inputs.rules, week.alerts, ISSUED.date(), 14)
    places = {r.traveler.id: r.places for r in chosen}
    assert places == {
        "t-ana-torres": ("pe-vraem", "pe-lima"),  # the Lima leg starts within 14 days
        "t-james-okafor": ("pe-cusco",),
        # All of Peru, by level then severity: the High VRAEM before the Moderate places, of
        # which the northern border's Warning comes first.
        "t-lukas-berg": ("pe-vraem", "pe-north-border", "pe-cusco", "pe-lima"),
        "m-security-desk": ("*bulletin*",),  # the whole bulletin
    }
    assert dict(left_out) == {
        "t-maria-quispe": "no trip under way or starting within 14 days",
        "t-sofia-reyes": "no trip under way or starting within 14 days",
    }
    narrower, _ = recipients(inputs.roster, inputs.rules, week.alerts, ISSUED.date(), 0)
    assert {r.traveler.id: r.places for r in narrower}["t-ana-torres"] == ("pe-vraem",)
    high_only, _ = recipients(
        inputs.roster, inputs.rules, week.alerts, ISSUED.date(), 14, AlertBar(min_level="High")
    )
    assert {r.traveler.id: r.places for r in high_only} == {
        "t-ana-torres": ("pe-vraem",), "t-lukas-berg": ("pe-vraem",),
        "m-security-desk": ("*bulletin*",),
    }  # fmt: skip


def test_subject(demo):
    _, week = demo
    vraem = next(a for a in week.alerts if a.region_id == "pe-vraem")
    traveler = Traveler(id="t-1", name="A", email="a@example.org")
    one = Recipient(traveler, (), (vraem,))
    assert subject(one, "2018-W25") == "Travel security: VRAEM region — High — week of 18 June"
    assert subject(one, "2018-W25", correction=True).startswith("Updated: Travel security: ")
    many = Recipient(traveler, (), tuple(week.alerts))
    assert subject(many, "2018-W25").endswith(", and 3 more places — week of 18 June")
    name = "Valley of the Apurímac, Ene and Mantaro Rivers, with the districts along the border"
    long_name = dataclasses.replace(vraem, region_name=name)
    shortened = subject(Recipient(traveler, (), (long_name, vraem)), "2018-W25", correction=True)
    assert len(shortened) <= 78 and "…" in shortened
    # Cut at a word boundary, never inside a word.
    assert shortened.startswith("Updated: Travel security: Valley… — High, and 1 more place")
    inputs, _ = demo
    assert inputs.roster is not None
    chosen, _ = recipients(inputs.roster, inputs.rules, week.alerts, ISSUED.date(), 14)
    lukas = next(r for r in chosen if r.traveler.id == "t-lukas-berg")
    assert subject(lukas, "2018-W25") == (
        "Travel security: VRAEM region — High, and 3 more places — week of 18 June"
    )


def test_one_pdf_per_distinct_set_of_places(demo, monkeypatch: pytest.MonkeyPatch):
    """1,000 travelers over every set of the week's four alerting regions: one PDF per set,
    and a set of one region shares the PDF of that region's published alert."""
    inputs, week = demo
    regions = sorted(a.region_id for a in week.alerts)
    sets = [s for n in range(1, 5) for s in itertools.combinations(regions, n)]
    assert len(sets) == 15
    travelers = [
        Traveler(
            id=f"t-{n:04d}", name=f"Traveler {n}", email=f"t{n}@example.org",
            trips=[Trip(destination=r, start=dt.date(2018, 6, 20), end=dt.date(2018, 7, 5))
                   for r in sets[n % 15]],
        )
        for n in range(1000)
    ]  # fmt: skip
    crowd = dataclasses.replace(inputs, roster=Roster(version=1, travelers=travelers))
    want = Want(
        alerts="all", alert_name="alerts/{region}", bulletin_name="bulletin",
        letters=Letters(14, AlertBar()),
    )  # fmt: skip
    planned = plan(crowd, ISSUED, AlertBar(), BulletinSettings(), want)
    assert len(planned.recipients) == 1000
    assert len(set(planned.letter_pdfs.values())) == 15
    letter_documents = [d.name for d in planned.documents if d.name.startswith(LETTERS)]
    assert len(letter_documents) == 11  # the four single regions use their alerts' PDFs
    assert planned.letter_pdfs[("pe-vraem",)] == "alerts/pe-vraem"

    renders: list[str] = []

    def counted(self: Renderer, html: str, **options: object) -> tuple[bytes, list[str]]:
        renders.append(html)
        return f"%PDF-1.7 {len(renders)}".encode(), []

    monkeypatch.setattr(Renderer, "checked_pdf", counted)
    monkeypatch.setenv("ADVISORY_PDF_CACHE", "0")  # every layout counted, none from the cache
    renderer = Renderer()
    with Workers(renderer, 1) as workers:
        rendered = workers.render(planned.documents)
        outputs = {o.name: o.data for o in rendered if o.suffix == "pdf"}
    assert len(renders) == 1 + 4 + 11  # the bulletin, the alerts, the other letters
    pdfs = {places: outputs[name] for places, name in planned.letter_pdfs.items()}
    sender = Sender("2018-W25", ISSUED, "Travel Security", "For internal use", "desk@example.org")
    built = letters(sender, planned.recipients, pdfs, renderer)
    assert len(built) == 1000
    assert len({letter.pdf for letter in built}) == 15
    assert len({letter.content_hash for letter in built}) == 1000  # names differ in the body
