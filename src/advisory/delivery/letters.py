"""The travelers' letters: subject, text and HTML bodies, and the PDF of their places, as email.

A letter's PDF is rendered with the run's other documents (one per distinct set of places, see
writing/plan.py); here it is only attached. Boundaries and Message-IDs derive from the content,
so the same letter gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from advisory.calendar import parse_week, stamp
from advisory.delivery.recipients import Recipient
from advisory.models import Traveler
from advisory.plaintext import shown
from advisory.rendering.renderer import Renderer
from advisory.writing.prose import number, ordinal


@dataclass(frozen=True)
class Contact:
    """The foot of every letter: whom to call, and the logo."""

    phone: str | None = None
    hours: str = "24/7"
    email: str | None = None
    logo: bytes | None = None
    logo_type: str = "png"  # the image subtype: png or jpeg


@dataclass(frozen=True)
class Sender:
    """Who the letters are from, and for which week and issue time."""

    week: str  # the ledger's key: 2026-W47
    issued: dt.datetime
    organisation: str
    classification: str
    address: str
    contact: Contact = Contact()
    public_url: str | None = None  # where OUTPUT is served: letters link to the full alerts
    window_days: int = 30  # of the levels, for the phrase that explains them
    severity_words: tuple[str, ...] = ("Informational", "Warning", "Critical")
    reason_names: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Letter:
    """A traveler's message before it is addressed, and the hash of what it says."""

    recipient: Recipient
    text: str
    html: str
    pdf: bytes
    content_hash: str


#: The longest subject: phones show about this much.
MAX_SUBJECT = 78


def subject(recipient: Recipient, week: str, *, correction: bool = False) -> str:
    """`Travel security: VRAEM region — High, and 2 more places — week of 18 June`, within
    `MAX_SUBJECT` characters (a long place name is shortened)."""
    prefix = "Updated: " if correction else ""
    monday = parse_week(week)
    when = f"week of {monday.day} {monday:%B}"
    if recipient.whole_bulletin:
        count = len(recipient.alerts)
        alerts = f"{count} alert{'s' if count != 1 else ''}"
        return f"{prefix}Travel security: weekly bulletin, {alerts} — {when}"
    first = recipient.alerts[0]
    more = len(recipient.alerts) - 1
    others = f", and {more} more place{'s' if more != 1 else ''}" if more else ""
    tail = f" — {first.level}{others} — {when}"
    head = f"{prefix}Travel security: "
    room = MAX_SUBJECT - len(head) - len(tail)
    return f"{head}{shortened(shown(first.region_name), room)}{tail}"


