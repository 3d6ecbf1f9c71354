"""Ratings as text for people and for other programs: a table, CSV, JSON and `--explain`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter

from advisory.calendar import period_label, prose_date, table_date, table_stamp
from advisory.inputs.overrides import Entry, changes
from advisory.models import TREND_ARROWS, Contribution, Rating, Rules, RuleSet, SeverityWhen
from advisory.rating import PERIOD_DAYS, drop_point
from advisory.reports.cells import safe_cell

#: Version of the JSON layout of `advisory rate --format json` (docs/ratings.md). 3: the score's
#: terms (activity, harm, targeting; spread, units and caps). 4: the governments' advice
#: (official, official_floor, official_hold).
JSON_FORMAT = 4
#: A catch-all's units `--explain` lists by score; the rest are counted.
UNITS_SHOWN = 8
#: How `--explain` marks a toll that is counted as coded but not known exactly.
CERTAINTY_NOTES = {
    "estimated": " (a feed's estimate)",
    "claimed": " (deaths claimed, not counted)",
    "unknown": " (deaths not known)",
}


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 ambush`, `12 ambushes`: a figure and its noun (through the plural library)."""
    from advisory.writing.prose import plural_of

    return f"{count} {word if count == 1 else (words or plural_of(word))}"


def table(ratings: Sequence[Rating]) -> str:
    """The ratings as an aligned text table, one region a row."""
    days = ratings[0].as_of.date() - ratings[0].window_start if ratings else None
    span = f" {days.days}d" if days else ""
    official = any(r.official for r in ratings)
    header = ["region", "level", "reasons", "previous", "trend", "score"]
    header += [f"incidents{span}", f"fatalities{span}"] + (["official"] if official else [])
    rows = [
        [
            f"{r.region_name} ({r.region_id})",
            r.level if r.has_data else f"{r.level} (no data)",
            " ".join(r.reasons) or "-",
            r.previous_level or "-",
            TREND_ARROWS[r.trend],
            f"{r.score:.2f}",
            str(r.window_incidents),
            str(r.window_fatalities),
        ]
        + ([official_cell(r)] if official else [])
        for r in ratings
    ]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    numeric = {5, 6, 7}
    lines = []
    for line in [header, *rows]:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


CSV_FIELDS = [
    "region_id", "region_name", "country", "level", "level_rank", "previous_level", "trend",
    "score", "reasons", "window_incidents", "window_fatalities", "window_injuries",
    "period_incidents", "period_fatalities", "period_injuries", "severity", "has_data",
    "official", "differs_from_official",
]  # fmt: skip


def official_cell(r: Rating) -> str:
    """`US 2 (Low) · UK other parts · CA 1 (regional) (Low)`: each source's level and ours it
    maps to, where it is compared with the region; `-` without any."""
    from advisory.official.advice import short_cell

    return (
        " · ".join(
            short_cell(o) + (f" ({o.mapped or 'not mapped'})" if o.applies else "")
            for o in r.official
        )
        or "-"
    )


def differs_cell(r: Rating, names: Sequence[str]) -> str:
    """The sources two steps or more from our level: `uk-fcdo`, `us-state ca`; empty."""
    from advisory.official.advice import differing

    return " ".join(o.source for o in differing(r.level, r.official, names)) if r.has_data else ""


