"""Place names repaired from what text suffers in transit, before they are matched to regions.

- **Double encoding** (mojibake): UTF-8 read as Latin-1 or Windows-1252 by a spreadsheet or a
  script on the way, `MorazÃ¡n` for `Morazán`. Repaired by `ftfy` (a well-kept library that
  recognises the byte patterns of each such mistake, and leaves text alone that only looks
  odd), not by a table of our own.
- **A lost letter**: a character that could not be decoded, replaced by U+FFFD (`Moraz\ufffdn`),
  or a letter a code page lacks, written as `?` (`Moraz?n`).
  It stands for exactly one letter, so the name is read as the one known unit of its country,
  at its level, that it matches with one letter there (`Morazán`); where none or several
  match, it is left as it is and said.

Known units are the names the log itself spells without damage, and the names the region
files give (with their aliases), in the same country and at the same level. Every repair is a
warning naming its rows: the data was changed, and an analyst may want to fix the source.
Nothing here makes a region of its own: a repaired name matches as the undamaged one does.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from advisory.errors import Problem, Severity
from advisory.inputs.incidents import MAX_REPORTS, IncidentLog
from advisory.models import Rules
from advisory.places.world import country_key
from advisory.writing.prose import counted, joined

LEVELS = ("admin1", "admin2", "location")
LOST = "\ufffd"
#: A question mark between letters is a lost letter too: what an encoder writes for a letter
#: its code page lacks ("Jun?n"). As the table engine's pattern, and as Python's.
_QUESTION = r"\pL\?\pL"
_QUESTION_RE = re.compile(r"(?<=[^\W\d_])\?(?=[^\W\d_])")
#: What double-encoded UTF-8 leaves in text: a lead byte read as Latin-1 or Windows-1252.
_MOJIBAKE_HINT = r"[ÃÂÅÄâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ ¡-¿]"
_DAMAGE = f"{LOST}|{_QUESTION}|{_MOJIBAKE_HINT}"
#: Rows named in one warning; the rest are counted.
ROWS_NAMED = 5


def repaired_places(log: IncidentLog, rules: Rules) -> tuple[IncidentLog, list[Problem]]:
    """The log with its damaged place names repaired, and a warning for each repair (or for a
    lost letter that could not be)."""
    frame = log.frame
    # Looked for once per distinct name: place names repeat a great deal.
    damaged = frame.lazy().select(
        pl.col(level).unique().str.contains(_DAMAGE).any() for level in LEVELS
    )
    if not any(damaged.collect().row(0)):
        return log, []
    known = _known_units(frame, rules)
    problems: list[Problem] = []
    for level in LEVELS:
        # The damaged rows, read once: each damaged name with where it stands.
        rows: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
        for country, value, file, row in (
            frame.filter(pl.col(level).str.contains(_DAMAGE).fill_null(False))
            .select("country", level, "source_file", "source_row")
            .rows()
        ):
            rows[(country, value)].append((file, row))
        fixes: dict[tuple[str, str], str] = {}
        for country, value in sorted(rows):
            fixed, why = _repair(value, known[(country_key(country), level)])
            if fixed is not None:
                fixes[(country, value)] = fixed
            problems += _warnings(log, level, value, rows[(country, value)], fixed, why)
        if fixes:
            table = pl.DataFrame(
                [(c, v, f) for (c, v), f in fixes.items()],
                schema={"country": pl.String, level: pl.String, "_fixed": pl.String},
                orient="row",
            )
            frame = (
                frame.join(table, on=["country", level], how="left", maintain_order="left")
                .with_columns(pl.coalesce("_fixed", level).alias(level))
                .drop("_fixed")
            )
    return dataclasses.replace(log, frame=frame), problems


def _known_units(frame: pl.DataFrame, rules: Rules) -> dict[tuple[str, str], set[str]]:
    """Undamaged names by (country, level): the log's and the region files'."""
    known: dict[tuple[str, str], set[str]] = defaultdict(set)
    for level in LEVELS:
        sound = (
            frame.select("country", level)
            .drop_nulls()
            .filter(~pl.col(level).str.contains(_DAMAGE))
            .unique()
        )
        for country, name in sound.rows():
            known[(country_key(country), level)].add(name)
    for region in rules.regions:
        country = rules.countries.get(region.id)
        if country is None:
            continue
        for entry in region.match:
            aliases = entry.aliases
            for level in LEVELS:
                names: Iterable[str] = getattr(entry, level)
                more = getattr(aliases, level, None) if aliases else None
                known[(country_key(country), level)].update([*names, *(more or [])])
    return known


def _repair(value: str, known: set[str]) -> tuple[str | None, str]:
    """The repaired name and how it was damaged; None (and why) where it cannot be."""
    text = value
    if re.search(_MOJIBAKE_HINT, text):
        import ftfy  # only where a log has mojibake: it costs an import

        fixed = ftfy.fix_encoding(text)
        if fixed != text and LOST not in fixed:
            return fixed, "double-encoded"
        text = fixed
    text = _QUESTION_RE.sub(LOST, text)
    if LOST not in text:
        return None, ""
    pattern = re.compile(
        "".join(r"[^\W\d_]" if ch == LOST else re.escape(ch) for ch in text), re.IGNORECASE
    )
    matches = sorted({name for name in known if pattern.fullmatch(name)})
    if len(matches) == 1:
        return matches[0], "a letter lost in transit"
    if not matches:
        return None, "a letter lost in transit, and no known place of the country matches it"
    return None, f"a letter lost in transit, and it could be any of {', '.join(matches[:4])}"


def _warnings(
    log: IncidentLog,
    level: str,
    value: str,
    rows: list[tuple[str, int]],
    fixed: str | None,
    why: str,
) -> list[Problem]:
    """One warning per file: where the name first stands (`rows`: file and row of each), and
    the lines it was found on."""
    if not why:
        return []
    by_file: dict[str, list[int]] = defaultdict(list)
    for file, row in rows:
        by_file[file].append(row)
    problems = []
    for file, found in by_file.items():
        first = log.locate(file, found[0], level)
        lines = [str(log.locate(file, row, level).line) for row in found[:ROWS_NAMED]]
        if len(found) > ROWS_NAMED:
            lines.append(f"{len(found) - ROWS_NAMED} more")
        rows_told = f"{counted(len(found), 'row')} ({'line' if len(found) == 1 else 'lines'} "
        told = f"read as {fixed!r}" if fixed is not None else "left as it is"
        problems.append(
            Problem(
                first,
                level,
                f"{value!r} ({why}) {told}: {rows_told}{joined(lines)})",
                Severity.WARNING,
            )
        )
    return problems[:MAX_REPORTS]