def shortened(name: str, room: int) -> str:
    """`name` within `room` characters (at least eight), cut at the last word boundary that
    fits and marked `…`; cut inside a word only when its first word alone does not fit."""
    room = max(room, 8)
    if len(name) <= room:
        return name
    cut = name[: room - 1]
    if name[room - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def letters(
    sender: Sender,
    chosen: Sequence[Recipient],
    pdfs: Mapping[tuple[str, ...], bytes],
    renderer: Renderer,
) -> list[Letter]:
    """Each recipient's letter, with the PDF rendered for their set of places."""
    out = []
    for recipient in chosen:
        context = _context(sender, recipient)
        text = renderer.text("email.txt.j2", context)
        html = renderer.html("email.html.j2", context)
        pdf = pdfs[recipient.places]
        digest = hashlib.sha256()
        for part in (subject(recipient, sender.week), text, html):
            digest.update(part.encode() + b"\0")
        digest.update(pdf)
        out.append(Letter(recipient, text, html, pdf, digest.hexdigest()))
    return out


def _context(sender: Sender, recipient: Recipient) -> dict[str, Any]:
    names = sender.reason_names or {}
    return {
        "traveler": recipient.traveler,
        "trips": recipient.trip_lines or tuple(t.destination for t in recipient.trips),
        "alerts": [
            {
                "alert": a,
                "level": f"level {number(a.level_rank)} of {number(a.level_count)}, from the "
                f"incidents of the past {sender.window_days} days",
                "severity": _severity_phrase(a.severity, sender),
                "reasons": ", ".join(names.get(code, code) for code in a.reasons),
                "link": f"{sender.public_url}/{sender.week}/alerts/{a.region_id}.html"
                if sender.public_url
                else None,
            }
            for a in recipient.alerts
        ],
        "week": sender.week,
        "week_of": _week_of(sender.week),
        "stamp": stamp(sender.issued),
        "organisation": sender.organisation,
        "classification": sender.classification,
        "whole_bulletin": recipient.whole_bulletin,
        "bulletin_link": f"{sender.public_url}/{sender.week}/bulletin.html"
        if sender.public_url
        else None,
        "contact": sender.contact,
        "logo": LOGO_ID if sender.contact.logo else None,
    }


#: The Content-ID of the logo in the HTML part.
LOGO_ID = "logo@advisory"


def _week_of(week: str) -> str:
    monday = parse_week(week)
    return f"{monday.day} {monday:%B %Y}"


def _severity_phrase(word: str, sender: Sender) -> str:
    """`the lowest of three severities, judged on this week's incidents alone`."""
    words = sender.severity_words
    rank = words.index(word) + 1 if word in words else 0
    place = (
        "the lowest" if rank == 1
        else "the highest" if rank == len(words)
        else f"the {ordinal(rank)}"
    )  # fmt: skip
    return f"{place} of {number(len(words))} severities, judged on this week's incidents alone"


def message(
    sender: Sender, letter: Letter, *, correction: bool, sent: dt.datetime | None = None
) -> EmailMessage:
    """The email: text and HTML bodies (the logo inline), and the PDF. `Date:` is `sent`, the
    moment of sending; without it (the outbox of a dry run) the issue time, so that the same
    letter gives the same bytes."""
    traveler = letter.recipient.traveler
    kind = "bulletin" if letter.recipient.whole_bulletin else "travel-security"
    return traveler_email(
        sender,
        traveler,
        subject(letter.recipient, sender.week, correction=correction),
        f"{sender.week}.{traveler.id}.{letter.content_hash[:20]}",
        (letter.text, letter.html),
        (letter.pdf, f"{kind}-{sender.week}.pdf"),
        letter.content_hash[:24],
        sent,
    )


def traveler_email(
    sender: Sender,
    traveler: Traveler,
    title: str,
    key: str,
    bodies: tuple[str, str],
    pdf: tuple[bytes, str],
    seed: str,
    sent: dt.datetime | None = None,
) -> EmailMessage:
    """A traveler's email (a letter, a brief): the text and HTML `bodies` (the sender's logo
    inline), the `pdf` attached under its file name, the Message-ID from `key` and the MIME
    boundaries from `seed`, so that the same content gives the same bytes."""
    msg = _headed(sender, mailbox(traveler.name, traveler.email), title, sent)
    domain = mailbox("", sender.address).domain
    msg["Message-ID"] = f"<{key}@{domain}>"
    text, html = bodies
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    if sender.contact.logo:
        part = next(p for p in msg.iter_parts() if p.get_content_type() == "text/html")
        image = sender.contact.logo_type
        part.add_related(
            sender.contact.logo, maintype="image", subtype=image, cid=f"<{LOGO_ID}>",
            disposition="inline", filename=f"logo.{image}",
        )  # fmt: skip
    data, filename = pdf
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=={seed}.{n}==")
    return msg


def desk_summary(
    sender: Sender,
    failed: Sequence[tuple[str, str]],
    delivered: int,
    desk: str,
    sent: dt.datetime | None = None,
) -> EmailMessage:
    """One message to the security desk after a run with failures: who, and why (by id)."""
    lines = [
        f"Weekly run {sender.week} (issued {stamp(sender.issued)}): "
        f"{delivered} delivered, {len(failed)} not.",
        "",
        *[f"- {traveler}: {reason}" for traveler, reason in failed],
        "",
        "Check with `advisory deliveries --week " + sender.week + "`.",
    ]
    msg = _headed(
        sender, mailbox("", desk), f"Travel security: delivery problems — week {sender.week}", sent
    )
    msg.set_content("\n".join(lines) + "\n")
    return msg


@functools.lru_cache(maxsize=4096)
def mailbox(name: str, address: str) -> Address:
    """An address as it travels: the domain in its ASCII form (`exämple.org` ->
    `xn--exmple-cua.org`), which every relay takes; a local part outside ASCII stays as written
    and needs a relay that offers SMTPUTF8."""
    from email_validator import validate_email

    checked = validate_email(address, check_deliverability=False)
    local = checked.ascii_email.rpartition("@")[0] if checked.ascii_email else checked.local_part
    return Address(name, username=local, domain=checked.ascii_domain)


def _headed(
    sender: Sender, to: Address, title: str, sent: dt.datetime | None = None
) -> EmailMessage:
    """A message with its headers; in UTF-8 throughout when an address needs it."""
    origin = mailbox(sender.organisation, sender.address)
    international = not all(a.username.isascii() for a in (origin, to))
    msg = EmailMessage(policy=SMTP.clone(utf8=True) if international else SMTP)
    msg["From"] = origin
    msg["To"] = to
    msg["Subject"] = title
    msg["Date"] = format_datetime((sent or sender.issued).astimezone(dt.UTC))
    return msg
