"""The delivery ledger: who was sent what, in an SQLite file that only its owner can read.

One row per (week, traveler, content hash). A message is marked `sending` just before it goes to
the server and `sent` only after the server accepted it, each step committed at once; a run
killed between the server's acceptance and that commit leaves a `sending` row, which the next
run sends again, with the same Message-ID. That window (docs/delivery.md gives its measured
width) is the one way a traveler can get a message twice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from advisory.calendar import iso_timestamp

Status = Literal["sending", "sent", "failed", "skipped"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    week TEXT NOT NULL,
    traveler TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped')),
    detail TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (week, traveler, content_hash)
)
"""


@dataclass(frozen=True)
class Row:
    week: str
    traveler: str
    content_hash: str
    status: Status
    detail: str
    attempts: int
    updated_at: str


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        _private_folder(path.parent)
        new = not path.exists()
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        if new:
            path.chmod(0o600)
        self.db.execute("PRAGMA journal_mode=WAL")
        # A commit in WAL mode at NORMAL is written to the operating system before it returns:
        # it survives the process being killed (the case that matters between a server's
        # acceptance and the commit), and takes about 15 µs instead of an fsync's 200.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def status(self, week: str, traveler: str, content_hash: str) -> Status | None:
        found = self.db.execute(
            "SELECT status FROM deliveries WHERE week = ? AND traveler = ? AND content_hash = ?",
            (week, traveler, content_hash),
        ).fetchone()
        return found[0] if found else None

    def sent_before(self, week: str, traveler: str) -> bool:
        """Whether the traveler already got a message for this week (any content)."""
        found = self.db.execute(
            "SELECT 1 FROM deliveries WHERE week = ? AND traveler = ? AND status = 'sent'",
            (week, traveler),
        ).fetchone()
        return found is not None

    def mark(
        self,
        week: str,
        traveler: str,
        content_hash: str,
        status: Status,
        when: dt.datetime,
        detail: str = "",
        attempts: int = 0,
    ) -> None:
        """Record a step, committed before this returns."""
        self.db.execute(
            "INSERT INTO deliveries (week, traveler, content_hash, status, detail, attempts, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (week, traveler, content_hash) DO UPDATE SET status = excluded.status, "
            "detail = excluded.detail, attempts = excluded.attempts, "
            "updated_at = excluded.updated_at",
            (week, traveler, content_hash, status, detail, attempts, iso_timestamp(when)),
        )

    def rows(self, week: str | None = None) -> list[Row]:
        query = (
            "SELECT week, traveler, content_hash, status, detail, attempts, updated_at "
            "FROM deliveries"
        )
        params: tuple[str, ...] = ()
        if week is not None:
            query += " WHERE week = ?"
            params = (week,)
        query += " ORDER BY week, traveler, updated_at"
        return [Row(*found) for found in self.db.execute(query, params)]

    def purge(self, before: dt.datetime, *, dry_run: bool = False) -> list[tuple[str, str, str]]:
        """Remove rows last updated before `before` (with `dry_run`, remove nothing); returns
        (week, traveler, status) of each, by week and traveler."""
        found = [
            (str(week), str(traveler), str(status))
            for week, traveler, status in self.db.execute(
                "SELECT week, traveler, status FROM deliveries WHERE updated_at < ? "
                "ORDER BY week, traveler",
                (iso_timestamp(before),),
            )
        ]
        if not dry_run:
            self.db.execute("DELETE FROM deliveries WHERE updated_at < ?", (iso_timestamp(before),))
        return found


@contextmanager
def opened(path: Path) -> Iterator[Ledger]:
    ledger = Ledger(path)
    try:
        yield ledger
    finally:
        ledger.close()


def _private_folder(folder: Path) -> None:
    """Create `folder` readable by its owner only (itineraries are personal data)."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)
