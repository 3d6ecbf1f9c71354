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

from advisory.errors import InputError, Problem
from advisory.inputs.yamlfile import YamlDocument, load_yaml, validate_model
from advisory.models import SOURCE_VALUES, Official, Region, Rules
from advisory.official.records import (
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
#: `official_floor` values: a source, the highest of them, or none (to turn a wider one off).
FLOOR_CHOICES = ("us", "uk", "ca", "highest", "none")
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


def read_import(item: Import) -> OfficialFile:
    """One import file, checked; raises `InputError` at the line and field of a bad one."""
    document, problems = load_yaml(item.path)
    file = None
    if document is not None:
        file, more = validate_model(document, OfficialFile)
        problems += more
        if file is not None:
            problems += _consistent(file, item, document)
    if file is None or any(p.is_error for p in problems):
        raise InputError(problems)
    return file


def _consistent(file: OfficialFile, item: Import, document: YamlDocument) -> list[Problem]:
    """The file says what its name says (source, moment), and each level is one of its
    source's."""
    found: list[Problem] = []
    if file.source != item.source:
        message = f"{file.source!r}, but the file is named for {item.source}"
        found.append(document.problem(("source",), message))
    elif file.fetched.astimezone(dt.UTC).replace(microsecond=0) != item.fetched:
        message = (
            f"{file.fetched.isoformat()}, but the file is named for "
            f"{item.fetched:%Y-%m-%dT%H:%M:%SZ}"
        )
        found.append(document.problem(("fetched",), message))
    values = SOURCE_VALUES[file.source]
    for i, record in enumerate(file.records):
        if file.source != "uk-fcdo" and str(record.level) not in values:
            message = f"{record.level} is no level of {file.source} ({', '.join(values)})"
            found.append(document.problem(("records", i, "level"), message))
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
        return _standing(self.folder, moment.astimezone(dt.UTC))


@functools.lru_cache(maxsize=8)
def _standing(folder: Path, at: dt.datetime) -> Standing:
    newest: dict[str, Import] = {}
    for item in imports(folder):
        if item.fetched <= at:
            newest[item.source] = item
    stood: list[Stood] = []
    by_country: dict[str, list[tuple[str, dt.datetime, OfficialRecord]]] = {}
    for source in SOURCES:
        if source not in newest:
            continue
        item = newest[source]
        data = item.path.read_bytes()
        file = read_import(item)
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
                applies_as=f"stale: imported {fetched:%-d %b %Y}, over {stale_days} days before"
                if stale
                else applies_as,
            )
        )
    return tuple(shown)


@functools.cache
def _iso2(country: str) -> str | None:
    found = countries().resolve(country)
    return found.iso2 if found else None


def floor_choice(region: Region, country: str, rules: Rules, setting: str | None) -> str | None:
    """Whose advice floors `region`: its own official_floor, its file's (carried onto it), the
    world file's for its country, or the settings'; None for none."""
    chosen: str | None = region.official_floor
    if chosen is None and rules.world is not None:
        cover = rules.world.countries.get(country)
        chosen = cover.official_floor if cover else None
    chosen = chosen or setting
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
    Office's advice against all travel to parts"."""
    if o.source == "us-state":
        return f"the {o.publisher}'s Level {o.level}"
    if o.source == "ca":
        return f"the {o.publisher}'s advisory level {o.level} ({o.words})"
    return f"the {o.publisher}'s advice ({o.words[0].lower()}{o.words[1:]})"
