"""SMTP with one connection for the whole run, retries for temporary failures, a rate limit.

Before any message, `check` opens the connection and proves the settings: the relay answers,
TLS holds (STARTTLS offered, the certificate valid against `smtp.ca_file` or the system's),
the login is accepted and the sender is. A failure there is a `RelayError`, the run's own
error: no message is marked as tried, so every message owed stays owed for the next run.

A temporary failure of one message (a 4xx reply, a dropped connection, a timeout) is tried
again after the configured delays, on a fresh connection; a permanent one (5xx) is reported at
once and not tried again. The settings' errors met later (a login refused on a reconnection, a
refused sender) are `RelayError`s too. Past the run's delivery deadline nothing more is tried,
and a relay that could not be reached through all the retries of one message is not tried for
the others: what is left waits for the next run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from advisory.config import SmtpSettings
from advisory.errors import AdvisoryError

log = logging.getLogger("advisory")


class RelayError(AdvisoryError):
    """The relay or its settings failed the whole run: one line saying which setting to check.
    `reachable` is False when the relay did not answer (worth the retry delays mid-run)."""

    exit_code = 1

    def __init__(self, message: str, *, reachable: bool = True) -> None:
        super().__init__(message)
        self.reachable = reachable


def tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The system's trusted certificates, or `smtp.ca_file`'s; none checked with
    `tls_verify: false`."""
    context = ssl.create_default_context(cafile=settings.ca_file)
    if not settings.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


@dataclass(frozen=True)
class Outcome:
    status: Literal["sent", "temporary", "permanent"]
    detail: str
    attempts: int


