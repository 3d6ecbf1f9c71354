"""`advisory deliveries`: what the weekly runs sent, failed to send or skipped, and why."""

from __future__ import annotations

from advisory.config import Config
from advisory.delivery.ledger import opened
from advisory.delivery.send import LEDGER


def deliveries_table(config: Config, week: str | None = None) -> list[str]:
    """One line per ledger row (travelers by id), or one line saying there is no ledger."""
    path = config.state / LEDGER
    if not path.exists():
        return [f"no deliveries recorded ({path} does not exist)"]
    with opened(path) as ledger:
        rows = ledger.rows(week)
    lines = [f"{'week':<9}  {'traveler':<20}  {'status':<8}  {'tries':>5}  {'when':<20}  detail"]
    for row in rows:
        lines.append(
            f"{row.week:<9}  {row.traveler:<20}  {row.status:<8}  {row.attempts:>5}  "
            f"{row.updated_at:<20}  {row.detail}"
        )
    return lines
