"""Alerts and the weekly bulletin in the house style: every prose decision lives here.

The style is that of the 2018 VRAEM alert: a headline `Country: Subject in Region Month Day
/update N`, a UTC stamp, a one-line summary, a severity word, then Event (what happened, then
how it fits the series of recent incidents), Context (the region's standing background, then
its level and trend) and Advice. Numbers under ten are words, ordinals are words, lists end
with "and", dates read "June 24" in prose and "26 Jun 2018" in stamps.

Everything here is pure: ratings, rules and incidents in, `Alert` and `Bulletin` out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisory.calendar import local_stamp, period_label, prose_date, stamp, table_date
from advisory.models import (
    ACTOR_KINDS,
    Contribution,
    Incident,
    Official,
    Rating,
    Region,
    Rules,
    RuleSet,
    feed_credits,
)
from advisory.official.advice import differing
from advisory.places.countries import countries
from advisory.places.world import is_quiet, quiet_line
from advisory.writing import event
from advisory.writing.actors import as_written
from advisory.writing.context import Activity, composed_context
from advisory.writing.planned import Planned
from advisory.writing.prose import capitalized, dateline, joined, number, place, spelled

# --- the models -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """One region's alert for a reporting week."""

    region_id: str
    region_name: str
    country: str
    headline: str  # subject_line plus " /update N" for an update
    subject_line: str  # `Peru: Clashes with armed group in VRAEM region June 24`
    lead_date: dt.date
    update: int  # 0 for a first alert; N for "/update N"
    issued: dt.datetime
    stamp: str
    summary: str
    severity: str
    level: str
    level_rank: int
    level_count: int
    level_color: str
    previous_level: str | None
    trend: str
    reasons: tuple[str, ...]
    event: tuple[str, ...]  # paragraphs
    context: tuple[str, ...]
    advice: tuple[str, ...]
    incidents: tuple[Incident, ...]  # the reporting week's, lead first
    series_incidents: int  # incidents in the series so far, this week's included
    series_start: dt.date
    credits: tuple[str, ...] = ()  # the feeds its incidents came from, as they are credited
    #: The series' previous alert (the last week before this one with incidents): its ISO week
    #: when the period is one, and its issue time; None for the first alert of a series.
    previous_week: str | None = None
    #: A catch-all's first-level unit that set its level ("driven by Arequipa"), else None.
    driven_by: str | None = None
    previous_issued: dt.datetime | None = None
    #: The governments' advice for its country (`advisory import official`), by source.
    official: tuple[Official, ...] = ()
    #: "level held at High by the US State Department's Level 3" (`official_floor`), else None.
    official_hold: str | None = None
    #: Events announced in its region for the days ahead (`planned: yes`), by date.
    coming: tuple[Planned, ...] = ()


@dataclass(frozen=True, slots=True)
class SummaryRow:
    region_id: str
    region_name: str
    country: str
    level: str
    level_color: str
    previous_level: str | None
    trend: str
    reasons: tuple[str, ...]
    incidents: int  # in the window
    fatalities: int  # in the window
    levels: tuple[int, ...]  # level ranks of the look-back weeks, oldest first
    weekly_incidents: tuple[int, ...]
    note: str = ""  # under the name: the country, or how many areas a country's row sums up
    official: tuple[Official, ...] = ()  # the governments' advice for its country


@dataclass(frozen=True, slots=True)
class Difference:
    """A region whose level is two steps or more from a government's (mapped) one."""

    region_id: str
    region_name: str
    country: str
    level: str
    level_color: str
    official: tuple[Official, ...]  # the records that differ
    why: str  # our main reason: "three incidents in the past 30 days; mainly terrorism"


@dataclass(frozen=True, slots=True)
class AppendixRow:
    date: dt.date
    date_text: str  # `2018-06-24`; `c. 2018-06-24`, `2018-05`, `2018` when the source is vaguer
    region_name: str
    category: str
    place: str  # with `(approx.)` when the source places it only near there, or by region
    toll: str
    summary: str
    sources: tuple[str, ...]
    who: str = ""  # `Shining Path (rebels) against Military Forces of Peru (military)`
    note: str = ""  # the feed's own note, when the summary was cleaned from it
    reference: str = ""  # `ACLED PER1234`: the feed and its id for the incident


@dataclass(frozen=True, slots=True)
class Closing:
    """A region whose series of alerts has ended: a short closing update in the bulletin."""

    region_id: str
    region_name: str
    country: str
    headline: str
    text: str


