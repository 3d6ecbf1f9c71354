"""The prose checker: generated weeks of 0 to 1,000 incidents composed into every alert and the
bulletin, and the product's own sentences held to the house style (docs/alerts.md).

`ADVISORY_PROSE_WEEKS` sets how many weeks are generated (200 by default; `make bench` runs
more).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from advisory.inputs import load_inputs
from advisory.models import ACTOR_KINDS, Incident, Rules
from advisory.writing.compose import Alert, Bulletin, BulletinSettings, compose_bulletin
from advisory.writing.event import (
    MAX_ORDINAL,
    MAX_PARAGRAPH_WORDS,
    MAX_SENTENCE_WORDS,
    seriousness,
)
from advisory.writing.plan import Week, compose_week
from advisory.writing.prose import number, ordinal, plural_of, spelled, with_article
from tests.acled_corpus import NEW, OLD, Truth, export, write
from tests.conftest import ROOT, run_advisory
from tests.prose_weeks import ISSUED, LONG_PLACE, WEEK_END, GeneratedWeek, Row, generate, sizes
from tests.sendable import unsendable

WEEKS = int(os.environ.get("ADVISORY_PROSE_WEEKS", "200"))
MONTHS = [dt.date(2000, month, 1).strftime("%B") for month in range(1, 13)]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_DATE = re.compile(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})\b")
_LATE_ORDINAL = re.compile(
    r"\b(eleventh|twelfth|\w+teenth|\w+tieth|hundredth|thousandth|"
    r"\w+-(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))\b"
)
_SMALL_NUMERAL = re.compile(r"(?<![\w.,-])[0-9](?![\w.,:-])")
_ONE_PLURAL = re.compile(
    r"(?<![\w-])(?:one|One|1) (?!of\b|more\b|other\b|earlier\b|hundred\b|thousand\b)"
    r"(?:\w+ )?\w+s (?:was|were)\b"
)
_MANY_SINGULAR = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|\d{2,}) (?:\w+ )?"
    r"(?:person|incident|fatality|attack|ambush|clash|soldier|civilian|officer) (?:was|were)\b",
    re.IGNORECASE,
)
_BAD_PLURALS = re.compile(r"\b\w+(?:sh|ch|x|ss)s\b")
_VICTIMS = re.compile(
    r"\b(\w+) (" + "|".join(sorted({p for _, p in ACTOR_KINDS.values()} - {"people"}, key=len,
                                   reverse=True)) + r") (?:was|were) (?:killed|wounded)"
)  # fmt: skip
_KIND_OF_NOUN = {several: kind for kind, (_, several) in ACTOR_KINDS.items()}


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s]


def generated_paragraphs(alert: Alert) -> Iterator[tuple[str, str]]:
    """(what, text) of every paragraph an alert's prose holds that the product wrote itself:
    not the lead's summary (the analyst's or the feed's), nor the region's context or the
    rules' advice."""
    yield "summary", alert.summary
    for n, paragraph in enumerate(alert.event[1:], start=1):
        yield f"event[{n}]", paragraph
    yield "trend", alert.context[-1]


def bulletin_paragraphs(bulletin: Bulletin) -> Iterator[tuple[str, str]]:
    for closing in bulletin.closings:
        yield f"closing {closing.region_id}", closing.text
    for n, paragraph in enumerate(bulletin.methodology):
        yield f"methodology[{n}]", paragraph
    if bulletin.quiet:
        yield "quiet", bulletin.quiet


_PLACE = re.compile(r" in [^,;]+? on ")
_DATED = re.compile(rf"\b(?:on|around|in) (?:{'|'.join(MONTHS)})\b")
_PAIR = re.compile(r"(\bbetween (?:(?! in | on | took )[^,;.])+?) and ")
#: How a clause of ours begins ("an armed clash ...", "four people were killed ...", "the
#: Taliban said ..."): a piece split off at an actor pair's "and" does not.
_CLAUSE_START = re.compile(
    rf"(?:an? |at least |the |[0-9]|(?:{'|'.join(number(n) for n in range(1, 20))})\b"
    r"|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)",
    re.IGNORECASE,
)


