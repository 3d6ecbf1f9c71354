"""Letters to their sinks: the outbox of a dry run, or SMTP through the ledger, exactly once.

A sending run first records what it owes (`owe`): every message due is stored under
STATE/messages/ and recorded `pending` in the ledger before the week is published, so that a
run that stops (the relay down at 06:00, the deadline, a kill) leaves the mail owed, not
forgotten. Then it sends what is owed (`send_owed`): first what is still owed from earlier weeks
issued within `delivery.backlog_days`, then its own week's. The ledger (ledger.py) keeps a re-run
from sending anything twice; a letter whose content changed is sent again as a correction; one
refused for good is not tried again but by `advisory deliveries --retry` (`retry`).
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from advisory.calendar import iso_timestamp
from advisory.config import Config
from advisory.delivery.ledger import Ledger, Row, opened
from advisory.delivery.letters import Letter, Sender, desk_summary, message
from advisory.delivery.mailer import Mailer, Outcome, RelayError
from advisory.faults import checkpoint
from advisory.publishing.atomic import write_bytes_atomic
from advisory.timing import stage

log = logging.getLogger("advisory")

Mode = Literal["send", "dry-run"]
LEDGER = "ledger.sqlite"
OUTBOX = "outbox"
#: Messages owed, under the state folder: MESSAGES/WEEK/TRAVELER.HASH.eml.
MESSAGES = "messages"


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
    #: Of `sent` and `corrections`, how many were owed from each earlier week.
    backlog: Counter[str] = field(default_factory=Counter)
    #: Owed from weeks issued more than `delivery.backlog_days` before: (week, traveler),
    #: reported and not sent.
    expired: list[tuple[str, str]] = field(default_factory=list)
    #: Owed, but recorded before the ledger stored messages: (week, traveler), not retryable.
    unstored: list[tuple[str, str]] = field(default_factory=list)


def deliver(
    config: Config,
    mode: Mode,
    sender: Sender,
    built: Sequence[Letter],
    left_out: Sequence[tuple[str, str]],
    now: Callable[[], dt.datetime],
) -> Report:
    """Write the letters to the outbox (`dry-run`), or record and send them (`send`: `owe`,
    then `send_owed`)."""
    if mode == "dry-run":
        report = write_outbox(sender, built, config.output / OUTBOX)
        report.skipped = list(left_out)
        return report
    return send_owed(config, sender, owe(config, sender, built, left_out, now), now)


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


def stage_messages(config: Config, sender: Sender, built: Sequence[Letter]) -> dict[str, bool]:
    """Store ahead, as `owe` stores them, the messages of `built` that are due (a weekly run
    does it while its bulletin is still being laid out): each stored message's name, and
    whether it was written as a correction. The ledger is only read: until `owe` records
    them, the files are nobody's to send (`advisory purge` removes those no row names)."""
    week = sender.week
    state = config.state
    staged: dict[str, bool] = {}
    with opened(state / LEDGER) as ledger, stage("stage messages"):
        _private(state, week)
        for letter in built:
            traveler = letter.recipient.traveler.id
            found = ledger.row(week, traveler, letter.content_hash)
            if found is not None and (found.status == "sent" or found.refused()):
                continue
            name, correction = _store(state, ledger, sender, letter, {})
            staged[name] = correction
    return staged


def _store(
    state: Path, ledger: Ledger, sender: Sender, letter: Letter, ahead: Mapping[str, bool]
) -> tuple[str, bool]:
    """Store the letter's message under the state folder, unless `ahead` (`stage_messages`)
    holds it as it would be stored now: its name, and whether it is a correction."""
    traveler = letter.recipient.traveler.id
    name = f"{MESSAGES}/{sender.week}/{traveler}.{letter.content_hash[:16]}.eml"
    correction = ledger.sent_before(sender.week, traveler)
    if ahead.get(name) != correction or not (state / name).is_file():
        data = message(sender, letter, correction=correction).as_bytes()
        write_bytes_atomic(state / name, data, mode=0o600)
    return name, correction