@dataclass(frozen=True, slots=True)
class Bulletin:
    organisation: str
    title: str
    classification: str
    week: str  # "2018-W25", or the dates when the period is not an ISO week
    period_start: dt.date
    period_end: dt.date
    issued: dt.datetime
    stamp: str
    local_stamp: str  # the issue time in the organisation's time zone
    summary: tuple[SummaryRow, ...]
    quiet: str | None  # the world's quiet countries, in one line
    further: tuple[tuple[str, str], ...]  # (country, its alerts beyond max_alerts, in words)
    alerts: tuple[Alert, ...]
    closings: tuple[Closing, ...]
    appendix: tuple[AppendixRow, ...]
    methodology: tuple[str, ...]  # paragraphs
    levels: tuple[tuple[str, float, str], ...]  # name, threshold, colour
    #: The executive summary: levels that moved, series begun, the most serious incidents.
    changes: tuple[Change, ...] = ()
    changes_more: str = ""  # `23 more regions changed level: 15 raised and 8 lowered`
    moved: int = 0  # regions whose level moved: `changes` and those `changes_more` counts
    opened: tuple[Alert, ...] = ()  # the first alerts of their series
    top: tuple[TopIncident, ...] = ()
    #: The summary's rows by UN M49 sub-region, then country: (sub-region, ((country, rows))).
    sections: tuple[tuple[str, tuple[tuple[str, tuple[SummaryRow, ...]], ...]], ...] = ()
    #: The alerts in the same order: by sub-region, country, then most serious first.
    alert_sections: tuple[tuple[str, tuple[Alert, ...]], ...] = ()
    #: Where our level is two steps or more from a government's: the widest first, then the
    #: number left out of the first page's list.
    differences: tuple[Difference, ...] = ()
    differences_more: int = 0
    #: Events announced for the 30 days after the issue date, by date ("Coming up").
    coming: tuple[Planned, ...] = ()


@dataclass(frozen=True, slots=True)
class Change:
    """A region (of a region file or the world file) whose level moved this week."""

    region_id: str
    region_name: str
    country: str
    raised: bool
    previous_level: str
    level: str
    level_color: str
    why: str  # `5 incidents in the past 30 days, 7 people killed; mainly terrorism`


@dataclass(frozen=True, slots=True)
class TopIncident:
    """One of the week's most serious incidents, for the first page."""

    incident_id: str
    region_id: str  # its alert's region
    region_name: str
    country: str
    date: dt.date
    place: str
    category: str
    toll: str
    summary: str
    date_text: str = ""  # `June 24`, `c. June 24`, `May`: as precisely as the source gives it


# --- alerts -----------------------------------------------------------------------------------

DEFAULT_COLORS = ("#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a")


def level_color(ruleset: RuleSet, name: str) -> str:
    index = ruleset.level_names().index(name)
    color = ruleset.levels[index].color
    return color or DEFAULT_COLORS[min(index, len(DEFAULT_COLORS) - 1)]


def series_start_week(weekly_incidents: Sequence[int], quiet_weeks: int) -> int | None:
    """Index of the first week of the series that this (last) week continues, or None when the
    last week has no incident. A series runs on until `quiet_weeks` weeks pass without one."""
    if not weekly_incidents or weekly_incidents[-1] == 0:
        return None
    start = len(weekly_incidents) - 1
    gap = 0
    for week in range(len(weekly_incidents) - 2, -1, -1):
        if weekly_incidents[week]:
            start, gap = week, 0
        else:
            gap += 1
            if gap >= quiet_weeks:
                break
    return start


