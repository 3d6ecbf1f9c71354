"""Tolls as the sources know them: the prose states no toll more exactly than its certainty."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisory.models import Incident
from advisory.writing.compose import short_toll
from advisory.writing.event import _casualty_phrase
from advisory.writing.prose import Toll, no_toll, number, toll


def incident(n: int = 0, *, killed: int = 0, wounded: int | None = 0, certainty: str | None = None,
             claimed: int | None = None, by: str | None = None, victims: str | None = None,
             ) -> Incident:  # fmt: skip
    return Incident(
        id=f"i-{n}", date=dt.date(2024, 3, 14), country="Afghanistan", admin1="Balkh",
        category="armed_clash", fatalities=killed, injuries=wounded, summary="A clash.",
        sources=["ACLED"], fatalities_certainty=certainty, claimed_fatalities=claimed,
        claimed_by=by, victims=victims,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("incidents", "told"),
    [
        ([incident(killed=4, wounded=2)], "four people were killed and two wounded"),
        ([incident(killed=10, certainty="estimated")],
         "an unconfirmed number of people were killed"),
        ([incident(killed=10, certainty="estimated", victims="police")],
         "an unconfirmed number of police officers were killed"),
        ([incident(0, killed=3), incident(1, killed=10, certainty="estimated")],
         "at least three people were killed"),
        ([incident(certainty="claimed", claimed=12, by="the Taliban")],
         "the Taliban said 12 people were killed"),
        ([incident(wounded=None, certainty="claimed", claimed=1, by="the police")],
         "the police said one person was killed"),
        ([incident(0, certainty="claimed", claimed=12, by="the Taliban"),
          incident(1, certainty="claimed", claimed=4, by="the army")],
         "deaths were claimed but not confirmed"),
        ([incident(0, killed=2), incident(1, certainty="unknown")],
         "at least two people were killed"),
        ([incident(0, wounded=5), incident(1, wounded=None)], "at least five people were wounded"),
        ([incident(0, killed=1, wounded=5), incident(1, wounded=None)],
         "one person was killed and at least five wounded"),
        ([incident(wounded=3, certainty="claimed", claimed=12, by="the Taliban")],
         "three people were wounded and the Taliban said 12 people were killed"),
        ([incident(certainty="unknown")], ""),
        ([incident(wounded=None)], ""),
    ],
)  # fmt: skip
def test_a_toll_says_only_what_its_sources_know(incidents: list[Incident], told: str):
    victims = incidents[0].victims
    assert toll(Toll.of(incidents), victims=victims) == told


def test_a_toll_at_the_start_of_a_sentence():
    assert toll(Toll(killed=12), start=True) == "Twelve people were killed"
    assert toll(Toll(killed=12, unconfirmed=True), start=True) == "At least 12 people were killed"
    said = toll(Toll(claims=(("the Taliban", 12),)), start=True)
    assert said == "The Taliban said 12 people were killed"


@pytest.mark.parametrize(
    ("incidents", "single", "plural"),
    [
        ([incident(0), incident(1)],
         "no casualties were reported", "none with casualties reported"),
        ([incident(0), incident(1, wounded=None)],
         "no deaths were reported", "none with deaths reported"),
        ([incident(0, certainty="unknown")],
         "the toll was not reported", "with no deaths reported"),
    ],
)  # fmt: skip
def test_no_casualties_only_when_every_source_says_none(incidents, single, plural):
    assert no_toll(Toll.of(incidents), single=len(incidents) == 1) == single
    assert _casualty_phrase(incidents) in (plural, plural.replace("none", "with no"))


@pytest.mark.parametrize(
    ("record", "short"),
    [
        (incident(killed=2, wounded=1), "2 killed, 1 injured"),
        (incident(killed=10, wounded=None, certainty="estimated"), "unconfirmed deaths"),
        (incident(certainty="claimed", claimed=12, by="Taliban", wounded=None),
         "Taliban claimed 12 killed"),
        (incident(certainty="unknown", wounded=None), "toll unknown"),
        (incident(wounded=None), "no deaths reported"),
        (incident(), "none"),
    ],
)  # fmt: skip
def test_the_tables_toll_is_no_more_exact_than_its_source(record: Incident, short: str):
    assert short_toll(record) == short


# --- the property: no toll stated more exactly than its certainty --------------------------------

_WORDS = {number(n): n for n in range(1, 10)}
_KILLED = re.compile(
    rf"(?P<least>at least )?(?P<n>\d[\d,]*|{'|'.join(_WORDS)}) (?:people|person) "
    r"(?:was|were) killed",
    re.IGNORECASE,
)


def _count(text: str) -> int:
    return _WORDS[text.lower()] if text.lower() in _WORDS else int(text.replace(",", ""))


@st.composite
def tolls(draw: st.DrawFn) -> list[Incident]:
    records = []
    for n in range(draw(st.integers(1, 6))):
        certainty = draw(st.sampled_from([None, "exact", "estimated", "claimed", "unknown"]))
        coded = {"estimated": draw(st.sampled_from([3, 10, 12, 100, 4])), "claimed": 0,
                 "unknown": 0}  # fmt: skip
        killed = coded.get(certainty or "", draw(st.integers(0, 30)))
        claimed = draw(st.integers(1, 40)) if certainty == "claimed" else None
        wounded = draw(st.one_of(st.none(), st.integers(0, 20)))
        by = "the Taliban" if claimed else None
        records.append(incident(n, killed=killed, wounded=wounded, certainty=certainty,
                                claimed=claimed, by=by))  # fmt: skip
    return records


@given(tolls())
def test_no_toll_is_stated_more_exactly_than_its_certainty(records: list[Incident]):
    """Over any mix of certainties: a count said plainly is the exact sum of deaths all known
    exactly; "at least" gives the deaths counted exactly, less than the truth; "unconfirmed"
    only where a placeholder or split toll stands; "no casualties" only where every source
    says none."""
    exact = [i for i in records if (i.fatalities_certainty or "exact") in ("exact", "claimed")]
    all_exact = all((i.fatalities_certainty or "exact") == "exact" for i in records)
    for text in (toll(Toll.of(records)), _casualty_phrase(records)):
        killed = [m for m in _KILLED.finditer(text) if " said " not in text[: m.start() + 1]]
        for found in killed:
            stated = _count(found["n"])
            if found["least"]:
                assert not all_exact, text
                assert stated == sum(i.fatalities for i in exact), text
            else:
                assert all_exact, text
                assert stated == sum(i.fatalities for i in records), text
        if "unconfirmed" in text:
            assert any(i.fatalities_certainty == "estimated" for i in records), text
        if "no casualties" in text or "none with casualties" in text:
            assert all_exact and all(i.fatalities == 0 and i.injuries == 0 for i in records), text
        if " said " in text:
            assert len([i for i in records if i.claimed_fatalities]) == 1, text