def owe(
    config: Config,
    sender: Sender,
    built: Sequence[Letter],
    left_out: Sequence[tuple[str, str]],
    now: Callable[[], dt.datetime],
    staged: Mapping[str, bool] | None = None,
) -> Report:
    """Store each message due and record it `pending` (nothing is sent): those sent before are
    `already`, those the relay refused for good `failed`, and the week's messages owed from an
    earlier run of it that this run no longer builds are superseded. A message `staged`
    (`stage_messages`) as it would be stored now is not built again."""
    week = sender.week
    report = Report(skipped=list(left_out))
    state = config.state
    ahead = staged or {}
    with opened(state / LEDGER) as ledger, stage("record"):
        _private(state, week)
        keep: set[tuple[str, str]] = set()
        for letter in built:
            traveler = letter.recipient.traveler.id
            keep.add((traveler, letter.content_hash))
            found = ledger.row(week, traveler, letter.content_hash)
            if found is not None and found.status == "sent":
                report.already.append(traveler)
                continue
            if found is not None and found.refused():  # the server refused this very message
                report.failed.append((traveler, found.detail))
                continue
            name, _ = _store(state, ledger, sender, letter, ahead)
            ledger.owe(week, traveler, letter.content_hash, name, sender.issued, now())
        for row in ledger.supersede(week, keep, now()):
            _forget(state, row)
        for traveler_id, reason in left_out:
            ledger.mark(week, traveler_id, "", "skipped", now(), reason)
    return report


def send_owed(
    config: Config, sender: Sender, report: Report, now: Callable[[], dt.datetime]
) -> Report:
    """Send what the ledger shows owed: first what is left of earlier weeks issued at most
    `delivery.backlog_days` before this one, then this week's (`owe` recorded them); tell the
    desk of failures once. Owed messages of weeks older than that are marked failed and
    reported. Raises `RelayError` when the relay or its settings fail the run (what was owed
    stays owed)."""
    oldest = sender.issued - dt.timedelta(days=config.settings.delivery.backlog_days)
    issued = iso_timestamp(sender.issued)
    with opened(config.state / LEDGER) as ledger:
        backlog: list[Row] = []
        own: list[Row] = []
        for row in ledger.owed():
            if row.kind != "letter":  # briefs are sent by `advisory briefs`
                continue
            if row.week == sender.week:
                own.append(row)
            elif row.message and row.issued_at < issued:
                if dt.datetime.fromisoformat(row.issued_at) >= oldest:
                    backlog.append(row)
                else:
                    _expire(ledger, row, config.settings.delivery.backlog_days, now, report)
        _send_rows(config, ledger, [*backlog, *own], report, now, sender=sender)
    return report


def retry(
    config: Config,
    now: Callable[[], dt.datetime],
    *,
    week: str | None = None,
    travelers: Iterable[str] = (),
) -> Report:
    """Send again, on purpose, every stored message owed or refused (of `week`, of
    `travelers`, else all); those recorded before messages were stored are `unstored`."""
    wanted = set(travelers)
    report = Report()
    with opened(config.state / LEDGER) as ledger:
        rows = [
            row
            for row in ledger.owed(refused_too=True)
            if (week is None or row.week == week) and (not wanted or row.traveler in wanted)
        ]
        stored = [row for row in rows if row.message and (config.state / row.message).is_file()]
        report.unstored = [(r.week, r.traveler) for r in rows if r not in stored]
        _send_rows(config, ledger, stored, report, now, sender=None)
    return report


def travelers_in(config: Config) -> list[str]:
    """The travelers the ledger has rows for."""
    path = config.state / LEDGER
    if not path.exists():
        return []
    with opened(path) as ledger:
        return sorted({row.traveler for row in ledger.rows()})


def _send_rows(
    config: Config,
    ledger: Ledger,
    rows: Sequence[Row],
    report: Report,
    now: Callable[[], dt.datetime],
    *,
    sender: Sender | None,
) -> None:
    """Send the stored messages of `rows` in order through one relay connection; the relay is
    checked (`Mailer.check`) before the first is marked. With `sender`, rows of other weeks
    count as backlog and the desk is told of this week's failures."""
    if not rows:
        return
    wanted = config.settings.delivery
    smtp = config.settings.smtp
    if config.ca_file is not None:
        smtp = smtp.model_copy(update={"ca_file": str(config.ca_file)})
    if not smtp.tls_verify and smtp.security != "none":
        log.warning("smtp.tls_verify is false: the relay's certificate is not checked")
    with Mailer(
        smtp,
        config.smtp_password(),
        wanted.retry_delays,
        wanted.rate_per_minute,
        deadline_seconds=wanted.deadline_minutes * 60,
    ) as mailer:
        try:
            mailer.check()
        except RelayError:
            log.warning("%s", _owed_words(rows))
            raise
        with stage("send"):
            for row in rows:
                _send_one(config.state, row, ledger, mailer, now, report, sender)
        if report.deferred:
            log.info(
                "%d messages left for the next run: %s", len(report.deferred), report.deferred[0][1]
            )
        if sender is not None and report.failed and wanted.desk and mailer.stopped is None:
            tell_desk(sender, report, wanted.desk, ledger, mailer, now)