def style_faults(text: str) -> list[str]:
    """What an editor would strike in a paragraph of generated prose."""
    faults = []
    if len(text.split()) > MAX_PARAGRAPH_WORDS:
        faults.append(f"paragraph of {len(text.split())} words")
    for sentence in sentences(text):
        if len(sentence.split()) > MAX_SENTENCE_WORDS:
            faults.append(f"sentence of {len(sentence.split())} words: {sentence[:80]}...")
    undated = _DATE.sub("", text)
    for pattern, what in (
        (_LATE_ORDINAL, "ordinal past tenth"),
        (_SMALL_NUMERAL, "numeral under ten"),
        (_ONE_PLURAL, "one with a plural"),
        (_MANY_SINGULAR, "several with a singular"),
        (_BAD_PLURALS, "misspelt plural"),
    ):
        if found := pattern.search(undated if pattern is _SMALL_NUMERAL else text):
            faults.append(f"{what}: {found.group(0)!r}")
    text = _PAIR.sub(r"\1 & ", text)  # "between A and B" is one clause's actors
    # A clause is told to its date: a piece cut short inside an actor's name ("al-Qaeda in the
    # Arabian Peninsula and ...") is not one.
    clauses = [c.strip(" .") for c in re.split(r", | and |\. |; ", text)
               if (" during " in c or " took place " in c) and _DATED.search(c)]  # fmt: skip
    repeated = {c for c in clauses if clauses.count(c) > 1}
    if repeated:
        faults.append(f"repeated clause: {sorted(repeated)[0]!r}")
    for sentence in sentences(text):  # alike but for the place: one clause naming the places
        told = [_PLACE.sub(" in * on ", c.strip(" .")) for c in re.split(r", | and |; ", sentence)
                if (" during " in c or " took place " in c) and _CLAUSE_START.match(c)]  # fmt: skip
        if alike := {c for c in told if told.count(c) > 1 and " in * on " in c}:
            faults.append(f"clause repeated up to its place: {sorted(alike)[0]!r}")
    if "None" in text or "  " in text:
        faults.append("a stray None or double space")
    return faults


def _day_of(match: re.Match[str]) -> tuple[int, int]:
    return MONTHS.index(match.group(1)), int(match.group(2))


