"""Load the traveler roster (`data/travelers.yaml`) and check it against the rules."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisory.calendar import parse_day
from advisory.errors import Location, Problem, display_path, not_one_of
from advisory.inputs.rules import Vocabulary
from advisory.inputs.yamlfile import (
    MAX_FILE_BYTES,
    YamlDocument,
    describe,
    field_name,
    load_yaml,
    read_text,
    validate_model,
)
from advisory.models import MAX_LINE, ItineraryFile, Roster, Traveler


def read_roster(path: Path, vocabulary: Vocabulary | None) -> tuple[Roster | None, list[Problem]]:
    """Read a roster; with a vocabulary, each destination must be a region id or a country.
    When a region file did not parse, the destinations are summed up in one line after it."""
    if path.suffix.lower() == ".csv" and path.is_file():
        roster, problems = read_roster_csv(path, vocabulary)
        return roster, _after_broken_rules(path, problems, vocabulary)
    doc, problems = load_yaml(path)
    if doc is None:
        return None, problems
    roster, model_problems = validate_model(doc, Roster)
    problems += model_problems
    problems += _check(doc, vocabulary)
    return roster, _after_broken_rules(path, problems, vocabulary)


def _after_broken_rules(
    path: Path, problems: list[Problem], vocabulary: Vocabulary | None
) -> list[Problem]:
    """Destinations that may be regions of a region file that did not parse are not the
    roster's fault: one line for them, listed after the file's own error."""
    if vocabulary is None or not vocabulary.broken:
        return problems
    unknown = [p for p in problems if p.field.endswith("destination")]
    if not unknown:
        return problems
    broken = ", ".join(vocabulary.broken)
    summary = Problem(
        Location(display_path(path)),
        "",
        f"{len(unknown)} trip destination{'s' if len(unknown) != 1 else ''} not checked: "
        f"{broken} did not parse, so its regions are not known",
        follows=True,
    )
    return [p for p in problems if p not in unknown] + [summary]


def _check(doc: YamlDocument, vocabulary: Vocabulary | None) -> Iterable[Problem]:
    """Checks across travelers and against the rules, on the raw data so that they run even
    where other fields have errors."""
    travelers = doc.data.get("travelers") if isinstance(doc.data, dict) else None
    first: dict[str, int] = {}
    for i, traveler in enumerate(travelers if isinstance(travelers, list) else []):
        if not isinstance(traveler, dict):
            continue
        traveler_id = traveler.get("id")
        if isinstance(traveler_id, str) and traveler_id in first:
            where = doc.locate(("travelers", first[traveler_id], "id"))
            yield doc.problem(
                ("travelers", i, "id"), f"traveler id {traveler_id!r} is already used at {where}"
            )
        elif isinstance(traveler_id, str):
            first[traveler_id] = i
        trips = traveler.get("trips")
        for j, trip in enumerate(trips if isinstance(trips, list) else []):
            if isinstance(trip, dict):
                yield from _check_trip(doc, ("travelers", i, "trips", j), trip, vocabulary)


def _check_trip(
    doc: YamlDocument,
    loc: tuple[str | int, ...],
    trip: dict[str, Any],
    vocabulary: Vocabulary | None,
) -> Iterable[Problem]:
    start, end, destination = trip.get("start"), trip.get("end"), trip.get("destination")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        yield doc.problem((*loc, "end"), f"ends ({end}) before it starts ({start})")
    if vocabulary is not None and isinstance(destination, str):
        message = destination_problem(destination, vocabulary)
        if message:
            yield doc.problem((*loc, "destination"), message)


def destination_problem(text: str, vocabulary: Vocabulary) -> str | None:
    """Why `text` is no destination the rules cover (docs/inputs.md), or None."""
    from advisory.inputs.regions import normalize
    from advisory.places.destinations import NotADestination, find
    from advisory.places.world import country_key

    if len(text) > MAX_LINE:
        return None  # its length is the problem (the model says so): not worth matching
    known = sorted(vocabulary.region_ids | vocabulary.countries)
    try:
        # While a region file is broken, a destination that is none of the regions known may
        # be one of its regions: it is counted "not checked" (read_roster), not looked up
        # among the cities.
        found = find(
            text, sorted(vocabulary.region_ids), sorted(vocabulary.countries),
            cities=not vocabulary.broken,
        )  # fmt: skip
    except NotADestination as e:
        close = difflib.get_close_matches(text, known, n=1, cutoff=0.7)
        return f"{e}; did you mean {close[0]!r}?" if close else str(e)
    covered = {country_key(name) for name in vocabulary.countries}
    if found.region_id is None and not vocabulary.world and found.country not in covered:
        from advisory.places.countries import countries

        country = countries().by_iso2(found.country)
        name = country.name if country else found.country
        where = "is" if normalize(text) == normalize(name) else f"is in {name}, which is"
        return (
            f"{text!r} {where} covered by no region file, and the rules have no world.yaml: "
            f"add one (every country is then covered), or a region file for {name}"
        )
    return None


CSV_COLUMNS = ("name", "email", "destination", "start", "end")


def read_roster_csv(
    path: Path, vocabulary: Vocabulary | None
) -> tuple[Roster | None, list[Problem]]:
    """A roster as travel-booking systems export it: one row per trip (name, email, destination,
    start, end; optional id and receives). Rows with the same email are one traveler, whose id
    is the `id` column or else derived from the email, so that logs never show the address."""
    shown = display_path(path)
    text, unreadable = read_text(path, shown, MAX_FILE_BYTES)
    if text is None:
        return None, unreadable
    if "\n" not in text:  # carriage returns alone end the lines
        text = text.replace("\r", "\n")
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    problems = [
        Problem(Location(shown, 1), name, "required column is missing")
        for name in CSV_COLUMNS
        if name not in header
    ]
    problems += [
        Problem(
            Location(shown, 1, i + 1),
            name,
            not_one_of(name, [*CSV_COLUMNS, "id", "receives"], "a column"),
        )
        for i, name in enumerate(header)
        if name not in (*CSV_COLUMNS, "id", "receives")
    ]
    if problems:
        return None, problems
    travelers: dict[str, dict[str, Any]] = {}
    line = 1
    try:
        for row in reader:
            first_line = line + 1
            line = reader.line_num

            def where(column: str, at: int = first_line) -> Location:
                return Location(shown, at, header.index(column) + 1)

            email = (row.get("email") or "").strip().lower()
            start, end = _date(row.get("start")), _date(row.get("end"))
            for column, value in (("start", start), ("end", end)):
                if value is None:
                    problems.append(
                        Problem(
                            where(column), column, f"{row.get(column)!r} is not a date (YYYY-MM-DD)"
                        )
                    )
            if start and end and end < start:
                problems.append(
                    Problem(where("end"), "end", f"ends ({end}) before it starts ({start})")
                )
            destination = (row.get("destination") or "").strip()
            message = destination_problem(destination, vocabulary) if vocabulary else None
            if message:
                problems.append(Problem(where("destination"), "destination", message))
            traveler_id = (row.get("id") or "").strip() or "t-" + hashlib.sha256(
                email.encode()
            ).hexdigest()[:10]
            entry = travelers.setdefault(
                email,
                {
                    "id": traveler_id,
                    "name": (row.get("name") or "").strip(),
                    "email": email,
                    "receives": (row.get("receives") or "").strip() or "trips",
                    "trips": [],
                    "_line": first_line,
                },
            )
            if start and end:
                entry["trips"].append({"destination": destination, "start": start, "end": end})
    except csv.Error as e:  # an unterminated quote, a field past the csv module's limit
        problems.append(Problem(Location(shown, reader.line_num), "", f"CSV syntax: {e}"))
    documents = []
    for entry in travelers.values():
        at = entry.pop("_line")
        try:
            documents.append(Traveler.model_validate(entry))
        except ValidationError as err:
            for error in err.errors(include_url=False):
                loc, message = describe(error, Traveler)
                column = str(loc[0]) if loc and str(loc[0]) in header else ""
                spot = (
                    Location(shown, at, header.index(column) + 1) if column else Location(shown, at)
                )
                problems.append(Problem(spot, field_name(loc), message))
    if problems:
        return None, problems
    return Roster(version=1, travelers=documents), problems


def _date(value: str | None) -> dt.date | None:
    try:
        return parse_day(value or "")
    except ValueError:
        return None


#: The itinerary files a run reads at most.
MAX_ITINERARIES = 10_000


def add_itineraries(
    pattern: Path, roster: Roster, vocabulary: Vocabulary | None
) -> tuple[Roster, list[Problem]]:
    """The roster with the trips of each itinerary file `pattern` (a glob) matches added to
    its traveler; a file for a traveler the roster does not have, or with a trip the rules do
    not cover, is a problem at its line."""
    import glob

    paths = sorted(Path(p) for p in glob.glob(str(pattern)))[:MAX_ITINERARIES]  # noqa: PTH207
    problems: list[Problem] = []
    added: dict[str, list[Any]] = {}
    known = {t.id for t in roster.travelers}
    for path in paths:
        doc, found = load_yaml(path)
        problems += found
        if doc is None:
            continue
        itinerary, model_problems = validate_model(doc, ItineraryFile)
        problems += model_problems
        if itinerary is None:
            continue
        if itinerary.traveler not in known:
            message = not_one_of(itinerary.traveler, sorted(known), "a traveler of the roster")
            problems.append(doc.problem(("traveler",), message))
            continue
        trips = doc.data.get("trips") if isinstance(doc.data, dict) else None
        for j, trip in enumerate(trips if isinstance(trips, list) else []):
            if isinstance(trip, dict):
                problems += _check_trip(doc, ("trips", j), trip, vocabulary)
        added.setdefault(itinerary.traveler, []).extend(itinerary.trips)
    if not added:
        return roster, problems
    travelers = [
        t.model_copy(update={"trips": [*t.trips, *added[t.id]]}) if t.id in added else t
        for t in roster.travelers
    ]
    return roster.model_copy(update={"travelers": travelers}), problems
