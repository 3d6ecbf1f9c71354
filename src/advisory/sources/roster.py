"""Load the traveler roster (`data/travelers.yaml`) and check it against the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from advisory.errors import Problem, RosterError, not_one_of
from advisory.models import Roster
from advisory.sources.rules import Vocabulary
from advisory.sources.yamlfile import YamlDocument, load_yaml, validate_model


def load_roster(path: Path, vocabulary: Vocabulary | None) -> Roster:
    """Read and check a roster. Raises `RosterError` with every problem found."""
    roster, problems = read_roster(path, vocabulary)
    if roster is None or any(p.is_error for p in problems):
        raise RosterError(problems)
    return roster


def read_roster(path: Path, vocabulary: Vocabulary | None) -> tuple[Roster | None, list[Problem]]:
    """Read a roster; with a vocabulary, each destination must be a region id or a country."""
    doc, problems = load_yaml(path)
    if doc is None:
        return None, problems
    roster, model_problems = validate_model(doc, Roster)
    problems += model_problems
    problems += _check(doc, vocabulary)
    return roster, problems


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
        known = sorted(vocabulary.region_ids | vocabulary.countries)
        if destination not in known:
            message = not_one_of(destination, known, "a region id or a country in the rules")
            yield doc.problem((*loc, "destination"), message)
