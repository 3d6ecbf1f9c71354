"""Region risk levels from recent incidents: `rate(incidents, rules, as_of)`.

The arithmetic, with the rule set's names (docs/rules.md has a worked example):

- An incident's **age** is the number of whole days from its date to the as-of date. The as-of
  day itself is not over, so an incident counts from age 1: the **period** (reporting week) is
  ages 1 to 7, the **window** ages 1 to `window_days`.
- Its **points** are `weight × (1 + per_fatality × fatalities + per_injury × injuries)`, times
  the **decay** `0.5 ** (age / half_life_days)`.
- A region's **score** is the sum of the points of its incidents in the window; its **score
  level** the highest level whose threshold the score reaches.
- **Hysteresis** is applied week by week over the last `lookback_weeks` as-of dates, oldest
  first, starting from the plain threshold level: a level rises as soon as the score reaches a
  higher threshold, and is left downwards only when the score falls below the threshold times
  `1 - hysteresis`. The result depends only on the incidents, the rules and the as-of time.
- The region's **level** is its score level, or its **floor** if that is higher.

`rate` never reads the clock or a file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from advisory.models import (
    REASON_CODES,
    Contribution,
    Decision,
    Rating,
    Region,
    Rules,
    RuleSet,
    SeverityRule,
    WeekRating,
)
from advisory.regions import assign_regions
from advisory.sources.incidents import IncidentLog

PERIOD_DAYS = 7
SCORE_DIGITS = 9


def level_at(ruleset: RuleSet, score: float) -> int:
    """Index of the highest level whose threshold `score` reaches."""
    index = 0
    for i, level in enumerate(ruleset.levels):
        if score >= level.threshold:
            index = i
    return index


def drop_point(ruleset: RuleSet, index: int) -> float:
    """The score below which level `index` is left downwards."""
    return ruleset.levels[index].threshold * (1 - ruleset.hysteresis)


def step_level(ruleset: RuleSet, previous: int | None, score: float) -> tuple[int, bool]:
    """This week's score level from last week's level and this week's score.

    Returns the level's index and whether hysteresis held it above the plain threshold level.
    """
    plain = level_at(ruleset, score)
    if previous is None or plain >= previous:
        return plain, False
    for index in range(previous, plain, -1):
        if score >= drop_point(ruleset, index):
            return index, True
    return plain, False


def severity_of(
    rules: Sequence[SeverityRule],
    level_names: list[str],
    level: int,
    period: Sequence[dict[str, Any]],
) -> tuple[str, int] | None:
    """The first severity rule that the period's incidents meet: (word, rule index).

    None when the period has no incidents: there is nothing to give a severity to.
    """
    if not period:
        return None
    fatalities = sum(int(i["fatalities"]) for i in period)
    injuries = sum(int(i["injuries"]) for i in period)
    categories = {str(i["category"]) for i in period}
    for index, rule in enumerate(rules):
        when = rule.when
        checks = [
            when.fatalities_at_least is None or fatalities >= when.fatalities_at_least,
            when.injuries_at_least is None or injuries >= when.injuries_at_least,
            when.casualties_at_least is None or fatalities + injuries >= when.casualties_at_least,
            when.incidents_at_least is None or len(period) >= when.incidents_at_least,
            when.categories is None or bool(categories & set(when.categories)),
            when.level_at_least is None or level >= level_names.index(when.level_at_least),
        ]
        if all(checks):
            return rule.word, index
    return None  # pragma: no cover - the rules' last entry has no conditions


@dataclass(frozen=True)
class _Week:
    score: float = 0.0
    incidents: int = 0
    fatalities: int = 0
    injuries: int = 0


def rate(
    incidents: IncidentLog,
    rules: Rules,
    as_of: dt.datetime,
    placements: pl.DataFrame | None = None,
) -> list[Rating]:
    """Rate every region of `rules` at `as_of`, in the order the rules list them.

    `placements` (pairs `pos`, `region` from `assign_regions`) saves matching the incidents to
    regions again when the caller has done it already.
    """
    ruleset = rules.ruleset
    weeks = ruleset.lookback_weeks
    as_day = as_of.date()
    days = [as_day - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    scored = _scored(incidents, rules, days, placements)

    totals: dict[tuple[str, int], _Week] = {}
    for row in (
        scored.group_by("region", "week")
        .agg(
            pl.col("points").sum().alias("score"),
            pl.col("in_period").sum().alias("incidents"),
            (pl.col("fatalities") * pl.col("in_period")).sum().alias("fatalities"),
            (pl.col("injuries") * pl.col("in_period")).sum().alias("injuries"),
        )
        .iter_rows(named=True)
    ):
        # Rounded so that the order in which parallel sums were taken cannot change a level.
        totals[(row["region"], row["week"])] = _Week(
            round(row["score"], SCORE_DIGITS), row["incidents"], row["fatalities"], row["injuries"]
        )

    current: dict[str, list[dict[str, Any]]] = defaultdict(list)
    last = scored.filter(pl.col("week") == weeks - 1).sort(
        ["region", "points", "date", "id"], descending=[False, True, True, False]
    )
    for row in last.iter_rows(named=True):
        current[row["region"]].append(row)

    return [
        _rate_region(region, rules, as_of, days, totals, current.get(region.id, []))
        for region in rules.regions
    ]


def _scored(
    incidents: IncidentLog,
    rules: Rules,
    days: list[dt.date],
    placements: pl.DataFrame | None,
) -> pl.DataFrame:
    """One row per (incident, region, look-back week) in that week's window, with its points."""
    ruleset = rules.ruleset
    frame = incidents.frame
    if placements is None:
        placements = assign_regions(frame, rules)
    earliest = days[0] - dt.timedelta(days=ruleset.window_days)
    weights = {name: c.weight for name, c in ruleset.categories.items()}
    casualty = ruleset.casualties
    base = pl.col("category").replace_strict(weights, default=0.0, return_dtype=pl.Float64) * (
        1 + casualty.per_fatality * pl.col("fatalities") + casualty.per_injury * pl.col("injuries")
    )
    recent = (
        frame.select("id", "date", "category", "fatalities", "injuries")
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
        .filter((pl.col("date") >= earliest) & (pl.col("date") < days[-1]))
        .join(placements, on="pos")
        .with_columns(base.alias("base_points"))
    )
    week_days = pl.DataFrame(
        {"week": list(range(len(days))), "day": days}, schema={"week": pl.Int32, "day": pl.Date}
    )
    age = (pl.col("day") - pl.col("date")).dt.total_days()
    half_life = ruleset.half_life_days
    decay = pl.lit(0.5).pow(pl.col("age") / half_life) if half_life else pl.lit(1.0)
    return (
        recent.join(week_days, how="cross")
        .with_columns(age.alias("age"))
        .filter(pl.col("age").is_between(1, ruleset.window_days))
        .with_columns(decay.alias("decay"))
        .with_columns(
            (pl.col("base_points") * pl.col("decay")).alias("points"),
            (pl.col("age") <= PERIOD_DAYS).alias("in_period"),
        )
    )


