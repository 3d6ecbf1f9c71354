"""The words of the house style: numbers under ten and ordinals as words, plurals, lists that
end with "and", casualty tolls, where an incident happened. Pure functions of their arguments."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import inflect

from advisory.calendar import month_name, prose_date
from advisory.models import ACTOR_KINDS, Incident

_words = inflect.engine()


# inflect checks the types of every call's arguments: a week's prose asks for the same few
# plurals and small numbers thousands of times, so each is worked out once.
@functools.lru_cache(maxsize=4096)
def _plural(noun: str) -> str:
    return str(_words.plural_noun(noun))


@functools.lru_cache(maxsize=1024)
def _in_words(count: int) -> str:
    return str(_words.number_to_words(str(count)))


def number(count: int, *, start: bool = False) -> str:
    """A count as a writer puts it: words under ten, and always at the start of a sentence;
    digits from 10, with thousands separated (`1,134`)."""
    if start or count < 10:
        text = _in_words(count)
        return text[0].upper() + text[1:] if start else text
    return f"{count:,}"


def ordinal(count: int) -> str:
    """`third`."""
    return str(_words.number_to_words(_words.ordinal(str(count))))


def counted(count: int, noun: str, *, start: bool = False) -> str:
    """`1 incident`, `3 incidents` (digits: for figures in tables and summaries)."""
    word = noun if count == 1 else _plural(noun)
    return f"{count} {word}" if not start else f"{number(count, start=True)} {word}"


def plural_of(noun: str) -> str:
    """`ambushes`, `casualties`: the plural of a noun (of its last word, for a phrase)."""
    return _plural(noun)


def spelled(count: int, noun: str, *, start: bool = False) -> str:
    """`three incidents`, `12 incidents`, `one fatality`: a count in prose, in the house style
    (words under ten, digits from 10), its noun in the plural the count takes."""
    word = noun if count == 1 else _plural(noun)
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


@dataclass(frozen=True)
class Toll:
    """What the sources know of some incidents' dead and wounded: deaths counted exactly,
    deaths reported but not counted (a feed's placeholder for "several", or one report's dead
    split across events), deaths one side claimed where none were confirmed, incidents whose
    deaths or wounded the source does not know."""

    killed: int = 0
    unconfirmed: bool = False
    claims: tuple[tuple[str, int], ...] = ()
    deaths_not_known: bool = False
    wounded: int = 0
    wounded_not_known: bool = False

    @classmethod
    def of(cls, incidents: Sequence[Incident]) -> Toll:
        killed, unconfirmed, not_known = 0, False, False
        claims: list[tuple[str, int]] = []
        for i in incidents:
            certainty = i.fatalities_certainty or "exact"
            if certainty == "estimated":
                unconfirmed = unconfirmed or i.fatalities > 0
            elif certainty == "unknown":
                not_known = True
            else:
                killed += i.fatalities
                if certainty == "claimed" and i.claimed_fatalities:
                    claims.append((i.claimed_by or "one side", i.claimed_fatalities))
                elif certainty == "claimed":
                    not_known = True
        return cls(
            killed=killed,
            unconfirmed=unconfirmed,
            claims=tuple(claims),
            deaths_not_known=not_known,
            wounded=sum(i.injuries or 0 for i in incidents),
            wounded_not_known=any(i.injuries is None for i in incidents),
        )

    @property
    def exact(self) -> bool:
        """Every death counted: no placeholder, claim or unknown among them."""
        return not (self.unconfirmed or self.claims or self.deaths_not_known)

    @property
    def none_reported(self) -> bool:
        """Every incident's source says nobody was killed or wounded."""
        return self.exact and not (self.killed or self.wounded or self.wounded_not_known)


def toll(known: Toll, *, start: bool = False, victims: str | None = None) -> str:
    """`four people were killed and six wounded`, `one person was wounded`, `at least four
    police officers were killed` (some deaths not counted), `an unconfirmed number of people
    were killed`, `the Taliban said 12 people were killed`: no more exact than its sources.
    Empty when there is nothing to tell (`no_toll` says why)."""
    one, several = ACTOR_KINDS.get(victims or "unknown", ACTOR_KINDS["unknown"])

    def people(count: int, first: bool) -> str:
        noun = f"{one} was" if count == 1 else f"{several} were"
        return f"{number(count, start=first)} {noun}"

    claim = ""
    if known.killed:
        deaths = f"{people(known.killed, start and known.exact)} killed"
        deaths = deaths if known.exact else f"at least {deaths}"
    elif known.unconfirmed:
        deaths = f"an unconfirmed number of {several} were killed"
    elif len(known.claims) == 1:
        [(by, count)] = known.claims
        deaths, claim = "", f"{by} said {people(count, False)} killed"
    elif known.claims:
        deaths, claim = "", "deaths were claimed but not confirmed"
    else:
        deaths = ""
    if known.wounded:
        at_least = "at least " if known.wounded_not_known else ""
        if deaths:
            text = f"{deaths} and {at_least}{number(known.wounded)} wounded"
        else:
            text = f"{at_least}{people(known.wounded, start and not at_least)} wounded"
            text = f"{text} and {claim}" if claim else text
    else:
        text = deaths or claim
    return capitalized(text) if start else text


def no_toll(known: Toll, *, single: bool) -> str:
    """Why `toll` had nothing to tell: `no casualties were reported` when every source says
    so; `no deaths were reported` when the wounded are not known; `the toll was not reported`
    for one incident whose source does not know it."""
    if known.none_reported:
        return "no casualties were reported"
    if single and known.deaths_not_known:
        return "the toll was not reported"
    return "no deaths were reported"


def when(incident: Incident, year: int | None = None) -> str:
    """When it happened, as precisely as the source knows: `on June 24`, `around June 24` (a
    date within a week), `in May`, `in 2018`; a month with its year where that is not `year`
    (the issue's): `in May 1982`. Never a day the source does not give."""
    day = incident.date
    if incident.date_precision == "week":
        return f"around {prose_date(day)}"
    if incident.date_precision == "month":
        return f"in {month_name(day)}" if day.year == year else f"in {day:%B %Y}"
    if incident.date_precision == "year":
        return f"in {day.year}"
    return f"on {prose_date(day)}"


def dateline(incident: Incident, year: int | None = None) -> str:
    """The date in a headline or a list: `June 24`, `c. June 24`, `May` (`May 1982` in another
    year than `year`), `2018`."""
    return when(incident, year).removeprefix("on ").replace("around ", "c. ").removeprefix("in ")


#: What a feed writes for a place it does not know (GTD's "Unknown"): no place to name.
NO_PLACE = frozenset(("unknown", "n/a", "na", "-", "?", "not known"))


def place(incident: Incident) -> str:
    """Where it happened, as precisely as the record says: `Mazángaro (Vizcatán district)`;
    `an unknown place in Guatemala` where the source names no place in the country."""
    location, admin2, admin1 = (
        name if name and name.casefold() not in NO_PLACE else None
        for name in (incident.location, incident.admin2, incident.admin1)
    )
    if location:
        return location
    if admin2 and admin1:
        return f"{admin2} ({admin1})"
    if admin2 or admin1:
        return admin2 or admin1 or ""
    named = incident.location or incident.admin2 or incident.admin1
    return f"an unknown place in {incident.country}" if named else incident.country
