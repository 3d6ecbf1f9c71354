"""Letters to their sinks: the outbox of a dry run, or SMTP through the ledger, exactly once.

The ledger (ledger.py) keeps a re-run from sending anything twice; a letter whose content
changed is sent again as a correction; one refused for good is not tried again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from advisory.config import Config
from advisory.delivery.ledger import Ledger, opened
from advisory.delivery.letters import Letter, Sender, desk_summary, message
from advisory.delivery.mailer import Mailer, Outcome, RelayError
from advisory.faults import checkpoint
from advisory.publishing.atomic import write_bytes_atomic
from advisory.timing import stage

log = logging.getLogger("advisory")

Mode = Literal["send", "dry-run"]
LEDGER = "ledger.sqlite"
OUTBOX = "outbox"


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Not tried in this run (the deadline passed, the relay is unreachable), with why.
    deferred: list[tuple[str, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def deliver(
    config: Config,
    mode: Mode,
    sender: Sender,
    built: Sequence[Letter],
    left_out: Sequence[tuple[str, str]],
    now: Callable[[], dt.datetime],
    *,
    retry: bool = False,
) -> Report:
    """Write the letters to the outbox (`dry-run`), or send them (`send`) with the settings'
    relay, ledger and retry policy, and tell the desk of failures once. With `retry`, letters
    the relay refused for good are sent again. Raises `RelayError` when the relay or its
    settings fail the run (nothing of it is marked in the ledger)."""
    if mode == "dry-run":
        report = write_outbox(sender, built, config.output / OUTBOX)
        report.skipped = list(left_out)
        return report
    wanted = config.settings.delivery
    smtp = config.settings.smtp
    if config.ca_file is not None:
        smtp = smtp.model_copy(update={"ca_file": str(config.ca_file)})
    if not smtp.tls_verify and smtp.security != "none":
        log.warning("smtp.tls_verify is false: the relay's certificate is not checked")
    with (
        opened(config.state / LEDGER) as ledger,
        Mailer(
            smtp,
            config.smtp_password(),
            wanted.retry_delays,
            wanted.rate_per_minute,
            deadline_seconds=wanted.deadline_minutes * 60,
        ) as mailer,
    ):
        report = send_all(sender, built, left_out, ledger, mailer, now, retry=retry)
        if report.deferred:
            log.warning(
                "%d messages left for the next run: %s", len(report.deferred), report.deferred[0][1]
            )
        if report.failed and wanted.desk and mailer.stopped is None:
            tell_desk(sender, report, wanted.desk, ledger, mailer, now)
        return report


def write_outbox(sender: Sender, built: Sequence[Letter], outbox: Path) -> Report:
    """Each message as OUTBOX/WEEK/TRAVELER.eml, readable by its owner only; nothing is sent
    and the ledger is not touched."""
    report = Report()
    folder = outbox / sender.week
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    outbox.chmod(0o700)
    folder.chmod(0o700)
    for letter in built:
        path = folder / f"{letter.recipient.traveler.id}.eml"
        data = message(sender, letter, correction=False).as_bytes()
        write_bytes_atomic(path, data, mode=0o600)
        report.written.append(path)
    return report


def send_all(
    sender: Sender,
    built: Sequence[Letter],
    left_out: Sequence[tuple[str, str]],
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
    *,
    retry: bool = False,
) -> Report:
    """Send what the ledger does not show as sent; record each step as it happens. The relay
    is checked (`Mailer.check`) before the first message is marked."""
    report = Report(skipped=list(left_out))
    with stage("send"):
        for letter in built:
            _send_one(sender, letter, ledger, mailer, now, report, retry=retry)
    for traveler_id, reason in left_out:
        ledger.mark(sender.week, traveler_id, "", "skipped", now(), reason)
    return report


def _send_one(
    sender: Sender,
    letter: Letter,
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
    report: Report,
    *,
    retry: bool = False,
) -> None:
    """One message: skipped if sent before or refused for good (unless `retry`), else sent and
    recorded."""
    week = sender.week
    traveler = letter.recipient.traveler.id
    status = ledger.status(week, traveler, letter.content_hash)
    if status == "sent":
        report.already.append(traveler)
        return
    refused = _refused(ledger, week, traveler, letter.content_hash) if status == "failed" else None
    if refused is not None and not retry:  # the server refused this very message
        report.failed.append((traveler, refused))
        return
    if mailer.stopped is not None:
        report.deferred.append((traveler, mailer.stopped))
        return
    if not mailer.checked:
        mailer.check()  # a RelayError here leaves the ledger as it was
    correction = ledger.sent_before(week, traveler)
    ledger.mark(week, traveler, letter.content_hash, "sending", now())
    try:
        outcome: Outcome = mailer.send(message(sender, letter, correction=correction, sent=now()))
    except RelayError as e:
        detail = f"temporary: not sent, the run stopped: {e}"
        ledger.mark(week, traveler, letter.content_hash, "failed", now(), detail)
        raise
    if outcome.status == "sent":
        checkpoint("accepted")
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


def tell_desk(
    sender: Sender,
    report: Report,
    desk: str,
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
) -> None:
    """Send the desk summary once per distinct content (recorded as traveler `desk`)."""
    delivered = len(report.sent) + len(report.corrections) + len(report.already)
    msg = desk_summary(sender, report.failed, delivered, desk, sent=now())
    content_hash = hashlib.sha256(msg.get_content().encode()).hexdigest()
    if ledger.status(sender.week, "desk", content_hash) == "sent":
        return
    outcome = mailer.send(msg)
    status: Literal["sent", "failed"] = "sent" if outcome.status == "sent" else "failed"
    ledger.mark(sender.week, "desk", content_hash, status, now(), outcome.detail, outcome.attempts)


def _refused(ledger: Ledger, week: str, traveler: str, content_hash: str) -> str | None:
    """The recorded reason when the server refused this message for good, else None."""
    for row in ledger.rows(week):
        if row.traveler == traveler and row.content_hash == content_hash:
            return row.detail if row.detail.startswith("permanent") else None
    return None
