"""Delivery without a server: who gets what, and how many PDFs that takes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from advisory.delivery.letters import Delivery, Recipient, letters, recipients, subject
from advisory.inputs import load_inputs
from advisory.models import Traveler
from advisory.rendering.renderer import Renderer
from advisory.writing.plan import AlertBar, rate_and_compose
from tests.conftest import ROOT

ISSUED = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo():
    inputs = load_inputs(
        ROOT / "rules", [str(ROOT / "data" / "*.csv")], ROOT / "data" / "travelers.yaml"
    )
    return inputs, rate_and_compose(inputs, ISSUED)


def _delivery(renderer: Renderer) -> Delivery:
    return Delivery("2018-W25", ISSUED, "Travel Security", "For internal use",
                    "desk@example.org", 14, AlertBar(), renderer)  # fmt: skip


def test_trips_and_places(demo):
    inputs, week = demo
    assert inputs.roster is not None
    chosen, left_out = recipients(inputs.roster, inputs.rules, week.alerts, ISSUED.date(), 14)
    places = {r.traveler.id: r.places for r in chosen}
    assert places == {
        "t-ana-torres": ("pe-vraem", "pe-lima"),  # the Lima leg starts within 14 days
        "t-james-okafor": ("pe-cusco",),
        "t-lukas-berg": ("pe-north-border", "pe-vraem", "pe-cusco", "pe-lima"),  # all of Peru
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
    assert subject(one, "2018-W25") == (
        "[Travel security] Peru — VRAEM region: High, Informational — week 2018-W25"
    )
    assert subject(one, "2018-W25", correction=True).startswith("Updated: [Travel security]")
    many = Recipient(traveler, (), tuple(week.alerts))
    assert subject(many, "2018-W25").endswith(" and 2 more — week 2018-W25")


def test_one_pdf_per_distinct_set_of_places(demo, monkeypatch: pytest.MonkeyPatch):
    """1,000 travelers over 20 distinct sets of places: exactly 20 PDF renders."""
    _, week = demo
    base = week.alerts[0]
    alerts = [dataclasses.replace(base, region_id=f"r-{n:02d}", region_name=f"Region {n}")
              for n in range(20)]  # fmt: skip
    sets = [tuple(alerts[n : n + 1 + n % 3]) for n in range(20)]
    assert len({tuple(a.region_id for a in s) for s in sets}) == 20
    chosen = [
        Recipient(Traveler(id=f"t-{n:04d}", name=f"Traveler {n}", email=f"t{n}@example.org"),
                  (), sets[n % 20])
        for n in range(1000)
    ]  # fmt: skip
    renders: list[str] = []

    def counted(self: Renderer, html: str, **options: object) -> bytes:
        renders.append(html)
        return b"%PDF-1.7 counted"

    monkeypatch.setattr(Renderer, "pdf", counted)
    built, rendered = letters(_delivery(Renderer()), chosen)
    assert len(built) == 1000
    assert rendered == 20
    assert len(renders) == 20
    assert len({letter.content_hash for letter in built}) == 1000  # names differ in the body
