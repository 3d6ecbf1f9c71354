"""What a country's people are called in English ("Afghan", "Peruvian"), for naming forces as a
reader writes them ("Afghan military forces").

From the npm package world-countries (the mledoze/countries database, ODbL), converted once by
`main` into `demonyms.json` beside this file, with its source and licence, by ISO alpha-2 code.
A country the table lacks has no demonym: the prose then names the country instead.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

SOURCE = "world-countries 5.1.0 (npm), the mledoze/countries database: demonyms.eng.m"
LICENCE = (
    "Open Database License (ODbL) 1.0, opendatacommons.org/licenses/odbl/1-0/: this table is a "
    "derived database of mledoze/countries (Copyright Mohammed Le Doze) and is shared under "
    "the same licence."
)


def convert(countries: Sequence[dict[str, object]]) -> dict[str, object]:
    """The package's countries.json as {"AF": "Afghan", ...} with its source and licence."""
    found: dict[str, str] = {}
    for country in countries:
        demonyms = country.get("demonyms")
        english = demonyms.get("eng") if isinstance(demonyms, dict) else None
        name = english.get("m") if isinstance(english, dict) else None
        code = country.get("cca2")
        if isinstance(name, str) and name.strip() and isinstance(code, str):
            found[code.upper()] = name.strip()
    return {"source": SOURCE, "licence": LICENCE, "demonyms": dict(sorted(found.items()))}


@functools.cache
def _table() -> dict[str, str]:
    text = resources.files("advisory.places").joinpath("demonyms.json").read_text("utf-8")
    table: dict[str, str] = json.loads(text)["demonyms"]
    return table


@functools.cache  # a feed names the same few forces over and over
def demonym(country: str) -> str | None:
    """`Afghanistan` -> `Afghan`; None for a country the table or the country list lacks."""
    from advisory.places.countries import countries

    found = countries().resolve(country)
    return _table().get(found.iso2.upper()) if found else None


def main(argv: Sequence[str]) -> None:
    data = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.stdout.write(json.dumps(convert(data), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