def compose_alert(
    rating: Rating,
    rules: Rules,
    incidents: Sequence[Incident],
    points: dict[str, float],
    *,
    listed: bool = True,
    activity: Activity | None = None,
    exported: Mapping[str, dt.date] | None = None,
) -> Alert | None:
    """The region's alert for the rating's week, or None when the week had no incident.

    `incidents` holds the region's incidents to the end of the week, from the start of its
    series (see `series_window`) or earlier: those of the two windows before the week's end
    tell the trend. `points` holds the points of the window's incidents by id, which pick the
    lead incident. `listed`: the bulletin's incident table lists the alert's incidents, and
    the Event may say so. `activity`: the region's incidents of the past 90 days, which write
    the Context where the region has no hand-written one that holds on the issue date.
    `exported`: the day each feed's export was taken, for the credit line.
    """
    if rating.severity is None:
        return None
    ruleset = rules.ruleset
    region = rules.region(rating.region_id)
    # The prose names the actors as a reader writes them; the incident table as the feed does.
    recorded = {i.id: i for i in incidents}
    incidents = as_written(incidents, rules.actors)
    window = series_window(rating, ruleset.series.quiet_weeks)
    if window is None:
        return None
    in_series = sorted(
        (i for i in incidents if window[0] <= i.date <= rating.period_end),
        key=event.date_order(ruleset),
    )
    week = [i for i in in_series if rating.period_start <= i.date <= rating.period_end]
    if not week:
        return None
    week.sort(key=lambda i: (-points.get(i.id, 0.0), -i.date.toordinal(), i.id))
    lead = week[0]
    series = event.series_of(lead, in_series, in_series[0].date, ruleset)
    start_week = series_start_week(rating.history.incidents, ruleset.series.quiet_weeks)
    earlier_weeks = rating.history.incidents[start_week:-1] if start_week is not None else ()
    alerted_weeks = sum(1 for count in earlier_weeks if count)
    previous_week, previous_issued = _previous_alert(rating, alerted_weeks)
    category = ruleset.categories[lead.category]
    subject = category.headline or capitalized(ruleset.label(lead.category))
    where = "" if region.name == rating.country else f" in {headline_name(region)}"
    year = rating.as_of.year  # a month of another year is told with its year
    subject_line = f"{rating.country}: {subject}{where} {dateline(lead, year)}"
    headline = f"{subject_line} /update {alerted_weeks}" if alerted_weeks else subject_line
    analysis, trend = event.amid(incidents, lead, ruleset, rating.period_end)
    family = event.family_of(ruleset, lead.category)
    expected = event.forecast(family, rating.trend, trend, alerted_weeks)
    named_before = set(map(id, series.before))
    others = [i for i in week[1:] if id(i) not in named_before]
    others.sort(key=event.date_order(ruleset))

    told = event.quoted(lead, ruleset, rules.actors, year)
    told = _with_sentence(told, event.untold_toll(lead, told, rules.actors))
    paragraphs = [_with_sentence(told, expected)]
    if series.position > 1:
        paragraphs.append(
            event.series_paragraph(series, ruleset, _named(region), the(region), year)
        )
    if others:
        paragraphs.append(event.week_paragraph(others, ruleset, listed=listed, year=year))

    return Alert(
        region_id=region.id,
        region_name=region.name,
        country=rating.country,
        headline=headline,
        subject_line=subject_line,
        lead_date=lead.date,
        update=alerted_weeks,
        issued=rating.as_of,
        stamp=stamp(rating.as_of),
        summary=event.summary_line(lead, ruleset, series, the(region), analysis, year),
        severity=rating.severity,
        level=rating.level,
        level_rank=rating.level_rank,
        level_count=rating.level_count,
        level_color=level_color(ruleset, rating.level),
        previous_level=rating.previous_level,
        trend=rating.trend,
        reasons=rating.reasons,
        driven_by=rating.driven_by,
        official=rating.official,
        official_hold=rating.official_hold,
        event=tuple(paragraphs),
        context=(*_background(region, rating, rules, activity), _trend_sentence(rating, ruleset)),
        advice=_advice(rating, ruleset, region),
        incidents=tuple(recorded[i.id] for i in week),
        series_incidents=len(in_series),
        series_start=in_series[0].date,
        credits=feed_credits((i.feed for i in week), rules.ruleset.feeds, exported),
        previous_week=previous_week,
        previous_issued=previous_issued,
    )


def _previous_alert(rating: Rating, updates: int) -> tuple[str | None, dt.datetime | None]:
    """The ISO week and issue time of the series' alert before this one, if there is one."""
    if not updates:
        return None, None
    counts = rating.history.incidents
    back = next(n for n in range(1, len(counts)) if counts[-1 - n])
    end = rating.history.period_end[-1 - back]
    return period_label(end - dt.timedelta(days=6), end), rating.as_of - dt.timedelta(weeks=back)


def _with_sentence(text: str, sentence: str) -> str:
    """The analyst's text with one sentence of ours after it (the forecast), if any."""
    if not sentence:
        return text
    ends = text.rstrip()
    stop = "" if ends[-1:] in ".!?\"'”’)" else "."
    return f"{ends}{stop} {sentence}"


def the(region: Region, *, described: bool = False) -> str:
    """`the VRAEM region`, `Lima`, `the rest of Peru`: a name that ends in a common noun
    ("VRAEM region", "northern border area") or starts in lower case takes "the"; a proper
    name ("Lima") does not. `described` puts the region's descriptor first ("the restive ...")."""
    words = region.name.split()
    descriptor = region.descriptor if described else None
    takes_article = bool(descriptor) or words[-1].islower() or region.name[:1].islower()
    if region.article is not None and not descriptor:
        takes_article = region.article == "the"
    name = f"{descriptor} {region.name}" if descriptor else region.name
    return f"{'the ' if takes_article else ''}{name}"


def headline_name(region: Region) -> str:
    """The region as a headline names it: without an article (`in VRAEM region`), unless its
    file says the name always takes one (`in the rest of Afghanistan`)."""
    return f"the {region.name}" if region.article == "the" else region.name


def _named(region: Region) -> str:
    """`the restive VRAEM region (Valley of the Apurimac, Ene, and Mantaro Rivers)`; a long
    name that only adds to the name gives the addition (`Helmand (Afghanistan)`)."""
    long_name = region.long_name or ""
    if long_name.startswith(f"{region.name}, "):
        long_name = long_name.removeprefix(f"{region.name}, ")
    long = f" ({long_name})" if long_name else ""
    return f"{the(region, described=True)}{long}"


