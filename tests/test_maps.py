"""The maps: projection and cutting, region shapes, the SVG's text and size, and its bytes."""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pyproj import Geod

from advisory.inputs import load_inputs
from advisory.places.areas import contains, hull, padded_hull, region_shapes
from advisory.places.outlines import outlines
from advisory.writing.maps import (
    WIDTH,
    Area,
    MapSpec,
    Mark,
    Shade,
    _view,
    dot_radius,
    draw,
    longitude_span,
    split_at_seam,
)
from tests.conftest import ROOT, run_advisory

SVG = "{http://www.w3.org/2000/svg}"


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    return contains(ring, point)


def _coordinates(svg: str) -> list[float]:
    paths = " ".join(re.findall(r' d="([^"]*)"', svg))
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", paths)]


def test_longitudes_across_the_date_line_run_the_short_way():
    assert longitude_span([170.0, -175.0, 179.0]) == (170.0, 185.0)
    assert longitude_span([-80.0, -70.0]) == (-80.0, -70.0)
    assert longitude_span([10.0]) == (10.0, 10.0)


def test_a_world_map_centred_off_greenwich_cuts_every_outline_at_its_edge():
    """Every ring, cut for a map centred on 100° W, stays within 180° of the centre: no
    outline crosses the map from one edge to the other."""
    for code, rings in outlines().items():
        for ring in rings:
            for piece in split_at_seam(ring, -100.0):
                relative = [lon + 100.0 for lon, _ in piece]
                assert all(-180 <= x <= 180 for x in relative), code


def test_hull_holds_every_point_and_the_padding_holds_the_hull():
    rng = random.Random(7)
    points = [(rng.uniform(-75, -73), rng.uniform(-13, -11)) for _ in range(300)]
    outline = hull(points)
    padded = padded_hull(points)
    assert padded[0] == padded[-1]
    assert len(outline) < len(points)
    for point in points:
        assert _inside(point, padded[:-1])
    assert len(padded_hull([(-74.0, -12.0)])) > 8  # one place: a small polygon around it


def test_dots_grow_with_the_toll_and_stop_growing():
    sizes = [dot_radius(n) for n in (0, 1, 10, 100, 10_000)]
    assert sizes == sorted(sizes)
    assert sizes[-1] == sizes[-2] == 14.0


@pytest.fixture(scope="module")
def demo_shapes():
    inputs = load_inputs(ROOT / "rules", [str(ROOT / "data" / "incidents.csv")], None)
    return inputs, region_shapes(inputs)


def test_the_demo_regions_are_drawn_around_their_incidents(demo_shapes):
    _, shapes = demo_shapes
    vraem = shapes["pe-vraem"]
    assert vraem.kind == "hull"
    assert _inside((-74.03, -12.16), vraem.rings[0])  # the June 24 clash, Vizcatán
    assert not _inside((-77.04, -12.05), vraem.rings[0])  # Lima
    assert shapes["pe-rest"].kind == "country"  # the rest of Peru: the country's outline


def test_a_misplaced_coordinate_does_not_stretch_a_region(tmp_path: Path, demo_shapes):
    log = (ROOT / "data" / "incidents.csv").read_text(encoding="utf-8").splitlines()
    header, rows = log[0], log[1:]
    wrong = rows[0].replace(",-12.41,-73.91,", ",48.85,2.35,")  # Llochegua given Paris
    assert wrong != rows[0]
    (tmp_path / "incidents.csv").write_text("\n".join([header, wrong, *rows[1:]]) + "\n")
    inputs = load_inputs(ROOT / "rules", [str(tmp_path / "incidents.csv")], None)
    _, before = demo_shapes
    after = region_shapes(inputs)["pe-vraem"]
    assert after == before["pe-vraem"]  # Paris is not in Peru's box: the point is left out


def test_a_map_says_what_it_shows_and_is_the_same_every_time():
    spec = MapSpec(
        "map-test", "Map of Peru & its <regions>", "Peru: High.",
        (Shade("PER", "#ef6c00"),), (Area((padded_hull([(-74.0, -12.2)]),), "#ef6c00"),),
        (Mark(-74.03, -12.16, 0, lead=True), Mark(-77.04, -12.05, 12, label="1")),
    )  # fmt: skip
    svg = draw(spec)
    assert svg == draw(spec)
    root = ET.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "map-test-title map-test-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Map of Peru & its <regions>"
    assert desc is not None and desc.text == "Peru: High."
    values = _coordinates(str(svg))
    assert values and all(math.isfinite(v) for v in values)
    assert re.search(r">\d+(,\d{3})* k?m</text>", str(svg))  # the scale bar's label
    assert ">N</text>" in str(svg)


def test_a_map_with_nothing_to_place_is_left_out():
    assert draw(MapSpec("map-none", "t", "d", (Shade("ZZZ", "#000"),))) == ""


@pytest.mark.parametrize("code", ["PER", "FJI", "RUS", "NZL", "CHL", "USA"])
def test_the_scale_bar_measures_the_ground(code: str):
    """The bar's label, in km, is what the geodesic gives between its ends on the map."""
    view = _view(outlines()[code], 400)
    assert view is not None
    km = view.km_per_px()
    assert km is not None
    y = view.y0 - 200 / view.scale
    left = view.inverse.transform(view.x0 + 270 / view.scale, y)
    right = view.inverse.transform(view.x0 + 370 / view.scale, y)
    _, _, metres = Geod(ellps="WGS84").inv(*left, *right)
    assert km * 100 == pytest.approx(metres / 1000, rel=1e-6)
    # The country fills the map across or from top to bottom, with a margin.
    points = [at for ring in outlines()[code] for p in ring if (at := view.xy(*p)) is not None]
    across = max(x for x, _ in points) - min(x for x, _ in points)
    down = max(y for _, y in points) - min(y for _, y in points)
    assert max(across / WIDTH, down / 400) == pytest.approx(1 / 1.16, rel=0.02)


def test_a_world_week_map_stays_small():
    """Every country shaded and 5,000 incidents: the drawing stays under 600 KB."""
    rng = random.Random(11)
    shades = tuple(Shade(code, "#c62828") for code in sorted(outlines()))
    marks = tuple(
        Mark(rng.uniform(-170, 170), rng.uniform(-50, 70), rng.choice([0, 0, 1, 3, 40]))
        for _ in range(5000)
    )
    svg = draw(MapSpec("map-world", "World", "d", shades, (), marks))
    assert 'class="map"' in svg
    assert len(svg.encode()) < 600_000, len(svg.encode())


def test_maps_false_leaves_every_map_out(tmp_path: Path):
    settings = tmp_path / "advisory.yaml"
    settings.write_text(
        f"version: 1\nrules: {ROOT / 'rules'}\nincidents: ['{ROOT / 'data'}/*.csv']\nmaps: false\n"
    )
    out = tmp_path / "out"
    done = run_advisory("--config", str(settings), "bulletin", "--week", "2018-W25",
                        "--out", str(out), "--strict", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (out / "bulletin-2018-W25.html").read_text()
    assert 'class="map"' not in html and "<figure" not in html
    assert "Most serious incidents" in html  # the first page without its map
    with_maps = run_advisory("bulletin", "--week", "2018-W25", "--format", "html",
                             "--out", str(tmp_path / "maps"), cwd=ROOT)  # fmt: skip
    assert with_maps.returncode == 0, with_maps.stderr
    assert (tmp_path / "maps" / "bulletin-2018-W25.html").read_text().count('class="map"') == 5
