"""Pre-trip briefs: one document per journey, sent when the journey is booked and again before
departure, exactly once each (docs/delivery.md).

A brief names the traveler's places and dates; gives each place's level, the governments'
advice where it was imported and the reason in a phrase; lists the alerts of the past 30 days
for those places from the published weeks under the output folder; gives the places' Context
and their Advice merged; draws the places on a map; and ends with the desk's contact block.

Which brief a journey is due (`due`): a journey that first appears and starts within
`delivery.brief_horizon_days` gets a booking brief; `delivery.brief_days_before` days before it
starts, a journey with a place at or above `delivery.brief_min_level` gets the brief before
departure (one brief, that one, when both are due on one run); a journey whose places or dates
changed after a brief was sent gets an update. A journey that has ended gets none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from advisory.calendar import iso_timestamp, stamp
from advisory.delivery.journeys import Journey
from advisory.delivery.letters import Contact
from advisory.delivery.recipients import Destinations, dates, region_label
from advisory.models import Official, Rating, Rules, Traveler
from advisory.publishing.archive import WeekEntry
from advisory.writing.compose import level_color, level_reason, needs_composed_context, place_advice
from advisory.writing.figures import Figure
from advisory.writing.planned import Planned

Kind = Literal["booking", "ten-day", "update"]
#: The alerts a brief lists: those of the weeks issued this many days before it.
ALERT_DAYS = 30


@dataclass(frozen=True)
class Place:
    """A place of the journey, as the brief gives it."""

    region_id: str
    name: str  # "VRAEM region, Peru"
    level: str
    level_color: str
    level_rank: int
    level_count: int
    why: str  # "three incidents in the past 30 days, four people killed; mainly terrorism"
    when: str  # "20 June – 6 July": the traveler's days there
    official: tuple[Official, ...]
    context: tuple[str, ...]
    has_data: bool = True


@dataclass(frozen=True)
class PastAlert:
    week: str
    headline: str
    summary: str
    level: str
    level_color: str
    severity: str
    link: str | None  # the full alert, where `public_url` is set


@dataclass(frozen=True)
class BriefPage:
    """Context of `brief.html.j2`."""

    title: str  # "Before you travel: VRAEM region and Lima, Peru"
    organisation: str
    classification: str
    issued: dt.datetime
    traveler: str  # the traveler's name
    kind: Kind
    dates: str  # "20 June – 9 July 2018"
    trips: tuple[str, ...]  # "VRAEM region, Peru, 20 June – 6 July"
    places: tuple[Place, ...]
    alerts: tuple[PastAlert, ...]
    advice: tuple[str, ...]
    contact: Contact
    map: Figure | None = None
    #: Events announced at its places for its days (`planned: yes`), by date.
    coming: tuple[Planned, ...] = ()
    lang: str = "en"
    reason_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def issued_iso(self) -> str:
        return iso_timestamp(self.issued)

    @property
    def stamp(self) -> str:
        return stamp(self.issued)

    @property
    def top(self) -> Place | None:
        return self.places[0] if self.places else None


def journey_places(journey: Journey, known: Destinations) -> list[tuple[str, str]]:
    """The regions of a journey's trips, each once, with the traveler's days there (`20 June –
    6 July`), in the order of the trips."""
    found: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for trip in journey.trips:
        for region_id in known.regions(trip.destination):
            found.setdefault(region_id, []).append((trip.start, trip.end))
    return [
        (region_id, dates(min(s for s, _ in spans), max(e for _, e in spans)))
        for region_id, spans in found.items()
    ]


def there(planned: Sequence[Planned], journey: Journey, known: Destinations) -> list[Planned]:
    """The events announced at a place of the journey for a day the traveler is there."""
    return [
        event
        for event in planned
        if any(
            trip.start <= event.date <= trip.end
            and set(event.regions) & set(known.regions(trip.destination))
            for trip in journey.trips
        )
    ]


def top_level(
    journey: Journey, known: Destinations, ratings: Mapping[str, Rating]
) -> Rating | None:
    """The journey's place of the highest level (the first of them), or None without any."""
    rated = [ratings[r] for r, _ in journey_places(journey, known) if r in ratings]
    return max(rated, key=lambda r: r.level_rank, default=None)


def compose_brief(
    journey: Journey,
    traveler: Traveler,
    kind: Kind,
    rules: Rules,
    known: Destinations,
    ratings: Mapping[str, Rating],
    weeks: Sequence[WeekEntry],
    issued: dt.datetime,
    settings: BriefSettings,
    figure: Figure | None = None,
    planned: Sequence[Planned] = (),
) -> BriefPage:
    ruleset = rules.ruleset
    places: list[Place] = []
    advice: list[str] = []
    for region_id, when in journey_places(journey, known):
        rating = ratings.get(region_id)
        if rating is None:
            continue
        region = rules.region(region_id)
        context: tuple[str, ...] = ()
        if region.context is not None and not needs_composed_context(region, issued.date()):
            context = (region.context.text,)
        places.append(
            Place(
                region_id=region_id,
                name=region_label(rules, region_id),
                level=rating.level,
                level_color=level_color(ruleset, rating.level),
                level_rank=rating.level_rank,
                level_count=rating.level_count,
                why=level_reason(rating, ruleset),
                when=when,
                official=rating.official,
                context=context,
                has_data=rating.has_data,
            )
        )
        for piece in place_advice(rating, ruleset, region):
            if piece not in advice:
                advice.append(piece)
    coming = there(planned, journey, known)
    for event in coming:
        advice += [piece for piece in event.advice if piece not in advice]
    ordered = sorted(places, key=lambda p: -p.level_rank)  # stable: the trips' order within
    trips = tuple(f"{known.names(t.destination)}, {dates(t.start, t.end)}" for t in journey.trips)
    destinations = list(dict.fromkeys(known.names(t.destination) for t in journey.trips))
    return BriefPage(
        title=f"Before you travel: {_named(destinations)}",
        organisation=settings.organisation,
        classification=settings.classification,
        issued=issued,
        traveler=traveler.name,
        kind=kind,
        dates=f"{dates(journey.start, journey.end)} {journey.end.year}",
        trips=trips,
        places=tuple(ordered),
        alerts=tuple(past_alerts(weeks, [p.region_id for p in ordered], issued, settings)),
        advice=tuple(advice),
        contact=settings.contact,
        map=figure,
        coming=tuple(coming),
        reason_names=dict(ruleset.reasons),
    )