def _rate_region(
    region: Region,
    rules: Rules,
    as_of: dt.datetime,
    days: list[dt.date],
    totals: dict[tuple[str, int], _Week],
    window: list[dict[str, Any]],
) -> Rating:
    ruleset = rules.ruleset
    names = ruleset.level_names()
    floor = names.index(region.floor) if region.floor else 0

    history: list[WeekRating] = []
    score_levels: list[int] = []
    held = False
    previous: int | None = None
    for week, day in enumerate(days):
        totals_week = totals.get((region.id, week), _Week())
        previous, held = step_level(ruleset, previous, totals_week.score)
        score_levels.append(previous)
        history.append(
            WeekRating.model_construct(
                as_of=as_of - dt.timedelta(days=(as_of.date() - day).days),
                period_start=day - dt.timedelta(days=PERIOD_DAYS),
                period_end=day - dt.timedelta(days=1),
                incidents=totals_week.incidents,
                fatalities=totals_week.fatalities,
                injuries=totals_week.injuries,
                score=totals_week.score,
                level=names[max(previous, floor)],
            )
        )

    now = history[-1]
    score_level = score_levels[-1]
    level = max(score_level, floor)
    before = max(score_levels[-2], floor) if len(score_levels) > 1 else None
    trend = "steady" if before is None or before == level else ("up" if level > before else "down")

    score = now.score
    contributions = [
        Contribution.model_construct(
            incident_id=i["id"],
            date=i["date"],
            category=i["category"],
            fatalities=i["fatalities"],
            injuries=i["injuries"],
            age_days=i["age"],
            base_points=i["base_points"],
            decay=i["decay"],
            points=i["points"],
            share=i["points"] / score if score else 0.0,
        )
        for i in window
    ]
    period = [i for i in window if i["in_period"]]
    severity = severity_of(ruleset.severity.rules, names, level, period)
    period_categories: dict[str, int] = defaultdict(int)
    for i in period:
        period_categories[str(i["category"])] += 1

    return Rating(
        region_id=region.id,
        region_name=region.name,
        country=rules.countries[region.id],
        as_of=as_of,
        period_start=now.period_start,
        period_end=now.period_end,
        window_start=as_of.date() - dt.timedelta(days=ruleset.window_days),
        score=now.score,
        level=names[level],
        level_rank=level + 1,
        level_count=len(names),
        score_level=names[score_level],
        previous_level=names[before] if before is not None else None,
        trend=trend,
        reasons=_reasons(rules, contributions),
        period_incidents=now.incidents,
        period_fatalities=now.fatalities,
        period_injuries=now.injuries,
        period_categories=dict(sorted(period_categories.items())),
        window_incidents=len(window),
        window_fatalities=sum(c.fatalities for c in contributions),
        window_injuries=sum(c.injuries for c in contributions),
        severity=severity[0] if severity else None,
        severity_rule=severity[1] if severity else None,
        contributions=contributions,
        decisions=_decisions(ruleset, region, score_levels, held, now.score, floor),
        history=history,
    )


