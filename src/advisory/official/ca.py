"""Canada's travel advice, from the Government of Canada's open data
(`https://data.international.gc.ca/travel-voyage/index-updated.json`).

`data` holds one entry per country, keyed by its ISO code: `country-iso`, `country-eng`,
`advisory-state` 0 to 3, `has-regional-advisory` (1 where parts of the country are advised
against more strongly), `date-published` (`{"date": "2018-05-30 10:55:14", ...}`) and, under
`eng`, the advisory's words (`advisory-text`) and its page's slug (`url-slug`). The country is
matched by its English name, and checked against its ISO code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from advisory.errors import InputError, Location, Problem
from advisory.official.common import (
    Parsed,
    UnknownCountry,
    collect,
    country_named,
    json_document,
    web_link,
)
from advisory.official.records import OfficialRecord
from advisory.places.countries import countries

#: The words of each advisory-state, as the Government of Canada writes them.
WORDS = {
    0: "Take normal security precautions",
    1: "Exercise a high degree of caution",
    2: "Avoid non-essential travel",
    3: "Avoid all travel",
}
SITE = "https://travel.gc.ca/destinations/"


def parse(data: bytes, shown: str) -> Parsed:
    """The records of the document; raises `InputError`, located, for a document that is not
    Canada's travel advice or an entry that cannot be read (nothing is kept from a bad one)."""
    document = json_document(data, shown)
    entries = document.get("data") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        message = "not Canada's travel advice (no data object of countries)"
        raise InputError([Problem(Location(shown), "", message)])
    items = [(f"data.{key}", f"entry {key!r}", entry) for key, entry in entries.items()]
    return collect(items, _record, shown)


def _record(entry: Any, warn: Callable[[str], None]) -> OfficialRecord:
    if not isinstance(entry, dict):
        raise ValueError("not a country's advice (not an object)")
    english: dict[str, Any] = entry["eng"] if isinstance(entry.get("eng"), dict) else {}
    name = entry.get("country-eng") or english.get("name")
    code = entry.get("country-iso")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("country-eng is missing")
    state = entry.get("advisory-state")
    if isinstance(state, str) and state.strip().isdigit():
        state = int(state)
    if not isinstance(state, int) or isinstance(state, bool) or state not in WORDS:
        raise ValueError(f"advisory-state {state!r} is not 0, 1, 2 or 3")
    try:
        country = country_named(name)
    except UnknownCountry:
        coded = countries().by_iso2(code) if isinstance(code, str) else None
        if coded is None:
            raise
        warn(f"{name!r} matched by its country-iso {code} as {coded.name}")
        country = coded
    if isinstance(code, str) and code.upper() != country.iso2:
        warn(f"country-iso {code} is not {country.name}'s code ({country.iso2}); kept by name")
    text = english.get("advisory-text")
    slug = english.get("url-slug")
    return OfficialRecord(
        country=country.name,
        iso2=country.iso2,
        level=state,
        words=" ".join(text.split()) if isinstance(text, str) and text.strip() else WORDS[state],
        regional=entry.get("has-regional-advisory") in (1, "1", True),
        published=_day(entry.get("date-published")),
        link=web_link(SITE + slug.strip()) if isinstance(slug, str) else None,
    )


def _day(value: Any) -> dt.date:
    """The day of `date-published`: `{"date": "2018-05-30 10:55:14"}` or the text itself."""
    text = value.get("date") if isinstance(value, dict) else value
    if not isinstance(text, str):
        raise ValueError("date-published is missing")
    try:
        return dt.datetime.fromisoformat(text.strip()).date()
    except ValueError:
        raise ValueError(f"date-published {text!r} is not a date") from None
