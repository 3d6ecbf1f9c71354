"""`advisory brief` and `advisory briefs`: the pre-trip briefs of the roster's journeys, built
from the inputs rated at the run's moment and the weeks published under the output folder, and
written to a folder, the outbox (`--dry-run`) or SMTP through the ledger, exactly once.

A brief's ledger row has kind `brief`, week `briefs`, its journey's key and the signature
`KIND: PLACES AND DATES` (ledger.py); its message is stored under STATE/messages/briefs/ before
it is sent, as the weekly letters' are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from advisory.config import Config
from advisory.delivery.briefs import (
    BriefPage,
    BriefSettings,
    Kind,
    brief_subject,
    compose_brief,
    content_hash,
    due,
    journey_places,
    top_level,
)
from advisory.delivery.journeys import Journey, journeys
from advisory.delivery.ledger import Row, opened
from advisory.delivery.letters import LOGO_ID, Contact, Sender, traveler_email
from advisory.delivery.recipients import destinations
from advisory.delivery.send import LEDGER, MESSAGES, OUTBOX, Report, _forget, _send_rows
from advisory.inputs import Inputs, load_configured
from advisory.models import Rating, Traveler
from advisory.places.areas import Shape
from advisory.publishing.archive import WeekEntry, read_weeks
from advisory.publishing.atomic import write_bytes_atomic
from advisory.rendering.renderer import Renderer
from advisory.timing import stage
from advisory.writing.bar import alert_bars
from advisory.writing.planned import planned_events

log = logging.getLogger("advisory")

#: The ledger's week of every brief; their stored messages are under MESSAGES/BRIEFS/.
BRIEFS = "briefs"
TEMPLATE = "brief.html.j2"


@dataclass(frozen=True)
class Brief:
    """One brief, rendered: the page, its HTML and PDF, and the email bodies."""

    traveler: Traveler
    journey: Journey
    kind: Kind
    page: BriefPage
    html: str
    pdf: bytes
    text: str
    email_html: str

    @property
    def content_hash(self) -> str:
        return content_hash(self.journey, self.kind)


@dataclass
class Briefed:
    """What a briefs run did: the briefs built, and the delivery report."""

    briefs: list[Brief] = field(default_factory=list)
    report: Report | None = None
    paths: list[Path] = field(default_factory=list)


def brief_settings(config: Config, contact: Contact) -> BriefSettings:
    s = config.settings
    d = s.delivery
    return BriefSettings(
        organisation=s.organisation, classification=s.classification, public_url=s.public_url,
        contact=contact, horizon_days=d.brief_horizon_days, days_before=d.brief_days_before,
        min_level=d.brief_min_level,
    )  # fmt: skip


class Briefer:
    """What every brief of a run reads once: the inputs rated at its moment, the published
    weeks, the regions' shapes for the maps."""

    def __init__(self, config: Config, as_of: dt.datetime, renderer: Renderer) -> None:
        from advisory.rating import rate
        from advisory.runs import _contact

        self.config = config
        self.as_of = as_of
        self.renderer = renderer
        self.inputs: Inputs = load_configured(config, roster=True)
        alert_bars(config, self.inputs.rules)  # the levels the settings name, checked
        self.settings = brief_settings(config, _contact(config))
        with stage("rate"):
            rated = rate(self.inputs.incidents, self.inputs.rules, as_of,
                         self.inputs.placements, self.inputs.official)  # fmt: skip
        self.ratings: Mapping[str, Rating] = {r.region_id: r for r in rated}
        self.known = destinations(self.inputs.rules)
        self.weeks: Sequence[WeekEntry] = read_weeks(config.output)[0]
        self.planned = planned_events(self.inputs)
        self._shapes: Mapping[str, Shape] | None = None

    @property
    def travelers(self) -> list[Traveler]:
        roster = self.inputs.roster
        return [t for t in roster.travelers if t.receives == "trips"] if roster else []

    def qualifies(self, journey: Journey) -> bool:
        """Whether a place of the journey is at or above `delivery.brief_min_level`."""
        wanted = self.settings.min_level
        if wanted is None:
            return True
        top = top_level(journey, self.known, self.ratings)
        names = self.inputs.rules.ruleset.level_names()
        return top is not None and names.index(top.level) >= names.index(wanted)

    def brief(self, traveler: Traveler, journey: Journey, kind: Kind) -> Brief:
        rules = self.inputs.rules
        figure = None
        if self.config.settings.maps:
            from advisory.places.areas import region_shapes
            from advisory.writing.compose import level_color
            from advisory.writing.figures import journey_figure

            if self._shapes is None:
                self._shapes = region_shapes(self.inputs)
            places = [
                (r, rules.region(r).name, level_color(rules.ruleset, level), level)
                for r, _ in journey_places(journey, self.known)
                if r in self.ratings and (level := self.ratings[r].level)
            ]
            figure = journey_figure(places, rules, self._shapes) if places else None
        page = compose_brief(journey, traveler, kind, rules, self.known, self.ratings, self.weeks,
                             self.as_of, self.settings, figure, self.planned)  # fmt: skip
        context = {"doc": page, "logo": LOGO_ID if self.settings.contact.logo else None}
        html = self.renderer.html(TEMPLATE, context)
        return Brief(
            traveler, journey, kind, page, html, self.renderer.pdf(html),
            self.renderer.text("email_brief.txt.j2", context),
            self.renderer.html("email_brief.html.j2", context),
        )  # fmt: skip