def _reasons(rules: Rules, contributions: list[Contribution]) -> list[str]:
    """Reason codes weighted by the points of the incidents behind them, largest first."""
    weight: dict[str, float] = defaultdict(float)
    for c in contributions:
        for code in rules.ruleset.categories[c.category].reasons:
            weight[code] += c.points
    order = list(REASON_CODES)
    return sorted(
        (c for c, w in weight.items() if w > 0), key=lambda c: (-weight[c], order.index(c))
    )


def _decisions(
    ruleset: RuleSet,
    region: Region,
    score_levels: list[int],
    held: bool,
    score: float,
    floor: int,
) -> list[Decision]:
    levels = ruleset.levels
    score_level = score_levels[-1]
    plain = level_at(ruleset, score)
    reached = levels[plain]
    decisions = [
        Decision(
            kind="threshold",
            text=f"score {score:.2f} reaches {reached.name} (threshold {reached.threshold:g})"
            + (
                f", below {levels[plain + 1].name} ({levels[plain + 1].threshold:g})"
                if plain + 1 < len(levels)
                else ""
            ),
        )
    ]
    if held:
        kept = levels[score_level]
        decisions.append(
            Decision(
                kind="hysteresis",
                text=f"held at {kept.name}: the score is below its threshold "
                f"{kept.threshold:g} but not below {drop_point(ruleset, score_level):.2f} "
                f"({kept.threshold:g} less {ruleset.hysteresis:.0%} hysteresis)",
            )
        )
    if floor > score_level:
        decisions.append(
            Decision(
                kind="floor",
                text=f"raised to {levels[floor].name}: {region.name} is never rated below "
                f"{levels[floor].name} (its floor)",
            )
        )
    return decisions
