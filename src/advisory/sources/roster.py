"""Load the traveler roster (`data/travelers.yaml`) and check it against the rules."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from advisory.errors import Problem, RosterError
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
    if roster is None:
        return None, problems
    problems += _check(doc, roster, vocabulary)
    return roster, problems


def _check(doc: YamlDocument, roster: Roster, vocabulary: Vocabulary | None) -> Iterable[Problem]:
    first: dict[str, int] = {}
    for i, traveler in enumerate(roster.travelers):
        if traveler.id in first:
            where = doc.locate(("travelers", first[traveler.id], "id"))
            yield doc.problem(
                ("travelers", i, "id"), f"traveler id {traveler.id!r} is already used at {where}"
            )
        else:
            first[traveler.id] = i
        for j, trip in enumerate(traveler.trips):
            loc = ("travelers", i, "trips", j)
            if trip.end < trip.start:
                yield doc.problem(
                    (*loc, "end"), f"ends ({trip.end}) before it starts ({trip.start})"
                )
            if vocabulary is None:
                continue
            known = vocabulary.region_ids | vocabulary.countries
            if trip.destination not in known:
                yield doc.problem(
                    (*loc, "destination"),
                    f"{trip.destination!r} is neither a region id nor a country in the rules "
                    f"(countries: {', '.join(sorted(vocabulary.countries))})",
                )