def _trend_sentence(rating: Rating, ruleset: RuleSet) -> str:
    """`The region is rated High (level four of five), unchanged from last week; three incidents
    and four fatalities were recorded in the past 30 days.` A week without data is never
    compared with: `..., first rated this week (the incident log covers Peru from June 11); ...`.
    """
    level = f"{rating.level} (level {number(rating.level_rank)} of {number(rating.level_count)})"
    if rating.previous_level is None:
        change = _first_rated(rating)
    elif rating.trend == "steady":
        change = ", unchanged from last week"
    elif rating.trend == "up":
        change = f", raised from {rating.previous_level} to {rating.level} since last week"
    else:
        change = f", lowered from {rating.previous_level} to {rating.level} since last week"
    fatalities = _window_fatalities(rating.contributions)
    return (
        f"The region is rated {level}{change}; {spelled(rating.window_incidents, 'incident')} "
        f"and {fatalities} were recorded in the past {ruleset.window_days} days."
    )


def needs_composed_context(region: Region, issued: dt.date) -> bool:
    """Whether the region's Context is composed from its data: it has no hand-written one, or
    one written after the issue date (which would cite events still to come)."""
    return region.context is None or not region.context.holds_on(issued)


def _background(
    region: Region, rating: Rating, rules: Rules, activity: Activity | None
) -> list[str]:
    """The Context's first paragraph: the analysts' where it holds, else the data's."""
    if not needs_composed_context(region, rating.as_of.date()):
        assert region.context is not None
        return [region.context.text]
    if activity is None or not activity.incidents:
        return []
    year = rating.as_of.year
    return [composed_context(activity, the(region), rules.ruleset, rules.actors, year)]


def _window_fatalities(window: Sequence[Contribution]) -> str:
    """`four fatalities`; `at least four fatalities` where some of the window's tolls are not
    known exactly (a placeholder, a claim, an unknown); `an unconfirmed number of fatalities`
    where none is; `no confirmed fatalities` where deaths were only claimed or not known."""
    exact = sum(c.fatalities for c in window if c.fatalities_certainty == "exact")
    uncertain = [c for c in window if c.fatalities_certainty != "exact"]
    if not uncertain:
        return spelled(exact, "fatality") if exact else "no fatalities"
    if exact:
        return f"at least {spelled(exact, 'fatality')}"
    if any(c.fatalities_certainty == "estimated" and c.fatalities for c in uncertain):
        return "an unconfirmed number of fatalities"
    return "no confirmed fatalities"


def _first_rated(rating: Rating) -> str:
    """Why there is no level of last week to compare with, when there is a reason to give."""
    if len(rating.history.level) < 2:
        return ""  # the rules rate one week only
    begins = rating.data_begins
    if begins is not None and begins > rating.period_start - dt.timedelta(days=7):
        return (
            f", first rated this week (the incident log covers {rating.country} from "
            f"{prose_date(begins)})"
        )
    return ", first rated this week (the incident log holds no data for last week)"


def _advice(rating: Rating, ruleset: RuleSet, region: Region) -> tuple[str, ...]:
    """The region's own advice, then the level's (the advice of the family that set the level,
    where it gives one), then that of the categories behind the score (largest share first),
    each piece once."""
    categories: list[str] = []
    for contribution in rating.contributions:
        if contribution.category not in categories:
            categories.append(contribution.category)
    pieces = [*region.advice, *_level_advice(rating, ruleset)]
    for category in categories:
        pieces += ruleset.categories[category].advice
    return tuple(dict.fromkeys(pieces))


def _level_advice(rating: Rating, ruleset: RuleSet) -> list[str]:
    """The level's advice, or that of the family that set it (the largest share of the score)
    where the family gives advice for the level: protests' High is not a war's."""
    level = ruleset.levels[rating.level_rank - 1]
    points: dict[str, float] = {}
    for c in rating.contributions:
        family = ruleset.family_of(c.category)
        points[family] = points.get(family, 0.0) + c.points
    if points:
        top = max(points, key=lambda name: (points[name], name))
        own = ruleset.families[top].advice if top in ruleset.families else {}
        if level.name in own:
            return list(own[level.name])
    return list(level.advice)


# --- the bulletin -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulletinSettings:
    organisation: str = "Travel Security"
    title: str = "Weekly travel-security bulletin"
    classification: str = "For internal use"
    timezone: str = "UTC"
    maps: bool = True  # the bulletin's map and each alert's locator map


def compose_closing(rating: Rating, rules: Rules, last_incident: Incident) -> Closing:
    """`No further incidents have been reported in Puno since May 14; the level was lowered to
    Low.`"""
    region = rules.region(rating.region_id)
    levels = rating.history.level
    quiet = rules.ruleset.series.quiet_weeks
    before = levels[-quiet - 1] if len(levels) > quiet else None
    if before is not None and before != rating.level:
        names = rules.ruleset.level_names()
        moved = "lowered" if names.index(rating.level) < names.index(before) else "raised"
        level = f"the level was {moved} to {rating.level}"
    else:
        level = f"the level remains {rating.level}"
    return Closing(
        region_id=region.id,
        region_name=region.name,
        country=rating.country,
        headline=f"{rating.country}: No further incidents in {the(region)}",
        text=f"No further incidents have been reported in {the(region)} since "
        f"{dateline(last_incident, rating.as_of.year).replace('c. ', 'around ')}; {level}.",
    )


