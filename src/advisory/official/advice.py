"""The governments' advice beside a rating: which records stood at a moment, how each maps onto
our scale, whether it holds our level up (`official_floor`), and where the two differ.

A week reads the advice as it stood at its issue time: per source, the newest import fetched at
or before it (the file names carry the moment, `us-state-20180620T060000Z.json`), so that a later
import never changes a past week. A record fetched more than `stale_days` before that moment is
shown marked stale, and neither floors a level nor is compared with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from advisory.errors import InputError, Location, Problem, display_path
from advisory.inputs.yamlfile import load_yaml, read_bounded, validate_model
from advisory.models import SOURCE_VALUES, Official, Region, Rules
from advisory.official.records import (
    NAMES,
    PUBLISHERS,
    SHORT,
    OfficialFile,
    OfficialRecord,
    scale_value,
)
from advisory.places.countries import countries

#: `us-state-20180620T060000Z.json`
FILE_NAME = re.compile(r"^(?P<source>us-state|uk-fcdo|ca)-(?P<stamp>\d{8}T\d{6}Z)\.json$")
#: The sources in the order the documents show them.
SOURCES = ("us-state", "uk-fcdo", "ca")
#: The source each `official_floor` value names (besides `highest` and `none`).
FLOOR_SOURCES = {"us": "us-state", "uk": "uk-fcdo", "ca": "ca"}


@dataclass(frozen=True)
class Import:
    """One import file of the folder, as its name dates it."""

    source: str
    fetched: dt.datetime
    path: Path


def imports(folder: Path) -> list[Import]:
    """The folder's import files, oldest first (other files are left alone)."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        named = FILE_NAME.match(path.name)
        if named:
            stamp = dt.datetime.strptime(named["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            found.append(Import(named["source"], stamp, path))
    return sorted(found, key=lambda i: (i.fetched, i.source))


def read_import(item: Import, data: bytes | None = None) -> OfficialFile:
    """One import file, checked; raises `InputError` at the line and field of a bad one. A
    good file is read by pydantic's JSON parser; a bad one again, as YAML, to find the line."""
    from pydantic import ValidationError

    if data is None:
        data, problems = read_bounded(item.path, display_path(item.path), MAX_IMPORT_BYTES)
        if data is None:
            raise InputError(problems)
    try:
        file = OfficialFile.model_validate_json(data)
    except ValidationError:
        file = None
    if file is not None and not _inconsistent(file, item):
        return file
    document, problems = load_yaml(item.path)
    if document is not None:
        found, more = validate_model(document, OfficialFile)
        problems += more
        if found is not None:
            problems += [
                document.problem(loc, message) for loc, message in _inconsistent(found, item)
            ]
    if not problems:  # JSON that YAML reads otherwise: said at the file
        problems = [Problem(Location(display_path(item.path)), "", "not an official-advice file")]
    raise InputError(problems)


#: The largest import file read: a 250-country import is about 100 KB.
MAX_IMPORT_BYTES = 8 * 1024 * 1024


def check_folder(folder: Path) -> tuple[list[Problem], list[str]]:
    """Every import file of the folder read and checked, as `validate` does; and a line for
    each source's newest import ("official: us-state, 34 countries, imported 2018-06-20 06:00
    UTC (3 imports)")."""
    problems: list[Problem] = []
    newest: dict[str, tuple[Import, int]] = {}
    count: dict[str, int] = {}
    for item in imports(folder):
        try:
            file = read_import(item)
        except InputError as e:
            problems += e.problems
            continue
        newest[item.source] = (item, len(file.records))
        count[item.source] = count.get(item.source, 0) + 1
    lines = [
        f"official: {source}, {records} {'country' if records == 1 else 'countries'}, "
        f"imported {item.fetched:%Y-%m-%d %H:%M} UTC "
        f"({count[source]} {'import' if count[source] == 1 else 'imports'})"
        for source in SOURCES
        if source in newest
        for item, records in [newest[source]]
    ]
    return problems, lines


def _inconsistent(file: OfficialFile, item: Import) -> list[tuple[tuple[str | int, ...], str]]:
    """Where the file does not say what its name says (source, moment), or gives a level its
    source does not have: (its place, the message)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if file.source != item.source:
        found.append((("source",), f"{file.source!r}, but the file is named for {item.source}"))
    elif file.fetched.astimezone(dt.UTC).replace(microsecond=0) != item.fetched:
        message = (
            f"{file.fetched.isoformat()}, but the file is named for "
            f"{item.fetched:%Y-%m-%dT%H:%M:%SZ}"
        )
        found.append((("fetched",), message))
    values = SOURCE_VALUES[file.source]
    for i, record in enumerate(file.records):
        if file.source != "uk-fcdo" and str(record.level) not in values:
            message = f"{record.level} is no level of {file.source} ({', '.join(values)})"
            found.append((("records", i, "level"), message))
    return found


@dataclass(frozen=True)
class Stood:
    """An import a week used: listed in its manifest."""

    source: str
    name: str
    fetched: dt.datetime
    sha256: str


@dataclass(frozen=True)
class Standing:
    """The advice as it stood at `at`: per country (ISO code), each source's record."""

    at: dt.datetime
    files: tuple[Stood, ...] = ()
    by_country: Mapping[str, tuple[tuple[str, dt.datetime, OfficialRecord], ...]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class OfficialAdvice:
    """The official folder and the settings that say how its advice is used."""

    folder: Path
    stale_days: int = 90
    floor: str | None = None  # the settings' official_floor

    def at(self, moment: dt.datetime) -> Standing:
        """The advice as it stood at `moment`: per source, the newest import fetched at or
        before it. Raises `InputError` for an import file that cannot be read."""
        at = moment.astimezone(dt.UTC)
        newest: dict[str, Import] = {}
        for item in imports(self.folder):
            if item.fetched <= at:
                newest[item.source] = item
        chosen = tuple(newest[source] for source in SOURCES if source in newest)
        return _standing(chosen, tuple(_signature(item.path) for item in chosen), at)


def _signature(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


@functools.lru_cache(maxsize=8)
def _standing(
    chosen: tuple[Import, ...], signatures: tuple[tuple[int, int], ...], at: dt.datetime
) -> Standing:
    """The standing of the imports `chosen` (`signatures` tell a file written since apart)."""
    newest = {item.source: item for item in chosen}
    stood: list[Stood] = []
    by_country: dict[str, list[tuple[str, dt.datetime, OfficialRecord]]] = {}
    for source in SOURCES:
        if source not in newest:
            continue
        item = newest[source]
        data, problems = read_bounded(item.path, display_path(item.path), MAX_IMPORT_BYTES)
        if data is None:
            raise InputError(problems)
        file = read_import(item, data)
        stood.append(Stood(source, item.path.name, item.fetched, hashlib.sha256(data).hexdigest()))
        for record in file.records:
            by_country.setdefault(record.iso2, []).append((source, item.fetched, record))
    return Standing(at, tuple(stood), {k: tuple(v) for k, v in by_country.items()})


UK_SHORT = {
    "none": "UK none",
    "avoid_all_but_essential_travel_to_parts": "UK parts",
    "avoid_all_travel_to_parts": "UK parts, all travel",
    "avoid_all_but_essential_travel_to_whole_country": "UK essential only",
    "avoid_all_travel_to_whole_country": "UK all travel",
}


def beside(
    region: Region, country: str, rules: Rules, standing: Standing, stale_days: int
) -> tuple[Official, ...]:
    """Each source's advice for the country of `region` (named `country`), in source order."""
    iso2 = _iso2(country)
    if iso2 is None:
        return ()
    shown = []
    scales = cast(
        "Mapping[str, Mapping[str, str]]", rules.official.scales if rules.official else {}
    )
    for source, fetched, record in standing.by_country.get(iso2, ()):
        value = scale_value(source, record.level)
        stale = standing.at - fetched > dt.timedelta(days=stale_days)
        if not record.parts_only:
            applies, applies_as = True, "whole country"
        elif region.official_part:
            applies, applies_as = True, "the part its advice names (official_part)"
        else:
            applies, applies_as = False, "parts of the country only, not named as this region"
        shown.append(
            Official(
                source=source,
                publisher=PUBLISHERS[source],
                level=record.level,
                value=value,
                words=record.words,
                mapped=scales.get(source, {}).get(value),
                short=UK_SHORT[value] if source == "uk-fcdo" else f"{SHORT[source]} {record.level}",
                parts_only=record.parts_only,
                regional=record.regional,
                published=record.published,
                link=record.link,
                indicators=tuple(record.indicators),
                fetched=fetched,
                stale=stale,
                applies=applies and not stale,
                applies_as=(
                    f"stale: imported over {stale_days} days before the as-of time"
                    if stale
                    else applies_as
                ),
            )
        )
    return tuple(shown)


@functools.cache
def _iso2(country: str) -> str | None:
    found = countries().resolve(country)
    return found.iso2 if found else None


def floor_choice(region: Region, setting: str | None) -> str | None:
    """Whose advice floors `region`: its own official_floor (which carries its region file's,
    or for a region the world file makes, its country's entry), else the settings'; None for
    none."""
    chosen = region.official_floor or setting
    return None if chosen in (None, "none") else chosen


def floor_of(
    official: Sequence[Official], choice: str | None, names: Sequence[str]
) -> Official | None:
    """The record that floors a level under `choice`: the chosen source's, or the highest
    mapped of those that apply; None when none applies."""
    if choice is None:
        return None
    usable = [o for o in official if o.applies and o.mapped in names]
    if choice != "highest":
        usable = [o for o in usable if o.source == FLOOR_SOURCES[choice]]
    if not usable:
        return None
    return max(usable, key=lambda o: (names.index(o.mapped or ""), -SOURCES.index(o.source)))


def differing(
    rating_level: str, official: Sequence[Official], names: Sequence[str], steps: int = 2
) -> list[Official]:
    """The records that apply and whose mapped level is `steps` or more from ours."""
    ours = names.index(rating_level)
    return [
        o
        for o in official
        if o.applies and o.mapped in names and abs(names.index(o.mapped or "") - ours) >= steps
    ]


def cited(o: Official) -> str:
    """ "the US State Department's Level 3", "the UK Foreign, Commonwealth & Development
    Office's advice against all travel to parts of the country"."""
    if o.source == "us-state":
        return f"the {o.publisher}'s Level {o.level}"
    if o.source == "ca":
        return f"the {o.publisher}'s advisory level {o.level} ({o.words})"
    against = o.words.removeprefix("Advises ")  # "against all travel to parts of the country"
    return f"the {o.publisher}'s advice {against[0].lower()}{against[1:]}"


def stated(o: Official) -> str:
    """One source's advice in a line: "US State Department: Level 3 — Reconsider Travel
    (12 Apr 2020)"; the UK's status, Canada's level and words likewise, with its marks."""
    from advisory.calendar import stamp_date

    if o.source == "us-state":
        said = f"Level {o.level} — {o.words}"
    elif o.source == "ca":
        said = f"level {o.level} — {o.words}"
    else:
        said = o.words
    marks = []
    if o.regional:
        marks.append("stricter for some regions")
    if o.parts_only and not o.applies and not o.stale:
        marks.append("parts of the country only")
    if o.stale:
        marks.append(f"stale: imported {stamp_date(o.fetched.date())}")
    mark = f"; {'; '.join(marks)}" if marks else ""
    return f"{NAMES[o.source]}: {said} ({stamp_date(o.published)}{mark})"


def short_cell(o: Official) -> str:
    """The level table's cell: "US 3", "UK parts", "CA 2 (regional)", "… (stale)"; a UK
    parts-only record beside a region that is not the part it names: "UK other parts"."""
    if o.parts_only and not o.applies and not o.stale:
        return f"{SHORT[o.source]} other parts"
    text = o.short + (" (regional)" if o.regional else "")
    return text + (" (stale)" if o.stale else "")
