"""Region risk levels from recent incidents: `rate(incidents, rules, as_of)`.

The arithmetic, with the rule set's names (docs/rules.md has a worked example):

- An incident's **age** is the number of whole days from its date to the as-of date. The as-of
  day itself is not over, so an incident counts from age 1: the **period** (reporting week) is
  ages 1 to 7, the **window** ages 1 to `window_days`.
- Its **points** are activity + harm + targeting (scoring.py), times the **decay**
  `0.5 ** (age / half_life_days)`.
- A region's **score** is the sum of the points of its incidents in the window plus the spread,
  taken over its worst unit (scoring.py); its **score level** the highest level whose threshold
  the score reaches, a family's cap applied.
- **Hysteresis** is applied week by week over the last `lookback_weeks` as-of dates, oldest
  first, starting from the plain threshold level: a level rises as soon as the score reaches a
  higher threshold, and is left downwards only when the score falls below the threshold times
  `1 - hysteresis`. The result depends only on the incidents, the rules and the as-of time.
- The region's **level** is its score level, or its **floor** if that is higher, in a week the
  log has data for (coverage files); a week without data is not raised to the floor.

`rate` never reads the clock or a file.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from advisory.inputs.incidents import IncidentLog
from advisory.inputs.regions import assign_regions
from advisory.models import (
    Contribution,
    Decision,
    History,
    Official,
    Rating,
    Region,
    Rules,
    RuleSet,
    SeverityRule,
)
from advisory.official.advice import (
    OfficialAdvice,
    Standing,
    beside,
    cited,
    floor_choice,
    floor_of,
)
from advisory.places.world import country_key
from advisory.scoring import (
    COLUMNS,
    PLACE,
    Cap,
    capped,
    caps,
    region_scores,
    unit_of,
    unit_scores,
    with_terms,
)

PERIOD_DAYS = 7
SCORE_DIGITS = 9
#: Decimals kept of the figures a rating shows (points, decay, shares).
SHOWN_DIGITS = 6


def level_at(ruleset: RuleSet, score: float) -> int:
    """Index of the highest level whose threshold `score` reaches."""
    return max(0, bisect.bisect_right(ruleset.thresholds(), score) - 1)


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
    period: Sequence[Contribution],
) -> tuple[str, int] | None:
    """The first severity rule that the period's incidents meet: (word, rule index).

    None when the period has no incidents: there is nothing to give a severity to.
    """
    if not period:
        return None
    fatalities = sum(c.fatalities for c in period)
    injuries = sum(c.injuries or 0 for c in period)
    categories = {c.category for c in period}
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


def rate(
    incidents: IncidentLog,
    rules: Rules,
    as_of: dt.datetime,
    placements: pl.DataFrame | None = None,
    official: OfficialAdvice | None = None,
) -> list[Rating]:
    """Rate every region of `rules` at `as_of`, in the order the rules list them.

    `placements` (pairs `pos`, `region` from `assign_regions`) saves matching the incidents to
    regions again when the caller has done it already. With `official`, each rating carries the
    governments' advice as it stood at `as_of`, and an `official_floor` holds its level up.
    """
    ruleset = rules.ruleset
    weeks = ruleset.lookback_weeks
    as_day = as_of.date()
    days = [as_day - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    scored = _scored(incidents, rules, days, placements)
    window: dict[str, list[Contribution]] = defaultdict(list)
    in_period: dict[str, list[Contribution]] = defaultdict(list)
    contributions_plan = (
        scored.filter(pl.col("week") == weeks - 1)
        .sort(["region", "points", "date", "id"], descending=[False, True, True, False])
        .select(
            "region",
            "in_period",
            "id",
            "date",
            "category",
            "fatalities",
            pl.col("fatalities_certainty").fill_null("exact"),
            "injuries",
            "age",
            pl.col("base_points").round(SHOWN_DIGITS),
            pl.col("decay").round(SHOWN_DIGITS),
            pl.col("points").round(SHOWN_DIGITS),
            (pl.col("points") / pl.col("points").sum().over("region"))
            .fill_nan(0.0)
            .round(SHOWN_DIGITS)
            .alias("share"),
            "date_precision",
            pl.col("activity").round(SHOWN_DIGITS),
            pl.col("harm").round(SHOWN_DIGITS),
            pl.col("targeting").round(SHOWN_DIGITS),
            pl.col("reports").cast(pl.Int64),
            "unit",
        )
    )
    period_ends = tuple(day - dt.timedelta(days=1) for day in days)
    figures_plan = _weekly_figures(scored, rules, weeks)
    last = scored.filter(pl.col("week") == weeks - 1)
    units_plan = (
        unit_scores(last, ruleset, ["region"])
        .select("region", "unit", pl.col("score").round(SHOWN_DIGITS), "spread")
        .sort(["region", "score", "unit"], descending=[False, True, False])
    )
    figures, contributions, units = pl.collect_all([figures_plan, contributions_plan, units_plan])
    covered = weeks_with_data(incidents, rules, period_ends)
    weekly = _weekly_levels(figures, rules, weeks, covered)
    by_unit: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for region_id, unit, unit_score, spread in units.iter_rows():
        by_unit[region_id].append((unit, unit_score, spread))
    for region_id, period_flag, *fields in contributions.iter_rows():
        contribution = Contribution(*fields)
        window[region_id].append(contribution)
        if period_flag:
            in_period[region_id].append(contribution)
    reasons = _reasons(contributions, rules)
    standing = official.at(as_of) if official is not None else None
    profiles = {
        p: _Profile.of(rules.ruleset.with_profile(p)) for p in {r.profile for r in rules.regions}
    }

    return [
        _rating(
            region,
            profiles[region.profile],
            rules,
            as_of,
            period_ends,
            row,
            window.get(region.id, []),
            in_period.get(region.id, []),
            reasons.get(region.id, ()),
            _data_begins(incidents, rules, region),
            by_unit.get(region.id, []),
            (official, standing) if official is not None and standing is not None else None,
        )
        for region, row in zip(rules.regions, weekly.rows(), strict=True)
    ]


def _weekly_figures(scored: pl.LazyFrame, rules: Rules, weeks: int) -> pl.LazyFrame:
    """One row per region and look-back week, the regions in the rules' order and each
    region's weeks oldest first: `score` (rounded so that the order in which parallel sums were
    taken cannot change a level), `shown` (rounded for show), `incidents`, `fatalities`,
    `injuries` (of the week's period), and per capped family `without_i` and `deaths_i`."""
    ruleset = rules.ruleset
    count = len(caps(ruleset))
    without = [f"without_{i}" for i in range(count)]
    deaths = [f"deaths_{i}" for i in range(count)]
    totals = (
        scored.group_by("region", "week")
        .agg(
            pl.col("in_period").sum().cast(pl.Int64).alias("incidents"),
            (pl.col("fatalities") * pl.col("in_period")).sum().alias("fatalities"),
            (pl.col("injuries").fill_null(0) * pl.col("in_period")).sum().alias("injuries"),
        )
        .join(
            region_scores(scored, ruleset, ["region", "week"]).drop("unit", "spread"),
            on=["region", "week"],
        )
    )
    order = pl.LazyFrame(
        {"region": [r.id for r in rules.regions], "r": list(range(len(rules.regions)))}
    )
    grid = order.join(
        pl.LazyFrame({"week": list(range(weeks))}, schema={"week": pl.Int32}), how="cross"
    )
    return (
        grid.join(totals, on=["region", "week"], how="left")
        .sort("r", "week")
        .select(
            pl.col("score", *without).fill_null(0.0).round(SCORE_DIGITS),
            pl.col("incidents", "fatalities", "injuries", *deaths).fill_null(0),
        )
        .with_columns(pl.col("score").round(SHOWN_DIGITS).alias("shown"))
    )


@dataclass(frozen=True, slots=True)
class Weekly:
    """Every region's look-back weeks: matrices of regions (in the rules' order) × weeks,
    oldest week first, and per region `held`, whether hysteresis kept the last week's level
    up, and the last week's `without` and `deaths` per capped family (regions × caps)."""

    scores: np.ndarray
    shown: np.ndarray
    incidents: np.ndarray
    fatalities: np.ndarray
    injuries: np.ndarray
    #: Level indexes by score, caps and hysteresis.
    score_levels: np.ndarray
    #: `score_levels` with the floor, in the weeks the log has data for.
    levels: np.ndarray
    #: Whether the log has data for the region's country in the week.
    covered: np.ndarray
    held: np.ndarray
    without: np.ndarray
    deaths: np.ndarray

    def rows(self) -> list[dict[str, Any]]:
        """A dict per region of its figures as Python values, under the fields' names."""
        names = [f.name for f in dataclasses.fields(self)]
        columns = [getattr(self, name).tolist() for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _weekly_levels(
    figures: pl.DataFrame, rules: Rules, weeks: int, covered: list[list[bool]] | None
) -> Weekly:
    """The levels of `_weekly_figures`: hysteresis is `step_level` applied to every region at
    once, week by week from the plain threshold level, and again from it after a week without
    data (`covered` per region and week, None when the log has data for every week)."""
    ruleset = rules.ruleset
    found = caps(ruleset)
    count = len(rules.regions)

    def matrix(name: str) -> np.ndarray:
        return figures.get_column(name).to_numpy().reshape(count, weeks)

    # Each region's thresholds and drop points by its profile: regions × levels.
    profiled = {p: ruleset.with_profile(p) for p in {r.profile for r in rules.regions}}
    of_region = [profiled[r.profile] for r in rules.regions]
    shape = (count, len(ruleset.levels))
    thresholds = np.array([[v.threshold for v in rs.levels] for rs in of_region]).reshape(shape)
    drops = np.array([[drop_point(rs, i) for i in range(shape[1])] for rs in of_region])
    drops = drops.reshape(shape)
    score = matrix("score")
    without = [matrix(f"without_{i}") for i in range(len(found))]
    deaths = [matrix(f"deaths_{i}") for i in range(len(found))]
    has_data = (
        np.ones((count, weeks), dtype=np.bool_)
        if covered is None
        else np.array(covered, dtype=np.bool_).reshape(count, weeks)
    )

    def level_of(limits: np.ndarray, w: int) -> np.ndarray:
        def reached(values: np.ndarray) -> np.ndarray:
            at: np.ndarray = (values[:, w, None] >= limits).sum(axis=1) - 1
            return at

        alone = [reached(values) for values in without]
        return capped(reached(score), alone, [d[:, w] for d in deaths], found)

    levels = np.zeros((count, weeks), dtype=np.int64)
    held = np.zeros(count, dtype=np.bool_)
    for w in range(weeks):
        plain = level_of(thresholds, w)
        if w == 0:
            level = plain
        else:
            previous = levels[:, w - 1]
            fresh = ~has_data[:, w - 1]
            kept = np.minimum(previous, level_of(drops, w))
            level = np.where(fresh | (plain >= previous), plain, kept)
        held = level > plain
        levels[:, w] = level
    names = ruleset.level_names()
    floors = np.array([names.index(r.floor) if r.floor else 0 for r in rules.regions])
    by_cap = (count, len(found))
    return Weekly(
        scores=score,
        shown=matrix("shown"),
        incidents=matrix("incidents"),
        fatalities=matrix("fatalities"),
        injuries=matrix("injuries"),
        score_levels=levels,
        # A floor is the analysts' view of a place the log has data for: a week without data
        # is not raised to it (its level is the plain one, the lowest without incidents).
        levels=np.where(has_data, np.maximum(levels, floors[:, None]), levels),
        covered=has_data,
        held=held,
        without=np.array([w[:, -1] for w in without], dtype=np.float64).T.reshape(by_cap),
        deaths=np.array([d[:, -1] for d in deaths], dtype=np.int64).T.reshape(by_cap),
    )


def decay(ruleset: RuleSet) -> pl.Expr:
    """The weight left of an incident `age` days old (column `age`)."""
    half_life = ruleset.half_life_days
    return pl.lit(0.5).pow(pl.col("age") / half_life) if half_life else pl.lit(1.0)


def weeks_with_data(
    incidents: IncidentLog, rules: Rules, period_ends: Sequence[dt.date]
) -> list[list[bool]] | None:
    """Per region (in the rules' order) and week (ending on each of `period_ends`), whether the
    log has data; None when every week of every region has (inputs/coverage.py)."""
    coverage = incidents.coverage
    if coverage.complete:
        return None
    return coverage.weeks([country_key(rules.countries[r.id]) for r in rules.regions], period_ends)


def _data_begins(incidents: IncidentLog, rules: Rules, region: Region) -> dt.date | None:
    coverage = incidents.coverage
    return None if coverage.complete else coverage.begins(country_key(rules.countries[region.id]))


def _scored(
    incidents: IncidentLog,
    rules: Rules,
    days: list[dt.date],
    placements: pl.DataFrame | None,
) -> pl.LazyFrame:
    """One row per (incident, region, look-back week) in that week's window, with its points."""
    ruleset = rules.ruleset
    frame = incidents.frame
    if placements is None:
        placements = assign_regions(frame, rules)
    earliest = days[0] - dt.timedelta(days=ruleset.window_days)
    recent = (
        frame.lazy()
        .select("id", *COLUMNS, "date_precision")
        .with_row_index("pos")
        .with_columns(pl.col("pos").cast(pl.Int64))
        .filter((pl.col("date") >= earliest) & (pl.col("date") < days[-1]))
        .pipe(with_terms, ruleset)
        .join(placements.lazy(), on="pos")
        .with_columns(unit_of(rules))
        .drop("pos", *PLACE, "civilian_targeting", "target_kind", "victims")
    )
    # Each incident is repeated for the weeks whose window holds it: those whose as-of day is
    # 1 to window_days days after it (the as-of days are a week apart).
    offset = (pl.col("date") - pl.lit(days[0])).dt.total_days()
    first_week = ((offset + 7) // 7).clip(lower_bound=0)
    last_week = ((offset + ruleset.window_days) // 7).clip(upper_bound=len(days) - 1)
    return (
        recent.with_columns(offset.alias("_offset"))
        .with_columns(
            pl.int_ranges(first_week, last_week + 1, dtype=pl.Int32).alias("week"),
        )
        .explode("week")
        .filter(pl.col("week").is_not_null())
        .with_columns((pl.col("week").cast(pl.Int64) * 7 - pl.col("_offset")).alias("age"))
        .drop("_offset")
        .with_columns(decay(ruleset).alias("decay"))
        .with_columns(
            (pl.col("base_points") * pl.col("decay")).alias("points"),
            (pl.col("age") <= PERIOD_DAYS).alias("in_period"),
        )
    )


@dataclass(frozen=True, slots=True)
class _Profile:
    """A profile's rule set, with what every region of the profile shares worked out once."""

    ruleset: RuleSet
    names: list[str]
    caps: list[Cap]

    @classmethod
    def of(cls, ruleset: RuleSet) -> _Profile:
        return cls(ruleset, ruleset.level_names(), caps(ruleset))


def _rating(
    region: Region,
    profile: _Profile,
    rules: Rules,
    as_of: dt.datetime,
    period_ends: tuple[dt.date, ...],
    row: dict[str, Any],
    window: list[Contribution],
    period: list[Contribution],
    reasons: tuple[str, ...],
    data_begins: dt.date | None,
    units: list[tuple[str, float, float]],
    advice: tuple[OfficialAdvice, Standing] | None,
) -> Rating:
    ruleset = profile.ruleset
    names = profile.names
    floor = names.index(region.floor) if region.floor else 0
    levels: list[int] = list(row["levels"])
    score_level: int = row["score_levels"][-1]
    score: float = row["scores"][-1]
    covered: list[bool] = row["covered"]
    country = rules.countries[region.id]
    official: tuple[Official, ...] = ()
    held_by: Decision | None = None
    choice: str | None = None
    hold: str | None = None
    if advice is not None:
        settings, standing = advice
        official = beside(region, country, rules, standing, settings.stale_days)
        choice = floor_choice(region, settings.floor)
        by = floor_of(official, choice, names)
        if by is not None and by.mapped is not None and covered[-1]:
            held = names.index(by.mapped)
            if held > levels[-1]:
                levels[-1] = held
                hold = f"level held at {by.mapped} by {cited(by)}"
                held_by = Decision(
                    kind="official",
                    text=f"{hold} (official_floor: {choice}; rules/official.yaml maps it to "
                    f"{by.mapped}; the score alone gives {names[score_level]})",
                )
    level = levels[-1]
    before = levels[-2] if len(levels) > 1 and covered[-2] else None
    trend: Literal["up", "down", "steady"] = "steady"
    if before is not None and before != level:
        trend = "up" if level > before else "down"

    severity = severity_of(ruleset.severity.rules, names, level, period)
    period_categories: dict[str, int] = defaultdict(int)
    for c in period:
        period_categories[c.category] += 1

    return Rating(
        region_id=region.id,
        region_name=region.name,
        country=country,
        as_of=as_of,
        period_start=period_ends[-1] - dt.timedelta(days=PERIOD_DAYS - 1),
        period_end=period_ends[-1],
        window_start=as_of.date() - dt.timedelta(days=ruleset.window_days),
        score=row["shown"][-1],
        level=names[level],
        level_rank=level + 1,
        level_count=len(names),
        score_level=names[score_level],
        previous_level=names[before] if before is not None else None,
        trend=trend,
        reasons=reasons,
        period_incidents=row["incidents"][-1],
        period_fatalities=row["fatalities"][-1],
        period_injuries=row["injuries"][-1],
        period_categories=dict(sorted(period_categories.items())),
        window_incidents=len(window),
        window_fatalities=sum(c.fatalities for c in window),
        window_injuries=sum(c.injuries or 0 for c in window),
        severity=severity[0] if severity else None,
        severity_rule=severity[1] if severity else None,
        contributions=tuple(window),
        decisions=tuple(
            _decisions(
                profile,
                region,
                score_level,
                row["held"],
                score,
                floor if covered[-1] else 0,
                list(zip(row["without"], row["deaths"], strict=True)),
            )
        )
        + ((held_by,) if held_by else ()),
        profile=region.profile,
        has_data=covered[-1],
        data_begins=data_begins,
        spread=round(units[0][2], SHOWN_DIGITS) if units else 0.0,
        driven_by=(units[0][0] or None) if units and len(units) > 1 else None,
        units=tuple((unit, unit_score) for unit, unit_score, _ in units if unit),
        official=official,
        official_floor=choice,
        official_hold=hold,
        history=History(
            period_end=period_ends,
            incidents=tuple(row["incidents"]),
            fatalities=tuple(row["fatalities"]),
            injuries=tuple(row["injuries"]),
            score=tuple(row["shown"]),
            level=tuple(names[i] if c else None for i, c in zip(levels, covered, strict=True)),
        ),
    )


def _reasons(contributions: pl.DataFrame, rules: Rules) -> dict[str, tuple[str, ...]]:
    """Each region's reason codes: first those of the family with the most points, then the
    rest, each group by the points of the incidents behind them, largest first (ties in the
    order of the rules' `reasons`)."""
    ruleset = rules.ruleset
    order = list(ruleset.reasons)
    codes = pl.DataFrame(
        [
            {
                "category": name,
                "family": ruleset.family_of(name),
                "code": code,
                "rank": order.index(code) if code in order else len(order),
            }
            for name, category in ruleset.categories.items()
            for code in category.reasons
        ],
        schema={"category": pl.String, "family": pl.String, "code": pl.String, "rank": pl.Int32},
    )
    points = contributions.select("region", "category", "points").join(
        codes.select("category", "family").unique(), on="category"
    )
    top = (
        points.group_by("region", "family")
        .agg(pl.col("points").sum())
        .sort(["region", "points", "family"], descending=[False, True, False])
        .group_by("region", maintain_order=True)
        .agg(pl.col("family").first().alias("top"))
    )
    ranked = (
        contributions.select("region", "category", "points")
        .join(codes, on="category")
        .join(top, on="region")
        .with_columns((pl.col("family") == pl.col("top")).alias("of_top"))
        .group_by("region", "code", "rank")
        .agg(pl.col("points").sum(), pl.col("of_top").any())
        .filter(pl.col("points") > 0)
        .sort(["region", "of_top", "points", "rank"], descending=[False, True, True, False])
        .group_by("region", maintain_order=True)
        .agg(pl.col("code"))
    )
    return {region: tuple(found) for region, found in ranked.iter_rows()}


def _decisions(
    profile: _Profile,
    region: Region,
    score_level: int,
    held: bool,
    score: float,
    floor: int,
    without: list[tuple[float, int]],
) -> list[Decision]:
    ruleset = profile.ruleset
    levels = ruleset.levels
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
    for cap, (alone, killed) in zip(profile.caps, without, strict=True):
        family = ruleset.families[cap.family]
        if killed < cap.unless_deaths and plain > cap.level and level_at(ruleset, alone) < plain:
            at = levels[max(cap.level, level_at(ruleset, alone))]
            decisions.append(
                Decision(
                    kind="cap",
                    text=f"held at {at.name}: {family.label} may set at most "
                    f"{levels[cap.level].name} on their own ({killed} killed, under "
                    f"{cap.unless_deaths}); without them the score is {alone:.2f}",
                )
            )
            plain = min(plain, max(cap.level, level_at(ruleset, alone)))
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
