"""Email delivery against a real SMTP server on 127.0.0.1: what arrives, faults, exactly once."""

from __future__ import annotations

import contextlib
import email
import io
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from tests.conftest import ROOT, run_advisory
from tests.forkserver import Run
from tests.relays import start_relay

WEEK = "2018-W25"


class Handler:
    """Records what the server accepts; can answer 451 first, refuse a recipient, or drop."""

    def __init__(self) -> None:
        self.accepted: list[EmailMessage] = []
        self.temporary_failures = 0
        self.refuse: set[str] = set()
        self.drop_at: int | None = None  # drop the connection at this DATA (1-based)
        self.data_seen = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.temporary_failures:
            self.temporary_failures -= 1
            return "451 4.3.0 Try again later"
        if self.drop_at == self.data_seen:
            server.transport.close()
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.accepted.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Handler]]:
    handler = Handler()
    controller = start_relay(handler)
    yield controller, handler
    with contextlib.suppress(AssertionError):  # a test stopped it already (the relay down)
        controller.stop()


@pytest.fixture
def site(tmp_path: Path, smtp: tuple[Controller, Handler]) -> Path:
    controller, _ = smtp
    return make_site(tmp_path, controller.port)


def make_site(tmp_path: Path, port: int) -> Path:
    """The demo as an operator installs it, sending through 127.0.0.1:`port`. Its documents
    carry no maps: these are the delivery tests (the maps have test_maps and test_render)."""
    home = tmp_path / "srv"
    home.mkdir()
    shutil.copytree(ROOT / "rules", home / "rules")
    shutil.copytree(ROOT / "data", home / "data")
    (home / "advisory.yaml").write_text(
        "version: 1\n"
        "output: published\n"
        "state: state\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none, "
        "sender: desk@example.org, timeout_seconds: 5}\n"
        "delivery: {retry_delays: [0.05, 0.05, 0.05]}\n"
        "maps: false\n"
    )
    return home


def cron_env(**extra: str) -> dict[str, str]:
    """The bare environment cron gives a job, and the tests' private rules cache."""
    return {"PATH": "/usr/bin:/bin", "ADVISORY_CACHE_DIR": os.environ["ADVISORY_CACHE_DIR"],
            **extra}  # fmt: skip