def closing_week(weekly_incidents: Sequence[int], quiet_weeks: int) -> int | None:
    """Index of the last week with incidents when the series ended exactly this week (that
    week followed by `quiet_weeks` quiet ones), else None."""
    if len(weekly_incidents) <= quiet_weeks:
        return None
    last_active = len(weekly_incidents) - quiet_weeks - 1
    tail = weekly_incidents[last_active + 1 :]
    return last_active if weekly_incidents[last_active] and not any(tail) else None


def most_serious_first(alerts: Sequence[Alert], words: Sequence[str]) -> list[Alert]:
    """Alerts by severity, then level, highest first; then by region name."""
    return sorted(alerts, key=lambda a: (-words.index(a.severity), -a.level_rank, a.region_name))


def compose_bulletin(
    ratings: Sequence[Rating],
    alerts: Sequence[Alert],
    rules: Rules,
    settings: BulletinSettings,
    closings: Sequence[Closing] = (),
    beyond: Sequence[Alert | Rating] = (),
    coming: Sequence[Planned] = (),
) -> Bulletin:
    """The week's bulletin: summary of every region, the alerts, the incidents, the method.
    The world file's regions are summed up a row per country; `beyond` (alerts past the world
    file's `max_alerts`) are listed by country."""
    ruleset = rules.ruleset
    first = ratings[0]
    ordered = most_serious_first(alerts, ruleset.severity.words)
    rows = [_summary_row(r, ruleset) for r in ratings if r.region_id not in rules.generated]
    by_country: dict[str, list[Rating]] = {}
    for r in ratings:
        if r.region_id in rules.generated and not is_quiet(r, rules):
            by_country.setdefault(r.country, []).append(r)
    rows += [_country_row(group, ruleset) for group in by_country.values()]
    summary = tuple(sorted(rows, key=lambda r: (-r.levels[-1], r.country, r.region_name)))
    changes = level_changes(ratings, ruleset)
    appendix = tuple(
        AppendixRow(
            date=i.date,
            date_text=table_date(i.date, i.date_precision),
            region_name=a.region_name,
            category=ruleset.label(i.category),
            place=place(i) + (" (approx.)" if i.geo_precision in ("near", "region") else ""),
            toll=short_toll(i),
            summary=event.quoted(i, ruleset, rules.actors, a.issued.year),
            sources=i.sources,
            who=_who(i),
            note=i.note or "",
            reference=" ".join(part for part in (i.feed, i.feed_id) if part),
        )
        for a in ordered
        for i in sorted(a.incidents, key=lambda i: (i.date, i.id))
    )
    sections = _sections(summary)
    differences = official_differences(ratings, ruleset)
    return Bulletin(
        organisation=settings.organisation,
        title=settings.title,
        classification=settings.classification,
        week=period_label(first.period_start, first.period_end),
        period_start=first.period_start,
        period_end=first.period_end,
        issued=first.as_of,
        stamp=stamp(first.as_of),
        local_stamp=local_stamp(first.as_of, settings.timezone),
        summary=summary,
        quiet=quiet_line(ratings, rules),
        further=_further(beyond, ruleset.severity.words),
        alerts=tuple(ordered),
        closings=tuple(sorted(closings, key=lambda c: c.region_name)),
        appendix=tuple(sorted(appendix, key=lambda r: (r.date, r.region_name))),
        methodology=_methodology(ruleset) + _credits(ordered),
        levels=tuple(
            (lv.name, lv.threshold, level_color(ruleset, lv.name)) for lv in ruleset.levels
        ),
        changes=tuple(changes[:SHOWN_CHANGES]),
        changes_more=_more_changes(changes[SHOWN_CHANGES:]),
        moved=len(changes),
        opened=tuple(a for a in ordered if a.update == 0),
        top=_top_incidents(ordered, ratings, ruleset, rules.actors),
        sections=sections,
        alert_sections=_alert_sections(ordered),
        coming=tuple(coming),
        differences=tuple(differences[:SHOWN_DIFFERENCES]),
        differences_more=max(0, len(differences) - SHOWN_DIFFERENCES),
    )


#: The regions the first page lists under "Differs from official advice"; the rest are counted.
SHOWN_DIFFERENCES = 12


