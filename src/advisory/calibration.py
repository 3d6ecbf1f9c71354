"""`advisory calibrate`: thresholds proposed from the log's own history, and their backtest.

Every region-week of the calibration period is scored as `rate` scores it (the same points,
decay and window). For each profile, the thresholds proposed are the scores at which the
region-weeks of its regions split into the target shares, lowest level first: with the default
targets, each level half as common as the one below it. The backtest then rates every week
twice, by today's thresholds and by the proposal, each exactly as `rate` would have on that
week's issue day (hysteresis over the look-back weeks, floors, weeks without data left out),
and counts per region the weeks whose level would change and the alerts that would have been
issued or not, under the settings' alert bar.

Nothing here reads the clock or a file, and nothing edits the rules: the proposal is a YAML
fragment for an analyst to read and paste.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from advisory.calendar import monday_of, week_label
from advisory.inputs import Inputs
from advisory.models import Rules, RuleSet
from advisory.rating import PERIOD_DAYS, SCORE_DIGITS, decay, weeks_with_data
from advisory.scoring import COLUMNS, capped, caps, region_scores, unit_of, with_terms
from advisory.writing.bar import AlertBar

#: The name the default profile (the levels' own thresholds) goes by in calibration output.
DEFAULT_PROFILE = "default"
#: Significant digits of a proposed threshold: enough to hit the targets, few enough to read.
THRESHOLD_DIGITS = 2


def default_targets(levels: Sequence[str]) -> dict[str, float]:
    """Each level half as common as the one below it: for five levels, 52 %, 26 %, 13 %,
    6 % and 3 % of region-weeks, lowest first."""
    weights = [2.0 ** (len(levels) - 1 - i) for i in range(len(levels))]
    total = sum(weights)
    return {name: w / total for name, w in zip(levels, weights, strict=True)}


@dataclass(frozen=True, slots=True)
class LevelShare:
    level: str
    target: float  # share of region-weeks wanted at this level, 0 to 1
    threshold_now: float
    threshold_proposed: float
    share_now: float  # of region-weeks at this level by score, today's thresholds
    share_proposed: float  # the same under the proposal


@dataclass(frozen=True, slots=True)
class ProfileProposal:
    profile: str
    regions: int
    region_weeks: int  # the weeks with data, of the profile's regions, in the period
    quiet_share: float  # of them, the share that scored nothing (always the lowest level)
    levels: tuple[LevelShare, ...]
    score_percentiles: dict[str, float]  # "p50", "p90", "p99", "max"


@dataclass(frozen=True, slots=True)
class RegionBacktest:
    region_id: str
    region_name: str
    country: str
    profile: str
    weeks: int  # weeks with data in the period
    level_changes: int  # weeks whose level the proposal changes
    raised: int  # of them, weeks it raises
    alerts_now: int
    alerts_proposed: int
    alerts_gained: tuple[str, ...]  # ISO weeks with an alert only under the proposal
    alerts_lost: tuple[str, ...]  # ISO weeks with an alert only today
    level_now: str = ""  # the last week's level, today's thresholds
    level_proposed: str = ""  # the same under the proposal
    deaths: int = 0  # killed in the last week's window (as coded), to weigh a fall in level


@dataclass(frozen=True, slots=True)
class Calibration:
    """What `advisory calibrate` reports (docs/rules.md, Calibrating for your countries)."""

    first_week: str
    last_week: str
    weeks: int
    bar: str
    proposals: tuple[ProfileProposal, ...]
    backtest: tuple[RegionBacktest, ...]
    fragment: str  # the YAML to paste into scoring.yaml


class Scored:
    """Every region's weekly figures over a run of weeks: matrices of regions × weeks."""

    def __init__(self, inputs: Inputs, mondays: Sequence[dt.date], shown_from: int = 0) -> None:
        rules = inputs.rules
        ruleset = rules.ruleset
        self.mondays = list(mondays)
        #: The first week reported on; those before it only lead up to it (hysteresis).
        self.shown_from = shown_from
        #: The reported weeks as ISO weeks (the week before each as-of Monday).
        self.labels = [week_label(m - dt.timedelta(days=7)) for m in mondays[shown_from:]]
        regions = [r.id for r in rules.regions]
        count, weeks = len(regions), len(mondays)
        first = mondays[0]
        frame = inputs.incidents.frame
        # The weeks whose window holds an incident: those whose Monday (the as-of day) is
        # 1 to window_days days after it.
        offset = (pl.col("date") - pl.lit(first)).dt.total_days()
        low = ((pl.col("offset") + 1 + 6) // 7).clip(lower_bound=0)
        high = ((pl.col("offset") + ruleset.window_days) // 7).clip(upper_bound=weeks - 1)
        order = pl.DataFrame({"region": regions, "r": list(range(count))})
        # Each row is repeated below for every week whose window holds it: the columns are
        # kept narrow first (the texts that are only compared as codes of a dictionary).
        narrow = (
            frame.lazy()
            .select(*COLUMNS)
            .with_row_index("pos")
            .with_columns(pl.col("pos").cast(pl.Int64))
            .pipe(with_terms, ruleset)
            .join(inputs.placements.lazy(), on="pos")
            .with_columns(unit_of(rules))
            .join(order.lazy(), on="region")
            .select(
                "r",
                offset.cast(pl.Int32).alias("offset"),
                pl.col("category").cast(pl.Categorical),
                "fatalities",
                "injuries",
                "base_points",
                "unit",
                "place",
                "violent",
            )
            .with_columns(low.alias("low"), high.alias("high"))
            .filter(pl.col("low") <= pl.col("high"))
            .collect()
        )
        severity_categories = sorted(
            {c for rule in ruleset.severity.rules for c in (rule.when.categories or [])}
        )
        # The weeks are summed a block at a time, so that only one block's repeated rows are
        # in memory at once.
        totals = pl.concat(
            [
                _weekly_totals(
                    narrow.lazy(),
                    ruleset,
                    severity_categories,
                    start,
                    min(start + WEEKS_AT_ONCE, weeks),
                )
                for start in range(0, weeks, WEEKS_AT_ONCE)
            ]
        )
        del narrow
        rows = totals.get_column("r").to_numpy()
        cols = totals.get_column("w").to_numpy().astype(np.int64)

        def matrix(name: str, dtype: type) -> np.ndarray:
            out: np.ndarray = np.zeros((count, weeks), dtype=dtype)
            out[rows, cols] = totals.get_column(name).to_numpy()
            return out

        found = caps(ruleset)
        self.score = np.round(matrix("score", np.float64), SCORE_DIGITS)
        self.incidents = matrix("incidents", np.int64)
        self.fatalities = matrix("fatalities", np.int64)
        self.injuries = matrix("injuries", np.int64)
        #: Per capped family (scoring.caps): the score without its points, and its deaths.
        self.caps = found
        self.without = [np.round(matrix(f"without_{i}", np.float64), SCORE_DIGITS)
                        for i in range(len(found))]  # fmt: skip
        self.deaths = [matrix(f"deaths_{i}", np.int64) for i in range(len(found))]
        self.categories = {
            c: matrix(f"has_{n}", np.bool_) for n, c in enumerate(severity_categories)
        }
        ends = [m - dt.timedelta(days=1) for m in mondays]
        covered = weeks_with_data(inputs.incidents, rules, ends)
        self.covered = (
            np.ones((count, weeks), dtype=np.bool_)
            if covered is None
            else np.array(covered, dtype=np.bool_).reshape(count, weeks)
        )


#: Weeks summed at once by `Scored`: a block's rows are each incident once per week of the
#: block whose window holds it.
WEEKS_AT_ONCE = 26


def _weekly_totals(
    narrow: pl.LazyFrame, ruleset: RuleSet, severity_categories: list[str], start: int, end: int
) -> pl.DataFrame:
    """Per region `r` and week `w` from `start` to `end` (excluded), the figures of `Scored`
    (`narrow` has a row per incident and region, with the first and last week it counts in;
    `has_n` says whether the week had an incident of the n-th of `severity_categories`)."""
    by_week = (
        narrow.filter((pl.col("low") < end) & (pl.col("high") >= start))
        .with_columns(
            pl.int_ranges(
                pl.max_horizontal("low", pl.lit(start, dtype=pl.Int32)),
                pl.min_horizontal("high", pl.lit(end - 1, dtype=pl.Int32)) + 1,
                dtype=pl.Int32,
            ).alias("w")
        )
        .drop("low", "high")
        .explode("w")
        .with_columns(
            (pl.col("w").cast(pl.Int64) * 7 - pl.col("offset")).alias("age"),
        )
        .with_columns((pl.col("base_points") * decay(ruleset)).alias("points"))
    )
    in_period = pl.col("age") <= PERIOD_DAYS
    return (
        by_week.group_by("r", "w")
        .agg(
            in_period.sum().alias("incidents"),
            (pl.col("fatalities") * in_period).sum().alias("fatalities"),
            (pl.col("injuries").fill_null(0) * in_period).sum().alias("injuries"),
            *[
                (in_period & (pl.col("category") == c)).any().alias(f"has_{n}")
                for n, c in enumerate(severity_categories)
            ],
        )
        .join(region_scores(by_week, ruleset, ["r", "w"]), on=["r", "w"])
        .collect()
    )


def levels_by_week(
    scored: Scored, thresholds: np.ndarray, drops: np.ndarray, floors: np.ndarray, lookback: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each region's level (index) in each week, as `rate` gives it on that week's issue day:
    hysteresis run over the `lookback` weeks up to it, from the plain level at their start and
    again after any week without data; then the floor. Also the plain score levels.

    `thresholds` and `drops` hold a row per region and a column per level.
    """

    def reached(score: np.ndarray, limits: np.ndarray) -> np.ndarray:
        found: np.ndarray = (score[:, :, None] >= limits[:, None, :]).sum(axis=2) - 1
        return found

    def level_of(limits: np.ndarray) -> np.ndarray:
        alone = [reached(without, limits) for without in scored.without]
        return capped(reached(scored.score, limits), alone, scored.deaths, scored.caps)

    score = scored.score
    plain, dropped = level_of(thresholds), level_of(drops)
    weeks = score.shape[1]
    # state[:, t] is the level of week s = t - lookback + 1 + j after j steps of week t's chain.
    ends = np.arange(weeks)
    starts = np.maximum(ends - lookback + 1, 0)
    state = plain[:, starts]
    for j in range(1, lookback):
        at = np.minimum(starts + j, ends)
        moving = (starts + j) <= ends  # chains that have not reached their own week yet
        before = state
        fresh = ~scored.covered[:, at - 1]
        now = plain[:, at]
        kept = np.minimum(before, dropped[:, at])
        stepped = np.where(fresh | (now >= before), now, kept)
        state = np.where(moving[None, :], stepped, state)
    return np.maximum(state, floors[:, None]), plain


def severities(scored: Scored, ruleset: RuleSet, levels: np.ndarray) -> np.ndarray:
    """Each region-week's severity word index (in `severity.words`), -1 for a week without
    incidents: the first severity rule its incidents meet, as `rate` picks it."""
    names = ruleset.level_names()
    words = ruleset.severity.words
    found = np.full(levels.shape, -1, dtype=np.int64)
    open_ = scored.incidents > 0
    for rule in ruleset.severity.rules:
        when = rule.when
        meets = open_.copy()
        if when.fatalities_at_least is not None:
            meets &= scored.fatalities >= when.fatalities_at_least
        if when.injuries_at_least is not None:
            meets &= scored.injuries >= when.injuries_at_least
        if when.casualties_at_least is not None:
            meets &= scored.fatalities + scored.injuries >= when.casualties_at_least
        if when.incidents_at_least is not None:
            meets &= scored.incidents >= when.incidents_at_least
        if when.categories is not None:
            any_of = np.zeros(levels.shape, dtype=np.bool_)
            for category in when.categories:
                if category in scored.categories:
                    any_of |= scored.categories[category]
            meets &= any_of
        if when.level_at_least is not None:
            meets &= levels >= names.index(when.level_at_least)
        found[meets] = words.index(rule.word)
        open_ &= ~meets
    return found


def issued(
    rules: Rules, bar: AlertBar, levels: np.ndarray, words: np.ndarray, has_data: np.ndarray
) -> np.ndarray:
    """Which region-weeks would have had an alert: a week with incidents (a severity) whose
    level or severity clears the region's bar."""
    names = rules.ruleset.level_names()
    severity_words = rules.ruleset.severity.words
    out = np.zeros(levels.shape, dtype=np.bool_)
    for r, region in enumerate(rules.regions):
        own = bar.of_region(region.id)
        if own.min_level is None and own.min_severity is None:
            row = words[r] >= 0
        else:
            row = np.zeros(levels.shape[1], dtype=np.bool_)
            if own.min_level is not None:
                row |= levels[r] >= names.index(own.min_level)
            if own.min_severity is not None:
                row |= words[r] >= severity_words.index(own.min_severity)
            row &= words[r] >= 0
        out[r] = row
    found: np.ndarray = out & has_data
    return found


def propose_thresholds(scores: np.ndarray, targets: Sequence[float]) -> list[float]:
    """Thresholds, lowest level first (the first 0), that split `scores` into `targets` shares:
    each the score below which the levels under it hold their cumulative share, rounded to
    THRESHOLD_DIGITS significant digits (up or down, whichever comes nearer the share), and
    always above the one before."""
    ordered = np.sort(scores)
    n = len(ordered)
    proposed = [0.0]
    cumulative = 0.0
    for share in spread_targets(ordered, targets)[:-1]:
        cumulative += share
        index = min(max(math.ceil(cumulative * n), 0), n - 1) if n else 0
        exact = float(ordered[index]) if n else proposed[-1] + 1
        candidates = [c for c in _rounded(exact) if c > proposed[-1]]
        if not candidates:
            above = ordered[ordered > proposed[-1]]
            exact = float(above[0]) if len(above) else proposed[-1] + 1
            candidates = [c for c in _rounded(exact) if c > proposed[-1]] or [exact]
        below = [float(np.searchsorted(ordered, c, side="left")) / max(n, 1) for c in candidates]
        best = min(
            zip(candidates, below, strict=True), key=lambda cb: (abs(cb[1] - cumulative), cb[0])
        )
        proposed.append(best[0])
    return proposed


def spread_targets(ordered: np.ndarray, targets: Sequence[float]) -> list[float]:
    """The targets, or, where more weeks scored nothing than the lowest level's share, the
    lowest level given those weeks and the others the rest in the targets' proportions (a
    week without incidents is always at the lowest level)."""
    if not len(ordered):
        return list(targets)
    zeros = float(np.searchsorted(ordered, 0.0, side="right")) / len(ordered)
    if zeros <= targets[0] or targets[0] >= 1:
        return list(targets)
    rest = (1 - zeros) / (1 - targets[0])
    return [zeros, *(share * rest for share in targets[1:])]


def _rounded(value: float) -> list[float]:
    """`value` rounded down and up to THRESHOLD_DIGITS significant digits."""
    if value <= 0:
        return [0.0]
    scale = 10.0 ** (math.floor(math.log10(value)) - THRESHOLD_DIGITS + 1)
    down = math.floor(value / scale) * scale
    up = math.ceil(value / scale) * scale
    return sorted({_clean(down), _clean(up)})


def _clean(value: float) -> float:
    """Without the float noise of the scaling: 0.30000000000000004 -> 0.3."""
    return float(f"{value:.{THRESHOLD_DIGITS + 6}g}")


def shares(scores: np.ndarray, thresholds: Sequence[float]) -> list[float]:
    """The share of `scores` at each level by plain thresholds."""
    if not len(scores):
        return [0.0] * len(thresholds)
    index = np.searchsorted(np.asarray(thresholds), scores, side="right") - 1
    counts = np.bincount(np.maximum(index, 0), minlength=len(thresholds))
    return [float(c) / len(scores) for c in counts]


def whole_weeks(first: dt.date, last: dt.date) -> tuple[dt.date, int]:
    """The as-of Monday of the first week whose reporting period (the seven days before it)
    lies within `first` to `last`, and how many such weeks there are."""
    first_monday = monday_of(first + dt.timedelta(days=6)) + dt.timedelta(days=7)
    last_monday = monday_of(last + dt.timedelta(days=1))
    return first_monday, max(0, (last_monday - first_monday).days // 7 + 1)


def weeks_between(inputs: Inputs, first: dt.date, last: dt.date) -> Scored:
    """The weeks whose reporting periods lie within `first` to `last`, scored, after the
    look-back weeks before them that their levels depend on."""
    lookback = inputs.rules.ruleset.lookback_weeks
    first_monday, weeks = whole_weeks(first, last)
    mondays = [first_monday + dt.timedelta(weeks=k) for k in range(-(lookback - 1), weeks)]
    return Scored(inputs, mondays, shown_from=lookback - 1)


def profiles_of(rules: Rules) -> list[str]:
    """Each region's profile, by name (DEFAULT_PROFILE for the levels' own thresholds)."""
    return [r.profile or DEFAULT_PROFILE for r in rules.regions]


def calibrate(
    inputs: Inputs,
    first: dt.date,
    last: dt.date,
    bar: AlertBar,
    *,
    profiles: Sequence[str] = (),
    targets: Mapping[str, float] | None = None,
    made: str = "",
) -> Calibration:
    """Propose thresholds for `profiles` (by default every profile a region uses) from the
    weeks whose reporting periods lie within `first` to `last`, and backtest them.

    `made` is a line for the fragment's heading (when and by what it was made).
    """
    rules = inputs.rules
    ruleset = rules.ruleset
    names = ruleset.level_names()
    wanted = dict(targets) if targets is not None else default_targets(names)
    scored = weeks_between(inputs, first, last)
    shown = slice(scored.shown_from, None)
    profile_of = profiles_of(rules)
    in_use = sorted(set(profile_of), key=lambda p: (p != DEFAULT_PROFILE, p))
    chosen = list(profiles) or in_use
    has_data = scored.covered[:, shown]
    active = (scored.incidents[:, shown] > 0).any(axis=1)

    proposed: dict[str, list[float]] = {}
    proposals = []
    for profile in chosen:
        # Regions without a single incident in the period would only add quiet weeks.
        rows = np.array([p == profile for p in profile_of], dtype=np.bool_) & active
        sample = scored.score[:, shown][rows][has_data[rows]]
        thresholds = propose_thresholds(sample, [wanted[n] for n in names])
        proposed[profile] = thresholds
        now = [lv.threshold for lv in _profile_set(ruleset, profile).levels]
        before, after = shares(sample, now), shares(sample, thresholds)
        proposals.append(
            ProfileProposal(
                profile=profile,
                regions=int(rows.sum()),
                region_weeks=len(sample),
                quiet_share=round(float((sample <= 0).mean()) if len(sample) else 0.0, 4),
                levels=tuple(
                    LevelShare(
                        n,
                        round(wanted[n], 4),
                        now[i],
                        thresholds[i],
                        round(before[i], 4),
                        round(after[i], 4),
                    )
                    for i, n in enumerate(names)
                ),
                score_percentiles=_percentiles(sample),
            )
        )
    return Calibration(
        first_week=scored.labels[0] if scored.labels else "",
        last_week=scored.labels[-1] if scored.labels else "",
        weeks=len(scored.labels),
        bar=str(bar),
        proposals=tuple(proposals),
        backtest=backtest(rules, scored, bar, proposed),
        fragment=fragment(proposals, ruleset, made, scored.labels),
    )


def backtest(
    rules: Rules, scored: Scored, bar: AlertBar, proposed: Mapping[str, Sequence[float]]
) -> tuple[RegionBacktest, ...]:
    """Per region of the `proposed` profiles, what the proposed thresholds would have changed
    over the shown weeks of `scored`: levels, and alerts issued under `bar`."""
    ruleset = rules.ruleset
    names = ruleset.level_names()
    profile_of = profiles_of(rules)
    floors = np.array([names.index(r.floor) if r.floor else 0 for r in rules.regions])
    shown = slice(scored.shown_from, None)

    def rated(thresholds_of: Mapping[str, Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
        thresholds = np.array([thresholds_of[p] for p in profile_of], dtype=np.float64).reshape(
            len(profile_of), len(names)
        )
        drops = thresholds * (1 - ruleset.hysteresis)
        levels, _ = levels_by_week(scored, thresholds, drops, floors, ruleset.lookback_weeks)
        words = severities(scored, ruleset, levels)
        alerts = issued(rules, bar, levels, words, scored.covered)
        return levels[:, shown], alerts[:, shown]

    today = {p: [lv.threshold for lv in _profile_set(ruleset, p).levels] for p in set(profile_of)}
    levels_now, alerts_now = rated(today)
    levels_new, alerts_new = rated({**today, **proposed})
    has_data = scored.covered[:, shown]
    labels = scored.labels
    window_weeks = max(1, -(-ruleset.window_days // 7))  # the weeks that make a window
    deaths = scored.fatalities[:, -window_weeks:].sum(axis=1)
    found = []
    for r, region in enumerate(rules.regions):
        if profile_of[r] not in proposed:
            continue
        changed = (levels_now[r] != levels_new[r]) & has_data[r]
        gained = np.flatnonzero(alerts_new[r] & ~alerts_now[r])
        lost = np.flatnonzero(alerts_now[r] & ~alerts_new[r])
        found.append(
            RegionBacktest(
                region_id=region.id,
                region_name=region.name,
                country=rules.countries[region.id],
                profile=profile_of[r],
                weeks=int(has_data[r].sum()),
                level_changes=int(changed.sum()),
                raised=int((changed & (levels_new[r] > levels_now[r])).sum()),
                alerts_now=int(alerts_now[r].sum()),
                alerts_proposed=int(alerts_new[r].sum()),
                alerts_gained=tuple(labels[i] for i in gained),
                alerts_lost=tuple(labels[i] for i in lost),
                level_now=names[int(levels_now[r][-1])] if levels_now.shape[1] else "",
                level_proposed=names[int(levels_new[r][-1])] if levels_new.shape[1] else "",
                deaths=int(deaths[r]),
            )
        )
    return tuple(found)


def _profile_set(ruleset: RuleSet, profile: str) -> RuleSet:
    return ruleset if profile == DEFAULT_PROFILE else ruleset.with_profile(profile)


def _percentiles(sample: np.ndarray) -> dict[str, float]:
    if not len(sample):
        return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    found = np.percentile(sample, [50, 90, 99])
    return {
        "p50": round(float(found[0]), 2),
        "p90": round(float(found[1]), 2),
        "p99": round(float(found[2]), 2),
        "max": round(float(sample.max()), 2),
    }


def fragment(
    proposals: Sequence[ProfileProposal], ruleset: RuleSet, made: str, labels: Sequence[str]
) -> str:
    """The proposal as YAML for scoring.yaml: named profiles as a `profiles:` mapping, the
    default profile as the thresholds to set in `levels:` (in comments: they sit among the
    levels' colours and advice)."""
    period = f"{labels[0]} to {labels[-1]}" if labels else "no weeks"
    lines = [
        f"# Proposed by advisory calibrate{f' {made}' if made else ''}, from {period}.",
        "# Read the backtest before adopting it; advisory validate checks it once pasted.",
    ]
    named = [p for p in proposals if p.profile != DEFAULT_PROFILE]
    for p in proposals:
        if p.profile == DEFAULT_PROFILE:
            lines.append("# The default profile: set these thresholds in levels:")
            lines += [f"#   {s.level}: {threshold_text(s.threshold_proposed)}" for s in p.levels]
    if named:
        lines.append("profiles:")
        for p in named:
            lines.append(f"  {p.profile}:")
            known = ruleset.profiles.get(p.profile)
            if known is not None and known.description:
                description = known.description
                lines.append(f"    description: {_yaml_text(description)}")
            lines.append("    thresholds:")
            lines += [
                f"      {_yaml_text(s.level)}: {threshold_text(s.threshold_proposed)}"
                for s in p.levels
            ]
    return "\n".join(lines) + "\n"


def threshold_text(value: float) -> str:
    """A threshold as YAML reads it back: `1200`, `0.35`, never an exponent."""
    return str(np.format_float_positional(value, trim="-"))


def _yaml_text(text: str) -> str:
    """Text as a YAML scalar: plain where YAML reads it back as the same text, else quoted."""
    import json
    import re

    text = " ".join(text.split())
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 _.()-]*", text) and not text.endswith(" ")
    if plain and text.lower() not in {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}:
        return text
    return json.dumps(text, ensure_ascii=False)
