"""The docs keep up with the code: every option and every rule or input field is documented."""

from __future__ import annotations

import click
import pytest
from pydantic import BaseModel

from advisory.cli import main
from advisory.config import AlertSettings, Settings, SmtpSettings
from advisory.models import (
    Casualties,
    Category,
    CountryCover,
    Incident,
    Level,
    MatchAliases,
    MatchEntry,
    Region,
    RegionFile,
    RuleSet,
    SeriesRules,
    SeverityRule,
    SeverityRules,
    SeverityWhen,
    Traveler,
    Trip,
    WorldAlerts,
    WorldFile,
)
from tests.conftest import ROOT

DOCS = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _options() -> list[str]:
    found = []
    assert isinstance(main, click.Group)
    for command in [main, *main.commands.values()]:
        for param in command.params:
            found += [o for o in param.opts if o.startswith("--") and o != "--help"]
    return sorted(set(found))


@pytest.mark.parametrize("option", _options())
def test_option_is_documented(option: str):
    assert f"`{option}" in DOCS


@pytest.mark.parametrize("command", sorted(main.commands))
def test_command_is_documented(command: str):
    assert f"`advisory {command}" in DOCS


MODELS: list[type[BaseModel]] = [
    RuleSet, Casualties, Level, Category, SeverityRules, SeverityRule, SeverityWhen, SeriesRules,
    RegionFile, Region, MatchEntry, MatchAliases, Incident, Traveler, Trip, Settings,
    AlertSettings, SmtpSettings, WorldFile, CountryCover, WorldAlerts,
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "field"),
    [(m, f) for m in MODELS for f in m.model_fields],
    ids=[f"{m.__name__}.{f}" for m in MODELS for f in m.model_fields],
)
def test_field_is_documented(model: type[BaseModel], field: str):
    assert f"`{field}" in DOCS or f".{field}`" in DOCS or f"{field}`" in DOCS