def official_differences(ratings: Sequence[Rating], ruleset: RuleSet) -> list[Difference]:
    """Each rated region (with data) whose level is two steps or more from a government's
    advice that applies to it, the widest gap first, then the highest level of ours."""
    names = ruleset.level_names()
    found = []
    for r in ratings:
        if not r.has_data:
            continue
        differ = differing(r.level, r.official, names)
        if not differ:
            continue
        gap = max(abs(names.index(o.mapped or "") - names.index(r.level)) for o in differ)
        why = _why(r.window_incidents, r.window_fatalities, r.reasons, ruleset)
        row = Difference(r.region_id, r.region_name, r.country, r.level,
                         level_color(ruleset, r.level), tuple(differ), why)  # fmt: skip
        found.append((-gap, -names.index(r.level), r.country, r.region_name, row))
    return [row for *_, row in sorted(found, key=lambda f: f[:4])]


def _alert_sections(ordered: Sequence[Alert]) -> tuple[tuple[str, tuple[Alert, ...]], ...]:
    grouped: dict[str, list[Alert]] = {}
    for alert in ordered:  # most serious first, kept within each country
        grouped.setdefault(world_region(alert.country), []).append(alert)
    return tuple(
        (name, tuple(sorted(found, key=lambda a: a.country)))
        for name, found in sorted(grouped.items())
    )


#: Incidents the first page names.
TOP_INCIDENTS = 3


def world_region(country: str) -> str:
    """The UN M49 sub-region of a country ("South America"), or "Other"."""
    found = countries().resolve(country)
    return found.world_region if found is not None else "Other"


def _sections(
    summary: Sequence[SummaryRow],
) -> tuple[tuple[str, tuple[tuple[str, tuple[SummaryRow, ...]], ...]], ...]:
    """The summary by sub-region (by name), each by country (by name), each country's rows
    highest level first."""
    grouped: dict[str, dict[str, list[SummaryRow]]] = {}
    for row in summary:
        grouped.setdefault(world_region(row.country), {}).setdefault(row.country, []).append(row)
    return tuple(
        (
            name,
            tuple(
                (country, tuple(sorted(rows, key=lambda r: (-r.levels[-1], r.region_name))))
                for country, rows in sorted(by_country.items())
            ),
        )
        for name, by_country in sorted(grouped.items())
    )


#: Level changes the bulletin's first page names; the rest are counted.
SHOWN_CHANGES = 12


def level_changes(ratings: Sequence[Rating], ruleset: RuleSet) -> list[Change]:
    """Every region whose level moved since last week, raised first, highest level first: the
    very figures each alert's trend sentence gives (`Rating.trend`, `previous_level`), so that
    the first page and the alerts never disagree."""
    names = ruleset.level_names()
    found = [
        Change(
            r.region_id, r.region_name, r.country, r.trend == "up", r.previous_level,
            r.level, level_color(ruleset, r.level),
            _why(r.window_incidents, r.window_fatalities, r.reasons, ruleset),
        )
        for r in ratings
        if r.previous_level is not None and r.trend in ("up", "down")
    ]  # fmt: skip
    return sorted(found, key=lambda c: (not c.raised, -names.index(c.level), c.country,
                                        c.region_name))  # fmt: skip


def _more_changes(rest: Sequence[Change]) -> str:
    """`23 more regions changed level: 15 raised and 8 lowered`; empty when none are left."""
    if not rest:
        return ""
    raised = sum(1 for c in rest if c.raised)
    parts = [f"{number(raised)} raised" if raised else "",
             f"{number(len(rest) - raised)} lowered" if len(rest) > raised else ""]  # fmt: skip
    moved = joined([p for p in parts if p])
    return capitalized(f"{spelled(len(rest), 'more region')} changed level: {moved}")


def _why(incidents: int, fatalities: int, reasons: Sequence[str], ruleset: RuleSet) -> str:
    """`12 incidents in the past 30 days, four people killed; mainly armed conflict`: the
    reason first of the family with the most points (rating._reasons)."""
    window_days = ruleset.window_days
    if not incidents:
        return f"no incidents in the past {window_days} days"
    text = f"{spelled(incidents, 'incident')} in the past {window_days} days"
    if fatalities:
        text += f", {spelled(fatalities, 'person')} killed"
    if reasons:
        text += f"; mainly {ruleset.reasons.get(reasons[0], reasons[0])}"
    return text


def _top_incidents(
    alerts: Sequence[Alert], ratings: Sequence[Rating], ruleset: RuleSet, names: Mapping[str, str]
) -> tuple[TopIncident, ...]:
    """The week's incidents of the alerts that score most (then toll, then date)."""
    points = {c.incident_id: c.points for r in ratings for c in r.contributions}
    found = [(a, i) for a in alerts for i in a.incidents]
    found.sort(key=lambda pair: (-points.get(pair[1].id, 0.0),
                                 -pair[1].casualties, pair[1].date,
                                 pair[1].id))  # fmt: skip
    return tuple(
        TopIncident(
            i.id,
            a.region_id,
            a.region_name,
            a.country,
            i.date,
            place(i),
            ruleset.label(i.category),
            short_toll(i, none="no casualties"),
            event.quoted(i, ruleset, names, a.issued.year),
            dateline(i, a.issued.year),
        )
        for a, i in found[:TOP_INCIDENTS]
    )


