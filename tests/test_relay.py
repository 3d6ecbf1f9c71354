"""Delivery that recovers: local relays with a certificate of their own and a login, started by
the tests on 127.0.0.1. A wrong password, a certificate that does not verify, a relay without
STARTTLS or a refused sender stop the run with one line and mark nothing; the next run sends
everything, once. `deliveries --retry` sends a refused message again, once."""

from __future__ import annotations

import sqlite3
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.forkserver import Run
from tests.relays import start_relay
from tests.test_deliver import WEEK, Handler, at, by_recipient, make_site, send

PASSWORD = "correct horse battery staple"
TRAVELERS = 4  # the demo roster's travelers with places in 2018-W25


class Authenticator:
    """Accepts `advisory` with PASSWORD; counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.attempts += 1
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"advisory",
            PASSWORD.encode(),
        )
        return AuthResult(success=ok, handled=False)


class SenderCheck(Handler):
    """Refuses MAIL FROM of one address with 553."""

    def __init__(self) -> None:
        super().__init__()
        self.refused_sender: str | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address == self.refused_sender:
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        return "250 OK"


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def ca() -> trustme.CA:
    return trustme.CA()


def _server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


class Relay:
    def __init__(self, controller: Controller, handler: SenderCheck, auth: Authenticator) -> None:
        self.controller, self.handler, self.auth = controller, handler, auth

    @property
    def port(self) -> int:
        return int(self.controller.port)


def _relay(ca: trustme.CA, kind: str) -> Iterator[Relay]:
    handler, auth = SenderCheck(), Authenticator()
    context = _server_context(ca)
    options: dict[str, Any] = {"authenticator": auth}
    if kind == "starttls":
        options |= {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    elif kind == "tls":
        options |= {"ssl_context": context, "auth_require_tls": False}
    else:  # a relay that offers no TLS at all
        options |= {"auth_require_tls": False}
    controller = start_relay(handler, **options)
    yield Relay(controller, handler, auth)
    controller.stop()


@pytest.fixture
def starttls(ca: trustme.CA) -> Iterator[Relay]:
    yield from _relay(ca, "starttls")


@pytest.fixture
def implicit_tls(ca: trustme.CA) -> Iterator[Relay]:
    yield from _relay(ca, "tls")


@pytest.fixture
def plain(ca: trustme.CA) -> Iterator[Relay]:
    yield from _relay(ca, "none")


def tls_site(tmp_path: Path, ca: trustme.CA, port: int, security: str, *, ca_file: bool = True):
    site = make_site(tmp_path, port)
    if ca_file:
        ca.cert_pem.write_to_path(str(site / "relay-ca.pem"))
    settings = (
        (site / "advisory.yaml")
        .read_text()
        .replace(
            "security: none,",
            f"security: {security}, username: advisory,"
            + (" ca_file: relay-ca.pem," if ca_file else ""),
        )
    )
    (site / "advisory.yaml").write_text(settings)
    return site


def ledger_rows(site: Path) -> list[tuple[str, str, str]]:
    path = site / "state" / "ledger.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT traveler, status, detail FROM deliveries ORDER BY 1"))


def owed_not_sent(site: Path) -> bool:
    """Whether the ledger records every traveler's message as owed and none as sent or
    failed (the relay failed the run before the first message)."""
    rows = ledger_rows(site)
    pending = [traveler for traveler, status, _ in rows if status == "pending"]
    return len(pending) == TRAVELERS and all(s in ("pending", "skipped") for _, s, _ in rows)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("advisory:")]


def test_a_wrong_password_then_the_right_one_sends_everyone_once(tmp_path, ca, starttls):
    site = tls_site(tmp_path, ca, starttls.port, "starttls")
    wrong = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": "Tr0ub4dor&3"})
    assert wrong.returncode == 1, wrong.stderr
    assert error_lines(wrong.stderr) == [
        f"advisory: the relay 127.0.0.1:{starttls.port} refused the login of advisory (535): "
        "check smtp.username and the password in $ADVISORY_SMTP_PASSWORD"
    ]
    assert starttls.handler.accepted == []
    assert owed_not_sent(site)  # recorded as owed, nothing sent
    assert "4 messages owed (2018-W25: 4) are kept for the next sending run" in wrong.stderr
    assert (site / "published" / WEEK / "manifest.json").exists()  # the week is published

    right = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": PASSWORD})
    assert right.returncode == 0, right.stderr
    assert f"email: {TRAVELERS} sent, 0 corrections, 0 sent before, 0 failed" in right.stdout
    assert all(len(m) == 1 for m in by_recipient(starttls.handler).values())
    assert len(starttls.handler.accepted) == TRAVELERS
    # Sent mail is dated when it is sent, not at the week's issue time (June 2018).
    import datetime as dt
    from email.utils import parsedate_to_datetime

    sent = parsedate_to_datetime(str(starttls.handler.accepted[0]["Date"]))
    assert abs(sent - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    again = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": PASSWORD})
    assert again.returncode == 0, again.stderr
    assert len(starttls.handler.accepted) == TRAVELERS  # exactly once


def test_a_certificate_that_does_not_verify_stops_the_run(tmp_path, ca, starttls):
    site = tls_site(tmp_path, ca, starttls.port, "starttls", ca_file=False)
    result = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": PASSWORD})
    assert result.returncode == 1, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith(f"advisory: the relay 127.0.0.1:{starttls.port}'s certificate could "
                           "not be verified (")  # fmt: skip
    assert line.endswith("check smtp.host, or smtp.ca_file for a private certificate authority")
    assert owed_not_sent(site) and starttls.auth.attempts == 0


def test_implicit_tls_with_the_ca_file_delivers(tmp_path, ca, implicit_tls):
    site = tls_site(tmp_path, ca, implicit_tls.port, "tls")
    result = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    assert len(implicit_tls.handler.accepted) == TRAVELERS
    assert implicit_tls.auth.attempts == 1  # one connection, one login, for the whole run


def test_a_relay_without_starttls_is_a_settings_error(tmp_path, ca, plain):
    site = tls_site(tmp_path, ca, plain.port, "starttls")
    result = send(site, "--send", env={"ADVISORY_SMTP_PASSWORD": PASSWORD})
    assert result.returncode == 1
    assert error_lines(result.stderr) == [
        f"advisory: the relay 127.0.0.1:{plain.port} does not offer STARTTLS: check "
        "smtp.security (tls for implicit TLS, usually port 465) and smtp.port"
    ]
    assert owed_not_sent(site)


def test_a_refused_sender_stops_the_run_and_the_fixed_one_sends(tmp_path, ca, starttls):
    site = tls_site(tmp_path, ca, starttls.port, "starttls")
    starttls.handler.refused_sender = "desk@example.org"
    env = {"ADVISORY_SMTP_PASSWORD": PASSWORD}
    refused = send(site, "--send", env=env)
    assert refused.returncode == 1
    assert error_lines(refused.stderr) == [
        "advisory: the relay refused the sender desk@example.org (553 5.7.1 Sender address "
        "rejected: not owned by user): check smtp.sender"
    ]
    assert owed_not_sent(site)
    starttls.handler.refused_sender = None
    assert send(site, "--send", env=env).returncode == 0
    assert len(starttls.handler.accepted) == TRAVELERS


def test_a_login_without_its_password_variable_is_a_settings_error(tmp_path, ca, starttls):
    site = tls_site(tmp_path, ca, starttls.port, "starttls")
    result = send(site, "--send")
    assert result.returncode == 2, result.stderr
    assert "smtp.username: the relay login needs its password, and $ADVISORY_SMTP_PASSWORD is " \
           "not set" in result.stderr  # fmt: skip
    assert not (site / "published").exists()  # found before anything is published
    assert starttls.auth.attempts == 0


def test_retry_resends_a_refused_message_once(tmp_path, ca, starttls):
    site = tls_site(tmp_path, ca, starttls.port, "starttls")
    env = {"ADVISORY_SMTP_PASSWORD": PASSWORD}
    starttls.handler.refuse = {"ana.torres@example.org"}
    refused = send(site, "--send", env=env)
    assert refused.returncode == 1
    assert "not delivered to t-ana-torres: permanent: refused: 550 5.1.1 No such mailbox" in (
        refused.stderr
    )
    assert len(starttls.handler.accepted) == TRAVELERS - 1
    rerun = send(site, "--send", env=env)  # a refusal is not tried again by itself
    assert rerun.returncode == 1 and len(starttls.handler.accepted) == TRAVELERS - 1

    starttls.handler.refuse = set()
    retried = retry(site, env, "--traveler", "t-ana-torres")
    assert retried.returncode == 0, retried.stderr
    assert "email: 1 sent, 0 corrections, 0 sent before, 0 failed" in retried.stdout
    ana = [m for m in starttls.handler.accepted if "ana.torres@example.org" in str(m["To"])]
    assert len(ana) == 1
    again = retry(site, env)
    assert again.returncode == 0, again.stderr
    assert "email: nothing to send again (no message owed or refused)" in again.stdout
    assert len(starttls.handler.accepted) == TRAVELERS  # each traveler exactly once


def retry(site: Path, env: dict[str, str], *args: str) -> Run:
    return at(site, "deliveries", "--retry", "--week", WEEK, *args, env=env)
