"""The UK's foreign travel advice, from GOV.UK's content API.

A country's document (`https://www.gov.uk/api/content/foreign-travel-advice/peru`) carries its
advice in `details`: `alert_status`, a list of the four `avoid_all_…` values (empty when the
FCDO advises against no travel), `country.name` and `slug`, `updated_at` and
`change_description`. The index (`/api/content/foreign-travel-advice`) carries the same for every
country under `links.children`; a JSON list of country documents is read too. The most severe
value decides the level, and the record is parts-only when that value is a "…_to_parts" one.
A whole-country value is always more severe than a parts one, so a document with both (Ukraine:
all but essential travel to the whole country, all travel to parts) is whole-country advice,
and its words name the parts too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from advisory.errors import InputError, Location, Problem
from advisory.models import SOURCE_VALUES
from advisory.official.common import Parsed, collect, country_named, json_document, web_link
from advisory.official.records import OfficialRecord

#: The alert statuses, least severe first: a record's level is its most severe one's place.
STATUSES = SOURCE_VALUES["uk-fcdo"]
WORDS = {
    "none": "No advice against travel",
    "avoid_all_but_essential_travel_to_parts": "Advises against all but essential travel to "
    "parts of the country",
    "avoid_all_travel_to_parts": "Advises against all travel to parts of the country",
    "avoid_all_but_essential_travel_to_whole_country": "Advises against all but essential "
    "travel to the whole country",
    "avoid_all_travel_to_whole_country": "Advises against all travel to the whole country",
}
SITE = "https://www.gov.uk"


def parse(data: bytes, shown: str) -> Parsed:
    """The records of a content-API document: one country's, the index, or a list of countries'
    documents. Raises `InputError`, located, when the document or any country in it cannot be
    read (nothing is kept from a bad document)."""
    document = json_document(data, shown)
    if isinstance(document, list):
        items = [(f"[{i}]", f"document {i + 1}", d) for i, d in enumerate(document)]
    elif (
        isinstance(document, dict)
        and isinstance(document.get("details"), dict)
        and ("country" in document["details"])
    ):
        items = [("", "the document", document)]
    elif (
        isinstance(document, dict)
        and isinstance(document.get("links"), dict)
        and isinstance(document["links"].get("children"), list)
    ):
        children = document["links"]["children"]
        items = [(f"links.children[{i}]", f"child {i + 1}", c) for i, c in enumerate(children)]
    else:
        message = "not GOV.UK travel advice (no details.country, no links.children)"
        raise InputError([Problem(Location(shown), "", message)])
    return collect(items, _record, shown)


def _record(item: Any, warn: Callable[[str], None]) -> OfficialRecord:
    if not isinstance(item, dict) or not isinstance(item.get("details"), dict):
        raise ValueError("not a country's travel advice (no details)")
    details = item["details"]
    country = details.get("country")
    if not isinstance(country, dict) or not isinstance(country.get("name"), str):
        raise ValueError("details.country.name is missing")
    statuses = details.get("alert_status", [])
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise ValueError("details.alert_status is not a list of statuses")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(
            f"details.alert_status {unknown[0]!r} is none of {', '.join(STATUSES[1:])}"
        )
    worst = max((STATUSES.index(s) for s in statuses), default=0)
    parts_only = STATUSES[worst].endswith("_to_parts")
    updated = details.get("updated_at") or item.get("public_updated_at") or item.get("updated_at")
    found = country_named(country["name"])
    slug = country.get("slug")
    link = item.get("web_url") or (
        SITE + item["base_path"] if isinstance(item.get("base_path"), str) else None
    )
    if link is None and isinstance(slug, str):
        link = f"{SITE}/foreign-travel-advice/{slug}"
    change = details.get("change_description")
    return OfficialRecord(
        country=found.name,
        iso2=found.iso2,
        level=worst,
        words=_words(statuses, worst),
        parts_only=parts_only,
        published=_day(updated),
        link=web_link(link),
        change=" ".join(change.split())[:500]
        if isinstance(change, str) and change.strip()
        else None,
    )


def _words(statuses: list[str], worst: int) -> str:
    """The deciding status's words; a stronger parts status beside a whole-country one is
    named after them."""
    words = WORDS[STATUSES[worst]]
    if STATUSES[worst].startswith("avoid_all_but_essential") and ALL_PARTS in statuses:
        words += ", and against all travel to parts of it"
    return words


ALL_PARTS = "avoid_all_travel_to_parts"


def _day(value: Any) -> dt.date:
    """The day of GOV.UK's ISO 8601 stamp (`2018-05-30T10:55:14.000+01:00`), in its own zone."""
    if not isinstance(value, str):
        raise ValueError("details.updated_at is missing")
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"details.updated_at {value!r} is not a date and time") from None
