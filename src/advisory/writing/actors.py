"""Actors as a reader writes them, not as a feed labels them.

ACLED names actors by the conventions of its codebook: a state's forces by country and the
government's tenure ("Military Forces of Afghanistan (2014-2021)"), a group by its kind and
country ("Rioters (India)", "Unidentified Armed Group (Peru)"), an organisation by its acronym
and name ("NATO: North Atlantic Treaty Organization"). An analyst writes "Afghan military
forces", "rioters", "an unidentified armed group", "NATO". The rules' actor table
(`rules/actors.yaml`, keyed by the feed's full label, the tenure included) comes first; these
conventions are the fallback; any other name is written as given. A placeholder ("Unknown") is
no name at all. The incident table keeps the feed's own labels: only the prose is rewritten.

Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from advisory.models import Incident
from advisory.places.demonyms import demonym

#: Labels that name nobody: the feed did not know who.
PLACEHOLDERS = frozenset((
    "unknown", "unknown actor", "unknown actors", "unknown group", "unidentified", "none",
    "n/a", "na", "-", "?", "not known", "not reported",
))  # fmt: skip
#: What a placeholder actor is written as.
UNIDENTIFIED = "an unidentified group"
#: A state's forces: "Military Forces of Afghanistan (2014-2021)", with an optional part after
#: the tenure ("... (2016-) Supreme Political Council").
_FORCES = re.compile(
    r"^(?P<arm>Military|Police) Forces of (?:the )?(?P<country>[^()]+?) "
    r"\((?P<start>\d{4})-(?P<end>\d{4})?\)(?: (?P<part>.+))?$"
)
#: A group named by its kind and country: "Rioters (India)".
_BY_COUNTRY = re.compile(r"^(?P<kind>[^()]+?) \((?P<country>[^()]+)\)$")
#: Kinds of group the codebook names by country, as a reader writes them.
_GROUPS = {
    "rioters": "rioters",
    "protesters": "protesters",
    "civilians": "civilians",
    "students": "students",
    "farmers": "farmers",
    "teachers": "teachers",
    "lawyers": "lawyers",
    "journalists": "journalists",
    "women": "women",
    "health workers": "health workers",
    "labor group": "workers",
    "labour group": "workers",
    "prisoners": "prisoners",
    "refugees/idps": "displaced people",
    "unidentified armed group": "an unidentified armed group",
    "unidentified communal militia": "an unidentified communal militia",
    "unidentified military forces": "unidentified military forces",
    "unidentified gang": "an unidentified gang",
    "sole perpetrator": "a lone attacker",
    "private security forces": "private security guards",
}
#: A militia named by the identity it recruits from: "Fulani Ethnic Militia (Nigeria)".
_MILITIA = re.compile(r"^(?P<who>.+?) (?:Ethnic|Communal|Clan) Militia$")
#: An organisation by its acronym and name: "NATO: North Atlantic Treaty Organization".
_ACRONYM = re.compile(r"^(?P<short>[^:]{1,30}): (?P<long>.+)$")


def reader_name(label: str | None, table: Mapping[str, str] | None = None) -> str | None:
    """`label` as a reader writes it; None when there is no label, UNIDENTIFIED for a
    placeholder."""
    text = " ".join((label or "").split())
    if not text:
        return None
    if table and text in table:
        return table[text]
    if text.casefold() in PLACEHOLDERS:
        return UNIDENTIFIED
    if text.casefold() in _GROUPS:  # a group by its kind alone: "Unidentified Armed Group"
        return _GROUPS[text.casefold()]
    if forces := _FORCES.match(text):
        return _forces(forces)
    if group := _BY_COUNTRY.match(text):
        kind = group["kind"].strip()
        if kind.casefold() in _GROUPS:
            return _GROUPS[kind.casefold()]
        if militia := _MILITIA.match(kind):
            return f"{militia['who']} militiamen"
        return kind  # "Islamic State (Afghanistan)": the group, without the feed's country
    if acronym := _ACRONYM.match(text):
        return acronym["short"].strip()
    return text


def _forces(found: re.Match[str]) -> str:
    arm = "military forces" if found["arm"] == "Military" else "police"
    people = demonym(found["country"])
    name = f"{people} {arm}" if people else f"{arm} of {found['country']}"
    return f"{name} ({found['part']})" if found["part"] else name


def as_written(incidents: Iterable[Incident], table: Mapping[str, str]) -> list[Incident]:
    """The incidents with their perpetrator, target and claimant of a toll as a reader writes
    them (for prose; each incident's other fields as recorded)."""
    written = []
    for incident in incidents:
        names = {
            name: reader_name(getattr(incident, name), table)
            for name in ("perpetrator", "target", "claimed_by")
        }
        if all(names[name] == getattr(incident, name) for name in names):
            written.append(incident)
        else:
            written.append(incident.model_copy(update=names))
    return written
