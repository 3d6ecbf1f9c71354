"""Email to travelers: the week's alerts for the places their trips touch, sent exactly once.

Each traveler with a trip under way, or starting within the look-ahead, gets one message a week:
a short text and HTML body listing their places, and one PDF holding only those places' alerts.
One PDF is rendered per distinct set of places, not per traveler. The ledger (ledger.py) keeps
a re-run from sending anything twice; a changed message is sent again as a correction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any, Literal

from advisory.delivery.ledger import Ledger
from advisory.delivery.mailer import Mailer, Outcome
from advisory.faults import checkpoint
from advisory.models import Roster, Rules, Traveler, Trip
from advisory.publishing.atomic import write_bytes_atomic
from advisory.rendering.renderer import Renderer, alerts_page
from advisory.timing import stage
from advisory.writing.compose import Alert, most_serious_first, stamp
from advisory.writing.plan import AlertBar

log = logging.getLogger("advisory")


@dataclass(frozen=True)
class Recipient:
    traveler: Traveler
    trips: tuple[Trip, ...]
    alerts: tuple[Alert, ...]

    @property
    def whole_bulletin(self) -> bool:
        return self.traveler.receives == "bulletin"

    @property
    def places(self) -> tuple[str, ...]:
        if self.whole_bulletin:
            return ("*bulletin*",)
        return tuple(a.region_id for a in self.alerts)


def recipients(
    roster: Roster,
    rules: Rules,
    alerts: Sequence[Alert],
    issued: dt.date,
    lookahead_days: int,
    bar: AlertBar | None = None,
) -> tuple[list[Recipient], list[tuple[str, str]]]:
    """Travelers to write to, and (traveler id, reason) for those left out."""
    levels, words = rules.ruleset.level_names(), rules.ruleset.severity.words
    by_region = {a.region_id: a for a in alerts if bar is None or bar.admits(a, levels, words)}
    order = {a.region_id: n for n, a in enumerate(most_serious_first(alerts, words))}
    horizon = issued + dt.timedelta(days=lookahead_days)
    chosen: list[Recipient] = []
    left_out: list[tuple[str, str]] = []
    for traveler in roster.travelers:
        if traveler.receives == "bulletin":
            chosen.append(Recipient(traveler, (), tuple(most_serious_first(alerts, words))))
            continue
        trips = tuple(t for t in traveler.trips if t.start <= horizon and t.end >= issued)
        if not trips:
            left_out.append(
                (traveler.id, f"no trip under way or starting within {lookahead_days} days")
            )
            continue
        places: set[str] = set()
        for trip in trips:
            if trip.destination in rules.countries:
                places.add(trip.destination)
            else:
                places.update(
                    rid for rid, country in rules.countries.items() if country == trip.destination
                )
        found = sorted(
            (by_region[p] for p in places if p in by_region), key=lambda a: order[a.region_id]
        )
        if not found:
            left_out.append((traveler.id, "no alert for their places this week"))
            continue
        chosen.append(Recipient(traveler, trips, tuple(found)))
    return chosen, left_out


def subject(recipient: Recipient, week: str, *, correction: bool = False) -> str:
    """`[Travel security] Peru — VRAEM region: High, Warning — week 2026-W47`."""
    prefix = "Updated: " if correction else ""
    if recipient.whole_bulletin:
        count = len(recipient.alerts)
        alerts = f"{count} alert{'s' if count != 1 else ''}"
        return f"{prefix}[Travel security] Weekly bulletin, {alerts} — week {week}"
    shown = recipient.alerts[:2]
    places = "; ".join(f"{a.country} — {a.region_name}: {a.level}, {a.severity}" for a in shown)
    more = len(recipient.alerts) - len(shown)
    if more:
        places += f" and {more} more"
    return f"{prefix}[Travel security] {places} — week {week}"


@dataclass(frozen=True)
class Letter:
    """A traveler's message before it is addressed, and the hash of what it says."""

    recipient: Recipient
    text: str
    html: str
    pdf: bytes
    content_hash: str


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    renders: int = 0