def _summary_row(r: Rating, ruleset: RuleSet) -> SummaryRow:
    return SummaryRow(
        region_id=r.region_id,
        region_name=r.region_name,
        country=r.country,
        level=r.level,
        level_color=level_color(ruleset, r.level),
        previous_level=r.previous_level,
        trend=r.trend,
        reasons=r.reasons,
        incidents=r.window_incidents,
        fatalities=r.window_fatalities,
        levels=level_ranks(r.history.level, ruleset),
        weekly_incidents=r.history.incidents,
        note=r.country if r.has_data else f"{r.country}; no data this week",
        official=r.official,
    )


def level_ranks(levels: Sequence[str | None], ruleset: RuleSet) -> tuple[int, ...]:
    """Levels by rank, 1 for the lowest; 0 for a week without data."""
    names = ruleset.level_names()
    return tuple(names.index(lv) + 1 if lv is not None else 0 for lv in levels)


def _country_row(group: Sequence[Rating], ruleset: RuleSet) -> SummaryRow:
    """A country of the world file in one row: its highest level, week by week, and the sums
    of its areas."""
    names = ruleset.level_names()
    top = max(group, key=lambda r: (r.level_rank, r.score))
    levels = tuple(max(ranks) for ranks in zip(
        *(level_ranks(r.history.level, ruleset) for r in group), strict=True))  # fmt: skip
    previous = [r.previous_level for r in group if r.previous_level is not None]
    before = max(previous, key=names.index) if previous else None
    trend = "steady"
    if before is not None and names.index(top.level) != names.index(before):
        trend = "up" if names.index(top.level) > names.index(before) else "down"
    reasons = tuple(dict.fromkeys(code for r in group for code in r.reasons))
    weekly = tuple(sum(week) for week in zip(*(r.history.incidents for r in group), strict=True))
    areas = len(group)
    return SummaryRow(
        region_id=f"country:{top.country}",
        region_name=top.country,
        country=top.country,
        level=top.level,
        level_color=level_color(ruleset, top.level),
        previous_level=before,
        trend=trend,
        reasons=reasons,
        incidents=sum(r.window_incidents for r in group),
        fatalities=sum(r.window_fatalities for r in group),
        levels=levels,
        weekly_incidents=weekly,
        note=(
            f"highest: {top.region_name}"
            if areas > 1
            else (top.region_name if top.region_name != top.country else "")
        ),
        official=top.official,
    )


