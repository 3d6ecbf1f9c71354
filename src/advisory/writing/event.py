"""The Event section and the summary line at any volume: the series an incident belongs to,
the earlier and other incidents in a few clauses, who did it and to whom, and what to expect.

A week of three incidents reads like the 2018 VRAEM alert; a week of 400 reads as an editor
would cut it: at most three clauses named (identical ones merged: "two explosive attacks took
place in Girishk on March 9"), the rest in one sentence of counts and totals. No sentence this
module writes runs past `MAX_SENTENCE_WORDS` words and no paragraph past `MAX_PARAGRAPH_WORDS`,
whatever the input: clauses shed their actors, then their place's detail, and paragraphs name
fewer incidents until they fit. An analyst's or a feed's own summary is quoted as given.

Pure functions of incidents and rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from advisory.models import ACTOR_KINDS, Family, Incident, RuleSet
from advisory.remarks import without_remarks
from advisory.scoring import incident_points
from advisory.writing.actors import as_written
from advisory.writing.prose import (
    Toll,
    capitalized,
    joined,
    no_toll,
    number,
    ordinal,
    place,
    plural_of,
    since,
    toll,
    when,
    with_article,
)

MAX_SENTENCE_WORDS = 60
MAX_PARAGRAPH_WORDS = 150
#: Clauses a paragraph names at most; the rest are counted.
MAX_NAMED = 3
#: Ordinals are written up to this place ("the tenth such incident"); beyond, "one of 134".
MAX_ORDINAL = 10
#: A clause longer than this sheds detail (actors first, then the place's detail).
MAX_CLAUSE_WORDS = 40
#: Incidents in the recent window for a rise to count as one (and in the window before, for a
#: decline), so that one incident after a quiet month is not "a rise".
MIN_TREND_INCIDENTS = 3
#: Perpetrator kinds whose incidents are security-force operations.
STATE_FORCES = ("police", "military", "state_forces")
#: Places whose name ends in one of these nouns take "the": "the Huancavelica region".
_COMMON_PLACE_NOUNS = frozenset((
    "region", "district", "province", "department", "area", "valley", "river", "basin",
    "border", "zone", "corridor", "highway", "jungle", "coast",
))  # fmt: skip

Trend = Literal["rising", "easing"] | None


def words(text: str) -> int:
    return len(text.split())


def family_of(ruleset: RuleSet, category: str) -> Family:
    """The category's family; a family of its own when `families:` does not list it."""
    name = ruleset.family_of(category)
    if name in ruleset.families:
        return ruleset.families[name]
    return Family(label=plural_of(ruleset.label(category)), categories=[category])


#: An incident's points before decay: how the same day's incidents are ordered.
seriousness = incident_points


def date_order(ruleset: RuleSet) -> Callable[[Incident], tuple[dt.date, float, str]]:
    """Sort key: by date, the most serious first among those of one day, then by id."""
    return lambda i: (i.date, -seriousness(i, ruleset), i.id)


# --- trends ------------------------------------------------------------------------------------


def activity(
    incidents: Sequence[Incident],
    end: dt.date,
    window_days: int,
    chosen: Callable[[Incident], bool],
) -> Trend:
    """Whether the chosen incidents rose or fell: those of the `window_days` to `end` against
    those of the window before. A rise needs `MIN_TREND_INCIDENTS` recent incidents and at least
    twice as many as before; a decline the same the other way round."""
    recent_from = end - dt.timedelta(days=window_days - 1)
    before_from = recent_from - dt.timedelta(days=window_days)
    recent = sum(1 for i in incidents if recent_from <= i.date <= end and chosen(i))
    before = sum(1 for i in incidents if before_from <= i.date < recent_from and chosen(i))
    if recent >= MIN_TREND_INCIDENTS and recent >= 2 * before:
        return "rising"
    if before >= MIN_TREND_INCIDENTS and 2 * recent <= before:
        return "easing"
    return None


def is_operation(incident: Incident) -> bool:
    """A security-force operation: the incident was carried out by police or the military."""
    return incident.perpetrator_kind in STATE_FORCES


