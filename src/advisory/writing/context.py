"""The Context a region's data writes where no analyst has: what its incidents of the past 90
days were, who was named in them, where they happened, the deadliest, and how they compare with
the 90 days before.

    In the past 90 days, 143 incidents were recorded in Balkh, 98 of them clashes and attacks.
    They included 61 armed clashes, 20 air or drone strikes and 12 attacks on civilians. The
    actors most often named were the Taliban (52 incidents) and Afghan military forces (40).
    The busiest places were Charbolak (40 incidents), Kaldar (35) and Mazar-e Sharif (30). In
    the deadliest, 21 people were killed during an armed clash between ... on February 3. That
    is up from 61 incidents in the 90 days before.

`Activity` holds the counts (plan.py takes them from the log in one pass); `composed_context`
writes them. Pure functions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisory.calendar import prose_date
from advisory.models import Incident, RuleSet
from advisory.writing.actors import UNIDENTIFIED, as_written, reader_name
from advisory.writing.event import MAX_SENTENCE_WORDS, Clause, family_of, tell, words
from advisory.writing.prose import joined, number, plural_of, spelled, with_article

#: Days of incidents the context tells, and the days before them it compares with.
CONTEXT_DAYS = 90
#: Categories, actors and places named at most.
MAX_LISTED = 3
#: Names that are no actor a reader would call active.
_NOT_ACTORS = frozenset(("civilians", UNIDENTIFIED))


@dataclass(frozen=True)
class Activity:
    """A region's incidents of the `CONTEXT_DAYS` to the end of the reporting week."""

    incidents: int
    categories: tuple[tuple[str, int], ...]  # (category, incidents), most first
    actors: tuple[tuple[str, int], ...]  # (label as the source gives it, incidents), most first
    places: tuple[tuple[str, int], ...]  # (place, incidents), most first
    deadliest: Incident | None  # the most deaths counted exactly; None when none was killed
    before: int | None  # incidents of the days before; None when the log does not cover them
    since: dt.date | None = None  # where the log covers less than the days: its first day


def composed_context(
    activity: Activity,
    where: str,
    ruleset: RuleSet,
    names: Mapping[str, str],
    year: int | None = None,
) -> str:
    """The paragraph `Activity` tells, for the region called `where` in prose ("Balkh",
    "the VRAEM region"), issued in `year`; every sentence within `MAX_SENTENCE_WORDS`."""
    sentences = [_what(activity, where, ruleset)]
    frequent = [f"{number(n)} {plural_of(ruleset.label(c))}" for c, n in activity.categories
                if n > 1]  # fmt: skip
    if len(frequent) > 1:
        sentences.append(_fitted("They included {}.", frequent))
    actors = [(name, n) for name, n in _named_actors(activity.actors, names) if n > 1]
    if len(actors) > 1:
        sentences.append(_fitted("The actors most often named were {}.", _counted(actors)))
    places = [(name, n) for name, n in activity.places if n > 1]
    if len(places) > 1:
        sentences.append(_fitted("The busiest places were {}.", _counted(places)))
    elif places and 2 * places[0][1] > activity.incidents and len(activity.places) > 1:
        sentences.append(f"Most of them took place in {places[0][0]}.")
    if activity.deadliest is not None:
        [deadliest] = as_written([activity.deadliest], names)
        told = tell(Clause((deadliest,)), ruleset, start=False, year=year)
        if words(told) < MAX_SENTENCE_WORDS - 3:
            sentences.append(f"In the deadliest, {told}.")
    if activity.before is not None and not activity.since:
        sentences.append(_trend(activity.incidents, activity.before))
    return " ".join(s for s in sentences if s)


def _what(activity: Activity, where: str, ruleset: RuleSet) -> str:
    """`In the past 90 days, 143 incidents were recorded in Balkh, 98 of them clashes and
    attacks.`"""
    when = f"Since {_day(activity.since)}" if activity.since else f"In the past {CONTEXT_DAYS} days"
    total = activity.incidents
    if total == 1:
        [(category, _)] = activity.categories
        what = with_article(ruleset.label(category))
        return f"{when}, one incident was recorded in {where}: {what}."
    families: Counter[str] = Counter()
    for category, count in activity.categories:
        families[family_of(ruleset, category).label] += count
    [(label, count)] = families.most_common(1)
    text = f"{when}, {spelled(total, 'incident')} were recorded in {where}"
    if count == total:
        return f"{text}, all of them {label}."
    return f"{text}, {number(count)} of them {label}."


def _named_actors(
    labels: Sequence[tuple[str, int]], names: Mapping[str, str]
) -> list[tuple[str, int]]:
    """The actors as a reader writes them, labels of one actor counted together."""
    counts: Counter[str] = Counter()
    for label, count in labels:
        name = reader_name(label, names)
        if name and name not in _NOT_ACTORS and not name.startswith("an unidentified"):
            counts[name] += count
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def _fitted(template: str, told: Sequence[str]) -> str:
    """`template` filled with up to `MAX_LISTED` items, as many as fit in a sentence; empty
    when not even one fits."""
    for listed in range(min(MAX_LISTED, len(told)), 0, -1):
        text = template.format(joined(told[:listed]))
        if words(text) <= MAX_SENTENCE_WORDS:
            return text
    return ""


def _counted(items: Sequence[tuple[str, int]]) -> list[str]:
    """`Kaldar (59 incidents)`, `Charbolak (47)`, `Mazar-e Sharif (two)`."""
    return [f"{name} ({spelled(n, 'incident') if k == 0 else number(n)})"
            for k, (name, n) in enumerate(items)]  # fmt: skip


def _trend(recent: int, before: int) -> str:
    """How the incidents compare with the days before."""
    days = f"the {CONTEXT_DAYS} days before"
    if before == 0:
        return f"No incident was recorded in {days}."
    if 2 * recent >= 3 * before:
        return f"That is up from {spelled(before, 'incident')} in {days}."
    if 3 * recent <= 2 * before:
        return f"That is down from {spelled(before, 'incident')} in {days}."
    return f"That is about as many as in {days} ({number(before)})."


def _day(day: dt.date | None) -> str:
    return prose_date(day) if day else ""
