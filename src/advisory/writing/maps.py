"""Maps drawn offline as inline SVG: countries shaded by level, regions, incidents by toll.

Everything on a map is computed here from numbers and names we hold; nothing is fetched. The
projection suits the area shown (PROJ, through pyproj):

- up to 60° across, Lambert azimuthal equal-area centred on the area: areas keep their
  sizes, and north is up along the centre meridian;
- wider, Equal Earth centred on the area's middle meridian.

The scale bar is measured on the ground along the map's centre line (pyproj's geodesic), so it
holds for either projection there. Coordinates are written to a tenth of a pixel and points
closer than half a pixel to the last one kept are dropped: the same inputs give the same bytes,
and a world map stays small.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from advisory.places.areas import Point, bounds
from advisory.places.outlines import Ring, outlines

#: Drawing size of a map in SVG user units (px); the page scales it to the column.
WIDTH, HEIGHT = 640, 400
#: Of the area shown, how much is left around it (share of its width or height, each side).
MARGIN = 0.08
#: The least span a map shows (metres): a region of one town still shows its surroundings.
MIN_SPAN = 250_000.0
#: Wider than this (degrees of longitude or latitude), a map is drawn in Equal Earth.
WIDE = 60.0

LAND = "#e4e2dc"
SEA = "#eef3f7"
BORDER = "#ffffff"
COVERED_BORDER = "#8a8a8a"
MARK = "#263238"
LEAD = "#b71c1c"


@dataclass(frozen=True)
class Shade:
    """A country filled in a colour (its highest level)."""

    iso3: str
    color: str


@dataclass(frozen=True)
class Area:
    """A region drawn over its country, in its level's colour."""

    rings: tuple[Ring, ...]
    color: str


@dataclass(frozen=True)
class Mark:
    """An incident: a dot as large as its toll; the lead incident of an alert is ringed."""

    lon: float
    lat: float
    casualties: int
    lead: bool = False
    label: str = ""  # a short label beside the dot ("1": the first of the most serious)


@dataclass(frozen=True)
class MapSpec:
    key: str  # unique in its document: the ids of the title and clip path start with it
    title: str  # the text alternative (the PDF's Alt): what the map shows, in a sentence
    desc: str  # the longer description: every shaded country and area, the incidents
    shades: tuple[Shade, ...] = ()
    areas: tuple[Area, ...] = ()
    marks: tuple[Mark, ...] = ()
    #: What the map must show besides its areas and marks (the countries of the bulletin's
    #: summary; an alert's country); empty: the shaded countries.
    focus: tuple[Ring, ...] = ()
    height: int = HEIGHT  # the drawing's height at WIDTH across
    #: The scale bar's and north arrow's size, 1 for a map shown a column wide: a map shown
    #: at a third of the column takes 2.5 to stay legible.
    text_size: float = 1.0


def dot_radius(casualties: int) -> float:
    """A dot's radius (px): its area grows with the toll, from 2.5 px for none to 14 px."""
    return round(min(14.0, 2.5 + 1.3 * math.sqrt(max(casualties, 0))), 1)


