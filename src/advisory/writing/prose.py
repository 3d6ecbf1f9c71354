"""The words of the house style: numbers under ten and ordinals as words, plurals, lists that
end with "and", casualty tolls, where an incident happened. Pure functions of their arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import inflect

from advisory.calendar import month_name, prose_date
from advisory.models import ACTOR_KINDS, Incident

_words = inflect.engine()


def number(count: int, *, start: bool = False) -> str:
    """A count as a writer puts it: words under ten, and always at the start of a sentence;
    digits from 10, with thousands separated (`1,134`)."""
    if start or count < 10:
        text = str(_words.number_to_words(str(count)))
        return text[0].upper() + text[1:] if start else text
    return f"{count:,}"


def ordinal(count: int) -> str:
    """`third`."""
    return str(_words.number_to_words(_words.ordinal(str(count))))


def counted(count: int, noun: str, *, start: bool = False) -> str:
    """`1 incident`, `3 incidents` (digits: for figures in tables and summaries)."""
    word = noun if count == 1 else str(_words.plural_noun(noun))
    return f"{count} {word}" if not start else f"{number(count, start=True)} {word}"


def plural_of(noun: str) -> str:
    """`ambushes`, `casualties`: the plural of a noun (of its last word, for a phrase)."""
    return str(_words.plural_noun(noun))


def spelled(count: int, noun: str, *, start: bool = False) -> str:
    """`three incidents`, `12 incidents`, `one fatality`: a count in prose, in the house style
    (words under ten, digits from 10), its noun in the plural the count takes."""
    word = noun if count == 1 else str(_words.plural_noun(noun))
    return f"{number(count, start=start)} {word}"


def joined(items: Sequence[str]) -> str:
    """`a, b and c`: lists end with "and", as the house style writes them."""
    return str(_words.join(list(items), final_sep="")) if items else ""


def with_article(noun: str) -> str:
    """`an ambush`, `a protest`."""
    return str(_words.a(noun))


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def since(day: dt.date) -> str:
    """`the beginning of June`, `mid-June`, `late June`: when a series started."""
    if day.day <= 10:
        return f"the beginning of {month_name(day)}"
    if day.day <= 20:
        return f"mid-{month_name(day)}"
    return f"late {month_name(day)}"


def toll(fatalities: int, injuries: int, *, start: bool = False, victims: str | None = None) -> str:
    """`four people were killed and six wounded`, `one person was wounded`; with the kind of
    victims the source names, `four police officers were killed`."""
    one, several = ACTOR_KINDS.get(victims or "unknown", ACTOR_KINDS["unknown"])

    def people(count: int, first: bool) -> str:
        noun = f"{one} was" if count == 1 else f"{several} were"
        return f"{number(count, start=first)} {noun}"

    if fatalities and injuries:
        return f"{people(fatalities, start)} killed and {number(injuries)} wounded"
    if fatalities:
        return f"{people(fatalities, start)} killed"
    if injuries:
        return f"{people(injuries, start)} wounded"
    return "No casualties were reported" if start else "no casualties were reported"


def when(incident: Incident) -> str:
    """When it happened, as precisely as the source knows: `on June 24`, `around June 24` (a
    date within a week), `in May`, `in 2018`."""
    day = incident.date
    if incident.date_precision == "week":
        return f"around {prose_date(day)}"
    if incident.date_precision == "month":
        return f"in {month_name(day)}"
    if incident.date_precision == "year":
        return f"in {day.year}"
    return f"on {prose_date(day)}"


def dateline(incident: Incident) -> str:
    """The date in a headline: `June 24`, `c. June 24`, `May`, `2018`."""
    return when(incident).removeprefix("on ").replace("around ", "c. ").removeprefix("in ")


def place(incident: Incident) -> str:
    """Where it happened, as precisely as the record says: `Mazángaro (Vizcatán district)`."""
    if incident.location:
        return incident.location
    if incident.admin2 and incident.admin1:
        return f"{incident.admin2} ({incident.admin1})"
    return incident.admin2 or incident.admin1 or incident.country
