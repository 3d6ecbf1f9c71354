"""Dates as the house style writes them; no heavy imports, for the reports and the alerts."""

from __future__ import annotations

import datetime as dt


def prose_date(day: dt.date) -> str:
    """`June 24`, in running text."""
    return f"{day:%B} {day.day}"


def stamp_date(day: dt.date) -> str:
    """`26 Jun 2018`, in stamps."""
    return f"{day.day} {day:%b %Y}"
