"""Moments, ISO weeks, the issue time and every way the program writes or reads a date or time.

Nothing here reads the clock: the CLI reads it once and passes the moment down. Every moment
is timezone-aware and, unless a zone is named, in UTC. A site's calendar (its `timezone`
setting) decides which week is the last full one and when a week is issued; the stamps stay in
UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
#: Every date the program reads lies within these years: far enough from Python's limits that
#: a window or a look-back from any of them stays a date.
FIRST_YEAR, LAST_YEAR = 1900, 2200


class OutOfRange(ValueError):
    """A well-formed date outside FIRST_YEAR to LAST_YEAR."""


def in_range(day: dt.date) -> dt.date:
    """`day`, or `OutOfRange` when it lies outside FIRST_YEAR to LAST_YEAR."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(f"{day} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


# --- reading ----------------------------------------------------------------------------------


def parse_moment(text: str) -> dt.datetime:
    """`2018-06-26` (midnight), `2018-06-26T11:35`, `2018-06-26T11:35Z` or with an offset: a
    moment with a zone of its own in UTC, one without it as it is (naive), for `in_zone` to
    place in the site's zone.

    Raises `ValueError` for anything else.
    """
    moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    in_range(moment.date())
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)


def in_zone(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`moment` as a moment in `zone` (a site's calendar), read in that zone when it has no zone
    of its own: its date is then the site's date."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def parse_day(text: str) -> dt.date:
    """`2018-06-26`. Raises `ValueError` for anything else."""
    return in_range(dt.date.fromisoformat(text.strip()))


def parse_week(label: str) -> dt.date:
    """`2018-W25` (any case) -> Monday 18 June 2018. Raises `ValueError` for anything else."""
    year, sep, number = label.strip().upper().partition("-W")
    if not sep or not year.isdigit() or not number.isdigit():
        raise ValueError(f"{label!r} is not an ISO week such as 2018-W25")
    if len(year) != 4 or len(number) > 2:
        raise ValueError(f"{label!r} is not an ISO week such as 2018-W25")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    if not FIRST_YEAR <= monday.year <= LAST_YEAR:
        raise OutOfRange(f"{label.strip()} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return monday


def parse_time_of_day(text: str) -> dt.time:
    """`06:00`. Raises `ValueError` for anything else."""
    return dt.time.fromisoformat(text.strip())


# --- weeks and moments ------------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(day: dt.date) -> str:
    """`2018-W25`: the ISO week that holds `day`."""
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_end(monday: dt.date) -> dt.date:
    """The Sunday that ends the week."""
    return monday + dt.timedelta(days=6)


def issue_time(monday: dt.date, at: dt.time) -> dt.datetime:
    """The week's issue time: the Monday after it, at `at` in its zone (`at.tzinfo`, the site's
    calendar; UTC when it has none), as a moment in that zone, so that its date is the site's
    Monday."""
    return dt.datetime.combine(monday + WEEK, at.replace(tzinfo=None), tzinfo=at.tzinfo or dt.UTC)


def last_full_week(moment: dt.datetime, zone: dt.tzinfo = dt.UTC) -> dt.date:
    """Monday of the last full ISO week before `moment`, by the calendar of `zone` (the site's):
    at 06:00 on a Monday in Bangkok, the week that just ended there."""
    return monday_of(moment.astimezone(zone).date()) - WEEK


def end_of_day(moment: dt.datetime) -> dt.datetime:
    """Midnight at the end of the moment's day in its zone (the site's), so that the whole day
    counts."""
    zone = moment.tzinfo or dt.UTC
    return dt.datetime.combine(moment.astimezone(zone).date() + DAY, dt.time(), tzinfo=zone)


def period_label(start: dt.date, end: dt.date) -> str:
    """`2018-W25` when the period is an ISO week; its dates otherwise."""
    if start.weekday() == 0 and (end - start).days == 6:
        return week_label(start)
    return f"{stamp_date(start)} to {stamp_date(end)}"


def period_slug(start: dt.date, end: dt.date) -> str:
    """`2018-W25`, or `2018-06-19_2018-06-25`: a period in a file name."""
    if start.weekday() == 0 and (end - start).days == 6:
        return week_label(start)
    return f"{start.isoformat()}_{end.isoformat()}"


# --- writing ----------------------------------------------------------------------------------


def iso_timestamp(moment: dt.datetime) -> str:
    """`2018-06-25T06:00:00Z`: machine-readable, always UTC (manifests, PDF metadata, ledger)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month_name(day: dt.date) -> str:
    """`June`."""
    return f"{day:%B}"


def prose_date(day: dt.date) -> str:
    """`June 24`, in running text."""
    return f"{month_name(day)} {day.day}"


def table_date(day: dt.date, precision: str | None = None) -> str:
    """A date in a table, no more precise than its source: `2018-06-24`, `c. 2018-06-24` (within
    a week), `2018-05` (a month), `2018` (a year)."""
    return {
        "week": f"c. {day.isoformat()}",
        "month": f"{day:%Y-%m}",
        "year": f"{day:%Y}",
    }.get(precision or "day", day.isoformat())


def stamp_date(day: dt.date) -> str:
    """`26 Jun 2018`, in stamps."""
    return f"{day.day} {day:%b %Y}"


def stamp(moment: dt.datetime) -> str:
    """`26 Jun 2018 | 11:35 AM UTC`: an alert's issue stamp, always UTC."""
    utc = moment.astimezone(dt.UTC)
    return f"{stamp_date(utc.date())} | {utc:%I:%M %p} UTC"


def local_stamp(moment: dt.datetime, zone: str) -> str:
    """`25 Jun 2018 | 01:00 AM America/Lima`; the UTC stamp when the zone is UTC."""
    if zone == "UTC":
        return stamp(moment)
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{stamp_date(local.date())} | {local:%I:%M %p} {zone}"


def table_stamp(moment: dt.datetime) -> str:
    """`26 Jun 2018 11:35 UTC`: a moment in a plain-text table."""
    utc = moment.astimezone(dt.UTC)
    return f"{stamp_date(utc.date())} {utc:%H:%M} UTC"
