"""Typed errors that name the file, line, column and field a person has to fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where in a source file a problem is: 1-based line and column, either may be unknown.

    For a CSV file the column is the field's position in its row (1 for the first field), as a
    spreadsheet counts; for YAML and JSON it is the character column.
    """

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: `path:line:col: field: message`."""

    location: Location
    field: str
    message: str
    severity: Severity = Severity.ERROR
    #: It follows from another problem (a file that did not parse): listed after the others.
    follows: bool = False

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: {self.message}" if self.field else self.message
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}{prefix}{what}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def not_one_of(value: str, choices: Sequence[str], noun: str, *, show_choices: bool = True) -> str:
    """`'Hihg' is not a level (Minimal, Low, ...); did you mean 'High'?`"""
    message = f"{value!r} is not {noun}"
    if show_choices:
        message += f" ({', '.join(choices)})"
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.7)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def display_path(path: Path | str) -> str:
    """The path as a person typed it: relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class AdvisoryError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(AdvisoryError):
    """Bad input: rules, incidents, roster or config. Carries every problem found, not the first."""

    exit_code = 2
    kind = "input"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=_problem_order)
        errors = [p for p in self.problems if p.is_error]
        first = errors[0] if errors else (self.problems[0] if self.problems else None)
        super().__init__(str(first) if first else f"bad {self.kind}")


class ConfigError(InputError):
    kind = "config"


class TemplateError(AdvisoryError):
    """A template is missing or does not render."""


class RenderError(AdvisoryError):
    """HTML or PDF rendering failed."""


def _problem_order(p: Problem) -> tuple[bool, str, int, int, str]:
    """Root causes first, then by file, line, column and field."""
    loc = p.location
    return (p.follows, loc.path, loc.line or 0, loc.column or 0, p.field)