def draw(spec: MapSpec) -> Markup:
    """The map as an `<svg>` element, or empty markup when there is nothing to place."""
    world = outlines()
    focus: list[Sequence[Point]] = list(spec.focus) or [
        ring for shade in spec.shades for ring in world.get(shade.iso3, [])
    ]
    focus += [ring for area in spec.areas for ring in area.rings]
    focus += [[(m.lon, m.lat)] for m in spec.marks]
    view = _view(focus, spec.height)
    if view is None:
        return Markup("")
    height = view.height
    parts = [f'<rect width="{WIDTH}" height="{height}" fill="{SEA}"/>']
    shaded = {shade.iso3: shade.color for shade in spec.shades}
    land, covered = [], []
    window = view.window()
    for iso3 in sorted(world):
        if window is not None and not _overlaps(_boxes()[iso3], window):
            continue  # far from the map: not projected at all
        d = view.path(world[iso3])
        if not d:
            continue
        if iso3 in shaded:
            covered.append(
                f'<path d="{d}" fill="{escape(shaded[iso3])}" fill-opacity="0.45" '
                f'stroke="{COVERED_BORDER}" stroke-width="0.6"/>'
            )
        else:
            land.append(f'<path d="{d}"/>')
    if land:
        parts.append(f'<g fill="{LAND}" stroke="{BORDER}" stroke-width="0.6">{"".join(land)}</g>')
    parts += covered
    for area in spec.areas:
        if d := view.path(area.rings):
            parts.append(
                f'<path d="{d}" fill="{escape(area.color)}" fill-opacity="0.8" '
                f'stroke="#37474f" stroke-width="1" stroke-linejoin="round"/>'
            )
    parts += _marks(view, spec.marks, spec.text_size)
    parts += _scale_bar(view, spec.text_size)
    parts.append(_north(spec.text_size))
    key = escape(spec.key)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc">'
        f'<title id="{key}-title">{escape(spec.title)}</title>'
        f'<desc id="{key}-desc">{escape(spec.desc)}</desc>'
        f'<defs><clipPath id="{key}-clip"><rect width="{WIDTH}" height="{height}"/></clipPath>'
        f"</defs>"
        f'<g clip-path="url(#{key}-clip)">{"".join(parts)}</g>'
        f'<rect width="{WIDTH}" height="{height}" fill="none" stroke="#b0bec5"/>'
        "</svg>"
    )


def _marks(view: View, marks: Sequence[Mark], size: float = 1.0) -> list[str]:
    """Dots, the largest first so that small ones stay visible; dots on the same pixel become
    one with their tolls added. The lead incident is drawn last, ringed. `size` grows the
    dots of a map shown small (by its square root: they stay smaller than the labels)."""
    grow = math.sqrt(size)
    merged: dict[tuple[float, float], int] = {}
    leads = []
    labels: dict[tuple[float, float], list[str]] = {}
    for mark in marks:
        exact = view.xy(mark.lon, mark.lat)
        if exact is None:
            continue
        at = (float(round(exact[0])), float(round(exact[1])))  # a pixel: one dot per spot
        if mark.label:
            labels.setdefault(at, []).append(mark.label)
        if mark.lead:
            leads.append((at, mark.casualties))
        else:
            merged[at] = merged.get(at, 0) + mark.casualties
    dots = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    out = []
    if dots:
        out.append(
            f'<g fill="{MARK}" fill-opacity="0.6" stroke="#ffffff" stroke-width="0.8">'
            + "".join(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot_radius(c) * grow:.1f}"/>'
                for (x, y), c in dots
            )
            + "</g>"
        )
    for (x, y), casualties in leads:
        r, ring = dot_radius(casualties) * grow, (dot_radius(casualties) + 4) * grow
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{ring:.1f}" fill="none" stroke="#ffffff" '
            f'stroke-width="{3 * grow:.1f}"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{ring:.1f}" fill="none" stroke="{LEAD}" '
            f'stroke-width="{1.6 * grow:.1f}"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{LEAD}" stroke="#ffffff" '
            f'stroke-width="0.8"/>'
        )
    sizes = dict(merged)
    sizes.update((at, casualties) for at, casualties in leads)
    for (x, y), names in sorted(labels.items(), key=lambda item: item[1]):
        text = escape(", ".join(names))
        tx, ty = x + dot_radius(sizes.get((x, y), 0)) + 3, y + 4
        anchor = ""
        if tx > WIDTH - 40:  # near the right edge: the label goes on the left
            tx, anchor = x - dot_radius(sizes.get((x, y), 0)) - 3, ' text-anchor="end"'
        out.append(
            f'<g class="label" font-family="DejaVu Sans, sans-serif" font-size="12" '
            f'font-weight="bold"{anchor}>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" fill="none" stroke="#ffffff" stroke-width="3" '
            f'stroke-linejoin="round">{text}</text>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" fill="#000000">{text}</text></g>'
        )
    return out


