"""`advisory purge`: delivery records and outboxes are personal data (who travels where), kept
only as long as the organisation's retention period."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field

from advisory.calendar import parse_week, week_end
from advisory.config import Config
from advisory.delivery.ledger import opened
from advisory.delivery.send import LEDGER, OUTBOX
from advisory.publishing.week import locked


@dataclass
class Purged:
    cutoff: dt.date
    ledger_rows: int = 0
    outboxes: list[str] = field(default_factory=list)


#: The longest retention `purge` takes: a hundred years.
MAX_DAYS = 36_600


def parse_days(text: str) -> int:
    """`180d` or `180`: a number of days, at most MAX_DAYS. Raises `ValueError` otherwise."""
    digits = text.strip().lower().removesuffix("d")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{text!r} is not a number of days, e.g. 180d")
    if len(digits) > 6 or int(digits) > MAX_DAYS:
        raise ValueError(f"{text!r} is more than {MAX_DAYS:,} days")
    return int(digits)


def purge(config: Config, cutoff: dt.datetime) -> Purged:
    """Remove ledger rows last updated before `cutoff`, and outboxes of weeks ended before it."""
    with locked(config.output, 0, config.state):
        return _purge(config, cutoff)


def _purge(config: Config, cutoff: dt.datetime) -> Purged:
    done = Purged(cutoff.date())
    ledger_path = config.state / LEDGER
    if ledger_path.exists():
        with opened(ledger_path) as ledger:
            done.ledger_rows = ledger.purge(cutoff)
    outbox = config.output / OUTBOX
    for folder in sorted(outbox.glob("*-W*")) if outbox.is_dir() else []:
        try:
            ended = week_end(parse_week(folder.name))
        except ValueError:
            continue
        if ended < cutoff.date():
            shutil.rmtree(folder)
            done.outboxes.append(folder.name)
    return done
