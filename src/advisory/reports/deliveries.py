"""`advisory deliveries`: what the sending runs sent, still owe, failed to send or skipped."""

from __future__ import annotations

import datetime as dt

from advisory.config import Config
from advisory.delivery.ledger import Row, opened
from advisory.delivery.send import LEDGER


def deliveries_table(config: Config, week: str | None, now: dt.datetime) -> list[str]:
    """One line per ledger row (travelers by id), or one line saying there is no ledger. A
    message still owed shows how long ago its week was issued, and whether it can be sent
    again (`deliveries --retry`)."""
    path = config.state / LEDGER
    if not path.exists():
        return [f"no deliveries recorded ({path} does not exist)"]
    with opened(path) as ledger:
        rows = ledger.rows(week)
    lines = [
        f"{'week':<9}  {'traveler':<20}  {'status':<10}  {'tries':>5}  {'when':<20}  "
        f"{'owed for':<8}  detail"
    ]
    for row in rows:
        lines.append(
            f"{row.week:<9}  {row.traveler:<20}  {row.status:<10}  {row.attempts:>5}  "
            f"{row.updated_at:<20}  {_owed_for(row, now):<8}  {_detail(row, config)}"
        )
    return lines


def _detail(row: Row, config: Config) -> str:
    """What the row is, for a brief (`brief ten-day, journey t-ana-torres/pe-vraem: ...`), and
    why it is as it is."""
    said = _why(row, config)
    if row.kind != "brief":
        return said
    what = f"{row.signature} (journey {row.journey})"
    return f"{what}; {said}" if said else what


def _owed_for(row: Row, now: dt.datetime) -> str:
    """How long since the week of a message still owed was issued: `3 d`, `5 h`."""
    if not row.owed(refused_too=True) or not row.issued_at:
        return ""
    age = now - dt.datetime.fromisoformat(row.issued_at)
    if age < dt.timedelta(days=1):
        return f"{max(0, int(age.total_seconds() // 3600))} h"
    return f"{age.days} d"


def _why(row: Row, config: Config) -> str:
    if row.owed(refused_too=True) and not (row.message and (config.state / row.message).is_file()):
        not_stored = "not retryable: recorded before messages were stored"
        return f"{row.detail}; {not_stored}" if row.detail else not_stored
    return row.detail