def _scale_bar(view: View, size: float) -> list[str]:
    """A bar of a round length (1, 2 or 5 times a power of ten km) at most a quarter of the
    map's width, measured along the map's centre line, bottom left; its label `size` times
    the base size (a small map shown small keeps it legible)."""
    km_per_px = view.km_per_px()
    if km_per_px is None:
        return []
    most = WIDTH / 4 * km_per_px
    power = 10 ** math.floor(math.log10(most))
    length = max(step * power for step in (1, 2, 5) if step * power <= most)
    bar = length / km_per_px / size  # in the label's units
    label = f"{length:,.0f} km" if length >= 1 else f"{length * 1000:,.0f} m"
    if view.wide:
        label += f" at {_latitude(view.centre_lat)}"
    x, y = 10 + 6 * size, view.height - 10 - 8 * size
    return [
        f'<g class="scale" transform="translate({x:.1f} {y:.1f}) scale({size:g})" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11" fill="#263238">'
        f'<rect x="-6" y="-18" width="{bar + 12 + 7 * len(label):.1f}" height="26" '
        f'fill="#ffffff" fill-opacity="0.75"/>'
        f'<path d="M0 -4V0H{bar:.1f}V-4" fill="none" stroke="#263238" stroke-width="1.5"/>'
        f'<text x="{bar + 6:.1f}" y="1">{label}</text></g>'
    ]


def _latitude(lat: float) -> str:
    degrees = round(abs(lat))
    return "the equator" if degrees == 0 else f"{degrees}° {'N' if lat > 0 else 'S'}"


def _north(size: float) -> str:
    x, y = WIDTH - 12 - 12 * size, 6 + 8 * size
    return (
        f'<g class="north" transform="translate({x:.1f} {y:.1f}) scale({size:g})" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11" fill="#263238" '
        f'text-anchor="middle">'
        f'<path d="M0 0l6 16l-6 -4l-6 4z"/><text x="0" y="30">N</text></g>'
    )


