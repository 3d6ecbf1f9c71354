"""Cells of the CSV files the product writes for people, safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

#: A cell that starts with one of these is taken for a formula by spreadsheets
#: (`=HYPERLINK(...)` in an incident's summary would become a live link).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, behind an apostrophe (shown as text);
    anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
