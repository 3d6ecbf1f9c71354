"""The data model's own rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from advisory.models import MatchEntry, Traveler


def test_single_name_stands_for_a_list():
    assert MatchEntry.model_validate({"admin1": "Cusco"}).admin1 == ["Cusco"]


@pytest.mark.parametrize(
    "name", ["Mallory\nBcc: all@example.org", "Eve\rX", "Tab\there", "Null\x00byte"]
)
def test_traveler_names_cannot_carry_header_tricks(name: str):
    with pytest.raises(ValidationError, match="line breaks or control characters"):
        Traveler.model_validate({"id": "t-1", "name": name, "email": "a@example.org"})


@pytest.mark.parametrize(
    "email", ["no-at-sign", "a@b", "a@example.org\nBcc: x@example.org", "a b@example.org"]
)
def test_bad_addresses_are_refused(email: str):
    with pytest.raises(ValidationError):
        Traveler.model_validate({"id": "t-1", "name": "A", "email": email})


def test_address_is_normalized_without_dns():
    traveler = Traveler.model_validate(
        {"id": "t-1", "name": "Ana Torres", "email": "ana.torres@EXAMPLE.org"}
    )
    assert traveler.email == "ana.torres@example.org"


def test_models_from_files_are_frozen():
    entry = MatchEntry.model_validate({"admin1": "Cusco"})
    with pytest.raises(ValidationError):
        entry.admin1 = ["Lima"]  # type: ignore[misc]


def test_the_kinds_and_precisions_are_listed_once():
    """The literal types the schema shows and the tables the prose and checks use agree."""
    from typing import get_args

    from advisory.models import (
        ACTOR_KINDS,
        DATE_PRECISIONS,
        GEO_PRECISIONS,
        ActorKind,
        DatePrecision,
        GeoPrecision,
    )

    assert get_args(ActorKind) == tuple(ACTOR_KINDS)
    assert get_args(DatePrecision) == DATE_PRECISIONS
    assert get_args(GeoPrecision) == GEO_PRECISIONS
