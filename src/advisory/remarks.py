"""The feeds' coding remarks, which are for their analysts and never for a traveler.

ACLED's coders end a note with how they coded it: a bracketed tag (`[size=no report]`,
`[women targeted: Girls]`), how the toll was coded (`unknown reported fatalities coded as 10`,
`Fatalities are split across 3 events.`, `Fatalities coded as 0 (Taliban reported 12).`,
`Casualties unknown.`), where the event was placed (`(coded to Taiz)`, `Location coded to the
district capital.`) or a closing count (`3 fatalities.`). The Global Terrorism Database's
summaries open with the date (`03/14/2015: `) and may say its sources disagree. None of these is
news: `without_remarks` takes them out of the text the prose quotes, clause by clause, and keeps
the rest as written ("Several people were reported killed" stays: it is what the source knows).
The feed's note is kept whole beside it.

Used at import, and again when composing, so that a log imported before, or a note pasted by
hand, reads the same. Pure functions.
"""

from __future__ import annotations

import re

#: Remarks inside a sentence: bracketed tags (closed, or cut off at the end), asides on coding.
ASIDES = (
    re.compile(r"\s*\[[^\]\[]*[=:][^\]\[]*\]"),
    re.compile(r"\s*\[(?:size|women targeted|disorder type)\b[^\]]*$", re.IGNORECASE),
    re.compile(r"\s*\([^()]*\b(?:coded|codes)\b[^()]*\)", re.IGNORECASE),
)
#: A toll the source does not know: "Casualties unknown.", "No information on casualties".
_UNKNOWN_TOLL = (
    r"(?:casualties|fatalities|the number of fatalities|the toll)"
    r"(?: (?:is|are|was|were))? (?:unknown|not (?:reported|known)|unclear)"
    r"|no information (?:on|about) (?:casualties|fatalities)"
)
#: Clauses (a sentence, or a part of one between semicolons) that are remarks whole.
CLAUSES = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # how the toll was coded
        r"(?:unknown )?(?:reported )?fatalit(?:y|ies)\b.*\bcoded\b.*",
        r"fatalit(?:y|ies) (?:are |were |is )?split (?:across|between|among) .*",
        r"\d+ fatalit(?:y|ies) (?:were )?reported in total, split .*",
        _UNKNOWN_TOLL,
        r"many fatalities reported, number unknown",
        # where the event was placed
        r"(?:location|event|town) (?:coded|geo-?coded|placed) (?:to|as|at) .*",
        # a closing count: `9 fatalities.`, `Total fatalities: 4`
        r"\d+ (?:fatalit(?:y|ies)|people killed|killed|deaths?)",
        r"total fatalities\b.*",
        # GTD: its sources disagree
        r"casualty (?:numbers|figures) for this incident conflict across sources",
    )
)
#: The Global Terrorism Database's summaries open with the date.
GTD_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}:\s*")
#: Where a sentence ends and the next begins.
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”]))\s+(?=[A-Z0-9(\[])")
#: A quick look for anything to take out: most notes have no remark.
_ANY = re.compile(r"\[|coded|fatalit|casualt|killed|deaths?\b|^\d{1,2}/", re.IGNORECASE)
#: Words one of which `_ANY` needs, looked for first (plain searches are many times faster).
_ANY_WORDS = ("[", "coded", "fatalit", "casualt", "killed", "death")


def _may_hold(lower: str, ascii_text: bool, words: tuple[str, ...]) -> bool:
    """Whether a text (given in lower case, and whether it is ASCII) may hold one of `words` in
    any case: false only when it holds none, so that a case-blind pattern needing one of them
    need not be run. Text other than ASCII always may (a case-blind pattern also takes "ſ" for
    "s", "K" for "k")."""
    return not ascii_text or any(map(lower.__contains__, words))


def without_remarks(text: str) -> str:
    """`text` without the feeds' coding remarks; empty when it was nothing but remarks."""
    text = " ".join(text.split())
    if not text or not (_may_hold(text.lower(), text.isascii(), _ANY_WORDS) or text[0].isdigit()):
        return text
    return taken_out(text) if _ANY.search(text) else text


def taken_out(text: str) -> str:
    """`without_remarks` of a text with its white space made single, once a quick look found
    something to take out."""
    text = GTD_DATE.sub("", text)
    for aside in ASIDES:
        text = aside.sub("", text)
    kept = []
    for sentence in _SENTENCE.split(text.strip()):
        parts = [p.strip() for p in sentence.split(";")]
        news = [p for p in parts if p and not _is_remark(p)]
        if news == parts:
            kept.append(sentence.strip())  # as written
        elif news:
            joined = "; ".join(news)
            kept.append(joined if joined.endswith((".", "!", "?", '"', "'")) else f"{joined}.")
    return " ".join(kept)


def _is_remark(clause: str) -> bool:
    bare = clause.strip().strip("()").rstrip(".").strip()
    return not bare or any(pattern.fullmatch(bare) for pattern in CLAUSES)


#: What a note says of how its toll was coded (ACLED's codebook): (certainty, pattern). A side's
#: claim (`Fatalities coded as 0 (Taliban reported 12).`, `Taliban claimed to have killed 12`,
#: `Taliban reported 12 killed, but this could not be verified`) holds `by` and `n`.
_SIDE = r"(?:[^().;]|\([^()]*\))+?"  # a side's name, which may hold a bracket: "CPI (Maoist)"
CLAIMS = (
    re.compile(rf"\((?P<by>{_SIDE}) (?:reported|claimed) (?P<n>\d+)(?: killed| deaths)?\)"),
    re.compile(rf"(?P<by>[A-Z]{_SIDE}) claimed to have killed (?P<n>\d+)"),
    re.compile(rf"(?P<by>[A-Z]{_SIDE}) (?:reported|claimed) (?P<n>\d+) (?:killed|dead|deaths)"),
)
ESTIMATED = re.compile(
    r"\bcoded as (?:[1-9]\d*)\b|(?:split|divided) (?:across|between|among) (?:\d+|two|three|"
    r"four|five|several) events|number (?:is )?unknown",
    re.IGNORECASE,
)
UNKNOWN = re.compile(rf"\b(?:{_UNKNOWN_TOLL})", re.IGNORECASE)
#: What each pattern needs, looked for first: a claim's words (case and all; `CLAIMS` lazily
#: tries every capital letter as the start of a side's name), and words the case-blind
#: patterns need one of.
_CLAIM_NEEDS = (
    re.compile(r" (?:reported|claimed) \d"),
    re.compile(r"claimed to have killed \d"),
    re.compile(r"(?:reported|claimed) \d+ (?:killed|dead|deaths)"),
)
_ESTIMATED_WORDS = ("coded as", "split", "divided", "unknown")
_UNKNOWN_WORDS = ("unknown", "not reported", "not known", "unclear", "no information")


def toll_certainty(note: str, fatalities: int) -> tuple[str, int | None, str | None]:
    """How well a feed's note says its toll is known: (certainty, claimed deaths, claimed by).
    `exact` unless a remark says otherwise: a claim where 0 was coded, a placeholder or split
    count where one was coded, "unknown" where none was."""
    text = " ".join(note.split())
    lower = text.lower()  # words the slower patterns need, looked for first
    ascii_text = text.isascii()
    if fatalities == 0 and ("reported" in lower or "claimed" in lower):
        for pattern, needs in zip(CLAIMS, _CLAIM_NEEDS, strict=True):
            if needs.search(text) and (found := pattern.search(text)):
                return "claimed", int(found["n"]), found["by"].strip()
    if fatalities and _may_hold(lower, ascii_text, _ESTIMATED_WORDS) and ESTIMATED.search(text):
        return "estimated", None, None
    if not fatalities and _may_hold(lower, ascii_text, _UNKNOWN_WORDS) and UNKNOWN.search(text):
        return "unknown", None, None
    return "exact", None, None