def _further(beyond: Sequence[Alert | Rating], words: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """`("Syria", "Idlib (Extreme, Critical), Aleppo (High, Warning) and 3 more")`, a country a
    line, the most serious first (each alert held back, or the rating of its region)."""
    by_country: dict[str, list[Alert | Rating]] = {}
    ordered = sorted(
        beyond, key=lambda a: (-words.index(a.severity or ""), -a.level_rank, a.region_name)
    )
    for alert in ordered:
        by_country.setdefault(alert.country, []).append(alert)
    lines = []
    for country, found in sorted(by_country.items()):
        named = [f"{a.region_name} ({a.level}, {a.severity})" for a in found[:SHOWN_FURTHER]]
        if len(found) > SHOWN_FURTHER:
            named.append(f"{len(found) - SHOWN_FURTHER} more")
        lines.append((country, joined(named)))
    return tuple(lines)


#: Areas named for a country in the bulletin's list of further alerts.
SHOWN_FURTHER = 4


def _who(incident: Incident) -> str:
    """`By Shining Path against Military Forces of Peru; civilians targeted`: the names the
    source gives (a kind where it gives none)."""

    def actor(name: str | None, kind: str | None) -> str:
        return name or (kind or "").replace("_", " ")

    parts = []
    if by := actor(incident.perpetrator, incident.perpetrator_kind):
        parts.append(f"By {by}")
    if against := actor(incident.target, incident.target_kind):
        parts.append(f"against {against}" if parts else f"Against {against}")
    text = " ".join(parts)
    if incident.civilian_targeting:
        text = f"{text}; civilians targeted" if text else "Civilians targeted"
    return f"{text}." if text else ""


def short_toll(incident: Incident, none: str = "none") -> str:
    """`2 killed, 1 injured (police officers)`, `unconfirmed deaths`, `Taliban claimed 12
    killed`, `toll unknown`; `none` when the source says nobody was hurt (a table's words: no
    more exact than the source)."""
    certainty = incident.fatalities_certainty or "exact"
    parts = []
    if certainty == "unknown":
        parts.append("toll unknown")
    elif certainty == "estimated" and incident.fatalities:
        parts.append("unconfirmed deaths")
    elif incident.fatalities:
        parts.append(f"{incident.fatalities} killed")
    if certainty == "claimed" and incident.claimed_fatalities:
        by = incident.claimed_by or "one side"
        parts.append(f"{by} claimed {incident.claimed_fatalities} killed")
    if incident.injuries:
        parts.append(f"{incident.injuries} injured")
    if parts and incident.victims:
        victims = ACTOR_KINDS[incident.victims][1]
        return f"{', '.join(parts)} ({victims})"
    if parts:
        return ", ".join(parts)
    return none if incident.injuries is not None else "no deaths reported"


def _credits(alerts: Sequence[Alert]) -> tuple[str, ...]:
    """A paragraph naming the feeds whose incidents the bulletin shows (as their alerts credit
    them); none without any."""
    credits = sorted({line for a in alerts for line in a.credits})
    if not credits:
        return ()
    return (f"Incident data from feeds: {joined(list(credits))}.",)


def _methodology(ruleset: RuleSet) -> tuple[str, ...]:
    """How a level is reached, in words, from the rule set's own figures (docs/rules.md has
    the arithmetic)."""
    decay = (
        f"older incidents count for less, halving every {_figure(ruleset.half_life_days)} days"
        if ruleset.half_life_days
        else "every incident counts fully while in the window"
    )
    casualties = ruleset.casualties
    estimated = casualties.weight_of("estimated")
    aim = ruleset.targeting
    targets = [
        f"{label} ({_figure(points)})"
        for label, points in (
            ("civilian targets", aim.civilians), ("foreign targets", aim.foreigners),
            ("kidnappings", aim.kidnapping),
        )
        if points
    ]  # fmt: skip
    score = (
        f"Each region's level comes from the incidents of the past {ruleset.window_days} days. "
        "Every incident scores its category's weight (repeated reports of one kind at one place "
        f"on one day share it), plus {_figure(casualties.per_fatality)} per person killed and "
        f"{_figure(casualties.per_injury)} per person injured"
        + (f" (an estimated toll counts {estimated:.0%})" if estimated != 1 else "")
        + (f", plus points for {joined(targets)}" if targets else "")
        + f"; {decay}."
    )
    spread = ruleset.spread
    if spread.per_place and spread.max_places:
        score += (
            f" Violence at many places adds {_figure(spread.per_place)} per place beyond the "
            f"first, up to {number(spread.max_places)}."
        )
    score += (
        " A region that spans a whole country is scored by its worst first-level unit. The level "
        "is the highest whose threshold the score reaches"
    )
    capped = [
        f"{family.label} may raise it to {family.cap.level} at most unless they killed "
        f"{number(family.cap.unless_deaths)} or more"
        for family in ruleset.families.values()
        if family.cap is not None
    ]
    score += f"; {'; '.join(capped)}." if capped else "."
    paragraphs = [
        score,
        f"A level is lowered only when the score falls {ruleset.hysteresis:.0%} below its "
        f"threshold, and never below a region's floor. Levels are worked out week by week over "
        f"the last {ruleset.lookback_weeks} weeks.",
        "An alert's severity is judged on the reporting week's incidents alone, by these rules "
        "in order: "
        + "; ".join(
            _severity_rule_text(rule.word, rule.when.model_dump())
            for rule in ruleset.severity.rules
        )
        + ".",
        f"Alerts for a region form a series until {number(ruleset.series.quiet_weeks)} weeks "
        "pass without an incident there; later alerts of a series are numbered as updates.",
    ]
    return tuple(paragraphs)


def _figure(value: float) -> str:
    """A rule's figure in prose: `two`, `0.5`, `12`."""
    return number(int(value)) if value == int(value) else f"{value:g}"


def _severity_rule_text(word: str, when: dict[str, object]) -> str:
    given = {k: v for k, v in when.items() if v is not None}
    if not given:
        return f"otherwise {word}"
    parts = []
    for key, value in given.items():
        if isinstance(value, list):
            value = joined([str(v).replace("_", " ") for v in value])
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = _figure(value)
        parts.append(f"{key.replace('_', ' ')} {value}")
    return f"{word} when {joined(parts)}"


def series_window(rating: Rating, quiet_weeks: int) -> tuple[dt.date, dt.date] | None:
    """The dates whose incidents make up the rating's series, or None without an alert."""
    start = series_start_week(rating.history.incidents, quiet_weeks)
    if start is None:
        return None
    ends = rating.history.period_end
    return ends[start] - dt.timedelta(days=6), ends[-1]


def place_advice(rating: Rating, ruleset: RuleSet, region: Region) -> tuple[str, ...]:
    """What an alert of the region would advise at its rating (a pre-trip brief's Advice)."""
    return _advice(rating, ruleset, region)


def level_reason(rating: Rating, ruleset: RuleSet) -> str:
    """The level's reason in a phrase: `three incidents in the past 30 days, four people
    killed; mainly terrorism`."""
    return _why(rating.window_incidents, rating.window_fatalities, rating.reasons, ruleset)
