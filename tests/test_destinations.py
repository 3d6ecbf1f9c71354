"""Destinations as people write them: region ids, countries, airports, cities."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from advisory.inputs import load_inputs
from advisory.places.destinations import NotADestination, find, regions_of
from tests.conftest import ROOT, run_advisory


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory):
    """The shipped rules, with a log that names Bogotá's unit as ACLED writes it."""
    extra = tmp_path_factory.mktemp("log") / "world.csv"
    extra.write_text(
        "id,date,country,admin1,category,summary,sources\n"
        'c1,2018-06-20,Colombia,"Bogota, D.C.",riot,A riot in Bogota.,El Tiempo\n'
        "a1,2018-06-20,Afghanistan,Kabul,explosive,A bomb in Kabul.,Tolo\n"
    )
    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "*.csv"), str(extra)], None)
    return inputs.rules


def where(text: str, rules) -> tuple[str, ...]:
    ids = sorted(rules.countries)
    written = sorted({rules.countries[r.id] for r in rules.regions if r.id not in rules.generated})
    return regions_of(find(text, ids, written), rules)


@pytest.mark.parametrize(
    ("destination", "regions"),
    [
        ("pe-vraem", ("pe-vraem",)),
        ("Bogotá", ("co-bogota-d-c",)),  # the airport BOG names its unit, Bogota D.C.
        ("LIM", ("pe-lima",)),  # Jorge Chávez airport, in Callao
        ("Kabul, AF", ("af-kabul",)),
        ("Lima", ("pe-lima",)),  # Lima, Peru: 7.7 million; Lima, Ohio: 38,000
        ("Santiago", ("cl",)),  # Chile's, twenty times any other Santiago
        ("Valencia, ES", ("es",)),  # a country decides
        ("Cusco", ("pe-cusco",)),  # named by its province in Peru's rules
        ("Juliaca", ("pe-puno",)),  # by its department, through its airport
        ("CO", ("co", "co-bogota-d-c")),  # a country's every region
    ],
)
def test_destinations_resolve(rules, destination: str, regions: tuple[str, ...]):
    assert where(destination, rules) == regions


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("San José", "'San José' is ambiguous: add the country, as in 'San Jose, US' (United "
                     "States, 997,368 people); 'San José, CR' (Costa Rica, 335,007 people)"),
        ("Valencia", "'Valencia' is ambiguous: add the country, as in 'Valencia, VE' (Venezuela"),
        ("Kabul, Narnia", "'Narnia' (after the comma) is not a country"),
        ("XQZ", "'XQZ' is no airport's IATA code, region or country"),
        ("Springfield, Atlantis", "is not a country"),
    ],
)  # fmt: skip
def test_what_cannot_be_resolved_says_why(rules, destination: str, message: str):
    with pytest.raises(NotADestination) as raised:
        where(destination, rules)
    assert message in str(raised.value)


def test_the_roster_checks_destinations(tmp_path: Path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "data" / "travelers.yaml").write_text(
        "version: 1\ntravelers:\n"
        "  - id: t1\n    name: Ana\n    email: ana@example.com\n    trips:\n"
        "      - {destination: LIM, start: 2018-06-20, end: 2018-06-30}\n"
        "      - {destination: 'Kabul, AF', start: 2018-06-20, end: 2018-06-30}\n"
        "      - {destination: San José, start: 2018-06-20, end: 2018-06-30}\n"
    )
    result = run_advisory("validate", cwd=tmp_path)
    assert result.returncode == 2
    [error] = [line for line in result.stderr.splitlines() if "destination" in line]
    assert error.startswith("data/travelers.yaml:9:23: travelers[0].trips[2].destination: ")
    assert "'San José' is ambiguous" in error and "add the country" in error


def test_several_cities_of_one_name_in_one_country_are_told_apart_by_their_geonames_id(rules):
    """Three San Josés in the Philippines: the country does not decide, so the error lists, for
    each, the form that names it alone; that form resolves, and never loops back to the
    country."""
    with pytest.raises(NotADestination) as error:
        find("San Jose, PH", [], [])
    message = str(error.value)
    assert message.startswith("'San Jose' names 3 cities in Philippines: write the one meant")
    assert "add the country" not in message
    forms = re.findall(r"'(San Jose, PH \[geonames:\d+\])'", message)
    assert len(forms) == 3
    found = [find(form, [], []) for form in forms]
    assert len({(f.country, f.city) for f in found}) == 1 and found[0].country == "PH"
    # The airport's unit goes only to the San José it serves (SJI, Mindoro: Mimaropa).
    assert [f.admin1 for f in found] == ["Mimaropa", None, None]
    assert find("geonames:1689510", [], []) == found[0]
    with pytest.raises(NotADestination, match=r"geonames:1689510 is San Jose, PH, not 'Lima, PH'"):
        find("Lima, PH [geonames:1689510]", [], [])
    with pytest.raises(NotADestination, match="is San Jose, PH, not 'San Jose, CR'"):
        find("San Jose, CR [geonames:1689510]", [], [])
