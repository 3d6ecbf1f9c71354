"""SMTP with one connection for the whole run, retries for temporary failures, a rate limit.

A temporary failure (a 4xx reply, a dropped connection, a timeout) is tried again after the
configured delays, on a fresh connection; a permanent one (5xx) is reported at once and not
tried again. Past the run's delivery deadline nothing more is tried, and a relay that could not
be reached through all the retries of one message is not tried for the others: what is left
waits for the next run.
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

log = logging.getLogger("advisory")


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
                unreachable = False
                if connection.sock is not None:
                    connection.sock.settimeout(self._timeout())
                connection.send_message(message)
                self._last_send = time.monotonic()
                return Outcome("sent", "accepted", attempts)
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
                detail = "; ".join(f"{code} {text!r}" for code, text in e.recipients.values())
                self._reset()
                if all(500 <= code < 600 for code in codes):
                    return Outcome("permanent", f"refused: {detail}", attempts)
            except smtplib.SMTPResponseException as e:
                detail = f"{e.smtp_code} {e.smtp_error!r}"
                self._reset()
                if 500 <= e.smtp_code < 600:
                    return Outcome("permanent", f"refused: {detail}", attempts)
            except (smtplib.SMTPException, OSError) as e:
                detail = f"{type(e).__name__}: {e}"
                unreachable = self._connection is None
                self._drop(polite=False)
            log.info("temporary failure (try %d): %s", attempts, detail)
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

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        s = self.settings
        if s.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=self._timeout(), context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=self._timeout())
            if s.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if s.username:
            connection.login(s.username, self.password or "")
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