def csv_text(ratings: Sequence[Rating], names: Sequence[str] = ()) -> str:
    """One row a region; `names`, the rule set's levels, to say where official advice differs."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in ratings:
        row = {name: getattr(r, name) for name in CSV_FIELDS[:-2]}
        row["score"] = f"{r.score:.2f}"
        row["reasons"] = " ".join(r.reasons)
        row["official"] = official_cell(r) if r.official else ""
        row["differs_from_official"] = differs_cell(r, names) if names else ""
        writer.writerow({name: safe_cell(value) for name, value in row.items()})
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class LevelSummary:
    name: str
    threshold: float


@dataclass(frozen=True, slots=True)
class RulesSummary:
    """The rule settings a rating depends on, so that a consumer can read it alone."""

    window_days: int
    half_life_days: float | None
    lookback_weeks: int
    hysteresis: float
    levels: tuple[LevelSummary, ...]


@dataclass(frozen=True, slots=True)
class RatingsDocument:
    """`advisory rate --format json` (docs/ratings.md)."""

    format: int
    as_of: dt.datetime | None
    rules: RulesSummary
    ratings: tuple[Rating, ...]


def ratings_document(ratings: Sequence[Rating], rules: Rules) -> RatingsDocument:
    rs = rules.ruleset
    return RatingsDocument(
        format=JSON_FORMAT,
        as_of=ratings[0].as_of if ratings else None,
        rules=RulesSummary(
            window_days=rs.window_days,
            half_life_days=rs.half_life_days,
            lookback_weeks=rs.lookback_weeks,
            hysteresis=rs.hysteresis,
            levels=tuple(LevelSummary(lv.name, lv.threshold) for lv in rs.levels),
        ),
        ratings=tuple(sorted(ratings, key=lambda r: r.region_id)),
    )


def json_bytes(ratings: Sequence[Rating], rules: Rules) -> bytes:
    """The stable JSON document: regions by id, keys in the documented order, two-space indent."""
    return _DOCUMENT.dump_json(ratings_document(ratings, rules), indent=2) + b"\n"


_DOCUMENT = TypeAdapter(RatingsDocument)


# --- --explain --------------------------------------------------------------------------------


def explain(rating: Rating, rules: Rules) -> str:
    """How the level was reached, and what would change it, in plain lines."""
    rs = rules.ruleset.with_profile(rating.profile)
    region = rules.region(rating.region_id)
    reasons = f" — {', '.join(rating.reasons)}" if rating.reasons else ""
    decay = f"half-life {rs.half_life_days:g} days" if rs.half_life_days else "no decay"
    thresholds = ", ".join(f"{lv.name} {lv.threshold:g}" for lv in rs.levels)
    profile = f"profile {rating.profile}" if rating.profile else "the default profile"
    lines = [
        f"{rating.region_name} ({rating.region_id}), {rating.country}: "
        f"{rating.level} ({rating.level_rank} of {rating.level_count}){reasons}",
        f"  as of {table_stamp(rating.as_of)}; window {rating.window_start} to {rating.period_end} "
        f"({rs.window_days} days), {decay}",
        f"  thresholds of {profile}: {thresholds}",
    ]
    if rating.contributions:
        lines.append(f"  incidents counted ({len(rating.contributions)}):")
        lines += [f"    {_contribution_line(c, rules)}" for c in rating.contributions]
    else:
        lines.append("  no incidents in the window")
    if not rating.has_data:
        lines.append(
            f"  no data: the incident log covers no day of the week {rating.period_start} to "
            f"{rating.period_end} in {rating.country}"
        )
    if rating.units:
        shown = ", ".join(f"{unit} {score:.2f}" for unit, score in rating.units[:UNITS_SHOWN])
        more = len(rating.units) - UNITS_SHOWN
        lines.append(
            f"  scored by its worst first-level unit, {rating.driven_by or rating.units[0][0]}; "
            f"units: {shown}" + (f" and {more} more" if more > 0 else "")
        )
    if rating.spread:
        spread = rs.spread
        places = round(rating.spread / spread.per_place) if spread.per_place else 0
        lines.append(
            f"  spread {rating.spread:.2f}: {plural(places, 'place')} with violence beyond the "
            f"first × {spread.per_place:g} (at most {spread.max_places} counted)"
        )
    lines.append(f"  score {rating.score:.2f}")
    lines += [f"  {d.kind}: {d.text}" for d in rating.decisions]
    lines.append(f"  level {rating.level}; {_trend_text(rating)}")
    if rating.severity is not None and rating.severity_rule is not None:
        rule = rs.severity.rules[rating.severity_rule]
        lines.append(
            f"  severity {rating.severity} (severity rule {rating.severity_rule + 1}: "
            f"{_conditions(rule.when)}), from {plural(rating.period_incidents, 'incident')} "
            f"in the week {rating.period_start} to {rating.period_end}"
        )
    else:
        lines.append(f"  no severity: no incidents in the week {rating.period_start} to "
                     f"{rating.period_end}")  # fmt: skip
    lines += _official_lines(rating, rs)
    lines.append("  what would change it:")
    lines += [f"    {text}" for text in _changes(rating, rs, region.floor, rules)]
    return "\n".join(lines) + "\n"


def _official_lines(rating: Rating, rs: RuleSet) -> list[str]:
    """The governments' advice beside the rating, how each maps, and where it differs."""
    from advisory.official.advice import differing, floor_of, short_cell, stated

    if not rating.official:
        floor = rating.official_floor
        return [f"  official floor ({floor}): no official advice for its country"] if floor else []
    names = rs.level_names()
    lines = [f"  official advice as it stood at {table_stamp(rating.as_of)}:"]
    for o in rating.official:
        mapped = f"our {o.mapped}" if o.mapped else "not mapped (rules/official.yaml)"
        lines.append(f"    {stated(o)}: {mapped}; {o.applies_as}")
    for o in differing(rating.level, rating.official, names) if rating.has_data else []:
        gap = abs(names.index(o.mapped or "") - names.index(rating.level))
        lines.append(
            f"  differs from official advice: the {o.publisher}'s {short_cell(o)} maps to "
            f"{o.mapped}, ours is {rating.level} ({gap} steps)"
        )
    if rating.official_floor and not any(d.kind == "official" for d in rating.decisions):
        by = floor_of(rating.official, rating.official_floor, names)
        said = (
            f"{short_cell(by)} maps to {by.mapped}, not above {rating.level}: no change"
            if by is not None
            else "no advice that applies to it, none stale"
        )
        lines.append(f"  official floor ({rating.official_floor}): {said}")
    return lines


def overrides_lines(rating: Rating, entries: Sequence[Entry]) -> str:
    """`  override (rules/overrides.yaml:3:11): summary replaced; by A. Analyst (why)` for the
    rating's region and week, if the overrides file has an entry for them."""
    label = period_label(rating.period_start, rating.period_end)
    return "".join(
        f"  override ({e.where}): {'; '.join(changes(e.override))}; by {e.override.analyst} "
        f"({e.override.reason})\n"
        for e in entries
        if e.override.week == label and e.override.region == rating.region_id
    )