# --- projection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A projection and the window of it the map shows, mapped onto WIDTH × height."""

    forward: Any  # pyproj's Transformer: degrees to metres
    inverse: Any  # metres to degrees
    x0: float  # projected coordinates of the map's top-left corner
    y0: float
    scale: float  # px per metre
    height: int
    wide: bool
    centre_lon: float
    centre_lat: float

    def xy(self, lon: float, lat: float) -> tuple[float, float] | None:
        x, y = self.forward.transform(lon, lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        return round((x - self.x0) * self.scale, 1), round((self.y0 - y) * self.scale, 1)

    def path(self, rings: Sequence[Sequence[Point]]) -> str:
        """SVG path data of the rings that reach into the map (empty when none does)."""
        out = []
        pieces: list[Sequence[Point]] = []
        for ring in rings:
            if self.wide:
                pieces += split_at_seam(ring, self.centre_lon)
            elif all(_degrees_apart(self, p) < 95 for p in ring[:: 1 + len(ring) // 16]):
                pieces.append(ring)  # not on the far side of the globe from the centre
        for ring in pieces:
            xs, ys = self.forward.transform([p[0] for p in ring], [p[1] for p in ring])
            points: list[tuple[float, float]] = []
            for x, y in zip(xs, ys, strict=True):
                if not (math.isfinite(x) and math.isfinite(y)):
                    continue
                px, py = (x - self.x0) * self.scale, (self.y0 - y) * self.scale
                if points and abs(px - points[-1][0]) < 0.5 and abs(py - points[-1][1]) < 0.5:
                    continue
                points.append((px, py))
            if len(points) < 3 or not _reaches(points, self.height):
                continue
            first, *rest = points
            out.append(
                f"M{first[0]:.1f} {first[1]:.1f}"
                + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest)
                + "Z"
            )
        return "".join(out)

    def window(self) -> tuple[float, float, float, float] | None:
        """The longitudes and latitudes the map shows, with room to spare (west, south, east,
        north); None for a world map, or one across the date line or a pole."""
        if self.wide:
            return None
        xs = [self.x0 + WIDTH * k / 6 / self.scale for k in range(7)]
        ys = [self.y0 - self.height * k / 6 / self.scale for k in range(7)]
        lons, lats = self.inverse.transform(
            [x for x in xs for _ in ys], [y for _ in xs for y in ys]
        )
        if not all(math.isfinite(v) for v in (*lons, *lats)):
            return None
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        if east - west > 180 or north > 85 or south < -85:
            return None
        pad = max(east - west, north - south) * 0.25 + 1
        return west - pad, south - pad, east + pad, north + pad

    def km_per_px(self) -> float | None:
        y = self.y0 - self.height / 2 / self.scale
        left = self.inverse.transform(self.x0 + (WIDTH / 2 - 50) / self.scale, y)
        right = self.inverse.transform(self.x0 + (WIDTH / 2 + 50) / self.scale, y)
        if not all(math.isfinite(v) for v in (*left, *right)):
            return None
        _, _, metres = _geod().inv(left[0], left[1], right[0], right[1])
        return float(metres) / 100 / 1000 if metres > 0 else None


def split_at_seam(ring: Sequence[Point], centre_lon: float) -> list[list[Point]]:
    """The ring cut where a world map centred on `centre_lon` is cut (the meridian opposite),
    each side its own ring, so that no outline streaks across the map. The outlines are cut
    at ±180° already; a map centred elsewhere cuts them again."""
    relative = [(lon - centre_lon, lat) for lon, lat in _unwrapped(ring)]
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        moved = [(x + shift, y) for x, y in relative]
        if max(x for x, _ in moved) <= -SEAM or min(x for x, _ in moved) >= SEAM:
            continue
        clipped = _clip(_clip(moved, -SEAM, keep_above=True), SEAM, keep_above=False)
        if len(clipped) >= 3:
            pieces.append([(x + centre_lon, y) for x, y in clipped])
    return pieces


def _unwrapped(ring: Sequence[Point]) -> list[Point]:
    """The ring with its longitudes continuous: the outlines cross the date line as a jump
    from 180 to -180. A ring around a pole (Antarctica) is closed along the pole."""
    out: list[Point] = []
    shift = 0.0
    for i, (lon, lat) in enumerate(ring):
        if i and abs(lon + shift - out[-1][0]) > 180:
            shift += 360.0 if lon + shift < out[-1][0] else -360.0
        out.append((lon + shift, lat))
    if len(out) > 2 and abs(out[-1][0] - out[0][0]) > 180:
        pole = -90.0 if sum(lat for _, lat in out) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole)]
    return out


#: How close to the opposite meridian a cut ring is taken (degrees), so that PROJ puts each
#: side's edge on its own side of the map.
SEAM = 180 - 1e-6


def _clip(ring: Sequence[Point], at: float, *, keep_above: bool) -> list[Point]:
    """The ring clipped to longitude >= `at` (or <= `at`): one Sutherland–Hodgman pass."""

    def inside(p: Point) -> bool:
        return p[0] >= at if keep_above else p[0] <= at

    out: list[Point] = []
    for i, current in enumerate(ring):
        previous = ring[i - 1]
        if inside(current) != inside(previous):
            t = (at - previous[0]) / (current[0] - previous[0])
            out.append((at, previous[1] + t * (current[1] - previous[1])))
        if inside(current):
            out.append(current)
    return out


@functools.cache
def _boxes() -> dict[str, tuple[float, float, float, float]]:
    """Each country's outline box (west, south, east, north)."""
    found = {}
    for code, rings in outlines().items():
        box = bounds(rings)
        if box is not None:
            found[code] = box
    return found


