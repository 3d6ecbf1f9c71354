"""An official travel-advice record: one country's level from one government, as it stood when
it was fetched, and the file an import writes (`advisory schema official`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from advisory.models import SOURCE_VALUES, Line, Source, UserModel

#: Each source's publisher, as the documents name it.
PUBLISHERS: dict[str, str] = {
    "us-state": "US State Department",
    "uk-fcdo": "UK Foreign, Commonwealth & Development Office",
    "ca": "Government of Canada",
}


#: How an alert's line names each source, short enough for one line a source on a page.
NAMES: dict[str, str] = {
    "us-state": "US State Department",
    "uk-fcdo": "UK FCDO",
    "ca": "Government of Canada",
}
#: How the documents name each source in a short cell: "US 3 · UK parts · CA 2".
SHORT: dict[str, str] = {"us-state": "US", "uk-fcdo": "UK", "ca": "CA"}


def scale_value(source: str, level: int) -> str:
    """The value `rules/official.yaml` maps a record's level by: the US and Canadian levels as
    numbers ("3"), the UK's as its alert status (a UK record's level is the status's place,
    least severe first: 0 for none)."""
    values = SOURCE_VALUES[source]
    return values[level] if source == "uk-fcdo" else str(level)


class OfficialRecord(UserModel):
    """One country's advice from one source."""

    country: Line = Field(description="The country, as advisory names it.")
    iso2: str = Field(pattern=r"^[A-Z]{2}$", description="Its ISO 3166-1 alpha-2 code.")
    level: int = Field(
        ge=0,
        le=4,
        description="The source's level on its own scale: US 1-4, Canada 0-3; the UK's alert "
        "status by its place, 0 none, 1 avoid all but essential travel to parts, 2 all travel to "
        "parts, 3 all but essential travel to the whole country, 4 all travel to it.",
    )
    words: Line = Field(description="The level's words, as the source gives them.")
    parts_only: bool = Field(
        default=False, description="Whether the advice covers only parts of the country."
    )
    regional: bool = Field(
        default=False,
        description="Whether the source advises more strongly against some parts of the country "
        "than the level says (Canada's regional advisories).",
    )
    published: dt.date = Field(description="The day the source published or last updated it.")
    link: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^https?://[^\s<>\"']+$",
        description="The advice's page: an http(s) address.",
    )
    change: str | None = Field(
        default=None, max_length=500, description="What the last update changed (GOV.UK)."
    )
    indicators: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="The risk indicators the text names, as the source gives them (the State "
        "Department's letters: C, T, U, H, N, E, K, D, O).",
    )


class OfficialFile(UserModel):
    """The records of one import (`data/official/SOURCE-YYYYMMDDTHHMMSSZ.json`): each import
    adds a file, dated by the time the records were fetched or read, so that a week uses the
    advice as it stood at its issue time."""

    version: Literal[1] = Field(description="Version of the official-advice format.")
    source: Source = Field(description="Whose advice: us-state, uk-fcdo or ca.")
    fetched: dt.datetime = Field(description="When the records were fetched or read (UTC).")
    origin: str = Field(max_length=2000, description="The file or address they came from.")
    etag: str | None = Field(
        default=None, max_length=500, description="The address's ETag, for the next request."
    )
    last_modified: str | None = Field(
        default=None, max_length=500, description="Its Last-Modified, for the next request."
    )
    carried: dt.datetime | None = Field(
        default=None,
        description="The address answered 'not modified': the records are those of the import "
        "fetched then, confirmed at `fetched`.",
    )
    records: list[OfficialRecord] = Field(max_length=1000)