def _conditions(when: SeverityWhen) -> str:
    given = {k: v for k, v in when.model_dump().items() if v is not None}
    if not given:
        return "no conditions"
    return " and ".join(
        f"{k.replace('_', ' ')} {', '.join(v) if isinstance(v, list) else v}"
        for k, v in given.items()
    )


def _contribution_line(c: Contribution, rules: Rules) -> str:
    label = rules.ruleset.label(c.category)
    killed = f"{c.fatalities} killed{CERTAINTY_NOTES.get(c.fatalities_certainty, '')}"
    injured = "injured unknown" if c.injuries is None else f"{c.injuries} injured"
    toll = f"{killed}, {injured}"
    reports = f", 1 of {c.reports} reports there that day" if c.reports > 1 else ""
    where = f" in {c.unit}" if c.unit else ""
    return (
        f"{table_date(c.date, c.date_precision)}  {c.incident_id}  {label}{where}, {toll}: "
        f"activity {c.activity:.2f}{reports} + harm {c.harm:.2f} + targeting "
        f"{c.targeting:.2f} = {c.base_points:.2f} points × "
        f"{c.decay:.3f} decay ({plural(c.age_days, 'day')} old) = {c.points:.2f} "
        f"({c.share:.0%})"
    )


def _trend_text(rating: Rating) -> str:
    if rating.previous_level is None:
        if len(rating.history.level) > 1:
            return "no level last week to compare with: the incident log holds no data for it"
        return "no earlier week rated"
    if rating.trend == "steady":
        return f"unchanged from the week before ({rating.previous_level})"
    word = "raised" if rating.trend == "up" else "lowered"
    return f"{word} from {rating.previous_level} the week before"


def _changes(rating: Rating, rs: RuleSet, floor: str | None, rules: Rules) -> list[str]:
    names = rs.level_names()
    level = names.index(rating.level)
    score_level = names.index(rating.score_level)
    floor_index = names.index(floor) if floor else 0
    out: list[str] = []

    if score_level == 0:
        out.append(f"already at the lowest level by score, {names[0]}")
    else:
        below = drop_point(rs, score_level)
        days = _quiet_days_until(rating.contributions, rs, below)
        quiet = (
            f"about {plural(math.ceil(days / PERIOD_DAYS), 'week')} without incidents"
            if days is not None
            else "not by decay alone"
        )
        drop = (
            f"below {below:.2f} ({names[score_level]}'s threshold "
            f"{rs.levels[score_level].threshold:g} less {rs.hysteresis:.0%} hysteresis): {quiet}"
        )
        if score_level <= floor_index:
            out.append(
                f"by score it would fall to {names[score_level - 1]} {drop}; "
                f"its floor keeps it at {names[floor_index]}"
            )
        else:
            out.append(
                f"falls to {names[max(score_level - 1, floor_index)]} when the score drops {drop}"
            )
    if score_level < floor_index:
        out.append(f"stays at {names[floor_index]}, its floor, until the score reaches it")

    if level + 1 >= len(names):
        out.append(f"already at the highest level, {names[level]}")
    else:
        target = rs.levels[level + 1]
        needed = target.threshold - rating.score
        out.append(
            f"rises to {target.name} at {target.threshold:g} points "
            f"({needed:.2f} more): {_more_incidents(needed, rating.contributions, rs, rules)}"
        )
    return out


def _quiet_days_until(
    contributions: Sequence[Contribution], rs: RuleSet, below: float
) -> int | None:
    """Days without new incidents until the score falls below `below`."""
    for days in range(1, rs.window_days + 2):
        future = 0.0
        for c in contributions:
            age = c.age_days + days
            if age <= rs.window_days:
                future += c.base_points * (
                    0.5 ** (age / rs.half_life_days) if rs.half_life_days else 1
                )
        if future < below:
            return days
    return None


def _more_incidents(
    needed: float, contributions: Sequence[Contribution], rs: RuleSet, rules: Rules
) -> str:
    """`one more incident like the June 7 ambush`: the smallest past incident that would do."""
    fresh = 0.5 ** (1 / rs.half_life_days) if rs.half_life_days else 1.0
    candidates = sorted(contributions, key=lambda c: (c.base_points, c.date))
    for c in candidates:
        if c.base_points * fresh >= needed:
            return (
                f"one more incident like the {prose_date(c.date)} {rules.ruleset.label(c.category)}"
            )
    if candidates:
        biggest = max(candidates, key=lambda c: (c.base_points, c.date))
        count = math.ceil(needed / (biggest.base_points * fresh)) if biggest.base_points else 0
        if count:
            like = f"{prose_date(biggest.date)} {rules.ruleset.label(biggest.category)}"
            return f"{count} more incidents like the {like}"
    name, category = max(rs.categories.items(), key=lambda item: item[1].weight)
    if category.weight <= 0:
        return "no incident weighs enough"
    count = math.ceil(needed / (category.weight * fresh))
    return f"{plural(count, rs.label(name))} without casualties"
