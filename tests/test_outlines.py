"""The country outlines for the maps (Natural Earth 1:110m, converted once from world-atlas)."""

from __future__ import annotations

from advisory.places.areas import contains
from advisory.places.countries import countries
from advisory.places.outlines import BY_NAME, LICENCE, OUTLINES, convert, outlines


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    return contains(ring, point)


def test_every_outline_is_a_country_of_the_table_and_keeps_its_licence():
    import json

    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    assert data["licence"] == LICENCE and "public domain" in data["licence"]
    assert data["left_out"] == []
    codes = {c.iso3 for c in countries().countries}
    assert set(outlines()) <= codes
    assert len(outlines()) >= 170
    assert OUTLINES.stat().st_size < 200_000  # small enough to ship


def test_capitals_lie_in_their_countries():
    for iso3, capital in (("PER", (-77.04, -12.05)), ("AFG", (69.17, 34.53)),
                          ("COD", (15.31, -4.32)), ("FRA", (2.35, 48.86))):  # fmt: skip
        assert any(_inside(capital, ring) for ring in outlines()[iso3]), iso3


def test_convert_decodes_topojson_arcs():
    topology = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [[[0, 0], [2, 0], [0, 2]], [[2, 2], [-2, 0], [0, -2]]],
        "objects": {"countries": {"geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "id": "604", "properties": {"name": "Peru"}},
            {"type": "Polygon", "arcs": [[~1, ~0]], "properties": {"name": "Somaliland"}},
            {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Nowhere"}},
        ]}},
    }  # fmt: skip
    out = convert(topology, {"604": "PER"})
    assert out["countries"]["PER"] == [[0, 0, 2, 0, 2, 2, 0, 2, 0, 0]]
    assert out["countries"][BY_NAME["Somaliland"]] == [[0, 0, 0, 2, 2, 2, 2, 0, 0, 0]]
    assert out["left_out"] == ["Nowhere"]
