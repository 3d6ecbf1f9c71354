"""The delivery ledger: who was sent what, in an SQLite file that only its owner can read.

One row per (week, traveler, content hash). A row's `kind` is `letter` (the weekly letters) or
`brief` (a pre-trip brief: its week is `briefs`, its `journey` the journey's key and `signature`
the journey's places and dates, which its content hash stands for with the brief's kind). A
message due is stored under the state folder and
recorded `pending` before anything is sent (before its week is published), so that a run that
stops (the relay down, the deadline, a kill) leaves it owed, not forgotten. It is marked
`sending` just before it goes to the server and `sent` only after the server accepted it, each
step committed at once; a run killed between the server's acceptance and that commit leaves a
`sending` row, which the next run sends again, with the same Message-ID. That window
(docs/delivery.md gives its measured width) is the one way a traveler can get a message twice.
A message owed and replaced by newer content for the same week is `superseded`.

The schema's version is SQLite's `user_version`; a ledger of an earlier version is migrated in
place when it is opened (its rows keep their status and have no stored message).
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
from advisory.errors import AdvisoryError
from advisory.faults import checkpoint

Status = Literal["pending", "sending", "sent", "failed", "skipped", "superseded"]
#: The schema's version (`PRAGMA user_version`); 0 is the first ledger's, without stored
#: messages or the pending state; 2 has no briefs (`kind`, `journey`, `signature`).
VERSION = 3
Kind = Literal["letter", "brief"]

_TABLE = """
CREATE TABLE {name} (
    week TEXT NOT NULL,
    traveler TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'sending', 'sent', 'failed', 'skipped', 'superseded')),
    detail TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    issued_at TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'letter',
    journey TEXT NOT NULL DEFAULT '',
    signature TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (week, traveler, content_hash)
)
"""
#: The columns version 3 adds to version 2's table, each with its default.
_ADDED = (
    "kind TEXT NOT NULL DEFAULT 'letter'",
    "journey TEXT NOT NULL DEFAULT ''",
    "signature TEXT NOT NULL DEFAULT ''",
)
_COLUMNS = (
    "week, traveler, content_hash, status, detail, attempts, updated_at, message, issued_at, "
    "kind, journey, signature"
)


@dataclass(frozen=True)
class Row:
    week: str
    traveler: str
    content_hash: str
    status: Status
    detail: str
    attempts: int
    updated_at: str
    #: The stored message, a path relative to the state folder ('' when none was stored).
    message: str
    #: The issue time of the message's week (ISO), '' before the ledger's version 2.
    issued_at: str
    kind: str = "letter"  # letter or brief
    journey: str = ""  # a brief's journey key
    signature: str = ""  # a brief's journey places and dates, and its kind: "ten-day: ..."

    def owed(self, *, refused_too: bool = False) -> bool:
        """Whether the message is still owed: pending, caught while sending, or failed for a
        while (or for good too, with `refused_too`)."""
        if self.status == "failed":
            return refused_too or not self.refused()
        return self.status in ("pending", "sending")

    def refused(self) -> bool:
        """Whether the relay refused the message for good."""
        return self.status == "failed" and self.detail.startswith("permanent")


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
        _migrate(self.db)

    def close(self) -> None:
        self.db.close()

    def status(self, week: str, traveler: str, content_hash: str) -> Status | None:
        found = self.db.execute(
            "SELECT status FROM deliveries WHERE week = ? AND traveler = ? AND content_hash = ?",
            (week, traveler, content_hash),
        ).fetchone()
        return found[0] if found else None

    def row(self, week: str, traveler: str, content_hash: str) -> Row | None:
        found = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries "
            "WHERE week = ? AND traveler = ? AND content_hash = ?",
            (week, traveler, content_hash),
        ).fetchone()
        return Row(*found) if found else None

    def sent_before(self, week: str, traveler: str) -> bool:
        """Whether the traveler already got a letter for this week (any content)."""
        found = self.db.execute(
            "SELECT 1 FROM deliveries WHERE week = ? AND traveler = ? AND status = 'sent' "
            "AND kind = 'letter'",
            (week, traveler),
        ).fetchone()
        return found is not None

    def briefs(self, traveler: str, journey: str) -> list[Row]:
        """The briefs recorded for a traveler's journey, oldest first."""
        found = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE kind = 'brief' AND traveler = ? "
            "AND journey = ? ORDER BY issued_at, updated_at",
            (traveler, journey),
        )
        return [Row(*values) for values in found]

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
        try:
            checkpoint("ledger")  # a test's full disk, as SQLite reports one
        except OSError:
            raise sqlite3.OperationalError("database or disk is full") from None
        self.db.execute(
            "INSERT INTO deliveries (week, traveler, content_hash, status, detail, attempts, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (week, traveler, content_hash) DO UPDATE SET status = excluded.status, "
            "detail = excluded.detail, attempts = excluded.attempts, "
            "updated_at = excluded.updated_at",
            (week, traveler, content_hash, status, detail, attempts, iso_timestamp(when)),
        )

    def owe(
        self,
        week: str,
        traveler: str,
        content_hash: str,
        message: str,
        issued: dt.datetime,
        when: dt.datetime,
        *,
        kind: Kind = "letter",
        journey: str = "",
        signature: str = "",
    ) -> None:
        """Record a message due and where it is stored: a new row is `pending` (and one
        superseded before is again), a row caught while sending or failed keeps its status
        (and is owed all the same)."""
        self.db.execute(
            f"INSERT INTO deliveries ({_COLUMNS}) "
            "VALUES (?, ?, ?, 'pending', '', 0, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (week, traveler, content_hash) DO UPDATE SET message = excluded.message, "
            "issued_at = excluded.issued_at, status = CASE status WHEN 'superseded' "
            "THEN 'pending' ELSE status END",
            (
                week,
                traveler,
                content_hash,
                iso_timestamp(when),
                message,
                iso_timestamp(issued),
                kind,
                journey,
                signature,
            ),
        )

    def supersede(self, week: str, keep: set[tuple[str, str]], when: dt.datetime) -> list[Row]:
        """Mark `superseded` the week's owed rows that are not in `keep` (traveler, content
        hash): the run that built the week's messages again no longer owes them. Returns them
        as they were."""
        gone = [
            row
            for row in self.rows(week)
            if row.owed() and (row.traveler, row.content_hash) not in keep
        ]
        for row in gone:
            self.mark(row.week, row.traveler, row.content_hash, "superseded", when,
                      "replaced by a newer message for the week", row.attempts)  # fmt: skip
        return gone

    def rows(self, week: str | None = None) -> list[Row]:
        query = f"SELECT {_COLUMNS} FROM deliveries"
        params: tuple[str, ...] = ()
        if week is not None:
            query += " WHERE week = ?"
            params = (week,)
        query += " ORDER BY week, traveler, updated_at"
        return [Row(*found) for found in self.db.execute(query, params)]

    def owed(self, *, refused_too: bool = False) -> list[Row]:
        """Every row still owed (`Row.owed`), oldest week first."""
        found = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries "
            "WHERE status IN ('pending', 'sending', 'failed') ORDER BY issued_at, week, traveler"
        )
        rows = [Row(*values) for values in found]
        return [row for row in rows if row.owed(refused_too=refused_too)]

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

    def stored(self) -> set[str]:
        """The stored messages the rows name."""
        return {str(m) for (m,) in self.db.execute("SELECT message FROM deliveries") if m}