def _named(destinations: Sequence[str]) -> str:
    """The journey's destinations as the roster names them: `Lima, Peru`; `VRAEM region and
    Lima, Peru`; `Peru`; `Bogotá, Colombia, and 2 more places`."""
    if not destinations:
        return "your journey"
    if len(destinations) == 1:
        return destinations[0]
    countries = {d.rpartition(", ")[2] for d in destinations}
    if len(destinations) == 2 and len(countries) == 1 and all(", " in d for d in destinations):
        first, second = (d.rpartition(", ")[0] for d in destinations)
        return f"{first} and {second}, {countries.pop()}"
    more = len(destinations) - 1
    return f"{destinations[0]}, and {more} more place{'s' if more != 1 else ''}"


def past_alerts(
    weeks: Sequence[WeekEntry],
    region_ids: Sequence[str],
    issued: dt.datetime,
    settings: BriefSettings,
) -> list[PastAlert]:
    """The alerts of the weeks issued in the `ALERT_DAYS` before `issued` for the regions,
    newest first."""
    wanted = set(region_ids)
    since = issued - dt.timedelta(days=ALERT_DAYS)
    found = []
    for week in weeks:  # newest first
        when = dt.datetime.fromisoformat(week.issued)
        if not since <= when <= issued:
            continue
        for a in week.alerts:
            region = str(a.get("region", ""))
            if region not in wanted:
                continue
            link = (
                f"{settings.public_url}/{week.folder}/alerts/{region}.html"
                if settings.public_url
                else None
            )
            found.append(
                PastAlert(
                    week=week.label,
                    headline=str(a.get("headline", "")),
                    summary=str(a.get("summary", "")),
                    level=str(a.get("level", "")),
                    level_color=week.color(str(a.get("level", ""))),
                    severity=str(a.get("severity", "")),
                    link=link,
                )
            )
    return found


@dataclass(frozen=True)
class BriefSettings:
    organisation: str = "Travel Security"
    classification: str = "For internal use"
    public_url: str | None = None
    contact: Contact = field(default_factory=Contact)
    horizon_days: int = 60
    days_before: int = 10
    min_level: str | None = "Low"


def due(
    journey: Journey,
    today: dt.date,
    qualifies: bool,
    recorded: Sequence[Any],
    settings: BriefSettings,
) -> Kind | None:
    """The brief `journey` is due today, or None. `recorded`: its ledger rows (`kind`,
    `signature`, `status`, `issued_at`); `qualifies`: a place of it is at or above the level
    the brief before departure asks."""
    if journey.end < today:
        return None
    live = [r for r in recorded if r.status not in ("superseded", "skipped")]
    signature = journey.signature
    before = today >= journey.start - dt.timedelta(days=settings.days_before)
    if not live:
        if journey.start - today > dt.timedelta(days=settings.horizon_days):
            return None
        return "ten-day" if before and qualifies else "booking"
    sent = [r for r in live if r.status == "sent"]
    if sent and not any(_signature_of(r) == signature for r in live):
        return "update"
    if not sent and not any(_signature_of(r) == signature for r in live):
        # Owed but never sent, for other dates: this one replaces it, as what it was.
        return "ten-day" if before and qualifies else "booking"
    window = journey.start - dt.timedelta(days=settings.days_before)
    # Briefed before departure: by the brief of that name, or by an update sent within its days.
    briefed_before = any(
        _signature_of(r) == signature
        and (
            str(r.signature).startswith("ten-day: ")
            or (
                str(r.signature).startswith("update: ")
                and bool(r.issued_at)
                and dt.datetime.fromisoformat(r.issued_at).date() >= window
            )
        )
        for r in live
    )
    if before and qualifies and not briefed_before:
        return "ten-day"
    return None


def _signature_of(row: Any) -> str:
    """The journey signature a ledger row records (`ten-day: SIGNATURE`)."""
    return str(row.signature).split(": ", 1)[-1]


def content_hash(journey: Journey, kind: Kind) -> str:
    """A brief's ledger key: its journey, kind and the journey's places and dates, never its
    content (an alert that changes in it does not send it again)."""
    return hashlib.sha256(f"{journey.key}\0{kind}\0{journey.signature}".encode()).hexdigest()


def brief_subject(page: BriefPage, *, kind: Kind) -> str:
    """`Before you travel: Lima, Peru — Moderate — 12–15 July`; `Updated: ...` for an update."""
    from advisory.delivery.letters import MAX_SUBJECT, shortened
    from advisory.plaintext import shown

    prefix = "Updated: " if kind == "update" else ""
    top = page.top
    level = f" — {top.level}" if top else ""
    tail = f"{level} — {page.dates.rsplit(' ', 1)[0]}"
    head = f"{prefix}Before you travel: "
    room = MAX_SUBJECT - len(head) - len(tail)
    return f"{head}{shortened(shown(page.title.removeprefix('Before you travel: ')), room)}{tail}"