@dataclass(frozen=True)
class Delivery:
    """What a delivery needs besides the week's alerts."""

    week: str
    issued: dt.datetime
    organisation: str
    classification: str
    sender: str
    lookahead_days: int
    bar: AlertBar
    renderer: Renderer
    bulletin_pdf: bytes = b""  # for recipients of the whole bulletin


def letters(delivery: Delivery, chosen: Sequence[Recipient]) -> tuple[list[Letter], int]:
    """Each recipient's letter, rendering one PDF per distinct set of places."""
    pdfs: dict[tuple[str, ...], bytes] = {}
    out = []
    for recipient in chosen:
        if recipient.whole_bulletin:
            pdfs.setdefault(recipient.places, delivery.bulletin_pdf)
        if recipient.places not in pdfs:
            page = alerts_page(
                recipient.alerts, delivery.organisation, delivery.classification, delivery.issued
            )
            pdfs[recipient.places] = delivery.renderer.pdf(
                delivery.renderer.html("alerts.html.j2", page)
            )
        context = _context(delivery, recipient)
        text = delivery.renderer.text("email.txt.j2", context)
        html = delivery.renderer.html_of("email.html.j2", context)
        pdf = pdfs[recipient.places]
        digest = hashlib.sha256()
        for part in (subject(recipient, delivery.week), text, html):
            digest.update(part.encode() + b"\0")
        digest.update(pdf)
        out.append(Letter(recipient, text, html, pdf, digest.hexdigest()))
    return out, len(pdfs)


def _context(delivery: Delivery, recipient: Recipient) -> dict[str, Any]:
    return {
        "traveler": recipient.traveler,
        "trips": recipient.trips,
        "alerts": recipient.alerts,
        "week": delivery.week,
        "stamp": stamp(delivery.issued),
        "organisation": delivery.organisation,
        "classification": delivery.classification,
        "whole_bulletin": recipient.whole_bulletin,
    }


def message(delivery: Delivery, letter: Letter, *, correction: bool) -> EmailMessage:
    """The email: text and HTML bodies and the PDF, with boundaries and ids from the content so
    that the same letter gives the same bytes."""
    traveler = letter.recipient.traveler
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((delivery.organisation, delivery.sender))
    msg["To"] = formataddr((traveler.name, traveler.email))
    msg["Subject"] = subject(letter.recipient, delivery.week, correction=correction)
    msg["Date"] = format_datetime(delivery.issued.astimezone(dt.UTC))
    domain = delivery.sender.rpartition("@")[2] or "advisory"
    msg["Message-ID"] = f"<{delivery.week}.{traveler.id}.{letter.content_hash[:20]}@{domain}>"
    msg.set_content(letter.text)
    msg.add_alternative(letter.html, subtype="html")
    msg.add_attachment(
        letter.pdf,
        maintype="application",
        subtype="pdf",
        filename=f"{'bulletin' if letter.recipient.whole_bulletin else 'travel-security'}"
        f"-{delivery.week}.pdf",
    )
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=={letter.content_hash[:24]}.{n}==")
    return msg


def write_outbox(delivery: Delivery, chosen: Sequence[Recipient], outbox: Path) -> Report:
    """`--dry-run`: each message as OUTBOX/WEEK/TRAVELER.eml, readable by its owner only;
    nothing is sent and the ledger is not touched."""
    report = Report()
    built, report.renders = letters(delivery, chosen)
    folder = outbox / delivery.week
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    outbox.chmod(0o700)
    folder.chmod(0o700)
    for letter in built:
        path = folder / f"{letter.recipient.traveler.id}.eml"
        write_bytes_atomic(path, message(delivery, letter, correction=False).as_bytes(), mode=0o600)
        report.written.append(path)
    return report