def amid(
    incidents: Sequence[Incident], lead: Incident, ruleset: RuleSet, end: dt.date
) -> tuple[str, Trend]:
    """The summary line's analysis (`amid intensifying security operations`, `amid a rise in
    clashes and attacks`) and the family's trend; empty when the data shows none."""
    family = family_of(ruleset, lead.category)
    members = set(family.categories)
    trend = activity(incidents, end, ruleset.window_days, lambda i: i.category in members)
    if activity(incidents, end, ruleset.window_days, is_operation) == "rising":
        return "amid intensifying security operations", trend
    if trend == "rising":
        return f"amid a rise in {family.label}", trend
    if trend == "easing":
        return f"amid a decline in {family.label}", trend
    return "", trend


def forecast(family: Family, level_trend: str, activity_trend: Trend, update: int) -> str:
    """The family's forecast for the case: rising (the level or the family's incidents rose),
    easing (either fell), continuing (a series of more than one week), new."""
    cases = family.forecast
    if level_trend == "up" or (activity_trend == "rising" and level_trend != "down"):
        return cases.rising or ""
    if level_trend == "down" or activity_trend == "easing":
        return cases.easing or ""
    return (cases.continuing if update else cases.new) or ""


# --- clauses -----------------------------------------------------------------------------------


def place_in(incident: Incident, *, coarse: bool = False) -> str:
    """`in the Huancavelica region`, `in Mazángaro (Vizcatán district)`; `coarse` gives the
    admin1 (or the country) only, for a clause that must be short."""
    return f"in {_with_the((incident.admin1 or incident.country) if coarse else place(incident))}"


def _actor(name: str | None, kind: str | None) -> str:
    """An actor as the source names it, else its kind in the plural ("rebels")."""
    if name:
        return name
    if kind and kind != "unknown":
        return ACTOR_KINDS[kind][1]
    return ""


def actors(incident: Incident, ruleset: RuleSet) -> str:
    """` carried out by narcoterrorists`, ` against a military base`, ` between soldiers and
    rebels`: who did it and to whom, as the record names them. The target is left out when it
    is only the victims' kind again."""
    by = _actor(incident.perpetrator, incident.perpetrator_kind)
    against = _actor(incident.target, incident.target_kind)
    if not incident.target and incident.victims and incident.victims == incident.target_kind:
        against = ""
    if against and f" {against}" in f" {ruleset.label(incident.category)}":
        against = ""  # "an attack on civilians", not "... against civilians" again
    if ruleset.categories[incident.category].between and by and by == against:
        return f" between {by}"  # one group on both sides: "clashes between rioters"
    if by == against:
        against = ""
    if ruleset.categories[incident.category].between:
        sides = [side for side in (by, against) if side]
        if len(sides) == 2:
            return f" between {sides[0]} and {sides[1]}"
        return f" involving {sides[0]}" if sides else ""
    text = f" {family_of(ruleset, incident.category).by} {by}" if by else ""
    if against and (word := ruleset.categories[incident.category].target_word):
        return f" {word} {against}{text}"  # "a kidnapping of civilians by ..."
    return f"{text} against {against}" if against else text


@dataclass(frozen=True)
class Clause:
    """Incidents alike in what, who, where and when, told as one clause."""

    incidents: tuple[Incident, ...]

    @property
    def first(self) -> Incident:
        return self.incidents[0]

    @property
    def toll(self) -> Toll:
        return Toll.of(self.incidents)

    @property
    def victims(self) -> str | None:
        """The victims' kind when every incident's record names the same one."""
        kinds = {i.victims for i in self.incidents}
        return kinds.pop() if len(kinds) == 1 else None


def clauses(
    incidents: Sequence[Incident], ruleset: RuleSet, year: int | None = None
) -> list[Clause]:
    """The incidents as clauses, in the given order; incidents alike (category, date as
    written, actors) share the clause of the first of them, which names their places: "three
    armed clashes between the Taliban and Afghan military forces in Balkh, Charbolak and
    Kaldar on March 14"."""
    groups: dict[tuple[str, ...], list[Incident]] = {}
    for incident in incidents:
        key = (incident.category, when(incident, year), actors(incident, ruleset))
        groups.setdefault(key, []).append(incident)
    return [Clause(tuple(group)) for group in groups.values()]


