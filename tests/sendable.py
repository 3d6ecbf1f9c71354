"""What no sentence the product writes may hold, written from the feeds' conventions (the
ACLED codebook, GTD's summaries) and not from the product's tables: the checks of what an
analyst would send unedited."""

from __future__ import annotations

import re

#: What a feed's actor label looks like; no name the prose gives may.
LABEL_PATTERNS = {
    "tenure": re.compile(r"\(\d{4}-(\d{4})?\)"),
    "forces of": re.compile(r"\b(Military|Police) Forces of\b"),
    "group of a country": re.compile(
        r"\b(Rioters|Protesters|Civilians|Students|Farmers|Labor Group|Unidentified(?: [A-Z]\w*)+)"
        r" \("
    ),
    "acronym: expansion": re.compile(r"^[^:]{1,30}: [A-Z]"),
    "placeholder": re.compile(r"^unknown$", re.IGNORECASE),
}
#: The label patterns that can be looked for in running text (an acronym's expansion and a
#: placeholder are looked for in a name, not in prose).
IN_PROSE = ("tenure", "forces of", "group of a country")
#: "NATO: North Atlantic Treaty Organization" in running text.
ACRONYM_IN_PROSE = re.compile(r"\b[A-Z]{2,}: [A-Z][a-z]+ [A-Z]")
#: "Unknown" or "unidentified" standing as an actor's name.
UNKNOWN_AS_NAME = re.compile(
    r"\b(?:by|between|against|involving|and) (?:Unknown|unknown)\b(?! number)"
)
#: What a coding remark looks like, and no sentence of ours may hold.
REMARK = re.compile(
    r"coded (?:as|to)|split (?:across|between)|\[size=|\[women targeted|\[disorder type"
    r"|casualties unknown|fatalities unknown|no information on casualties|events \(\d+\)\."
    r"|number unknown|^\d{1,2}/\d{1,2}/\d{4}:",
    re.IGNORECASE,
)


def unsendable(text: str) -> list[str]:
    """What an editor would strike from a paragraph as a feed's words, not ours."""
    faults = []
    for what in IN_PROSE:
        if found := LABEL_PATTERNS[what].search(text):
            faults.append(f"feed label ({what}): {found.group(0)!r}")
    if found := ACRONYM_IN_PROSE.search(text):
        faults.append(f"feed label (acronym: expansion): {found.group(0)!r}")
    if found := UNKNOWN_AS_NAME.search(text):
        faults.append(f"'Unknown' as a name: {found.group(0)!r}")
    if found := REMARK.search(text):
        faults.append(f"coding remark: {found.group(0)!r}")
    return faults