def at(site: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`advisory --config SITE/advisory.yaml ARGS` as cron runs it, from /."""
    config = str(site / "advisory.yaml")
    return run_advisory("--config", config, *args, cwd="/", env=cron_env(**(env or {})))


def send(site: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """The weekly run, its PDFs rendered in its own process (render workers cost CPU to
    start; the tests of rendering and of kills while rendering use them)."""
    return at(site, "weekly", "--week", WEEK, "--jobs", "1", *args, env=env)


def by_recipient(handler: Handler) -> dict[str, list[EmailMessage]]:
    found: dict[str, list[EmailMessage]] = {}
    for message in handler.accepted:
        found.setdefault(str(message["To"]), []).append(message)
    return found


def pdf_text(message: EmailMessage) -> str:
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    data: Any = attachment.get_content()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\xa0", " ")


def test_each_traveler_gets_their_places(site: Path, smtp):
    _, handler = smtp
    result = send(site, "--send")
    assert result.returncode == 0, result.stderr
    assert (
        "email: 4 sent, 0 corrections, 0 sent before, 0 failed, 2 without alerts" in result.stdout
    )
    received = by_recipient(handler)
    assert sorted(received) == [
        "Ana Torres <ana.torres@example.org>",
        "James Okafor <james.okafor@example.org>",
        "Lukas Berg <lukas.berg@example.org>",
        "Security Desk <security-desk@example.org>",
    ]
    [desk] = received["Security Desk <security-desk@example.org>"]
    assert desk["Subject"] == "Travel security: weekly bulletin, 4 alerts — week of 18 June"
    assert "Incidents of the week" in pdf_text(desk)  # the whole bulletin
    [ana] = received["Ana Torres <ana.torres@example.org>"]
    assert ana["Subject"] == (
        "Travel security: VRAEM region — High, and 1 more place — week of 18 June"
    )
    assert ana["From"] == "Travel Security <desk@example.org>"
    assert ana["Message-ID"].startswith("<2018-W25.t-ana-torres.")
    body = ana.get_body(("plain",))
    html = ana.get_body(("html",))
    assert body is not None and html is not None
    text = body.get_content().replace("\r\n", "\n")
    assert text.startswith("Dear Ana Torres,")
    assert "VRAEM region, Peru\nLevel: High (level four of five, from the incidents" in text
    assert "Due to the presence of armed groups" in text
    assert "  - VRAEM region, Peru, 20 June – 6 July\n  - Lima, Peru, 6–9 July\n" in text
    assert "border-left:6px solid #ef6c00" in html.get_content()
    attached = pdf_text(ana)
    assert "VRAEM region June 24" in attached and "Protests in Lima" in attached
    assert "Cusco and Machu Picchu" not in attached  # only her places
    [james] = received["James Okafor <james.okafor@example.org>"]
    assert "Cusco and Machu Picchu" in pdf_text(james)
    assert "VRAEM" not in pdf_text(james)

    again = send(site, "--send")
    assert again.returncode == 0, again.stderr
    assert "email: 0 sent, 0 corrections, 4 sent before" in again.stdout
    assert len(handler.accepted) == 4  # a re-run sends nothing new

    ledger = site / "state" / "ledger.sqlite"
    assert oct(ledger.stat().st_mode & 0o777) == "0o600"
    assert oct(ledger.parent.stat().st_mode & 0o777) == "0o700"
    deliveries = at(site, "deliveries", "--week", WEEK)
    assert deliveries.returncode == 0, deliveries.stderr
    listed = deliveries.stdout
    assert "t-maria-quispe" in listed and "skipped" in listed and "no trip under way" in listed
    assert "ana.torres@example.org" not in listed + again.stderr  # travelers by id, not address


def test_temporary_failures_are_retried(site: Path, smtp):
    _, handler = smtp
    handler.temporary_failures = 2
    result = send(site, "--send")
    assert result.returncode == 0, result.stderr
    assert len(handler.accepted) == 4
    assert len({str(m["To"]) for m in handler.accepted}) == 4


def test_dropped_connection_midway(site: Path, smtp):
    _, handler = smtp
    handler.drop_at = 2
    result = send(site, "--send")
    assert result.returncode == 0, result.stderr
    assert len(handler.accepted) == 4
    assert len({str(m["To"]) for m in handler.accepted}) == 4  # nobody twice


def test_refused_recipient_is_reported_not_retried(site: Path, smtp):
    _, handler = smtp
    handler.refuse = {"james.okafor@example.org"}
    result = send(site, "--send")
    assert result.returncode == 1
    assert "not delivered to t-james-okafor: permanent: refused: 550" in result.stderr
    assert result.stderr.count("t-james-okafor") == 1  # one line per refused recipient
    assert sorted(str(m["To"]) for m in handler.accepted) == [
        "Ana Torres <ana.torres@example.org>",
        "Lukas Berg <lukas.berg@example.org>",
        "Security Desk <security-desk@example.org>",
    ]
    again = send(site, "--send")
    assert len(handler.accepted) == 3  # nothing new, nothing twice
    assert "not delivered to t-james-okafor: permanent: refused: 550" in again.stderr


def test_killed_while_sending_completes_without_duplicates(site: Path, smtp):
    _, handler = smtp
    killed = send(site, "--send", env={"ADVISORY_FAULT": "sent=kill@2"})
    assert killed.returncode == -signal.SIGKILL
    assert len(handler.accepted) == 2
    again = send(site, "--send")
    assert again.returncode == 0, again.stderr
    assert "email: 2 sent, 0 corrections, 2 sent before" in again.stdout
    assert len(handler.accepted) == 4
    assert len({str(m["To"]) for m in handler.accepted}) == 4


def test_killed_after_the_messages_were_stored_ahead_owes_and_sends_nothing(site: Path, smtp):
    """A weekly run stores its messages while the bulletin is still laid out; killed before
    the week is published, it has recorded nothing owed: no later run sends a letter of a week
    that was never published, and the next run of the week sends each message once."""
    _, handler = smtp
    killed = send(site, "--send", env={"ADVISORY_FAULT": "rendered=kill"})
    assert killed.returncode == -signal.SIGKILL
    stored = list((site / "state" / "messages").glob(f"{WEEK}/*.eml"))
    assert len(stored) == 4  # stored ahead, nobody's to send yet
    with contextlib.closing(sqlite3.connect(site / "state" / "ledger.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM deliveries").fetchone() == (0,)
    assert handler.accepted == []
    again = send(site, "--send")
    assert again.returncode == 0, again.stderr
    assert "email: 4 sent, 0 corrections, 0 sent before" in again.stdout
    assert len(handler.accepted) == 4
    assert len({str(m["To"]) for m in handler.accepted}) == 4


def test_changed_alert_is_sent_as_a_correction(site: Path, smtp):
    _, handler = smtp
    assert send(site, "--send").returncode == 0
    with (site / "data" / "incidents.csv").open("a") as f:
        f.write("extra-1,2018-06-23,Peru,Lima,Lima,Lima,,,riot,,1,4,A riot in central Lima.,Rep\n")
    result = send(site, "--send")
    assert result.returncode == 0, result.stderr
    # Ana (Lima), Lukas (all of Peru) and the desk (the bulletin) have something new; James
    # (Cusco) does not.
    assert "email: 0 sent, 3 corrections, 1 sent before" in result.stdout
    updates = handler.accepted[4:]
    assert sorted(str(m["To"]) for m in updates) == [
        "Ana Torres <ana.torres@example.org>",
        "Lukas Berg <lukas.berg@example.org>",
        "Security Desk <security-desk@example.org>",
    ]
    assert all(m["Subject"].startswith("Updated: Travel security: ") for m in updates)


def test_dry_run_writes_the_outbox_and_sends_nothing(site: Path, smtp):
    _, handler = smtp
    result = send(site, "--send", "--dry-run")
    assert result.returncode == 0, result.stderr
    outbox = site / "published" / "outbox" / WEEK
    assert sorted(p.name for p in outbox.iterdir()) == [
        "m-security-desk.eml", "t-ana-torres.eml", "t-james-okafor.eml", "t-lukas-berg.eml",
    ]  # fmt: skip
    assert oct(outbox.stat().st_mode & 0o777) == "0o700"
    assert handler.accepted == []
    assert not (site / "state" / "ledger.sqlite").exists()
    first = (outbox / "t-ana-torres.eml").read_bytes()
    send(site, "--send", "--dry-run")
    assert (outbox / "t-ana-torres.eml").read_bytes() == first  # same inputs, same bytes
    assert (site / "published" / WEEK / "manifest.json").is_file()
    assert "outbox" not in (site / "published" / WEEK / "manifest.json").read_text()


def test_ledger_rows(site: Path, smtp):
    assert send(site, "--send").returncode == 0
    rows = (
        sqlite3.connect(site / "state" / "ledger.sqlite")
        .execute("SELECT traveler, status FROM deliveries ORDER BY traveler")
        .fetchall()
    )
    assert rows == [
        ("m-security-desk", "sent"), ("t-ana-torres", "sent"), ("t-james-okafor", "sent"),
        ("t-lukas-berg", "sent"),
        ("t-maria-quispe", "skipped"), ("t-sofia-reyes", "skipped"),
    ]  # fmt: skip


def test_security_desk_is_told_of_failures_once(site: Path, smtp):
    _, handler = smtp
    config = site / "advisory.yaml"
    config.write_text(
        config.read_text().replace("delivery: {", "delivery: {desk: desk-team@example.org, ")
    )
    handler.refuse = {"james.okafor@example.org"}
    assert send(site, "--send").returncode == 1
    [summary] = [m for m in handler.accepted if str(m["To"]) == "desk-team@example.org"]
    assert summary["Subject"] == "Travel security: delivery problems — week 2018-W25"
    body = summary.get_body(("plain",))
    assert body is not None
    assert "- t-james-okafor: permanent: refused: 550" in body.get_content()
    assert "james.okafor@example.org" not in body.get_content()  # by id, not address
    before = len(handler.accepted)
    send(site, "--send")
    assert len(handler.accepted) == before  # the same news is not sent twice


def test_flash_then_the_weekly_run_sends_an_update(site: Path, smtp):
    _, handler = smtp
    flash = at(site, "flash", "pe-vraem", "--as-of", "2023-03-25T18:00Z", "--send")
    assert flash.returncode == 0, flash.stderr
    assert (site / "published" / "flash" / "2023-03-25-pe-vraem.pdf").is_file()
    [first] = handler.accepted
    assert str(first["To"]) == "María Quispe <maria.quispe@example.org>"
    assert first["Subject"] == "Travel security: VRAEM region — High — week of 20 March"
    weekly = at(site, "weekly", "--week", "2023-W12", "--send")
    assert weekly.returncode == 0, weekly.stderr
    to_maria = [m for m in handler.accepted if "maria.quispe" in str(m["To"])]
    assert len(to_maria) == 2
    assert to_maria[1]["Subject"].startswith("Updated: ")  # not repeated as news


def week_of(message: EmailMessage) -> str:
    """The ISO week a message was sent for, from its Message-ID (<WEEK.TRAVELER.HASH@...>)."""
    return str(message["Message-ID"]).strip("<").split(".")[0]


def test_a_relay_down_at_six_loses_nothing(site: Path, smtp):
    """The relay is down for one week's run: the week is published and its mail recorded as
    owed; the next week's run, the relay back, sends it first, each message once."""
    controller, handler = smtp
    controller.stop()
    down = send(site, "--send")
    assert down.returncode == 1
    [line] = [line for line in down.stderr.splitlines() if line.startswith("advisory:")]
    assert "could not be reached" in line
    assert "4 messages owed (2018-W25: 4) are kept for the next sending run" in down.stderr
    assert (site / "published" / WEEK / "manifest.json").is_file()
    listed = at(site, "deliveries").stdout
    assert len([row for row in listed.splitlines() if " pending " in row]) == 4
    stored = sorted(p.name.split(".")[0] for p in (site / "state" / "messages" / WEEK).iterdir())
    assert stored == ["m-security-desk", "t-ana-torres", "t-james-okafor", "t-lukas-berg"]
    assert oct((site / "state" / "messages").stat().st_mode & 0o777) == "0o700"

    back = start_relay(handler, port=controller.port)
    try:
        later = at(site, "weekly", "--week", "2018-W26", "--jobs", "1", "--send")
        again = at(site, "weekly", "--week", "2018-W26", "--jobs", "1", "--send")
    finally:
        back.stop()
    assert later.returncode == 0, later.stderr
    assert "email: 6 sent, 4 from 2018-W25, 0 corrections" in later.stdout
    weeks = [(week_of(m), str(m["To"])) for m in handler.accepted]
    assert sorted(to for week, to in weeks if week == WEEK) == [
        "Ana Torres <ana.torres@example.org>",
        "James Okafor <james.okafor@example.org>",
        "Lukas Berg <lukas.berg@example.org>",
        "Security Desk <security-desk@example.org>",
    ]
    assert weeks[:4] == [w for w in weeks if w[0] == WEEK]  # the week owed went first
    assert again.returncode == 0, again.stderr
    assert len(handler.accepted) == 6  # each once
    assert list((site / "state" / "messages" / WEEK).iterdir()) == []  # sent: not kept


def test_mail_owed_past_the_backlog_is_reported_not_sent(site: Path, smtp):
    controller, handler = smtp
    controller.stop()
    assert send(site, "--send").returncode == 1
    back = start_relay(handler, port=controller.port)
    try:
        later = at(site, "weekly", "--week", "2018-W27", "--jobs", "1", "--send", "--allow-stale")
    finally:
        back.stop()
    assert later.returncode == 1
    assert ", 4 too old to send" in later.stdout
    assert (
        "  not sent to t-ana-torres (2018-W25): still owed after delivery.backlog_days; "
        "`advisory deliveries --retry --week 2018-W25` sends it"
    ) in later.stderr.splitlines()
    assert [week_of(m) for m in handler.accepted if week_of(m) == WEEK] == []
    assert len(list((site / "state" / "messages" / WEEK).iterdir())) == 4  # kept for a retry
    time.sleep(1.1)  # the ledger keeps whole seconds: the rows are then older than now
    assert at(site, "purge", "--older-than", "0d", "--force").returncode == 0
    assert list((site / "state" / "messages").iterdir()) == []  # gone with their rows


def test_retry_sends_what_is_owed_once_and_logs_it(site: Path, smtp):
    _, handler = smtp
    config = site / "advisory.yaml"
    config.write_text(config.read_text() + "log_file: state/advisory.log\n")
    handler.refuse = {"james.okafor@example.org"}
    assert send(site, "--send").returncode == 1
    handler.refuse = set()
    retried = at(site, "deliveries", "--retry")  # every week, no --week
    assert retried.returncode == 0, retried.stderr
    assert "email: 1 sent, 0 corrections" in retried.stdout
    assert [str(m["To"]) for m in handler.accepted].count(
        "James Okafor <james.okafor@example.org>"
    ) == 1
    log = (site / "state" / "advisory.log").read_text()
    assert "INFO email: 1 sent, 0 corrections" in log
    assert "not delivered to t-james-okafor: permanent: refused: 550" in log
    again = at(site, "deliveries", "--retry")
    assert again.returncode == 0, again.stderr
    assert again.stdout == "email: nothing to send again (no message owed or refused)\n"
    assert len(handler.accepted) == 4  # the three and the one retried, none twice
    assert at(site, "deliveries", "--retry", "--traveler", "t-ana-torez").returncode == 2


def test_a_ledger_of_the_first_version_is_migrated(site: Path, smtp):
    state = site / "state"
    state.mkdir(mode=0o700)
    with sqlite3.connect(state / "ledger.sqlite") as db:
        db.execute(
            "CREATE TABLE deliveries (week TEXT NOT NULL, traveler TEXT NOT NULL, "
            "content_hash TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('sending', "
            "'sent', 'failed', 'skipped')), detail TEXT NOT NULL DEFAULT '', attempts INTEGER "
            "NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, PRIMARY KEY (week, traveler, "
            "content_hash))"
        )
        db.executemany(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                ("2018-W24", "t-ana-torres", "a" * 64, "sent", "", 1, "2018-06-18T06:00:05Z"),
                ("2018-W24", "t-lukas-berg", "b" * 64, "failed", "permanent: refused: 550",
                 1, "2018-06-18T06:00:06Z"),
            ],
        )  # fmt: skip
    listed = at(site, "deliveries")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows[1].startswith("2018-W24   t-ana-torres          sent ")
    assert "not retryable: recorded before messages were stored" in rows[2]
    with sqlite3.connect(state / "ledger.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
    retried = at(site, "deliveries", "--retry", "--week", "2018-W24")
    assert retried.returncode == 1
    assert "  not retryable: t-lukas-berg (2018-W24) was recorded before messages were stored" in (
        retried.stderr.splitlines()
    )
    assert send(site, "--send").returncode == 0  # and the migrated ledger takes a new week
    assert len(smtp[1].accepted) == 4


def test_purge_removes_old_records(site: Path, smtp, tmp_path: Path):
    import datetime as dt

    from advisory.delivery.ledger import opened

    assert send(site, "--send", "--dry-run").returncode == 0
    assert send(site, "--send").returncode == 0

    def purge(*args: str) -> Run:
        result = at(site, "purge", *args)
        assert result.returncode == 0, result.stderr
        return result

    preview = purge("--older-than", "180d", "--dry-run")
    assert preview.stdout.splitlines() == [
        f"  outbox {WEEK}",
        "would remove 0 ledger rows and 1 outboxes older than "
        f"{(dt.datetime.now(dt.UTC) - dt.timedelta(days=180)).date()}",
    ]
    assert (site / "published" / "outbox" / WEEK).is_dir()  # nothing removed
    time.sleep(1.1)  # the ledger keeps whole seconds: the rows are then older than now
    everything = purge("--older-than", "0d", "--dry-run")
    assert "  ledger 2018-W25 t-ana-torres (sent)" in everything.stdout.splitlines()
    result = purge("--older-than", "180d")
    assert "and 1 outboxes older than" in result.stdout
    assert not (site / "published" / "outbox" / WEEK).exists()
    with opened(site / "state" / "ledger.sqlite") as ledger:
        assert len(ledger.rows()) == 6  # written just now: kept
        tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        assert len(ledger.purge(tomorrow, dry_run=True)) == 6
        assert len(ledger.rows()) == 6
        assert ("2018-W25", "t-ana-torres", "sent") in ledger.purge(tomorrow)
        assert ledger.rows() == []


def test_purge_keeps_the_current_weeks_outbox_without_force(tmp_path: Path):
    import datetime as dt

    from advisory.calendar import last_full_week, week_label

    site = make_site(tmp_path, 25)
    current = week_label(last_full_week(dt.datetime.now(dt.UTC)))
    (site / "published" / "outbox" / current).mkdir(parents=True)
    kept = at(site, "purge", "--older-than", "0d")
    assert kept.returncode == 0, kept.stderr
    assert f"  kept outbox {current}: the current week's (--force removes it)" in kept.stdout
    assert (site / "published" / "outbox" / current).is_dir()
    assert at(site, "purge", "--older-than", "0d", "--force").returncode == 0
    assert not (site / "published" / "outbox" / current).exists()


def test_rate_limit_spaces_the_messages(smtp):
    """With 600 a minute, each message after the first waits until 0.1 s after the one before."""
    from advisory.config import SmtpSettings
    from advisory.delivery.mailer import Mailer

    controller, handler = smtp
    waits: list[float] = []
    settings = SmtpSettings(host="127.0.0.1", port=controller.port, security="none")
    with Mailer(settings, None, [], rate_per_minute=600, sleep=waits.append) as mailer:
        for n in range(4):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "a@example.org", f"b{n}@example.org", "x"
            msg.set_content("x")
            assert mailer.send(msg).status == "sent"
    assert len(handler.accepted) == 4
    assert len(waits) == 3 and all(0 < wait <= 0.1 for wait in waits)


def test_log_file_is_private(site: Path, smtp):
    config = site / "advisory.yaml"
    config.write_text(config.read_text() + "log_file: logs/advisory.log\n")
    assert send(site, "--send").returncode == 0
    log = site / "logs" / "advisory.log"
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    text = log.read_text()
    assert "sent to t-ana-torres" in text and "ana.torres@example.org" not in text


def test_the_contact_block_and_the_logo(tmp_path: Path):
    """`contact` settings give every letter its 24/7 number and desk address; the logo travels
    inline in the HTML part. A logo that is no image is a settings error before anything."""
    from PIL import Image

    site = make_site(tmp_path, 25)
    Image.new("RGB", (120, 40), "#1b4f8a").save(site / "logo.png")
    (site / "advisory.yaml").write_text(
        (site / "advisory.yaml").read_text()
        + "contact: {phone: '+44 20 7946 0000', email: desk@example.org, logo: logo.png}\n"
    )
    assert send(site, "--send", "--dry-run").returncode == 0
    raw = (site / "published" / "outbox" / WEEK / "t-ana-torres.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    [logo] = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert logo["Content-ID"] == "<logo@advisory>"
    assert logo.get_content() == (site / "logo.png").read_bytes()
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    assert 'src="cid:logo@advisory"' in html.get_content()
    assert "call +44 20 7946 0000 (24/7) or write to desk@example.org" in text.get_content()

    (site / "logo.png").write_text("not an image")
    refused = send(site, "--send", "--dry-run")
    assert refused.returncode == 2
    assert "contact.logo: logo.png is not a PNG or JPEG file" in refused.stderr
