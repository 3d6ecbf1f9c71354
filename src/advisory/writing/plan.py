"""The plan of a run: the week composed, and the documents to render with their names.

Every command asks `plan()` for its documents — the alerts named or all of them, the bulletin,
one combined alert document for a flash, the PDFs of the travelers' letters — and hands the plan
to the renderer (rendering/pool.py). One function of (inputs, moment, alert bar, settings), so
the bulletin of `advisory bulletin --week W` is the one `advisory weekly` published for W.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from advisory.calendar import issue_time, parse_week, period_label, period_slug
from advisory.delivery.recipients import Recipient, recipients
from advisory.errors import InputError, Location, Problem, not_one_of
from advisory.inputs import Inputs
from advisory.inputs.overrides import Applied, Entry, changes, of_week, week_problems
from advisory.models import Incident, Override, Rating, Rules
from advisory.places.areas import Shape, region_shapes
from advisory.rating import rate
from advisory.rendering.renderer import ACCESSIBLE, ARCHIVAL
from advisory.reports.ratings import json_bytes
from advisory.timing import stage
from advisory.writing.bar import AlertBar
from advisory.writing.compose import (
    Alert,
    Bulletin,
    BulletinSettings,
    Closing,
    closing_week,
    compose_alert,
    compose_bulletin,
    compose_closing,
    most_serious_first,
    needs_composed_context,
    series_window,
)
from advisory.writing.context import CONTEXT_DAYS, Activity
from advisory.writing.figures import Figure, alert_figure, bulletin_figure
from advisory.writing.pages import AlertsPage, Page, alerts_page, bulletin_page
from advisory.writing.planned import Planned, ahead, in_regions, planned_events

ALERTS_TEMPLATE = "alerts.html.j2"
BULLETIN_TEMPLATE = "bulletin.html.j2"
#: Letter PDFs are named `letters/N` in a plan; they go to delivery, not to a folder.
LETTERS = "letters/"


@dataclass(frozen=True)
class Week:
    """What a run reports on: the ratings as of a moment, the alerts of their week that clear
    the bar, those composed that do not, and the series that ended with the week."""

    ratings: list[Rating]
    alerts: list[Alert]
    closings: list[Closing]
    below_bar: list[Alert] = field(default_factory=list)
    #: Generated regions' alerts that clear the bar beyond the world file's `max_alerts`:
    #: listed in the bulletin, not published in full, still in travelers' letters.
    beyond: list[Alert] = field(default_factory=list)
    #: The analysts' overrides applied to the week's alerts.
    overrides: tuple[Applied, ...] = ()
    #: The events announced for the 30 days after the issue date (`planned: yes`), by date.
    coming: tuple[Planned, ...] = ()
    #: The ratings of the regions held back like `beyond` whose alerts were not written (no
    #: letter of the run reads them): the bulletin lists them as it lists `beyond`.
    held: list[Rating] = field(default_factory=list)


def compose_week(
    inputs: Inputs,
    as_of: dt.datetime,
    bar: AlertBar | None = None,
    below: Collection[str] | None = None,
    *,
    beyond_in_full: bool = True,
) -> Week:
    """Rate every region at `as_of`, compose an alert for each with incidents in the week, keep
    those that clear `bar`, and a closing update for each whose series ended this week.

    `below` names the regions whose alerts are composed even when they do not clear the bar
    (`below_bar`; None: every region's). The regions of the analysts' overrides always are,
    so that an override of an alert below the bar is checked as before. A world log has
    thousands of regions below the bar each week: an alert nobody reads is not written. For
    the same reason, without `beyond_in_full` the alerts held back by the world file's
    `max_alerts` are written only for those regions (`beyond`); the others are `held`."""
    rules = inputs.rules
    with stage("rate"):
        ratings = rate(inputs.incidents, rules, as_of, inputs.placements, inputs.official)
    with stage("compose"):
        quiet = rules.ruleset.series.quiet_weeks
        levels, words = rules.ruleset.level_names(), rules.ruleset.severity.words
        kept = None if below is None else {*below, *(e.override.region for e in inputs.overrides)}

        def cleared(rating: Rating) -> bool:
            return bar is None or bar.admits(rating, levels, words)

        def wanted(rating: Rating) -> bool:
            if rating.severity is None:  # no incident in the week: no alert
                return False
            return kept is None or rating.region_id in kept or cleared(rating)

        windows = {
            r.region_id: found for r in ratings if (found := series_window(r, quiet)) is not None
        }
        writing = {r.region_id for r in ratings if r.region_id in windows and wanted(r)}
        ended = {
            r.region_id: (
                r.history.period_end[week] - dt.timedelta(days=6),
                r.history.period_end[week],
            )
            for r in ratings
            if (week := closing_week(r.history.incidents, quiet)) is not None
        }
        # An alert reads its series, and the two windows before the week's end for the trend.
        trend_days = dt.timedelta(days=2 * rules.ruleset.window_days - 1)
        reads = {
            region: (min(start, end - trend_days), end)
            for region, (start, end) in windows.items()
            if region in writing
        }
        series = incidents_by_region(inputs, reads)
        last_weeks = incidents_by_region(inputs, ended, last_only=True)
        issued = as_of.date()
        composing = [
            r for r in ratings
            if r.region_id in writing
            and needs_composed_context(rules.region(r.region_id), issued)
        ]  # fmt: skip
        activity = activities(inputs, composing)
        exported = inputs.incidents.coverage.exported
        clearing = {r.region_id for r in ratings if r.region_id in writing and cleared(r)}
        held = _held_back([r for r in ratings if r.region_id in clearing], rules)
        alerts: list[Alert] = []
        below_bar: list[Alert] = []
        beyond: list[Alert] = []
        unwritten: list[Rating] = []
        unwritten_ids = set() if beyond_in_full else held - (kept or set())
        closings: list[Closing] = []
        for rating in ratings:
            if rating.region_id in windows:
                if rating.region_id not in writing:
                    continue
                if rating.region_id in unwritten_ids:
                    unwritten.append(rating)
                    continue
                points = {c.incident_id: c.points for c in rating.contributions}
                # The bulletin does not list the incidents of alerts it only names: their
                # Event says nothing of its table.
                alert = compose_alert(rating, rules, series.get(rating.region_id, []), points,
                                      listed=rating.region_id not in held,
                                      activity=activity.get(rating.region_id),
                                      exported=exported)  # fmt: skip
                if alert is None:
                    continue
                if rating.region_id in held:
                    beyond.append(alert)
                else:
                    (alerts if rating.region_id in clearing else below_bar).append(alert)
            elif last_weeks.get(rating.region_id):
                [last] = last_weeks[rating.region_id]
                closings.append(compose_closing(rating, rules, last))
        beyond = most_serious_first(beyond, words)
        coming = ahead(planned_events(inputs), as_of.date())
        alerts, below_bar, beyond = (
            [_with_coming(a, coming) for a in found] for found in (alerts, below_bar, beyond)
        )
    this_week = Week(
        ratings, alerts, closings, below_bar, beyond, coming=tuple(coming), held=unwritten
    )
    return _overridden(this_week, inputs.overrides) if inputs.overrides and ratings else this_week


def _with_coming(alert: Alert, coming: Sequence[Planned]) -> Alert:
    """The alert with the events announced in its region in the days ahead (shown in its own
    section with their advice: the alert's Advice, and its CAP message, stay as they were)."""
    mine = in_regions(coming, [alert.region_id])
    return dataclasses.replace(alert, coming=tuple(mine)) if mine else alert


def _overridden(week: Week, entries: Sequence[Entry]) -> Week:
    """The week with its analysts' overrides applied. Raises `InputError` for an entry of the
    week whose region has no alert in it."""
    first = week.ratings[0]
    label = period_label(first.period_start, first.period_end)
    mine = {e.override.region: e.override for e in of_week(entries, label)}
    if not mine:
        return week
    composed = {a.region_id for a in [*week.alerts, *week.below_bar, *week.beyond]}
    if problems := week_problems(entries, label, composed):
        raise InputError(problems)

    def changed(alerts: list[Alert]) -> list[Alert]:
        kept = []
        for alert in alerts:
            override = mine.get(alert.region_id)
            if override is None:
                kept.append(alert)
            elif not override.suppress:
                kept.append(_changed(alert, override))
        return kept

    applied = tuple(
        Applied(o.region, o.week, o.analyst, o.reason, changes(o))
        for o in sorted(mine.values(), key=lambda o: o.region)
    )
    return dataclasses.replace(
        week, alerts=changed(week.alerts), below_bar=changed(week.below_bar),
        beyond=changed(week.beyond), overrides=applied,
    )  # fmt: skip


def check_overrides(inputs: Inputs, at: dt.time) -> list[Problem]:
    """`validate`: every override's week composed, issued at `at` on the Monday after it, and
    each entry whose region has no alert in its week reported."""
    problems: list[Problem] = []
    for label in sorted({e.override.week for e in inputs.overrides}):
        try:
            compose_week(inputs, issue_time(parse_week(label), at))
        except InputError as e:
            problems += e.problems
    return problems


def _changed(alert: Alert, override: Override) -> Alert:
    event = tuple(override.event) if override.event is not None else alert.event
    return dataclasses.replace(
        alert,
        summary=override.summary if override.summary is not None else alert.summary,
        event=(*event, *override.add_event),
        advice=tuple(dict.fromkeys((*alert.advice, *override.add_advice))),
    )


def _held_back(cleared: Sequence[Rating], rules: Rules) -> set[str]:
    """The generated regions whose alerts clear the bar beyond the world file's `max_alerts`
    (the most serious are issued in full; the region files' alerts are never held back)."""
    if rules.world is None:
        return set()
    words = rules.ruleset.severity.words
    generated = sorted(
        (r for r in cleared if r.region_id in rules.generated and r.severity is not None),
        key=lambda r: (-words.index(r.severity or ""), -r.level_rank, r.region_name),
    )
    return {r.region_id for r in generated[rules.world.max_alerts :]}


def incidents_by_region(
    inputs: Inputs, windows: dict[str, tuple[dt.date, dt.date]], *, last_only: bool = False
) -> dict[str, list[Incident]]:
    """Each region's incidents dated within its (first, last) days, as validated models; with
    `last_only`, the last of them only (by date, then id)."""
    if not windows:
        return {}
    first = min(start for start, _ in windows.values())
    last = max(end for _, end in windows.values())
    bounds = pl.DataFrame(
        {
            "region": list(windows),
            "start": [start for start, _ in windows.values()],
            "end": [end for _, end in windows.values()],
        }
    )
    frame = inputs.incidents.frame.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    chosen = (
        frame.filter(pl.col("date").is_between(first, last))
        .join(inputs.placements, on="pos")
        .join(bounds, on="region")
        .filter(pl.col("date").is_between(pl.col("start"), pl.col("end")))
        .sort("region", "date", "id")
    )
    if last_only:
        chosen = chosen.unique("region", keep="last", maintain_order=True)
    models = inputs.incidents.incidents(chosen)
    found: dict[str, list[Incident]] = defaultdict(list)
    for region, incident in zip(chosen.get_column("region"), models, strict=True):
        found[region].append(incident)
    return dict(found)


def activities(inputs: Inputs, ratings: Sequence[Rating]) -> dict[str, Activity]:
    """Each rated region's incidents of the `CONTEXT_DAYS` to the end of its week, counted for
    its composed Context (writing/context.py), and those of the days before for the trend."""
    if not ratings:
        return {}
    span = dt.timedelta(days=CONTEXT_DAYS)
    ends = [r.period_end for r in ratings]
    starts = [end - span + dt.timedelta(days=1) for end in ends]
    bounds = pl.DataFrame(
        {
            "region": [r.region_id for r in ratings],
            "start": starts,
            "end": ends,
            "before": [start - span for start in starts],
        }
    )
    frame = inputs.incidents.frame.with_row_index("pos").with_columns(pl.col("pos").cast(pl.Int64))
    chosen = (
        frame.filter(pl.col("date").is_between(min(starts) - span, max(ends)))
        .join(inputs.placements, on="pos")
        .join(bounds, on="region")
        .filter(pl.col("date").is_between(pl.col("before"), pl.col("end")))
        .with_columns((pl.col("date") >= pl.col("start")).alias("recent"))
    )
    recent = chosen.filter(pl.col("recent"))

    def counted(what: pl.Expr, *, several: bool = False) -> dict[str, tuple[tuple[str, int], ...]]:
        """Incidents by `what` (by each of its items, where `several`), most first."""
        found: dict[str, list[tuple[str, int]]] = defaultdict(list)
        picked = recent.select("region", "pos", what.alias("what"))
        table = (
            (picked.explode("what") if several else picked)
            .drop_nulls("what")
            .unique(["region", "pos", "what"])
            .group_by("region", "what")
            .len()
            .sort(["region", "len", "what"], descending=[False, True, False])
        )
        for region, name, count in table.iter_rows():
            found[region].append((name, count))
        return {region: tuple(items) for region, items in found.items()}

    categories = counted(pl.col("category"))
    places = counted(pl.coalesce("location", "admin2", "admin1", "country"))
    # Who acted: the perpetrator, and the other side of a fight (an attack's target is not).
    fights = [name for name, c in inputs.rules.ruleset.categories.items() if c.between]
    sides = pl.when(pl.col("category").is_in(fights)).then(pl.col("target"))
    actors = counted(pl.concat_list("perpetrator", sides), several=True)
    exact = pl.col("fatalities_certainty").is_null() | (pl.col("fatalities_certainty") == "exact")
    deadliest_rows = (
        recent.filter(exact & (pl.col("fatalities") > 0))
        .sort(["fatalities", "date", "id"], descending=[True, True, False])
        .group_by("region", maintain_order=True)
        .first()
    )
    models = inputs.incidents.incidents(deadliest_rows)
    deadliest = dict(zip(deadliest_rows.get_column("region"), models, strict=True))
    totals = {
        region: (now, earlier)
        for region, now, earlier in chosen.group_by("region")
        .agg(pl.col("recent").sum(), (~pl.col("recent")).sum().alias("earlier"))
        .iter_rows()
    }
    found = {}
    for rating, start in zip(ratings, starts, strict=True):
        now, earlier = totals.get(rating.region_id, (0, 0))
        begins = rating.data_begins
        found[rating.region_id] = Activity(
            incidents=now,
            categories=categories.get(rating.region_id, ()),
            actors=actors.get(rating.region_id, ()),
            places=places.get(rating.region_id, ()),
            deadliest=deadliest.get(rating.region_id),
            before=None if begins is not None and begins > start - span else earlier,
            since=begins if begins is not None and begins > start else None,
        )
    return found


# --- documents --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One document to render: `name` is its path in the sink, without the suffix."""

    name: str
    template: str
    page: Page
    formats: tuple[str, ...] = ("html", "pdf")
    variant: str = ACCESSIBLE
    attachments: tuple[tuple[str, bytes], ...] = ()
    moment: dt.datetime | None = None  # the attachments' dates
    #: The page of the HTML file where it differs from the PDF's: a published week's HTML
    #: links to the archive's region pages, its PDF (the one `advisory bulletin` gives) not.
    screen_page: Page | None = None


@dataclass(frozen=True)
class Letters:
    """Which travelers get a letter, and from which week's alerts."""

    lookahead_days: int
    bar: AlertBar  # the places a letter holds (delivery.min_level / min_severity)
    whole_bulletin: bool = True  # roster entries with `receives: bulletin` get the bulletin


@dataclass(frozen=True)
class Want:
    """Which documents a command wants, and how they are named.

    `alerts` is "all" (every alert that clears the bar) or the regions named, which are written
    even below the bar. `alert_name` and `bulletin_name` are formats with `{region}`, `{date}`
    (the issue date) and `{period}`. `combined` names one document holding the chosen alerts.
    """

    alerts: Literal["all"] | tuple[str, ...] = ()
    alert_name: str = "{region}-{date}"
    combined: str | None = None
    bulletin_name: str | None = None
    archival: bool = False
    letters: Letters | None = None
    formats: tuple[str, ...] = ("html", "pdf")
    #: The documents are a published week's: their HTML links each alert to its region's
    #: page of the archive (OUTPUT/regions/), from `alerts/REGION.html` and `bulletin.html`.
    archive: bool = False


@dataclass(frozen=True)
class Plan:
    week: Week
    documents: tuple[Document, ...]
    recipients: tuple[Recipient, ...] = ()
    left_out: tuple[tuple[str, str], ...] = ()
    #: A recipient's places -> the name of the document that is their letter's PDF.
    letter_pdfs: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: Where each region lies (the maps' and the CAP messages' areas).
    shapes: Mapping[str, Shape] = field(default_factory=dict)


def plan(
    inputs: Inputs, as_of: dt.datetime, bar: AlertBar, settings: BulletinSettings, want: Want
) -> Plan:
    """Compose the week at `as_of` and name the documents `want` asks for."""
    # Alerts below the bar are written only for the regions a command names.
    week = compose_week(
        inputs, as_of, bar, () if want.alerts == "all" else want.alerts,
        beyond_in_full=want.letters is not None,
    )  # fmt: skip
    notes: list[str] = []
    chosen = _chosen_alerts(week, want.alerts, bar, notes)
    # Where regions lie: for the maps, and the published week's CAP areas.
    shapes: Mapping[str, Shape] = {}
    if settings.maps or want.archive:
        with stage("region shapes"):
            shapes = region_shapes(inputs)
    drawn: dict[str, Figure | None] = {}

    def maps_of(alerts: Sequence[Alert]) -> dict[str, Figure]:
        """The locator maps of these alerts, each drawn once, when the documents carry maps."""
        if not settings.maps:
            return {}
        if missing := [a for a in alerts if a.region_id not in drawn]:
            with stage("maps"):
                for alert in missing:
                    drawn[alert.region_id] = alert_figure(alert, inputs.rules, shapes)
        return {a.region_id: found for a in alerts if (found := drawn[a.region_id]) is not None}

    documents: list[Document] = []
    reasons = dict(inputs.rules.ruleset.reasons)
    if want.combined is not None and chosen:
        page = alerts_page(
            chosen, settings.organisation, settings.classification, as_of, maps_of(chosen),
            reasons,
        )  # fmt: skip
        documents.append(Document(want.combined, ALERTS_TEMPLATE, page, want.formats))
    elif want.combined is None:
        for alert in chosen:
            page = alerts_page(
                [alert], settings.organisation, settings.classification, as_of, maps_of([alert]),
                reasons,
            )  # fmt: skip
            screen = dataclasses.replace(page, region_base="../../regions/")
            name = want.alert_name.format(region=alert.region_id, date=as_of.date())
            documents.append(Document(name, ALERTS_TEMPLATE, page, want.formats,
                                      screen_page=screen if want.archive else None))  # fmt: skip
    bulletin = None
    if want.bulletin_name is not None:
        rules = inputs.rules
        bulletin = compose_bulletin(
            week.ratings, week.alerts, rules, settings, week.closings,
            [*week.beyond, *week.held], week.coming,
        )  # fmt: skip
        week_map = None
        if settings.maps:
            with stage("maps"):
                week_map = _week_map(inputs, week, bulletin, shapes)
        documents.insert(
            0, _bulletin_document(inputs, week, bulletin, want, week_map, maps_of(week.alerts))
        )
    if want.letters is None:
        return Plan(week, tuple(documents), notes=tuple(notes), shapes=shapes)
    assert inputs.roster is not None, "letters need the roster"
    letters = want.letters
    found, left_out = recipients(
        inputs.roster,
        inputs.rules,
        chosen if want.combined is not None else [*week.alerts, *week.beyond],
        as_of.date(),
        letters.lookahead_days,
        letters.bar,
        whole_bulletin=letters.whole_bulletin and bulletin is not None,
    )
    # A letter whose alerts are those of a document already planned shares its PDF.
    pdfs: dict[tuple[str, ...], str] = {
        tuple(a.region_id for a in d.page.alerts): d.name
        for d in documents
        if isinstance(d.page, AlertsPage) and "pdf" in d.formats
    }
    letter_count = 0
    for recipient in found:
        if recipient.places in pdfs:
            continue
        if recipient.whole_bulletin:
            pdfs[recipient.places] = documents[0].name
            continue
        letter_count += 1
        pdfs[recipient.places] = f"{LETTERS}{letter_count}"
        page = alerts_page(
            recipient.alerts, settings.organisation, settings.classification, as_of,
            maps_of(recipient.alerts), dict(inputs.rules.ruleset.reasons),
        )  # fmt: skip
        documents.append(Document(pdfs[recipient.places], ALERTS_TEMPLATE, page, ("pdf",)))
    wanted = {recipient.places: pdfs[recipient.places] for recipient in found}
    return Plan(week, tuple(documents), tuple(found), tuple(left_out), wanted, tuple(notes), shapes)


def _chosen_alerts(
    week: Week, wanted: Literal["all"] | tuple[str, ...], bar: AlertBar, notes: list[str]
) -> list[Alert]:
    """Every alert that clears the bar, or the regions named: those are written even below
    the bar, with a note; a named region without incidents in the week gets a note only."""
    if wanted == "all":
        return list(week.alerts)
    known = [r.region_id for r in week.ratings]
    unknown = [Problem(Location("REGION"), "", not_one_of(r, known, "a region"))
               for r in wanted if r not in known]  # fmt: skip
    if unknown:
        raise InputError(unknown)
    cleared = {a.region_id: a for a in week.alerts}
    below = {a.region_id: a for a in week.below_bar}
    chosen = []
    for region_id in wanted:
        if region_id in cleared:
            chosen.append(cleared[region_id])
        elif region_id in below:
            chosen.append(below[region_id])
            notes.append(f"{region_id}: below the alert bar ({bar}); written because it was named")
        else:
            rating = next(r for r in week.ratings if r.region_id == region_id)
            notes.append(
                f"{region_id}: no alert, no incident in the week "
                f"{rating.period_start} to {rating.period_end}"
            )
    return chosen


def _week_map(
    inputs: Inputs, week: Week, bulletin: Bulletin, shapes: Mapping[str, Shape]
) -> Figure | None:
    """The bulletin's map: every region's incidents of the reporting week."""
    if not week.ratings:
        return None
    windows = {r.region_id: (r.period_start, r.period_end) for r in week.ratings}
    incidents = [i for found in incidents_by_region(inputs, windows).values() for i in found]
    return bulletin_figure(
        week.ratings, bulletin.summary, inputs.rules, shapes, incidents, bulletin.week,
        [t.incident_id for t in bulletin.top],
    )  # fmt: skip


def _bulletin_document(
    inputs: Inputs,
    week: Week,
    bulletin: Bulletin,
    want: Want,
    week_map: Figure | None = None,
    maps: Mapping[str, Figure] | None = None,
) -> Document:
    assert want.bulletin_name is not None
    name = want.bulletin_name.format(period=period_slug(bulletin.period_start, bulletin.period_end))
    page = bulletin_page(
        bulletin, inputs.rules.ruleset.window_days, week_map, maps,
        dict(inputs.rules.ruleset.reasons),
    )  # fmt: skip
    screen = dataclasses.replace(page, region_base="../regions/") if want.archive else None
    if not want.archival:
        return Document(name, BULLETIN_TEMPLATE, page, want.formats, screen_page=screen)
    ratings = json_bytes(week.ratings, inputs.rules)
    return Document(
        name, BULLETIN_TEMPLATE, page, want.formats, ARCHIVAL, (("ratings.json", ratings),),
        bulletin.issued, screen,
    )  # fmt: skip
