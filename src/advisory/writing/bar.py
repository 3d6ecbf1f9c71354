"""The alert bar: which composed alerts are issued (`alerts.*`) and which places a traveler's
letter holds (`delivery.*`). One function reads both from the settings, for every command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from advisory.config import Config
from advisory.errors import ConfigError, Problem, not_one_of
from advisory.models import Rating, Rules
from advisory.writing.compose import Alert


@dataclass(frozen=True)
class AlertBar:
    """An alert clears the bar when its level or its severity is at or above either bar; with
    no bar, every alert does."""

    min_level: str | None = None
    min_severity: str | None = None
    setting: str = "alerts"  # where it was set, for notes
    #: The world file's bar, for the regions it generated (`generated`), where the settings set
    #: none of their own.
    world: AlertBar | None = None
    generated: frozenset[str] = frozenset()

    def of_region(self, region_id: str) -> AlertBar:
        """The bar that a region's alerts must clear: the world file's for a generated one."""
        if self.world is not None and region_id in self.generated:
            return self.world
        return self

    def admits(self, alert: Alert | Rating, levels: Sequence[str], words: Sequence[str]) -> bool:
        """Whether the alert clears the bar (or would: a rating with incidents in the week
        is decided as its alert is, by its region, level and severity)."""
        if (own := self.of_region(alert.region_id)) is not self:
            return own.admits(alert, levels, words)
        if self.min_level is None and self.min_severity is None:
            return True
        by_level = self.min_level is not None and levels.index(alert.level) >= levels.index(
            self.min_level
        )
        by_severity = self.min_severity is not None and words.index(alert.severity) >= words.index(
            self.min_severity
        )
        return by_level or by_severity

    def __str__(self) -> str:
        parts = []
        if self.min_level is not None:
            parts.append(f"{self.setting}.min_level {self.min_level}")
        if self.min_severity is not None:
            parts.append(f"{self.setting}.min_severity {self.min_severity}")
        return " or ".join(parts) or "no bar"


@dataclass(frozen=True)
class Bars:
    alerts: AlertBar  # which alerts are issued: published, in the bulletin, in history
    delivery: AlertBar  # which of them a traveler's letter holds


def alert_bars(config: Config, rules: Rules) -> Bars:
    """Both bars from the settings, their level and severity names checked against the rules
    before anything is written. Raises `ConfigError`."""
    problems = []
    levels, words = rules.ruleset.level_names(), rules.ruleset.severity.words
    settings = config.settings
    for section, wanted in (("alerts", settings.alerts), ("delivery", settings.delivery)):
        if wanted.min_level is not None and wanted.min_level not in levels:
            message = not_one_of(wanted.min_level, levels, "a level")
            where = config.location_of(section, "min_level")
            problems.append(Problem(where, f"{section}.min_level", message))
        if wanted.min_severity is not None and wanted.min_severity not in words:
            message = not_one_of(wanted.min_severity, words, "a severity word")
            where = config.location_of(section, "min_severity")
            problems.append(Problem(where, f"{section}.min_severity", message))
    brief = settings.delivery.brief_min_level
    if brief is not None and brief not in levels:
        where = config.location_of("delivery", "brief_min_level")
        problems.append(
            Problem(where, "delivery.brief_min_level", not_one_of(brief, levels, "a level"))
        )
    if problems:
        raise ConfigError(problems)
    alerts, delivery = settings.alerts, settings.delivery
    world = None
    if rules.world is not None and alerts.min_level is None and alerts.min_severity is None:
        bar = rules.world.alerts
        world = AlertBar(bar.min_level, bar.min_severity, "world.yaml alerts")
    return Bars(
        AlertBar(alerts.min_level, alerts.min_severity, "alerts", world, rules.generated),
        AlertBar(delivery.min_level, delivery.min_severity, "delivery"),
    )
