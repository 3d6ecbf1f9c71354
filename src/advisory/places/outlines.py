"""Country outlines for the maps: Natural Earth 1:110m, converted once into a small file.

The file `outlines-110m.json` beside this module holds, for each country by its ISO 3166
alpha-3 code, its polygons as rings of longitude and latitude (two decimals: about a kilometre,
finer than the 1:110m data). It was made from the npm package `world-atlas` 2.0.2
(`countries-110m.json`, Natural Earth's 1:110m Admin 0 countries as TopoJSON), with

    python -m advisory.places.outlines countries-110m.json > src/advisory/places/outlines-110m.json

Natural Earth is in the public domain; world-atlas's conversion is under the ISC licence, whose
notice the file keeps. Features the 1:110m data gives no ISO code are matched by name
(`Kosovo`, `N. Cyprus` with Cyprus, `Somaliland` with Somalia); those that match nothing are
left out and named in the file.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

OUTLINES = Path(__file__).with_name("outlines-110m.json")
SOURCE = "Natural Earth 1:110m Admin 0 countries, from the npm package world-atlas 2.0.2"
LICENCE = (
    "Natural Earth data: public domain (naturalearthdata.com). world-atlas: Copyright 2013-2019 "
    "Michael Bostock, ISC licence: permission to use, copy, modify, and/or distribute this "
    "software for any purpose with or without fee is hereby granted, provided that the above "
    "copyright notice and this permission notice appear in all copies."
)
#: 1:110m features without a usable ISO code, by name -> the country they are drawn with.
BY_NAME = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}

Ring = list[tuple[float, float]]


@functools.cache
def outlines() -> dict[str, list[Ring]]:
    """ISO alpha-3 -> the country's rings (longitude, latitude), read once per process."""
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return {
        code: [list(zip(ring[0::2], ring[1::2], strict=True)) for ring in rings]
        for code, rings in data["countries"].items()
    }


def convert(topology: dict[str, Any], numeric_to_iso3: dict[str, str]) -> dict[str, Any]:
    """The outline file from world-atlas's TopoJSON: arcs decoded (quantized and delta-coded),
    rings joined, coordinates rounded to two decimals."""
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes: Sequence[int]) -> list[float]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points += arc if not points else arc[1:]
        return [round(v, 2) for point in points for v in point]

    countries: dict[str, list[list[float]]] = {}
    left_out = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        code = numeric_to_iso3.get(str(geometry.get("id", ""))) or BY_NAME.get(name)
        if code is None:
            left_out.append(name)
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        countries.setdefault(code, []).extend(ring(r) for polygon in polygons for r in polygon)
    return {
        "source": SOURCE,
        "licence": LICENCE,
        "left_out": sorted(left_out),
        "countries": dict(sorted(countries.items())),
    }


def _numeric_codes() -> dict[str, str]:
    """ISO 3166 numeric (as world-atlas writes it, `004`) -> alpha-3, from country_converter."""
    from advisory.places.countries import _read_package_table

    found = {}
    for row in _read_package_table():
        numeric, iso3 = row.get("ISOnumeric"), row.get("ISO3")
        if numeric and iso3 and str(numeric).strip().isdigit():
            found[f"{int(float(numeric)):03d}"] = iso3
    return found


def main(argv: Sequence[str]) -> None:
    topology = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    out = convert(topology, _numeric_codes())
    sys.stdout.write(json.dumps(out, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