def _send_one(
    state: Path,
    row: Row,
    ledger: Ledger,
    mailer: Mailer,
    now: Callable[[], dt.datetime],
    report: Report,
    sender: Sender | None,
) -> None:
    """One stored message: sent and recorded, its file removed once the relay accepted it."""
    traveler = row.traveler
    if mailer.stopped is not None:
        report.deferred.append((traveler, mailer.stopped))
        return
    if not row.message or not (state / row.message).is_file():  # removed by hand, or never
        report.unstored.append((row.week, traveler))
        return
    correction = row.kind == "letter" and ledger.sent_before(row.week, traveler)
    outgoing = _load(state / row.message, now())
    ledger.mark(row.week, traveler, row.content_hash, "sending", now())
    try:
        outcome: Outcome = mailer.send(outgoing)
    except RelayError as e:
        detail = f"temporary: not sent, the run stopped: {e}"
        ledger.mark(row.week, traveler, row.content_hash, "failed", now(), detail)
        raise
    if outcome.status == "sent":
        checkpoint("accepted")
        ledger.mark(row.week, traveler, row.content_hash, "sent", now(), "", outcome.attempts)
        _forget(state, row)
        (report.corrections if correction else report.sent).append(traveler)
        if sender is not None and row.week != sender.week:
            report.backlog[row.week] += 1
        log.info("sent to %s%s (%s)", traveler, " (correction)" if correction else "", row.week)
        checkpoint("sent")
        return
    kind: Literal["permanent", "temporary"] = outcome.status
    detail = f"{kind}: {outcome.detail}"
    ledger.mark(row.week, traveler, row.content_hash, "failed", now(), detail, outcome.attempts)
    report.failed.append((traveler, detail))
    # Said once on stderr by the command (and in the log file), not here too.
    log.info("not delivered to %s (%s): %s", traveler, row.week, detail)


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


def _expire(
    ledger: Ledger, row: Row, days: int, now: Callable[[], dt.datetime], report: Report
) -> None:
    detail = (
        f"expired: still owed {days} days after its week was issued (delivery.backlog_days); "
        f"`advisory deliveries --retry --week {row.week}` sends it"
    )
    ledger.mark(row.week, row.traveler, row.content_hash, "failed", now(), detail, row.attempts)
    report.expired.append((row.week, row.traveler))
    log.info("not sent to %s (%s): %s", row.traveler, row.week, detail)


def _owed_words(rows: Sequence[Row]) -> str:
    """`4 messages owed (2018-W25: 4) are kept for the next sending run`."""
    weeks = Counter(row.week for row in rows)
    listed = ", ".join(f"{week}: {count}" for week, count in sorted(weeks.items()))
    return (
        f"{len(rows)} message{'' if len(rows) == 1 else 's'} owed ({listed}) "
        f"{'is' if len(rows) == 1 else 'are'} kept for the next sending run or "
        "`advisory deliveries --retry`"
    )


def _private(state: Path, week: str) -> None:
    """The folder of a week's messages owed, readable by its owner only (itineraries are
    personal data)."""
    for folder in (state / MESSAGES, state / MESSAGES / week):
        folder.mkdir(exist_ok=True, mode=0o700)
        folder.chmod(0o700)


def _load(path: Path, sent: dt.datetime) -> EmailMessage:
    """A stored message, dated `sent`."""
    data = path.read_bytes()
    policy = SMTP if data.isascii() else SMTP.clone(utf8=True)
    msg = email.message_from_bytes(data, policy=policy)
    assert isinstance(msg, EmailMessage)
    msg.replace_header("Date", format_datetime(sent.astimezone(dt.UTC)))
    return msg


def _forget(state: Path, row: Row) -> None:
    """Remove a row's stored message: sent or no longer owed."""
    if row.message:
        (state / row.message).unlink(missing_ok=True)