def places_in(incidents: Sequence[Incident], *, coarse: bool = False) -> str:
    """`in Girishk`, `in Balkh, Charbolak and Kaldar`, `in Sangin, Nawa, Marjah and two other
    places`; `coarse` names first-level units (or countries) only, for a short clause."""
    if len({place(i) for i in incidents}) == 1:
        return place_in(incidents[0], coarse=coarse)
    if coarse:
        units = list(dict.fromkeys(i.admin1 or i.country for i in incidents))
        if len(units) == 1:
            return place_in(incidents[0], coarse=True)
        if len(units) > MAX_NAMED:
            return f"in {number(len(units))} places"
        return f"in {joined([_with_the(u) for u in units])}"
    names = [_with_the(name) for name in dict.fromkeys(place(i) for i in incidents)]
    if len(names) > MAX_NAMED + 1:
        others = len(names) - MAX_NAMED
        names = [*names[:MAX_NAMED], f"{number(others)} other places"]
    return f"in {joined(names)}"


def _with_the(name: str) -> str:
    """`the Huancavelica region`; `Girishk`."""
    last = name.split(" (")[0].split()[-1:] or [""]
    return f"the {name}" if last[0] in _COMMON_PLACE_NOUNS else name


def tell(clause: Clause, ruleset: RuleSet, *, start: bool, year: int | None = None) -> str:
    """`four police officers were killed during an ambush carried out by narcoterrorists in the
    Huancavelica region on June 7`; `two explosive attacks took place in Girishk on March 9`.
    A clause over `MAX_CLAUSE_WORDS` sheds its actors, then its place's detail."""
    first = clause.first
    count = len(clause.incidents)
    label = ruleset.label(first.category)
    what = with_article(label) if count == 1 else f"{number(count)} {plural_of(label)}"
    casualties = toll(clause.toll, start=start, victims=clause.victims)
    for who, coarse in ((actors(first, ruleset), False), ("", False), ("", True)):
        where = f"{places_in(clause.incidents, coarse=coarse)} {when(first, year)}"
        if not casualties:
            text = f"{capitalized(what) if start else what}{who} took place {where}"
        else:
            text = f"{casualties} during {what}{who} {where}"
        if words(text) <= MAX_CLAUSE_WORDS:
            break
    return text


def quoted(
    incident: Incident, ruleset: RuleSet, names: Mapping[str, str], year: int | None = None
) -> str:
    """The incident's summary as the prose quotes it: without the feeds' coding remarks
    (`remarks.py`); a summary that was nothing but remarks gives way to a sentence of the
    incident's own fields, its actors as a reader writes them (`names`: the actor table)."""
    text = without_remarks(incident.summary)
    if text:
        return text
    [written] = as_written([incident], names)
    return f"{tell(Clause((written,)), ruleset, start=True, year=year)}."


#: Words by which a summary tells its toll: where it has none, the Event says the toll.
_TOLL_WORDS = re.compile(
    r"\b(?:kill|dead|death|died|fatalit|wound|injur|casualt|lynch|unhurt|no one was hurt)",
    re.IGNORECASE,
)


def untold_toll(incident: Incident, text: str, names: Mapping[str, str]) -> str:
    """`Fourteen people were killed.`: the incident's toll, as the sources know it, where its
    quoted summary (`text`) does not tell one (a feed's note often does not); else empty."""
    if _TOLL_WORDS.search(text):
        return ""
    [written] = as_written([incident], names)
    told = toll(Toll.of([written]), start=True, victims=incident.victims)
    return f"{told}." if told else ""


def _casualty_phrase(incidents: Sequence[Incident]) -> str:
    """`in which 112 people were killed and 40 wounded`, `in which at least 112 people were
    killed`; `none with casualties reported` only when every incident's source says so."""
    known = Toll.of(incidents)
    if told := toll(known):
        return f"in which {told}"
    what = "casualties" if known.none_reported else "deaths"
    return f"with no {what} reported" if len(incidents) == 1 else f"none with {what} reported"