def send_all(
    delivery: Delivery,
    chosen: Sequence[Recipient],
    left_out: Sequence[tuple[str, str]],
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
) -> Report:
    """Send what the ledger does not show as sent; record each step as it happens."""
    report = Report(skipped=list(left_out))
    with stage("letters"):
        built, report.renders = letters(delivery, chosen)
    week = delivery.week
    for traveler_id, reason in left_out:
        ledger.mark(week, traveler_id, "", "skipped", now(), reason)
    with stage("send"):
        for letter in built:
            _send_one(delivery, letter, ledger, mailer, now, report)
    return report


def _send_one(
    delivery: Delivery,
    letter: Letter,
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
    report: Report,
) -> None:
    """One message: skipped if sent before or refused for good, else sent and recorded."""
    week = delivery.week
    traveler = letter.recipient.traveler.id
    status = ledger.status(week, traveler, letter.content_hash)
    if status == "sent":
        report.already.append(traveler)
        return
    refused = _refused(ledger, week, traveler, letter.content_hash) if status == "failed" else None
    if refused is not None:  # the server refused this very message: not tried again
        report.failed.append((traveler, refused))
        return
    correction = ledger.sent_before(week, traveler)
    ledger.mark(week, traveler, letter.content_hash, "sending", now())
    outcome: Outcome = mailer.send(message(delivery, letter, correction=correction))
    if outcome.status == "sent":
        ledger.mark(week, traveler, letter.content_hash, "sent", now(), "", outcome.attempts)
        (report.corrections if correction else report.sent).append(traveler)
        log.info("sent to %s%s", traveler, " (correction)" if correction else "")
        checkpoint("sent")
        return
    kind: Literal["permanent", "temporary"] = outcome.status
    detail = f"{kind}: {outcome.detail}"
    ledger.mark(week, traveler, letter.content_hash, "failed", now(), detail, outcome.attempts)
    report.failed.append((traveler, detail))
    log.warning("not delivered to %s: %s", traveler, detail)


def desk_summary(delivery: Delivery, report: Report, desk: str) -> EmailMessage:
    """One message to the security desk after a run with failures: who, and why (by id)."""
    lines = [
        f"Weekly run {delivery.week} (issued {stamp(delivery.issued)}): "
        f"{len(report.sent) + len(report.corrections) + len(report.already)} delivered, "
        f"{len(report.failed)} not.",
        "",
        *[f"- {traveler}: {reason}" for traveler, reason in report.failed],
        "",
        "Check with `advisory deliveries --week " + delivery.week + "`.",
    ]
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((delivery.organisation, delivery.sender))
    msg["To"] = desk
    msg["Subject"] = f"[Travel security] Delivery problems — week {delivery.week}"
    msg["Date"] = format_datetime(delivery.issued.astimezone(dt.UTC))
    msg.set_content("\n".join(lines) + "\n")
    return msg


def tell_desk(
    delivery: Delivery,
    report: Report,
    desk: str,
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
) -> None:
    """Send the desk summary once per distinct content (recorded as traveler `desk`)."""
    msg = desk_summary(delivery, report, desk)
    content_hash = hashlib.sha256(msg.get_content().encode()).hexdigest()
    if ledger.status(delivery.week, "desk", content_hash) == "sent":
        return
    outcome = mailer.send(msg)
    status: Literal["sent", "failed"] = "sent" if outcome.status == "sent" else "failed"
    ledger.mark(
        delivery.week, "desk", content_hash, status, now(), outcome.detail, outcome.attempts
    )


def _refused(ledger: Ledger, week: str, traveler: str, content_hash: str) -> str | None:
    """The recorded reason when the server refused this message for good, else None."""
    for row in ledger.rows(week):
        if row.traveler == traveler and row.content_hash == content_hash:
            return row.detail if row.detail.startswith("permanent") else None
    return None
