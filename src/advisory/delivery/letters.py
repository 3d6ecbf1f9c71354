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

from advisory.calendar import stamp
from advisory.delivery.recipients import Recipient
from advisory.rendering.renderer import Renderer


@dataclass(frozen=True)
class Sender:
    """Who the letters are from, and for which week and issue time."""

    week: str  # the ledger's key: 2026-W47
    issued: dt.datetime
    organisation: str
    classification: str
    address: str


@dataclass(frozen=True)
class Letter:
    """A traveler's message before it is addressed, and the hash of what it says."""

    recipient: Recipient
    text: str
    html: str
    pdf: bytes
    content_hash: str


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
    return {
        "traveler": recipient.traveler,
        "trips": recipient.trips,
        "alerts": recipient.alerts,
        "week": sender.week,
        "stamp": stamp(sender.issued),
        "organisation": sender.organisation,
        "classification": sender.classification,
        "whole_bulletin": recipient.whole_bulletin,
    }


def message(sender: Sender, letter: Letter, *, correction: bool) -> EmailMessage:
    """The email: text and HTML bodies and the PDF."""
    traveler = letter.recipient.traveler
    msg = _headed(
        sender,
        mailbox(traveler.name, traveler.email),
        subject(letter.recipient, sender.week, correction=correction),
    )
    domain = mailbox("", sender.address).domain
    msg["Message-ID"] = f"<{sender.week}.{traveler.id}.{letter.content_hash[:20]}@{domain}>"
    msg.set_content(letter.text)
    msg.add_alternative(letter.html, subtype="html")
    kind = "bulletin" if letter.recipient.whole_bulletin else "travel-security"
    msg.add_attachment(
        letter.pdf,
        maintype="application",
        subtype="pdf",
        filename=f"{kind}-{sender.week}.pdf",
    )
    for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=={letter.content_hash[:24]}.{n}==")
    return msg


def desk_summary(
    sender: Sender, failed: Sequence[tuple[str, str]], delivered: int, desk: str
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
        sender, mailbox("", desk), f"[Travel security] Delivery problems — week {sender.week}"
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


def _headed(sender: Sender, to: Address, title: str) -> EmailMessage:
    """A message with its headers; in UTF-8 throughout when an address needs it."""
    origin = mailbox(sender.organisation, sender.address)
    international = not all(a.username.isascii() for a in (origin, to))
    msg = EmailMessage(policy=SMTP.clone(utf8=True) if international else SMTP)
    msg["From"] = origin
    msg["To"] = to
    msg["Subject"] = title
    msg["Date"] = format_datetime(sender.issued.astimezone(dt.UTC))
    return msg
