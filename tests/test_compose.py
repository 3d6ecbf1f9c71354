"""The composer: house-style prose from ratings, rules and incidents."""

from __future__ import annotations

import datetime as dt

import pytest

from advisory.calendar import stamp
from advisory.inputs import load_inputs
from advisory.writing.compose import BulletinSettings, compose_bulletin, series_start_week
from advisory.writing.plan import compose_week
from advisory.writing.prose import Toll, joined, no_toll, number, ordinal, since, toll
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def demo():
    return load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv")], None)


def test_vraem_alert_of_june_26_2018(demo):
    week = compose_week(demo, dt.datetime(2018, 6, 26, 12, tzinfo=dt.UTC))
    alert = next(a for a in week.alerts if a.region_id == "pe-vraem")
    region = demo.rules.region("pe-vraem")

    assert alert.stamp == "26 Jun 2018 | 12:00 PM UTC"
    assert alert.subject_line == "Peru: Clashes with armed group in VRAEM region June 24"
    assert alert.severity == "Informational"
    assert alert.summary == (
        "An armed clash between Peruvian soldiers and narcotraffickers in the Vizcatán district "
        "on June 24 amid a rise in clashes and attacks, the third such incident in the VRAEM "
        "region since the beginning of June."
    )
    lead, series = alert.event
    assert lead.startswith("Clashes broke out between Peruvian soldiers")
    assert lead.endswith("no soldiers were wounded. Further clashes and attacks are likely in the "
                         "coming weeks.")  # fmt: skip
    assert series.startswith(
        "This was the third such incident to take place in the restive VRAEM region "
        "(Valley of the Apurimac, Ene, and Mantaro Rivers) since the beginning of June."
    )
    assert series.endswith(
        "Four police officers were killed during an ambush carried out by narcoterrorists in the "
        "Huancavelica region on June 7 and six people were wounded during an attack against a "
        "military base in Mazángaro (Vizcatán district) on June 11."
    )

    assert region.context is not None and alert.context[0] == region.context.text
    assert alert.context[1] == (
        "The region is rated High (level four of five), unchanged from last week; "
        "three incidents and four fatalities were recorded in the past 30 days."
    )
    level_advice = demo.rules.ruleset.levels[3].advice
    assert alert.advice[: len(region.advice)] == tuple(region.advice)
    assert all(piece in alert.advice for piece in level_advice)
    assert len(set(alert.advice)) == len(alert.advice)


def test_update_numbers_follow_the_iso_weeks(demo):
    """Issued the Monday after the week of June 24: alerts in the weeks of June 7 and June 11
    began the series, so this is update 2, as in the source alert."""
    week = compose_week(demo, dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC))
    alert = next(a for a in week.alerts if a.region_id == "pe-vraem")
    assert alert.headline == "Peru: Clashes with armed group in VRAEM region June 24 /update 2"
    assert "third such incident" in alert.event[1]


def test_first_alert_of_a_series_has_no_update(demo):
    week = compose_week(demo, dt.datetime(2023, 3, 27, 6, tzinfo=dt.UTC))
    alert = next(a for a in week.alerts if a.region_id == "pe-vraem")
    assert alert.headline == "Peru: Ambush on security forces in VRAEM region March 25"
    assert alert.severity == "Critical"
    assert alert.summary == (
        "An ambush against a police patrol in Natividad on March 25; seven police officers were "
        "killed."
    )
    # Seven killed in one ambush: High by score (its floor too), not the top level.
    assert "rated High (level four of five), unchanged from last week" in alert.context[1]


def test_regions_without_incidents_in_the_week_get_no_alert(demo):
    week = compose_week(demo, dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC))
    assert "pe-rest" not in {a.region_id for a in week.alerts}


@pytest.mark.parametrize(
    ("count", "start", "text"),
    [
        (4, True, "Four"),
        (4, False, "four"),
        (12, False, "12"),
        (17, True, "Seventeen"),
        (0, False, "zero"),
    ],
)
def test_number_words(count, start, text):
    assert number(count, start=start) == text


def test_prose_helpers():
    assert ordinal(3) == "third"
    assert joined(["a", "b", "c"]) == "a, b and c"
    assert joined(["a", "b"]) == "a and b"
    assert since(dt.date(2018, 6, 7)) == "the beginning of June"
    assert since(dt.date(2018, 6, 15)) == "mid-June"
    assert since(dt.date(2018, 6, 24)) == "late June"
    assert stamp(dt.datetime(2018, 6, 26, 11, 35, tzinfo=dt.UTC)) == "26 Jun 2018 | 11:35 AM UTC"
    assert toll(Toll(killed=1), start=True) == "One person was killed"
    assert toll(Toll(killed=4, wounded=2)) == "four people were killed and two wounded"
    assert toll(Toll(wounded=6)) == "six people were wounded"
    assert toll(Toll()) == ""
    assert no_toll(Toll(), single=True) == "no casualties were reported"