def rest_sentence(rest: Sequence[Incident], noun: str, *, another: bool, tail: str) -> str:
    """`Another 37 incidents, in which 112 people were killed, were reported in the region
    during the week; ...`; without `another`, `Five other incidents, ...`."""
    count = len(rest)
    nouns = plural_of(noun) if count > 1 else noun
    if another:
        subject = f"Another {number(count)} {nouns}" if count > 1 else f"One more {noun}"
    else:
        subject = f"{number(count, start=True)} {nouns}"
    verb = "were" if count > 1 else "was"
    return f"{subject}, {_casualty_phrase(rest)}, {verb} reported in the region {tail}"


def named_sentences(
    intro: str, kept: Sequence[Clause], ruleset: RuleSet, year: int | None = None
) -> list[str]:
    """`In the same week, a, b and c.` as one sentence when it fits `MAX_SENTENCE_WORDS`, else a
    sentence a clause, each told as a sentence starts (`Forty-seven soldiers were ...`)."""
    if not kept:
        return []
    told = [tell(c, ruleset, start=not intro and n == 0, year=year) for n, c in enumerate(kept)]
    one = f"{intro}{joined(told)}."
    if words(one) <= MAX_SENTENCE_WORDS:
        return [capitalized(one)]
    rest = [f"{tell(c, ruleset, start=True, year=year)}." for c in kept[1:]]
    return [capitalized(f"{intro}{told[0]}."), *rest]


def fitted(build: Callable[[int], list[str]]) -> str:
    """The paragraph `build(n)` makes naming `n` clauses, for the largest `n` up to `MAX_NAMED`
    whose sentences and whole fit the limits."""
    for named in range(MAX_NAMED, -1, -1):
        sentences = build(named)
        text = " ".join(sentences)
        fits = all(words(s) <= MAX_SENTENCE_WORDS for s in sentences)
        if fits and words(text) <= MAX_PARAGRAPH_WORDS:
            return text
    return text


def chosen_clauses(
    incidents: Sequence[Incident], ruleset: RuleSet, named: int, year: int | None = None
) -> tuple[list[Clause], list[Incident]]:
    """The `named` most serious clauses, in date order, and the incidents left to count."""
    found = clauses(incidents, ruleset, year)

    def weight(clause: Clause) -> float:
        return sum(seriousness(i, ruleset) for i in clause.incidents)

    by_weight = sorted(range(len(found)), key=lambda n: (-weight(found[n]), n))
    # In date order; the most serious first among clauses of one day.
    kept = sorted((found[n] for n in by_weight[:named]), key=lambda c: (c.first.date, -weight(c)))
    told = {id(i) for c in kept for i in c.incidents}
    return kept, [i for i in incidents if id(i) not in told]


# --- paragraphs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """The lead's series: the family's incidents in the region since the series began, in date
    order, and the lead's place among them (1 for the first)."""

    such: tuple[Incident, ...]
    position: int
    began: dt.date

    @property
    def before(self) -> tuple[Incident, ...]:
        return self.such[: self.position - 1]


def series_of(lead: Incident, incidents: Sequence[Incident], began: dt.date,
              ruleset: RuleSet) -> Series:  # fmt: skip
    """`incidents` are the alert series' (every category, from `began`); the lead's family's."""
    family = ruleset.family_of(lead.category)
    such = sorted(
        (i for i in incidents if ruleset.family_of(i.category) == family), key=date_order(ruleset)
    )
    return Series(tuple(such), such.index(lead) + 1, began)


