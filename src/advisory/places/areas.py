"""Where each region lies, for the maps and the CAP messages: outlines and hulls in degrees.

A region that is a whole country (its only match entry names no place) is drawn as the
country's outline. Any other region is drawn as the convex hull of the places its incidents
were reported at, padded: admin1 outlines are not shipped, and the incidents are where
travelers meet the risk. Points are taken on a 0.1° grid (about 11 km), so that a region's
shape costs the same for a hundred incidents as for a million, and points outside the
country's outline box are left out (a feed's misplaced coordinates do not stretch a hull
across an ocean).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from advisory.inputs import Inputs
from advisory.places.countries import countries
from advisory.places.outlines import Ring, outlines

#: The grid the incidents' places are snapped to before their hull is taken (degrees).
GRID = 0.1
#: How far a hull is padded beyond its outermost incidents (degrees of latitude, ~22 km).
PAD = 0.2
#: Points of the circle a hull vertex is padded with.
PAD_POINTS = 12
#: How far beyond a country's outline box an incident may lie and still shape its regions.
SLACK = 1.0

Point = tuple[float, float]  # longitude, latitude


@dataclass(frozen=True)
class Shape:
    """A region's shape: its rings (longitude, latitude), and how they were found."""

    rings: tuple[Ring, ...]
    kind: str  # "country": the country's outline; "hull": around its incidents


def country_code(name: str) -> str | None:
    """The ISO alpha-3 code of a country named as the rules name it, or None."""
    found = countries().resolve(name)
    return found.iso3 if found is not None else None


def bounds(rings: Iterable[Sequence[Point]]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the rings, or None for no points."""
    lons = [lon for ring in rings for lon, _ in ring]
    if not lons:
        return None
    lats = [lat for ring in rings for _, lat in ring]
    return min(lons), min(lats), max(lons), max(lats)


def region_shapes(inputs: Inputs) -> RegionShapes:
    """Every region's shape that can be drawn: whole countries by their outlines, the others by
    the padded hull of their incidents' places. A region with neither is left out."""
    return RegionShapes(inputs)


class RegionShapes(Mapping[str, Shape]):
    """The regions' shapes (`region_shapes`), each worked out when it is first asked for: a
    week's maps and CAP areas need a few hundred of a world's thousands of regions."""

    def __init__(self, inputs: Inputs) -> None:
        self._inputs = inputs
        self._world = outlines()
        self._points: dict[str, list[Point]] | None = None
        self._found: dict[str, Shape | None] = {}

    def __getitem__(self, region_id: str) -> Shape:
        if region_id not in self._found:
            self._found[region_id] = self._shape(region_id)
        shape = self._found[region_id]
        if shape is None:
            raise KeyError(region_id)
        return shape

    def __iter__(self) -> Iterator[str]:
        return (r.id for r in self._inputs.rules.regions if r.id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _shape(self, region_id: str) -> Shape | None:
        rules = self._inputs.rules
        if region_id not in rules.countries:
            return None
        region = rules.region(region_id)
        code = country_code(rules.countries[region_id])
        if len(region.match) == 1 and region.match[0].whole_country() and code in self._world:
            return Shape(tuple(self._world[code]), "country")
        if self._points is None:
            self._points = _grid_points(self._inputs)
        found = self._points.get(region_id, [])
        box = bounds(self._world.get(code, [])) if code else None
        if box is not None:
            west, south, east, north = box
            found = [
                (lon, lat)
                for lon, lat in found
                if west - SLACK <= lon <= east + SLACK and south - SLACK <= lat <= north + SLACK
            ]
        return Shape((padded_hull(found),), "hull") if found else None


def _grid_points(inputs: Inputs) -> dict[str, list[Point]]:
    """Each region's incident places with coordinates, snapped to the grid, without repeats."""
    frame = inputs.incidents.frame
    if "latitude" not in frame.columns or "longitude" not in frame.columns:
        return {}
    snapped = (
        frame.select(
            (pl.col("longitude") / GRID).round(0).cast(pl.Int32, strict=False).alias("x"),
            (pl.col("latitude") / GRID).round(0).cast(pl.Int32, strict=False).alias("y"),
        )
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
        .drop_nulls()
        .join(inputs.placements, on="pos")
        .select("region", "x", "y")
        .unique()
        .sort("region", "x", "y")
    )
    found: dict[str, list[Point]] = {}
    for region, x, y in snapped.iter_rows():
        found.setdefault(region, []).append((round(x * GRID, 2), round(y * GRID, 2)))
    return found


def contains(ring: Sequence[Point], point: Point) -> bool:
    """Whether the point (longitude, latitude) lies inside the ring (ray casting)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], *ring[:1]], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def hull(points: Iterable[Point]) -> list[Point]:
    """The convex hull, counter-clockwise from the westernmost point (Andrew's monotone chain);
    one or two points are returned as they are."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def padded_hull(points: Sequence[Point], pad: float = PAD) -> Ring:
    """The hull of the points, grown by `pad` degrees (kilometres alike east-west and
    north-south), closed: a single point becomes a small polygon around it."""
    around = []
    for lon, lat in hull(points):
        stretch = 1 / max(math.cos(math.radians(lat)), 0.2)
        for k in range(PAD_POINTS):
            angle = 2 * math.pi * k / PAD_POINTS
            around.append(
                (
                    round(lon + pad * stretch * math.cos(angle), 3),
                    round(max(-90.0, min(90.0, lat + pad * math.sin(angle))), 3),
                )
            )
    ring = hull(around)
    return [*ring, ring[0]]