@pytest.mark.parametrize(
    ("weeks", "quiet", "start"),
    [
        ([0, 1, 1, 1], 2, 1),
        ([1, 0, 0, 1], 2, 3),
        ([1, 0, 1, 1], 2, 0),
        ([1, 1, 0], 2, None),
        ([1, 0, 1], 1, 2),
    ],
)
def test_series_start(weeks, quiet, start):
    assert series_start_week(weeks, quiet) == start


def test_stamp_is_utc():
    lima = dt.timezone(dt.timedelta(hours=-5))
    assert stamp(dt.datetime(2018, 6, 26, 6, 35, tzinfo=lima)) == "26 Jun 2018 | 11:35 AM UTC"


def test_closing_update_when_a_series_ends(demo):
    """Two quiet weeks after June 24 end the VRAEM series: the bulletin says so."""
    week = compose_week(demo, dt.datetime(2018, 7, 9, 6, tzinfo=dt.UTC))  # after 2018-W27
    [closing] = [c for c in week.closings if c.region_id == "pe-vraem"]
    assert closing.text == (
        "No further incidents have been reported in the VRAEM region since June 24; "
        "the level remains High."
    )
    assert "pe-vraem" not in {a.region_id for a in week.alerts}


def test_victims_and_vague_dates_in_prose(tmp_path):
    """The source's own knowledge, no more: victims named where it names them, a date only to
    the month said as the month."""
    extra = tmp_path / "feed.csv"
    extra.write_text(
        "id,date,country,admin1,location,category,fatalities,injuries,summary,sources,"
        "victims,date_precision,feed,feed_id\n"
        "f1,2019-06-17,Peru,Lima,Ate,attack,4,0,Gunmen killed four police officers in Ate.,"
        "Andina,police,,ACLED,PER1\n"
        "f2,2019-06-19,Peru,Lima,Comas,armed_clash,3,0,Clashes in Comas.,Andina,,month,ACLED,PER2\n"
        "f3,2019-06-18,Peru,Lima,Rimac,armed_clash,1,2,A clash in Rimac.,Andina,,week,,\n"
    )
    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv"), str(extra)], None)
    week = compose_week(inputs, dt.datetime(2019, 6, 24, 6, tzinfo=dt.UTC))
    alert = next(a for a in week.alerts if a.region_id == "pe-lima")
    assert alert.summary == (
        "An attack in Ate on June 17 amid a rise in clashes and attacks; four police officers "
        "were killed."
    )
    also = next(p for p in alert.event if p.startswith("In the same week"))
    assert "three people were killed during an armed clash in Comas in June" in also
    assert (
        "one person was killed and two wounded during an armed clash in Rimac around June 18"
        in (also)
    )
    bulletin = compose_bulletin(
        week.ratings, week.alerts, inputs.rules, BulletinSettings(), week.closings
    )
    rows = {r.reference: r for r in bulletin.appendix if r.reference}
    assert rows["ACLED PER1"].toll == "4 killed (police officers)"
    assert rows["ACLED PER2"].date_text == "2019-06"
    [rimac] = [r for r in bulletin.appendix if r.place == "Rimac"]
    assert rimac.date_text == "c. 2019-06-18"


def test_a_name_that_takes_its_article_keeps_it_in_the_headline(demo):
    """`rest of Peru` is marked `article: the` in its region file: the headline reads "in the
    rest of Peru", where "in VRAEM region" keeps the house style's bare name."""
    from advisory.writing.compose import headline_name, the

    rest, vraem = demo.rules.region("pe-rest"), demo.rules.region("pe-vraem")
    assert (headline_name(rest), the(rest)) == ("the rest of Peru", "the rest of Peru")
    assert (headline_name(vraem), the(vraem)) == ("VRAEM region", "the VRAEM region")
    lima = demo.rules.region("pe-lima")
    assert the(lima.model_copy(update={"article": "the"})) == "the Lima"
    assert the(vraem.model_copy(update={"article": "none"})) == "VRAEM region"


def test_alerts_below_the_bar_are_composed_only_when_asked_for(demo):
    """A weekly run reads no alert below the bar: composing only those a command names gives
    the same issued alerts, byte for byte, and none below it but the ones named."""
    from advisory.writing.bar import AlertBar

    issued = dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)
    bar = AlertBar(min_level="High")
    every = compose_week(demo, issued, bar)
    assert every.alerts and every.below_bar  # the demo week has both
    issued_only = compose_week(demo, issued, bar, below=())
    assert issued_only.alerts == every.alerts
    assert issued_only.closings == every.closings and issued_only.below_bar == []
    named = every.below_bar[0].region_id
    asked = compose_week(demo, issued, bar, below=(named,))
    assert asked.alerts == every.alerts
    assert [a.region_id for a in asked.below_bar] == [named]
    assert asked.below_bar == every.below_bar[:1]