class LedgerError(AdvisoryError):
    """The ledger could not be read or written (a full disk, a damaged file): the run stops
    there, naming it; what was recorded before stays."""

    exit_code = 1


@contextmanager
def opened(path: Path) -> Iterator[Ledger]:
    """The ledger at `path`; an SQLite or file error in it is a `LedgerError` naming it."""
    try:
        ledger = Ledger(path)
    except (sqlite3.Error, OSError) as e:
        raise _failed(path, e) from None
    try:
        yield ledger
    except sqlite3.Error as e:
        raise _failed(path, e) from None
    finally:
        ledger.close()


def _failed(path: Path, error: Exception) -> LedgerError:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return LedgerError(
        f"the delivery ledger {path} could not be written ({reason}): check the free space "
        "and permissions of its folder; what it recorded before is kept"
    )


def _migrate(db: sqlite3.Connection) -> None:
    """Create the table, or bring a ledger of an earlier version to `VERSION` in one
    transaction (a run killed midway leaves the old ledger as it was)."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version == VERSION:
        return
    if version > VERSION:
        raise sqlite3.DatabaseError(
            f"the ledger is of version {version}, newer than this program's {VERSION}"
        )
    db.execute("BEGIN IMMEDIATE")
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()  # another run may have
        if version == VERSION:  # migrated it while this one waited
            db.execute("COMMIT")
            return
        exists = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
        ).fetchone()
        if exists and version == 2:  # the briefs' columns, each with its default
            for column in _ADDED:
                db.execute(f"ALTER TABLE deliveries ADD COLUMN {column}")
        elif exists:
            db.execute(_TABLE.format(name="deliveries_new"))
            db.execute(
                "INSERT INTO deliveries_new (week, traveler, content_hash, status, detail, "
                "attempts, updated_at) SELECT week, traveler, content_hash, status, detail, "
                "attempts, updated_at FROM deliveries"
            )
            db.execute("DROP TABLE deliveries")
            db.execute("ALTER TABLE deliveries_new RENAME TO deliveries")
        else:
            db.execute(_TABLE.format(name="deliveries"))
        db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _private_folder(folder: Path) -> None:
    """Create `folder` readable by its owner only (itineraries are personal data)."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)