def expected_series(alert: Alert, rows: list[Row], rules: Rules) -> list[Row]:
    """The lead's family's incidents in the region since the series began, in the order the
    series counts them, worked out from the generated rows alone."""
    ruleset = rules.ruleset
    lead = alert.incidents[0]
    family = ruleset.family_of(lead.category)
    # The series: back from the reporting week until `quiet_weeks` weeks without an incident.
    weeks_with = {(WEEK_END - r.date).days // 7 for r in rows}
    back, gap = 0, 0
    for week in range(1, 12):
        if week in weeks_with:
            back, gap = week, 0
        else:
            gap += 1
            if gap >= ruleset.series.quiet_weeks:
                break
    first_day = WEEK_END - dt.timedelta(days=7 * back + 6)
    such = [r for r in rows if r.date >= first_day and ruleset.family_of(r.category) == family]

    def key(r: Row) -> tuple[dt.date, float, str]:
        """Points as docs/rules.md gives them for one report: activity + harm + targeting."""
        per, aim = ruleset.casualties, ruleset.targeting
        kind = r.target_kind or r.victims
        harm = per.per_fatality * r.fatalities + per.per_injury * (r.injuries or 0)
        points = (
            ruleset.categories[r.category].weight
            + per.certainty.get(r.certainty or "exact", 1.0) * harm  # type: ignore[call-overload]
            + (aim.civilians if kind in ("civilians", "journalists", "aid_workers", "tourists")
               else 0.0)
            + (aim.foreigners if kind in ("tourists", "aid_workers") else 0.0)
            + (aim.kidnapping if r.category in aim.kidnapping_categories else 0.0)
        )  # fmt: skip
        return r.date, -points, r.id

    such.sort(key=key)
    assert seriousness(lead, ruleset) == -key(next(r for r in such if r.id == lead.id))[1]
    return such


def expected_place(lead_id: str, such: list[Row], rules: Rules) -> str:
    """How the series sentence must place the lead past the tenth: by its own category where
    the series holds several, else among the family, by label."""
    ruleset = rules.ruleset
    lead = next(r for r in such if r.id == lead_id)
    if len({r.category for r in such}) > 1:
        own = [r for r in such if r.category == lead.category]
        position, label = [r.id for r in own].index(lead_id) + 1, ruleset.label(lead.category)
        if position <= MAX_ORDINAL:
            return f"the {ordinal(position)} {label} "
        return f"of {len(own):,} {plural_of(label)} "
    return f"of {len(such):,} {ruleset.families[ruleset.family_of(lead.category)].label} "


def check_alert(alert: Alert, rows: list[Row], rules: Rules) -> list[str]:
    faults = []
    for what, text in generated_paragraphs(alert):
        faults += [f"{alert.region_id} {what}: {fault}" for fault in style_faults(text)]
    for what, text in shown_paragraphs(alert):
        faults += [f"{alert.region_id} {what}: {fault}" for fault in unsendable(text)]
    faults += overstated_tolls(alert, rows, rules)
    faults += composed_context_faults(alert, rows, rules)
    such = expected_series(alert, rows, rules)
    position = [r.id for r in such].index(alert.incidents[0].id) + 1
    series_text = alert.event[1] if position > 1 else ""
    if 1 < position <= MAX_ORDINAL:
        said = f"the {ordinal(position)} such incident"
        if said not in series_text or said not in alert.summary:
            faults.append(f"{alert.region_id}: expected {said!r}")
    elif position > MAX_ORDINAL:
        said = expected_place(alert.incidents[0].id, such, rules)
        if said not in series_text or said not in alert.summary:
            faults.append(f"{alert.region_id}: expected {said!r} in {series_text[:120]!r}")
        # After a sentence that names the lead's own category, "such" would mean that one.
        if len({r.category for r in such}) > 1 and "such" in series_text + alert.summary:
            faults.append(f"{alert.region_id}: 'such' past the tenth: {series_text[:120]!r}")
    elif alert.event[1:] and alert.event[1].startswith("This was"):
        faults.append(f"{alert.region_id}: a series paragraph for the series' first incident")
    # Named incidents in date order, paragraph by paragraph.
    for paragraph in alert.event[1:]:
        days = [_day_of(m) for m in _DATE.finditer(paragraph)]
        if days != sorted(days):
            faults.append(f"{alert.region_id}: named out of date order: {paragraph[:160]!r}")
    # Victims named only where a record names them.
    in_region = {r.id: r for r in rows if r.region == alert.region_id}
    named_kinds = {r.victims for r in in_region.values() if r.victims}
    for _, text in generated_paragraphs(alert):
        for match in _VICTIMS.finditer(text):
            kind = _KIND_OF_NOUN.get(match.group(2)) or next(
                k for k, (one, _) in ACTOR_KINDS.items() if one == match.group(2)
            )
            if kind not in named_kinds:
                faults.append(f"{alert.region_id}: victims {match.group(0)!r} not in the data")
    return faults


def shown_paragraphs(alert: Alert) -> Iterator[tuple[str, str]]:
    """Every paragraph of an alert a reader sees: the generated ones and the quoted summary."""
    yield "headline", alert.headline
    yield from generated_paragraphs(alert)
    if alert.event:
        yield "event[0]", alert.event[0]


_NUMBER_WORDS = "|".join(number(n) for n in range(1, 10))
_A_DATE = rf"(?:{'|'.join(MONTHS)}) \d"
#: A toll the sources know (no placeholder, claim or unknown among them), said as a count.
_NO_CASUALTIES = re.compile(r"no casualties|none with casualties")


def overstated_tolls(alert: Alert, rows: list[Row], rules: Rules) -> list[str]:
    """A feed's toll stated more exactly than its source knows it: an incident's placeholder,
    split share or claim told as a count of the dead (`Ten people were killed during an armed
    clash ... on March 14` where the notes say "unknown, coded as 10"), or "no casualties"
    in a region whose every incident's injuries are unknown."""
    faults = []
    text = " ".join([alert.summary, *alert.event[1:]])
    exact = {(r.fatalities, r.category, r.date) for r in rows if r.exact}
    for r in rows:
        if r.exact or not r.fatalities or r.date_precision:
            continue
        if (r.fatalities, r.category, r.date) in exact:  # an exact incident may say that count
            continue
        counts = f"{number(r.fatalities)}|{number(r.fatalities, start=True)}"
        told = re.search(
            rf"(?<![Aa]t least )(?<![\w-])(?:{counts}) [\w ]{{1,30}}? (?:was|were) killed during "
            rf"{with_article(rules.ruleset.label(r.category))}\b(?! on [a-z])"
            rf"(?:(?!{_A_DATE})[^.;])*? on "
            rf"{MONTHS[r.date.month - 1]} {r.date.day}\b",
            text,
        )
        if told:
            faults.append(f"{alert.region_id}: {r.certainty} toll told as a count: {told[0]!r}")
    window = [r for r in rows if 1 <= (ISSUED.date() - r.date).days <= rules.ruleset.window_days]
    counted = re.search(rf"(?<![Aa]t least )(?<![\w,-])(?:\d[\d,]*|{_NUMBER_WORDS}) fatalit",
                        alert.context[-1])  # fmt: skip
    if counted and not all(r.exact for r in window):
        faults.append(f"{alert.region_id}: a window with tolls not known exactly: {counted[0]!r}")
    if rows and all(r.injuries is None for r in rows) and (found := _NO_CASUALTIES.search(text)):
        faults.append(f"{alert.region_id}: {found[0]!r} where no injury is known")
    return faults


def composed_context_faults(alert: Alert, rows: list[Row], rules: Rules) -> list[str]:
    """A region without a hand-written context that holds on the issue date: its Context opens
    with a paragraph of its data, of at least two sentences, whose counts are the rows': the
    incidents of the 90 days, the dominant family and its count, the deadliest, the trend."""
    region = rules.region(alert.region_id)
    if region.context is not None and (
        region.context.written is None or region.context.written <= ISSUED.date()
    ):
        return [] if alert.context[0] == region.context.text else [f"{alert.region_id}: context"]
    where = f"{alert.region_id} context"
    if len(alert.context) < 2:
        return [f"{where}: none composed"]
    text = alert.context[0]
    told = sentences(text)
    faults = [f"{where}: {fault}" for fault in style_faults(text) + unsendable(text)]
    if len(told) < 2:
        faults.append(f"{where}: one sentence: {text!r}")
    start = WEEK_END - dt.timedelta(days=89)
    recent = [r for r in rows if start <= r.date <= WEEK_END]
    before = [r for r in rows if start - dt.timedelta(days=90) <= r.date < start]
    total = len(recent)
    counted = "one incident was" if total == 1 else f"{spelled(total, 'incident')} were"
    if f"{counted} recorded in" not in told[0]:
        faults.append(f"{where}: expected {counted!r} in {told[0]!r}")
    families: dict[str, int] = defaultdict(int)
    for r in recent:
        families[rules.ruleset.families[rules.ruleset.family_of(r.category)].label] += 1
    most = max(families.values())
    said = [f"all of them {label}." if n == total else f"{number(n)} of them {label}."
            for label, n in families.items() if n == most]  # fmt: skip
    if total > 1 and not any(s in told[0] for s in said):
        faults.append(f"{where}: expected one of {said} in {told[0]!r}")
    deadly = [r.fatalities for r in recent if r.exact and r.fatalities]
    deadliest = next((s for s in told if s.startswith("In the deadliest, ")), None)
    long_place = any(r.location == LONG_PLACE for r in recent)
    if deadly and deadliest is None and not long_place:
        faults.append(f"{where}: the deadliest incident ({max(deadly)} killed) not told")
    if deadliest and not re.match(rf"In the deadliest, {number(max(deadly or [0]))} ", deadliest):
        faults.append(f"{where}: deadliest {max(deadly or [0])}: {deadliest!r}")
    if not before:
        trend = "No incident was recorded in the 90 days before."
    elif 2 * total >= 3 * len(before):
        trend = f"That is up from {spelled(len(before), 'incident')} in the 90 days before."
    elif 3 * total <= 2 * len(before):
        trend = f"That is down from {spelled(len(before), 'incident')} in the 90 days before."
    else:
        trend = f"That is about as many as in the 90 days before ({number(len(before))})."
    if told[-1] != trend:
        faults.append(f"{where}: expected {trend!r}, got {told[-1]!r}")
    return faults


def compose(week: GeneratedWeek, tmp: Path) -> tuple[Week, Bulletin, Rules]:
    path = week.write(tmp / f"week-{week.seed}.csv")
    inputs = load_inputs(ROOT / "rules", [str(path)], None)
    composed = compose_week(inputs, ISSUED)
    bulletin = compose_bulletin(
        composed.ratings, composed.alerts, inputs.rules, BulletinSettings(), composed.closings,
        composed.beyond,
    )  # fmt: skip
    return composed, bulletin, inputs.rules


MOVED = re.compile(r"(raised|lowered) from (\w+) to (\w+) since last week")


def one_truth(bulletin: Bulletin, alerts: Sequence[Alert]) -> list[str]:
    """The first page's "Levels changed" and every alert's trend sentence agree: each alert
    that says its level moved is listed (or counted past the list) as moved the same way, and
    each listed region with an alert says so."""
    faults = []
    listed = {c.region_id: ("raised" if c.raised else "lowered", c.previous_level, c.level)
              for c in bulletin.changes}  # fmt: skip
    counted = bulletin.moved - len(bulletin.changes)
    unlisted = 0
    for alert in alerts:
        said = MOVED.search(" ".join(alert.context))
        if said and alert.region_id not in listed:
            unlisted += 1
        elif said and listed[alert.region_id] != said.groups():
            faults.append(f"{alert.region_id}: alert says {said[0]!r}, first page "
                          f"{listed[alert.region_id]}")  # fmt: skip
        elif not said and alert.region_id in listed:
            faults.append(f"{alert.region_id}: listed as moved, its alert says it did not")
    if unlisted > counted or bool(counted) != bool(bulletin.changes_more):
        faults.append(f"{unlisted} alerts say their level moved and are not listed; the first "
                      f"page counts {counted} more: {bulletin.changes_more!r}")  # fmt: skip
    return faults


def bulletin_faults(bulletin: Bulletin) -> list[str]:
    """The first page's and the incident table's summaries quote no feed remark or label."""
    faults = []
    for top in bulletin.top:
        faults += [f"first page {top.incident_id}: {f}" for f in unsendable(top.summary)]
    for row in bulletin.appendix:
        faults += [f"incident table: {f}" for f in unsendable(row.summary)]
    return faults


def test_generated_weeks_read_as_an_editor_would_sign_them(tmp_path: Path):
    """At least 200 seeded weeks, many of a feed's incidents drawn from the ACLED-shaped
    corpus: every alert's and the bulletin's own prose within the limits and the house style,
    series counts as the data says, victims only where named, no feed label, coding remark or
    "Unknown" as a name, no toll more exact than its source, and the first page's "Levels
    changed" as the alerts say."""
    faults: dict[int, list[str]] = defaultdict(list)
    alerts = 0
    drawn = sizes(WEEKS)
    for seed, size in enumerate(drawn):
        week = generate(seed, size)
        composed, bulletin, rules = compose(week, tmp_path)
        by_region: dict[str, list[Row]] = defaultdict(list)
        for row in week.rows:
            by_region[row.region].append(row)
        for alert in [*composed.alerts, *composed.beyond, *composed.below_bar]:
            alerts += 1
            faults[seed] += check_alert(alert, by_region[alert.region_id], rules)
        for what, text in bulletin_paragraphs(bulletin):
            faults[seed] += [f"bulletin {what}: {fault}" for fault in style_faults(text)]
        faults[seed] += bulletin_faults(bulletin)
        faults[seed] += one_truth(bulletin, [*composed.alerts, *composed.beyond])
        (tmp_path / f"week-{seed}.csv").unlink()
    found = {seed: f for seed, f in faults.items() if f}
    assert not found, "\n".join(f"seed {s} ({drawn[s]} incidents): {f[:3]}" for s, f in
                                list(found.items())[:5])  # fmt: skip
    assert len(drawn) >= min(WEEKS, 200)
    assert alerts > len(drawn)  # most weeks hold several alerts


def test_the_checker_catches_a_first_page_that_contradicts_its_alerts(tmp_path: Path):
    for seed, size in enumerate(sizes(40)):
        composed, bulletin, _ = compose(generate(seed, size), tmp_path)
        alerts = [*composed.alerts, *composed.beyond]
        if bulletin.changes and any(MOVED.search(" ".join(a.context)) for a in alerts):
            break
    else:
        pytest.fail("no generated week moved a level")
    assert one_truth(bulletin, alerts) == []
    silent = dataclasses.replace(bulletin, changes=(), changes_more="", moved=0)
    assert any("not listed" in fault for fault in one_truth(silent, alerts))
    flipped = dataclasses.replace(
        bulletin,
        changes=tuple(dataclasses.replace(c, raised=not c.raised) for c in bulletin.changes),
    )
    assert any("first page" in fault for fault in one_truth(flipped, alerts))


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Three people were killed during " + "a long clause " * 20 + ".", "sentence of"),
        ("This was the eleventh such incident.", "ordinal past tenth"),
        ("This was the twenty-first such incident.", "ordinal past tenth"),
        ("In the same week, 3 incidents were reported.", "numeral under ten"),
        ("One soldiers were killed.", "one with a plural"),
        ("In all, one police officers were wounded.", "one with a plural"),
        ("Four person were killed.", "several with a singular"),
        ("Two ambushs took place in Sangin on March 9.", "misspelt plural"),
        ("an attack took place in Girishk on March 9, an attack took place in Girishk on March 9",
         "repeated clause"),
        ("In the same week, an armed clash took place in Balkh on March 14, an armed clash took "
         "place in Charbolak on March 14 and an armed clash took place in Kaldar on March 14.",
         "clause repeated up to its place"),
    ],
)  # fmt: skip
def test_the_checker_catches_what_an_editor_would(text: str, fault: str):
    assert any(fault in found for found in style_faults(text)), style_faults(text)


