"""The documents' maps: what each shows and says, built from the week's ratings and alerts.

The bulletin's map shades every covered country by its highest level, draws the regions of
the summary over them, and marks the week's incidents by toll; it shows the countries of the
summary (all covered countries in a week without any). An alert's locator map shows its
country with the region drawn and the week's incidents in it, the lead ringed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from advisory.models import Incident, Rating, Rules
from advisory.places.areas import Shape, country_code
from advisory.places.outlines import outlines
from advisory.writing.compose import Alert, SummaryRow, level_color, short_toll
from advisory.writing.maps import Area, MapSpec, Mark, Shade, dot_radius, draw
from advisory.writing.prose import counted, dateline, joined, number, when

#: Incidents the bulletin map's description names (the largest tolls); the rest are counted.
NAMED_INCIDENTS = 12
#: The country under a region drawn over it, or whose region's place is not known.
UNDER = "#b0bec5"
#: Drawing heights at 640 across: the bulletin's map under the masthead, wide; a locator map
#: beside an alert's Event, nearer square, as most countries are.
BULLETIN_HEIGHT = 340
LOCATOR_HEIGHT = 400
#: Countries the bulletin map's description names, highest level first; the rest are counted.
NAMED_COUNTRIES = 25


@dataclass(frozen=True)
class Figure:
    """A map and its caption: what the colours and dots mean, and what it leaves out."""

    svg: Markup
    caption: str
    swatches: tuple[tuple[str, str], ...] = ()  # (colour, level name)
    dots: str = ""  # the dot sizes, as a small drawing (Markup) for the caption


def bulletin_figure(
    ratings: Sequence[Rating],
    summary: Sequence[SummaryRow],
    rules: Rules,
    shapes: Mapping[str, Shape],
    incidents: Sequence[Incident],
    week: str,
    numbered: Sequence[str] = (),
) -> Figure | None:
    """`numbered`: the ids of the incidents the first page lists, labelled 1, 2, 3 on the map."""
    ruleset = rules.ruleset
    names = ruleset.level_names()
    top: dict[str, Rating] = {}
    for rating in ratings:
        best = top.get(rating.country)
        if best is None or (rating.level_rank, rating.score) > (best.level_rank, best.score):
            top[rating.country] = rating
    world = outlines()
    codes = {country: country_code(country) for country in top}
    shades = tuple(
        Shade(code, level_color(ruleset, top[country].level))
        for country, code in sorted(codes.items())
        if code in world
    )
    # The countries the week's data covers: a region the log has no data for is not framed.
    covered = {r.country for r in ratings if r.has_data}
    shown = {row.country for row in summary if row.country in covered} or set(top)
    focus = tuple(ring for c in sorted(shown) if (code := codes.get(c)) in world
                  for ring in world[code])  # fmt: skip
    areas = tuple(
        Area(shapes[row.region_id].rings, row.level_color)
        for row in sorted(summary, key=lambda r: (names.index(r.level), r.region_id))
        if row.region_id in shapes and shapes[row.region_id].kind == "hull"
    )
    placed = _placed(incidents)
    rank = {incident_id: str(k) for k, incident_id in enumerate(numbered, 1)}
    marks = tuple(Mark(lon, lat, i.casualties, label=rank.get(i.id, "")) for i, lon, lat in placed)
    if not shades and not marks:
        return None
    where = next(iter(shown)) if len(shown) == 1 else counted(len(shown), "country")
    title = (
        f"Map of {where}, week {week}: countries shaded by their highest level"
        + (f", and the week's {counted(len(marks), 'incident')} by toll" if marks else "")
        + "."
    )
    ordered = sorted(shown, key=lambda c: (-top[c].level_rank, c) if c in top else (0, c))
    lines = [f"{c} at {top[c].level} ({top[c].region_name})." for c in ordered[:NAMED_COUNTRIES]
             if c in top]  # fmt: skip
    if len(ordered) > NAMED_COUNTRIES:
        lines.append(f"{counted(len(ordered) - NAMED_COUNTRIES, 'more country')} shaded.")
    year = ratings[0].as_of.year if ratings else None
    lines += _incident_lines([i for i, _, _ in placed], len(incidents), year=year)
    svg = draw(MapSpec("map-bulletin", title, " ".join(lines), shades, areas, marks, focus,
                       height=BULLETIN_HEIGHT))  # fmt: skip
    if not svg:
        return None
    used = {top[c].level for c in top}
    swatches = tuple(
        (level_color(ruleset, lv.name), lv.name) for lv in ruleset.levels if lv.name in used
    )
    caption = (
        "Countries are shaded by their highest level, and the regions of the summary drawn in "
        "their level's colour; dots are the week's incidents, sized by the people killed and "
        "wounded"
        + (", numbered as the most serious incidents below." if rank else ".")
        + _unplaced(len(incidents) - len(placed), len(incidents))
    )
    return Figure(svg, caption, swatches, dot_legend() if marks else "")


def alert_figure(alert: Alert, rules: Rules, shapes: Mapping[str, Shape]) -> Figure | None:
    world = outlines()
    code = country_code(alert.country)
    shape = shapes.get(alert.region_id)
    country = tuple(world.get(code, [])) if code else ()
    if not country and shape is None:
        return None
    lead = alert.incidents[0] if alert.incidents else None
    placed = [i for i, _, _ in _placed(alert.incidents)]
    marks = tuple(
        Mark(lon, lat, i.casualties, lead=i is lead) for i, lon, lat in _placed(alert.incidents)
    )
    areas = (Area(shape.rings, alert.level_color),) if shape and shape.kind == "hull" else ()
    whole = shape is not None and shape.kind == "country"
    # The country in the level's colour when the region is the country; grey under a region
    # drawn over it, or when the region's place is not known (no incident has coordinates).
    shades = (Shade(code, alert.level_color if whole else UNDER),) if code in world else ()
    where = alert.region_name if alert.region_name == alert.country else (
        f"{alert.region_name} in {alert.country}")  # fmt: skip
    title = f"Locator map: {where}, at level {alert.level}"
    if lead is not None and lead in placed:
        if lead.date_precision:  # "the incident of around March 15", "... of May 1982"
            day = when(lead, alert.issued.year).removeprefix("in ")
            title += f"; the incident of {day} ringed"
        else:
            title += f"; the {dateline(lead)} incident ringed"
    title += "."
    lines = _incident_lines(placed, len(alert.incidents), lead=lead, year=alert.issued.year)
    svg = draw(MapSpec(f"map-{alert.region_id}", title, " ".join(lines), shades, areas, marks,
                       country, height=LOCATOR_HEIGHT, text_size=2.6))  # fmt: skip
    if not svg:
        return None
    parts = []
    if not areas and not whole:
        parts.append(f"Where in {alert.country} {alert.region_name} lies is not known: none of "
                     "its incidents has coordinates.")  # fmt: skip
    if marks:
        parts.append("Dots: the week's incidents, by toll"
                     + ("; ringed: the lead." if lead in placed else "."))  # fmt: skip
    missing = len(alert.incidents) - len(placed)
    if (areas or whole or placed) and (unplaced := _unplaced(missing, len(alert.incidents))):
        parts.append(unplaced)
    caption = " ".join(parts)
    return Figure(svg, caption)


def _placed(incidents: Sequence[Incident]) -> list[tuple[Incident, float, float]]:
    """The incidents that have coordinates, with their longitude and latitude."""
    return [
        (i, i.longitude, i.latitude)
        for i in incidents
        if i.longitude is not None and i.latitude is not None
    ]


def _incident_lines(
    placed: Sequence[Incident], total: int, lead: Incident | None = None, year: int | None = None
) -> list[str]:
    if not total:
        return ["No incidents were recorded this week."]
    if not placed:
        return [f"None of the week's {number(total)} incidents has coordinates."]
    ranked = sorted(placed, key=lambda i: (i is not lead, -i.casualties, i.date,
                                          i.id))  # fmt: skip
    lines = [f"{counted(len(placed), 'incident')} of the week shown:"]
    named = [
        f"{dateline(i, year)}, {i.location or i.admin2 or i.admin1 or i.country}"
        f" ({short_toll(i, none='no casualties')})"
        for i in ranked[:NAMED_INCIDENTS]
    ]
    if len(ranked) > NAMED_INCIDENTS:
        named.append(f"{number(len(ranked) - NAMED_INCIDENTS)} more")
    lines.append(joined(named) + ".")
    return lines


def _unplaced(missing: int, total: int) -> str:
    """`2 of the week's 5 incidents have no coordinates and are not shown.`"""
    if not missing:
        return ""
    if missing == total:
        return "The week's incidents have no coordinates: none is shown."
    verb = "has" if missing == 1 else "have"
    return (
        f"{number(missing)} of the week's {number(total)} incidents {verb} no coordinates and "
        f"{'is' if missing == 1 else 'are'} not shown."
    )


def dot_legend() -> Markup:
    """Dots for no casualties, 10 and 50, side by side, as the map draws them."""
    sizes = [(0, "none"), (10, "10"), (50, "50")]
    x = 0.0
    parts = []
    for casualties, label in sizes:
        r = dot_radius(casualties)
        parts.append(
            f'<circle cx="{x + r:.1f}" cy="15" r="{r}" fill="#263238" fill-opacity="0.6"/>'
            f'<text x="{x + 2 * r + 3:.1f}" y="19">{label}</text>'
        )
        x += 2 * r + 10 + 7 * len(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dots" width="{x:.0f}" height="30" '
        f'viewBox="0 0 {x:.0f} 30" font-family="DejaVu Sans, sans-serif" font-size="11" '
        f'role="img" aria-label="Dot sizes: no casualties, 10 and 50 killed and wounded">'
        + "".join(parts)
        + "</svg>"
    )


def journey_figure(
    places: Sequence[tuple[str, str, str, str]], rules: Rules, shapes: Mapping[str, Shape]
) -> Figure | None:
    """A brief's map: the journey's countries, each place drawn in its level's colour (a place
    that is a whole country shades it). `places`: (region id, its name, its level's colour, its
    level)."""
    world = outlines()
    countries = sorted({rules.countries[region_id] for region_id, *_ in places})
    codes = {c: country_code(c) for c in countries}
    shades: list[Shade] = []
    areas: list[Area] = []
    for region_id, _, color, _ in places:
        shape = shapes.get(region_id)
        code = codes[rules.countries[region_id]]
        if shape is not None and shape.kind == "country" and code in world:
            shades.append(Shade(code, color))
        elif shape is not None and shape.kind == "hull":
            areas.append(Area(shape.rings, color))
    shaded = {s.iso3 for s in shades}
    shades += [
        Shade(code, UNDER) for code in codes.values() if code in world and code not in shaded
    ]
    focus = tuple(ring for code in codes.values() if code in world for ring in world[code])
    if not focus:
        return None
    named = joined([name for _, name, _, _ in places])
    title = f"Map of the journey: {named}, each in its level's colour."
    described = " ".join(f"{name} at {level}." for _, name, _, level in places)
    svg = draw(MapSpec("map-journey", title, described, tuple(shades), tuple(areas), (), focus,
                       height=LOCATOR_HEIGHT, text_size=2.6))  # fmt: skip
    if not svg:
        return None
    drawn = len(areas) + sum(1 for s in shades if s.color != UNDER)
    missing = len(places) - drawn
    lies = "it lies" if missing == 1 else "they lie"
    caption = "Your places, in their level's colour" + (
        f"; {counted(missing, 'place')} not drawn: where {lies} is not known." if missing else "."
    )
    return Figure(svg, caption)