def message(config: Config, brief: Brief, sent: dt.datetime | None = None) -> EmailMessage:
    """The brief as email: text and HTML bodies, the PDF attached; `Date:` the run's moment
    (`sent` when it is sent), the Message-ID from its ledger key."""
    s = config.settings
    sender = Sender(BRIEFS, brief.page.issued, s.organisation, s.classification, s.smtp.sender,
                    contact=brief.page.contact)  # fmt: skip
    traveler = brief.traveler
    digest = hashlib.sha256(brief.html.encode() + brief.text.encode()).hexdigest()
    return traveler_email(
        sender,
        traveler,
        brief_subject(brief.page, kind=brief.kind),
        f"brief.{traveler.id}.{brief.content_hash[:20]}",
        (brief.text, brief.email_html),
        (brief.pdf, f"brief-{brief.journey.start}.pdf"),
        digest[:24],
        sent,
    )


def due_briefs(
    briefer: Briefer, recorded: Callable[[str, str], Sequence[Row]]
) -> list[tuple[Traveler, Journey, Kind]]:
    """Every journey's brief due at the run's moment (`briefs.due`), by traveler and date."""
    today = briefer.config.local(briefer.as_of).date()
    found = []
    for traveler in briefer.travelers:
        for journey in journeys(traveler):
            kind = due(journey, today, briefer.qualifies(journey),
                       recorded(traveler.id, journey.key), briefer.settings)  # fmt: skip
            if kind is not None:
                found.append((traveler, journey, kind))
    return found


def run_briefs(
    config: Config,
    as_of: dt.datetime,
    mode: str | None,
    now: Callable[[], dt.datetime],
) -> Briefed:
    """Build the briefs due at `as_of`; with `send`, record them owed and send them through
    the ledger; with `dry-run`, write them to OUTBOX/briefs/ (the ledger read, not written)."""
    done = Briefed()
    renderer = Renderer(config.templates)
    briefer = Briefer(config, as_of, renderer)
    path = config.state / LEDGER
    if path.exists() or mode == "send":
        with opened(path) as ledger:
            wanted = due_briefs(briefer, ledger.briefs)
    else:
        wanted = due_briefs(briefer, lambda _t, _j: [])
    with stage(f"render {len(wanted)} briefs"):
        done.briefs = [briefer.brief(t, j, k) for t, j, k in wanted]
    if mode == "dry-run":
        folder = config.output / OUTBOX / BRIEFS
        for brief in done.briefs:
            name = f"{brief.traveler.id}.{brief.content_hash[:12]}.eml"
            write_bytes_atomic(folder / name, message(config, brief).as_bytes(), mode=0o600)
            done.paths.append(folder / name)
        for parent in (config.output / OUTBOX, folder):
            if parent.is_dir():
                parent.chmod(0o700)
        return done
    if mode == "send":
        done.report = _owe_and_send(config, done.briefs, as_of, now)
    return done


def _owe_and_send(
    config: Config, briefs: Sequence[Brief], as_of: dt.datetime, now: Callable[[], dt.datetime]
) -> Report:
    state = config.state
    report = Report()
    with opened(state / LEDGER) as ledger:
        for folder in (state / MESSAGES, state / MESSAGES / BRIEFS):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder.chmod(0o700)
        for brief in briefs:
            traveler, key = brief.traveler.id, brief.journey.key
            signature = f"{brief.kind}: {brief.journey.signature}"
            # An owed brief of the journey for other places or dates is no longer wanted.
            for row in ledger.briefs(traveler, key):
                if row.owed() and row.content_hash != brief.content_hash:
                    ledger.mark(row.week, traveler, row.content_hash, "superseded", now(),
                                "replaced by a brief of the journey as it now stands")  # fmt: skip
                    _forget(state, row)
            name = f"{MESSAGES}/{BRIEFS}/{traveler}.{brief.content_hash[:16]}.eml"
            write_bytes_atomic(state / name, message(config, brief).as_bytes(), mode=0o600)
            ledger.owe(BRIEFS, traveler, brief.content_hash, name, as_of, now(), kind="brief",
                       journey=key, signature=signature)  # fmt: skip
        owed = [row for row in ledger.owed() if row.kind == "brief"]
        _send_rows(config, ledger, owed, report, now, sender=None)
    return report