def test_the_checker_passes_the_house_style():
    text = (
        "This was the third such incident to take place in the VRAEM region since the "
        "beginning of June. Four police officers were killed during an ambush carried out by "
        "narcoterrorists in the Huancavelica region on June 7 and 12 people were wounded "
        "during two attacks against a military base in Mazángaro on June 11."
    )
    assert style_faults(text) == []


@pytest.mark.parametrize("layout", ["old", "api"])
def test_an_imported_export_reads_as_an_editor_would_sign_it(tmp_path: Path, layout: str):
    """The checker over the ACLED-shaped corpus itself, imported with `advisory import acled`:
    a month of every theatre, in either layout, composed into every alert of its last week and
    the bulletin. Each incident's toll is held to the corpus's truth, not the import's."""
    corpus = export(seed=41, size=1500, start=dt.date(2024, 2, 19), days=28,
                    layout=OLD if layout == "old" else NEW)  # fmt: skip
    (tmp_path / "export.csv").write_bytes(write(corpus, OLD if layout == "old" else NEW))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "log.csv").write_text("id,date,country,category,summary,sources\n")
    done = run_advisory("import", "acled", "export.csv", "--out", "data/acled.csv",
                        "--incidents", "data/log.csv", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    inputs = load_inputs(tmp_path / "rules", [str(tmp_path / "data" / "acled.csv")], None)
    composed = compose_week(inputs, ISSUED)
    bulletin = compose_bulletin(
        composed.ratings, composed.alerts, inputs.rules, BulletinSettings(), composed.closings,
        composed.beyond,
    )  # fmt: skip
    truth = {e.row["event_id_cnty"]: e.truth for e in corpus.events}
    alerts = [*composed.alerts, *composed.beyond, *composed.below_bar]
    faults = []
    for alert in alerts:
        for what, text in generated_paragraphs(alert):
            faults += [f"{alert.region_id} {what}: {fault}" for fault in style_faults(text)]
        for what, text in shown_paragraphs(alert):
            faults += [f"{alert.region_id} {what}: {fault}" for fault in unsendable(text)]
        rows = [_as_row(i, truth[i.id], alert.region_id) for i in alert.incidents]
        faults += overstated_tolls(alert, rows, inputs.rules)
        region = inputs.rules.region(alert.region_id)
        if region.context is None or not region.context.holds_on(ISSUED.date()):
            ours = alert.context[0]  # the export begins within the 90 days: "Since ..."
            faults += [f"{alert.region_id} context: {f}" for f in style_faults(ours)]
            faults += [f"{alert.region_id} context: {f}" for f in unsendable(ours)]
            if not ours.startswith("Since February 19, ") or len(sentences(ours)) < 2:
                faults.append(f"{alert.region_id} context: {ours!r}")
    faults += bulletin_faults(bulletin)
    faults += one_truth(bulletin, [*composed.alerts, *composed.beyond])
    assert not faults, faults[:5]
    assert len(alerts) >= 15  # the theatres' regions with incidents in the week


def _as_row(incident: Incident, truth: Truth, region: str) -> Row:
    """An imported incident as the checker's row, its toll as the corpus knows it."""
    return Row(
        incident.id, incident.date, region, incident.country, incident.admin1 or "",
        incident.admin2 or "", incident.location or "", incident.category, truth.coded, None,
        incident.perpetrator or "", "", incident.target or "", "", "",
        incident.date_precision or "", certainty="" if truth.certainty == "exact" else
        truth.certainty,
    )  # fmt: skip
