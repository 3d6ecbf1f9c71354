"""JSON Schemas of the files people edit, so that editors check them as they type."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from advisory.config import Settings
from advisory.models import (
    ActorNames,
    CoverageFile,
    IncidentFile,
    OverridesFile,
    RegionFile,
    Roster,
    RuleSet,
    WorldFile,
)
from advisory.official.records import OfficialFile

#: File kind -> (model, title, which files it describes).
KINDS: dict[str, tuple[type[BaseModel], str, str]] = {
    "ruleset": (RuleSet, "advisory rule set", "rules/scoring.yaml"),
    "regions": (RegionFile, "advisory region file", "rules/regions/*.yaml"),
    "incidents": (IncidentFile, "advisory incident file", "incident files in YAML or JSON"),
    "roster": (Roster, "advisory traveler roster", "data/travelers.yaml"),
    "settings": (Settings, "advisory settings", "advisory.yaml"),
    "world": (WorldFile, "advisory world coverage", "rules/world.yaml"),
    "overrides": (OverridesFile, "advisory alert overrides", "rules/overrides.yaml"),
    "actors": (ActorNames, "advisory actor names", "rules/actors.yaml"),
    "coverage": (
        CoverageFile,
        "advisory incident file coverage",
        "NAME.coverage.yaml beside an incident file",
    ),
    "official": (
        OfficialFile,
        "advisory official travel advice",
        "data/official/SOURCE-YYYYMMDDTHHMMSSZ.json, as advisory import official writes them",
    ),
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one file kind."""
    model, title, files = KINDS[kind]
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{kind}.schema.json",
        **schema,
        "title": title,
        "description": f"{schema.get('description', title).strip()} Describes {files}.",
    }


def schema_text(kind: str) -> str:
    """The schema as stable JSON text: sorted keys, two-space indent, a final newline."""
    return json.dumps(json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
