"""`advisory purge`: delivery records and outboxes are personal data (who travels where), kept
only as long as the organisation's retention period."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from advisory.calendar import last_full_week, monday_of, parse_week, week_end, week_label
from advisory.config import Config
from advisory.delivery.ledger import opened
from advisory.delivery.send import LEDGER, MESSAGES, OUTBOX
from advisory.publishing.week import locked


@dataclass
class Purged:
    cutoff: dt.date
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (week, traveler, status)
    outboxes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # current weeks' outboxes, kept without force
    dry_run: bool = False

    @property
    def ledger_rows(self) -> int:
        return len(self.rows)


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


def purge(
    config: Config,
    cutoff: dt.datetime,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> Purged:
    """Remove ledger rows last updated before `cutoff`, and outboxes of weeks ended before it;
    with `dry_run`, only say what would go. The outboxes of the current week and of the last
    full one (the week a run delivers now) are kept unless `force`."""
    with locked(config.output, 0, config.state, sending=True):
        return _purge(config, cutoff, now, dry_run=dry_run, force=force)


def _purge(
    config: Config, cutoff: dt.datetime, now: dt.datetime, *, dry_run: bool, force: bool
) -> Purged:
    done = Purged(cutoff.date(), dry_run=dry_run)
    ledger_path = config.state / LEDGER
    if ledger_path.exists():
        with opened(ledger_path) as ledger:
            done.rows = ledger.purge(cutoff, dry_run=dry_run)
            if not dry_run:
                _forget_unlisted(config.state, ledger.stored())
    today = config.local(now)
    current = {week_label(monday_of(today.date())), week_label(last_full_week(today))}
    outbox = config.output / OUTBOX
    for folder in sorted(outbox.glob("*-W*")) if outbox.is_dir() else []:
        try:
            ended = week_end(parse_week(folder.name))
        except ValueError:
            continue
        if ended >= cutoff.date():
            continue
        if folder.name in current and not force:
            done.kept.append(folder.name)
            continue
        if not dry_run:
            shutil.rmtree(folder)
        done.outboxes.append(folder.name)
    return done


def _forget_unlisted(state: Path, listed: set[str]) -> None:
    """Remove the stored messages no ledger row names any more, and their emptied folders."""
    folder = state / MESSAGES
    if not folder.is_dir():
        return
    for path in folder.glob("*/*.eml"):
        if path.relative_to(state).as_posix() not in listed:
            path.unlink(missing_ok=True)
    for week in folder.iterdir():
        if week.is_dir() and not any(week.iterdir()):
            week.rmdir()
