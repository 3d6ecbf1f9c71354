"""Countries and territories by every name feeds and people give them."""

from __future__ import annotations

import pytest

from advisory.places.countries import countries
from tests.feed_countries import ACLED, GTD, names


@pytest.mark.parametrize("feed", ["ACLED", "GTD"])
def test_every_country_name_a_feed_writes_resolves(feed: str):
    table = countries()
    listed = names(ACLED if feed == "ACLED" else GTD)
    assert len(listed) > 160
    unresolved = [name for name in listed if table.resolve(name) is None]
    assert unresolved == []


@pytest.mark.parametrize(
    ("written", "iso2"),
    [
        ("Democratic Republic of Congo", "CD"), ("Democratic Republic of the Congo", "CD"),
        ("Zaire", "CD"), ("Republic of Congo", "CG"), ("People's Republic of the Congo", "CG"),
        ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
        ("Russia", "RU"), ("Iran", "IR"), ("Syria", "SY"), ("Palestine", "PS"),
        ("West Bank and Gaza Strip", "PS"), ("Kosovo", "XK"), ("eSwatini", "SZ"),
        ("Swaziland", "SZ"), ("Turkey", "TR"), ("Türkiye", "TR"), ("Macedonia", "MK"),
        ("Bosnia-Herzegovina", "BA"), ("Slovak Republic", "SK"), ("East Timor", "TL"),
        ("Vatican City", "VA"), ("Caribbean Netherlands", "BQ"), ("Virgin Islands, U.S.", "VI"),
        ("Saint-Martin", "MF"), ("Sint Maarten", "SX"), ("Niger", "NE"), ("Nigeria", "NG"),
        ("Guinea", "GN"), ("Guinea-Bissau", "GW"), ("Equatorial Guinea", "GQ"),
        ("Papua New Guinea", "PG"), ("Dominica", "DM"), ("Dominican Republic", "DO"),
        ("Sudan", "SD"), ("South Sudan", "SS"), ("North Korea", "KP"), ("South Korea", "KR"),
        ("Akrotiri and Dhekelia", "CY"), ("Perú", "PE"), ("PE", "PE"), ("PER", "PE"),
        ("peru", "PE"), ("USA", "US"), ("UK", "GB"), ("United States", "US"),
    ],
)  # fmt: skip
def test_feed_and_iso_variants(written: str, iso2: str):
    found = countries().resolve(written)
    assert found is not None and found.iso2 == iso2


def test_what_is_not_a_country():
    table = countries()
    assert table.resolve("Peur") is None
    assert table.suggestions("Peur")[0] == "Peru"
    assert table.resolve("XX") is None
    assert table.resolve("International") is None


def test_every_country_has_a_world_region_and_most_a_capital():
    table = countries()
    assert len(table.countries) >= 240
    assert all(c.world_region for c in table.countries)
    peru, kosovo = table.resolve("Peru"), table.resolve("Kosovo")
    assert peru is not None and kosovo is not None
    assert (peru.world_region, peru.capital) == ("South America", "Lima")
    assert kosovo.capital == "Pristina"
    assert sum(1 for c in table.countries if c.capital) > 230