def place_in_series(series: Series, where: str, ruleset: RuleSet) -> str:
    """`the third such incident in the VRAEM region since the beginning of June`. Past the
    tenth, "such" is read as the lead's own kind, so the sentence names what it counts: the
    lead's category alone where the series holds several (`the second air or drone strike in
    Helmand since March 1`), else the family (`one of 43 clashes and attacks ...`, `the latest
    of 134 ...` for the last)."""
    started = since(series.began)
    total = len(series.such)
    if series.position <= MAX_ORDINAL:
        return f"the {ordinal(series.position)} such incident {where} since {started}"
    lead = series.such[series.position - 1]
    if len({i.category for i in series.such}) > 1:
        own = [i for i in series.such if i.category == lead.category]
        position, label = own.index(lead) + 1, ruleset.label(lead.category)
        if position <= MAX_ORDINAL:
            return f"the {ordinal(position)} {label} {where} since {started}"
        which = "the latest" if position == len(own) else "one"
        return f"{which} of {number(len(own))} {plural_of(label)} {where} since {started}"
    which = "the latest" if series.position == total else "one"
    label = family_of(ruleset, lead.category).label
    return f"{which} of {number(total)} {label} {where} since {started}"


def names_its_kind(series: Series) -> bool:
    """Whether the series sentence names the lead's category rather than "such incidents"."""
    return series.position > MAX_ORDINAL and len({i.category for i in series.such}) > 1


def series_paragraph(
    series: Series, ruleset: RuleSet, named_region: str, plain_region: str, year: int | None = None
) -> str:
    """`This was the third such incident to take place in the restive VRAEM region (...) since
    the beginning of June. Four police officers were killed during ... on June 7 and ...`"""
    where = f"to take place in {named_region}"
    opening = f"This was {place_in_series(series, where, ruleset)}."
    if words(opening) > MAX_SENTENCE_WORDS:
        plain = f"to take place in {plain_region}"
        opening = f"This was {place_in_series(series, plain, ruleset)}."
    # After a sentence that counts the lead's own kind, "such" would mean that kind too.
    such = "" if names_its_kind(series) else "such "

    before = series.before
    if names_its_kind(series):  # the earlier incidents named are of the kind it counts
        lead = series.such[series.position - 1].category
        before = tuple(i for i in before if i.category == lead)

    def build(named: int) -> list[str]:
        kept, rest = chosen_clauses(before, ruleset, named, year)
        told = {id(i) for c in kept for i in c.incidents}
        rest = [i for i in series.before if id(i) not in told]
        sentences = [opening, *named_sentences("", kept, ruleset, year)]
        if rest:
            noun = f"{such}incident" if kept else f"earlier {such}incident"
            tail = f"since {since(series.began)}."
            sentences.append(rest_sentence(rest, noun, another=bool(kept), tail=tail))
        return sentences

    return fitted(build)


def week_paragraph(
    others: Sequence[Incident], ruleset: RuleSet, *, listed: bool = True, year: int | None = None
) -> str:
    """`In the same week, ...`: the week's other incidents, at most three clauses named; those
    counted are `listed` in the bulletin's incident table, or not."""

    def build(named: int) -> list[str]:
        kept, rest = chosen_clauses(others, ruleset, named, year)
        sentences = named_sentences("In the same week, ", kept, ruleset, year)
        if rest:
            pronoun = "they are" if len(rest) > 1 else "it is"
            table = f"; {pronoun} listed in the bulletin's incident table" if listed else ""
            tail = f"during the week{table}."
            noun = "incident" if kept else "other incident"
            sentences.append(rest_sentence(rest, noun, another=bool(kept), tail=tail))
        return sentences

    return fitted(build)


def summary_line(
    lead: Incident,
    ruleset: RuleSet,
    series: Series,
    region_name: str,
    analysis: str,
    year: int | None = None,
) -> str:
    """`An armed clash between Peruvian soldiers and narcotraffickers in the Vizcatán district
    on June 24 amid a rise in clashes and attacks, the third such incident in the VRAEM region
    since the beginning of June.`"""
    label = capitalized(with_article(ruleset.label(lead.category)))
    after = f" {analysis}" if analysis else ""
    if series.position > 1:
        tail = f", {place_in_series(series, f'in {region_name}', ruleset)}."
    else:
        known = Toll.of([lead])
        tail = f"; {toll(known, victims=lead.victims) or no_toll(known, single=True)}."
    for who, coarse in ((actors(lead, ruleset), False), ("", False), ("", True)):
        text = f"{label}{who} {place_in(lead, coarse=coarse)} {when(lead, year)}{after}{tail}"
        if words(text) <= MAX_SENTENCE_WORDS:
            break
    return text
