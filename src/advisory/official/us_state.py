"""The US State Department's travel advisories, from its RSS feed.

Each `<item>` is one country: a title "Country - Level N: Words", a `Threat-Level` category
("Level N: Words"), a `Country-Tag` category (the Department's own codes, FIPS 10-4, not ISO:
`UK`, `EZ` for Czechia, `CG` for DR Congo), a link, a `pubDate` and the advisory text as HTML.
The country is matched by its name through advisory's country matcher; the tag only checks it
(and matches a name the matcher does not know). The risk indicators are the letters the text
gives in parentheses ("crime (C)"). The document is parsed with DTDs, entities and external
references refused (defusedxml).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Callable
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from advisory.errors import InputError, Location, Problem
from advisory.official.common import (
    Parsed,
    UnknownCountry,
    collect,
    country_named,
    fips_codes,
    web_link,
)
from advisory.official.records import OfficialRecord
from advisory.places.countries import Country, countries

#: "Peru - Level 2: Exercise Increased Caution".
_TITLE = re.compile(r"^(?P<country>.+?)\s+-\s+Level\s+(?P<level>[1-4])\s*:\s*(?P<words>.+)$")
_LEVEL = re.compile(r"^Level\s+(?P<level>[1-4])\s*:\s*(?P<words>.+)$")
#: The State Department's risk indicators, as its advisories write them: "(C)", "(T)", ...
_INDICATOR = re.compile(r"\(([CTUHNEKDO])\)")


def parse(data: bytes, shown: str) -> Parsed:
    """The records of an RSS document; raises `InputError`, located, for a document that is not
    the feed or an item that cannot be read (nothing is kept from a bad document)."""
    try:
        root = SafeXml.fromstring(data, forbid_dtd=True)
    except ParseError as e:
        line, column = e.position
        where = Location(shown, line, column + 1)
        raise InputError([Problem(where, "", f"not XML: {e.msg}")]) from None
    except DefusedXmlException as e:
        message = f"refused: the document declares a DTD or entities ({type(e).__name__})"
        raise InputError([Problem(Location(shown), "", message)]) from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise InputError([Problem(Location(shown), "", "not an RSS feed (no rss/channel)")])
    items = []
    for i, item in enumerate(channel.findall("item")):
        title = (item.findtext("title") or "").strip()[:80]
        items.append(
            (f"channel.item[{i}]", f"item {i + 1}" + (f" ({title!r})" if title else ""), item)
        )
    return collect(items, _record, shown)


def _record(item: Element, warn: Callable[[str], None]) -> OfficialRecord:
    title = " ".join((item.findtext("title") or "").split())
    found = _TITLE.match(title)
    if found is None:
        raise ValueError("the title is not 'Country - Level N: Words'")
    threat = _category(item, "Threat-Level")
    level, words = int(found["level"]), found["words"]
    checked = _LEVEL.match(threat) if threat is not None else None
    if checked is not None and int(checked["level"]) != level:
        raise ValueError(f"the title says Level {level} and the Threat-Level category {threat!r}")
    country = _country(found["country"], _category(item, "Country-Tag"), warn)
    return OfficialRecord(
        country=country.name,
        iso2=country.iso2,
        level=level,
        words=words,
        published=_day(item.findtext("pubDate") or ""),
        link=web_link(item.findtext("link")),
        indicators=list(dict.fromkeys(_INDICATOR.findall(item.findtext("description") or ""))),
    )


def _country(name: str, tag: str | None, warn: Callable[[str], None]) -> Country:
    """The country by its name, checked against the item's tag; by the tag when the name is
    one the matcher does not know."""
    tagged = countries().by_iso2(fips_codes().get(tag.upper(), "")) if tag else None
    try:
        country = country_named(name)
    except UnknownCountry:
        if tagged is None:
            raise
        warn(f"{name!r} matched by its Country-Tag {tag} as {tagged.name}")
        return tagged
    if tagged is not None and tagged.iso2 != country.iso2:
        warn(f"the Country-Tag {tag} stands for {tagged.name}; kept as {country.name}, its name")
    return country


def _category(item: Element, domain: str) -> str | None:
    for category in item.findall("category"):
        if category.get("domain") == domain:
            return " ".join((category.text or "").split())
    return None


def _day(text: str) -> dt.date:
    """`Mon, 14 Aug 2023` or an RFC 822 date and time, as the feed writes its `pubDate`."""
    text = " ".join(text.split())
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        pass
    for fmt in ("%a, %d %b %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"pubDate {text!r} is not a date")