class Mailer:
    def __init__(
        self,
        settings: SmtpSettings,
        password: str | None,
        retry_delays: Sequence[float],
        rate_per_minute: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        deadline_seconds: float | None = None,
    ) -> None:
        self.settings = settings
        self.password = password
        self.retry_delays = list(retry_delays)
        self.interval = 60.0 / rate_per_minute if rate_per_minute else 0.0
        self.sleep = sleep
        self.deadline = time.monotonic() + deadline_seconds if deadline_seconds else None
        #: Why the relay is not tried any more in this run (None while it is).
        self.stopped: str | None = None
        #: The connection, login and sender were proved (`check`) in this run.
        self.checked = False
        self._connection: smtplib.SMTP | None = None
        self._last_send: float | None = None

    def remaining(self) -> float:
        """Seconds left before the deadline (infinite without one)."""
        return self.deadline - time.monotonic() if self.deadline is not None else float("inf")

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._drop(polite=True)

    def send(self, message: EmailMessage) -> Outcome:
        attempts = 0
        detail = ""
        unreachable = False
        down: RelayError | None = None  # the relay did not answer a reconnection
        for delay in [0.0, *self.retry_delays]:
            if self.stopped is None and delay >= self.remaining():
                self.stopped = "the delivery deadline (delivery.deadline_minutes) passed"
            if self.stopped is not None:
                detail = f"{detail}; {self.stopped}" if detail else self.stopped
                return Outcome("temporary", f"left for the next run: {detail}", attempts)
            if delay:
                self.sleep(delay)
            attempts += 1
            try:
                self._throttle()
                connection = self._connect()
                unreachable, down = False, None
                if connection.sock is not None:
                    connection.sock.settimeout(self._timeout())
                connection.send_message(message)
                self._last_send = time.monotonic()
                return Outcome("sent", "accepted", attempts)
            except RelayError as e:
                self._drop(polite=False)
                if e.reachable:
                    raise
                unreachable, detail, down = True, str(e), e
            except smtplib.SMTPSenderRefused as e:
                self._drop(polite=False)
                raise self._refused_sender(e) from None
            except smtplib.SMTPNotSupportedError:
                self._reset()
                return Outcome(
                    "permanent",
                    "refused: the address is international (SMTPUTF8) and the relay does not "
                    "take such addresses",
                    attempts,
                )
            except smtplib.SMTPRecipientsRefused as e:
                codes = [code for code, _ in e.recipients.values()]
                detail = "; ".join(f"{code} {_text(text)}" for code, text in e.recipients.values())
                self._reset()
                if all(500 <= code < 600 for code in codes):
                    return Outcome("permanent", f"refused: {detail}", attempts)
            except smtplib.SMTPResponseException as e:
                detail = f"{e.smtp_code} {_text(e.smtp_error)}"
                self._reset()
                if 500 <= e.smtp_code < 600:
                    return Outcome("permanent", f"refused: {detail}", attempts)
            except (smtplib.SMTPException, OSError) as e:
                detail = f"{type(e).__name__}: {e}"
                unreachable = self._connection is None
                self._drop(polite=False)
            log.info("temporary failure (try %d): %s", attempts, detail)
        if down is not None:
            raise down
        if unreachable:
            self.stopped = f"the relay could not be reached ({detail})"
        return Outcome("temporary", f"gave up after {attempts} tries: {detail}", attempts)

    def _timeout(self) -> float:
        """Seconds one SMTP operation may take: the setting, but never past the deadline."""
        return max(0.5, min(self.settings.timeout_seconds, self.remaining()))

    def _throttle(self) -> None:
        if self.interval and self._last_send is not None:
            wait = self._last_send + self.interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)

    def check(self) -> None:
        """Connect, log in and have the sender accepted, before any message: raises
        `RelayError` naming the setting to check."""
        connection = self._connect()
        try:
            connection.ehlo_or_helo_if_needed()
            code, reply = connection.mail(self.settings.sender)
            if code >= 400:
                raise smtplib.SMTPSenderRefused(code, reply, self.settings.sender)
            connection.rset()
            self.checked = True
        except smtplib.SMTPSenderRefused as e:
            self._drop(polite=False)
            raise self._refused_sender(e) from None
        except (smtplib.SMTPException, OSError) as e:
            self._drop(polite=False)
            where = f"{self.settings.host}:{self.settings.port}"
            raise RelayError(
                f"the relay {where} dropped the connection ({type(e).__name__}: {e}): check "
                "smtp.host and smtp.port"
            ) from None

    def _refused_sender(self, e: smtplib.SMTPSenderRefused) -> RelayError:
        return RelayError(
            f"the relay refused the sender {self.settings.sender} ({e.smtp_code} "
            f"{_text(e.smtp_error)}): "
            "check smtp.sender"
        )

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        s = self.settings
        where = f"{s.host}:{s.port}"
        timeout = self._timeout()
        stage = "its greeting"  # a relay that takes the connection, then says nothing
        try:
            if s.security == "tls":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=timeout, context=tls_context(s)
                )
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=timeout)
                if s.security == "starttls":
                    stage = "STARTTLS"
                    connection.starttls(context=tls_context(s))
        except smtplib.SMTPServerDisconnected as e:
            if "timed out" not in str(e):
                raise RelayError(
                    f"the relay {where} closed the connection at {stage} ({e}): check "
                    "smtp.host, smtp.port and smtp.security",
                    reachable=False,
                ) from None
            raise RelayError(
                f"the relay {where} accepted the connection but did not answer ({stage}) within "
                f"{timeout:g} s: check the relay, smtp.port and smtp.security",
                reachable=False,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise RelayError(
                f"the relay {where} does not offer STARTTLS: check smtp.security (tls for "
                "implicit TLS, usually port 465) and smtp.port"
            ) from None
        except ssl.SSLCertVerificationError as e:
            raise RelayError(
                f"the relay {where}'s certificate could not be verified ({e.verify_message}): "
                "check smtp.host, or smtp.ca_file for a private certificate authority"
            ) from None
        except ssl.SSLError as e:
            raise RelayError(
                f"TLS with the relay {where} failed ({e.reason or e}): check smtp.security and "
                "smtp.port"
            ) from None
        except smtplib.SMTPResponseException as e:
            raise RelayError(
                f"the relay {where} refused the connection ({e.smtp_code}): check smtp.host and "
                "smtp.port"
            ) from None
        except (OSError, smtplib.SMTPException) as e:
            raise RelayError(
                f"the relay {where} could not be reached ({type(e).__name__}: {e}): check "
                "smtp.host and smtp.port",
                reachable=False,
            ) from None
        if s.username:
            try:
                connection.login(s.username, self.password or "")
            except smtplib.SMTPAuthenticationError as e:
                connection.close()
                raise RelayError(
                    f"the relay {where} refused the login of {s.username} ({e.smtp_code}): "
                    f"check smtp.username and the password in ${s.password_env}"
                ) from None
            except smtplib.SMTPNotSupportedError:
                connection.close()
                raise RelayError(
                    f"the relay {where} does not take a login: check smtp.username and "
                    "smtp.security"
                ) from None
        self._connection = connection
        return connection

    def _reset(self) -> None:
        try:
            if self._connection is not None:
                self._connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop(polite=False)

    def _drop(self, *, polite: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if polite:
                connection.quit()
            else:
                connection.close()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _text(reply: bytes | str) -> str:
    """A relay's reply as text, on one line."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())