def _overlaps(box: tuple[float, float, float, float], window: tuple[float, ...]) -> bool:
    west, south, east, north = box
    return not (east < window[0] or west > window[2] or north < window[1] or south > window[3])


def _degrees_apart(view: View, point: Point) -> float:
    """Great-circle distance in degrees from the map's centre."""
    lat1, lat2 = math.radians(view.centre_lat), math.radians(point[1])
    dlon = math.radians(point[0] - view.centre_lon)
    cos = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(dlon)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _reaches(points: Sequence[tuple[float, float]], height: int) -> bool:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return max(xs) >= 0 and min(xs) <= WIDTH and max(ys) >= 0 and min(ys) <= height


def longitude_span(lons: Sequence[float]) -> tuple[float, float]:
    """The shortest run of longitudes (west, east) that holds them all, east possibly past 180
    (a country across the date line runs from 172 to 190, not from -180 to 180)."""
    unique = sorted({((lon + 180) % 360) - 180 for lon in lons})
    if len(unique) == 1:
        return unique[0], unique[0]
    gaps = [(unique[i + 1] - unique[i], i) for i in range(len(unique) - 1)]
    gaps.append((unique[0] + 360 - unique[-1], len(unique) - 1))
    _, widest = max(gaps)
    if widest == len(unique) - 1:
        return unique[0], unique[-1]
    return unique[widest + 1], unique[widest] + 360


@functools.lru_cache(maxsize=64)
def _projection(step: str) -> Any:
    """A PROJ pipeline from longitude and latitude in degrees (WGS84) through `step`, to metres:
    built from the string alone, with no look-up in PROJ's database (a hundredth of the time
    of a transformer between two named systems)."""
    from pyproj import Transformer

    pipeline = f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {step}"
    return Transformer.from_pipeline(pipeline)


class _Inverse:
    """The inverse of a projection: metres to longitude and latitude."""

    def __init__(self, forward: Any) -> None:
        self.forward = forward

    def transform(self, xs: Any, ys: Any) -> Any:
        from pyproj.enums import TransformDirection

        return self.forward.transform(xs, ys, direction=TransformDirection.INVERSE)


@functools.cache
def _geod() -> Any:
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _view(focus: Sequence[Sequence[Point]], height: int) -> View | None:
    box = bounds(focus)
    if box is None:
        return None
    west, east = longitude_span([lon for ring in focus for lon, _ in ring])
    _, south, _, north = box
    centre_lon = round((((west + east) / 2 + 180) % 360) - 180, 2)
    centre_lat = round((south + north) / 2, 2)
    wide = east - west > WIDE or north - south > WIDE
    if wide:
        step = f"+proj=eqearth +lon_0={centre_lon} +ellps=WGS84"
    else:
        step = f"+proj=laea +lat_0={centre_lat} +lon_0={centre_lon} +ellps=WGS84"
    forward = _projection(step)
    inverse = _Inverse(forward)
    xs: list[float] = []
    ys: list[float] = []
    for ring in focus:
        px, py = forward.transform([p[0] for p in ring], [p[1] for p in ring])
        xs += [x for x in px if math.isfinite(x)]
        ys += [y for y in py if math.isfinite(y)]
    if not xs or not ys:
        return None
    x_mid, y_mid = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    span_x = max(max(xs) - min(xs), MIN_SPAN) * (1 + 2 * MARGIN)
    span_y = max(max(ys) - min(ys), MIN_SPAN * height / WIDTH) * (1 + 2 * MARGIN)
    scale = min(WIDTH / span_x, height / span_y)
    return View(
        forward, inverse, x_mid - WIDTH / 2 / scale, y_mid + height / 2 / scale, scale, height,
        wide,
        centre_lon, centre_lat,
    )  # fmt: skip
