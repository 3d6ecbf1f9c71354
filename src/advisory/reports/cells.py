"""Cells of the CSV files the product writes for people, safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Any

from advisory.plaintext import shown

#: A cell that starts with one of these is taken for a formula by spreadsheets
#: (`=HYPERLINK(...)` in an incident's summary would become a live link).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text as outputs show it (`plaintext.shown`), behind an apostrophe when a spreadsheet
    would run it as a formula (shown as text); anything else as it is."""
    if not isinstance(value, str):
        return value
    value = shown(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
