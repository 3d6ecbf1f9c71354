"""`advisory import acled`: ACLED exports, either column layout in circulation, into the
incident log; event types become categories through `rules/acled.yaml`."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import Field

from advisory import shipped
from advisory.errors import InputError, Location, Problem, not_one_of
from advisory.importers.common import (
    Mapping,
    Summary,
    Table,
    date_format,
    finish,
    parsed_dates,
    read_table,
)
from advisory.inputs.incidents import LIST_SEPARATOR, split_list
from advisory.inputs.regions import normalize
from advisory.inputs.yamlfile import YamlDocument, present
from advisory.models import Rules, UserModel
from advisory.remarks import toll_certainty, without_remarks

#: The ACLED column each incident field comes from, for the reasons rows are rejected.
ACLED_COLUMNS = {
    "id": "event_id_cnty", "date": "event_date", "country": "country", "admin1": "admin1",
    "admin2": "admin2", "location": "location", "latitude": "latitude",
    "longitude": "longitude", "category": "sub_event_type", "actors": "actor1",
    "fatalities": "fatalities", "summary": "notes", "sources": "source", "note": "notes",
    "perpetrator": "actor1", "perpetrator_kind": "inter1", "target": "actor2",
    "target_kind": "inter2", "feed_id": "event_id_cnty", "date_precision": "time_precision",
    "geo_precision": "geo_precision",
}  # fmt: skip
#: Columns both ACLED layouts share, which the import reads.
ACLED_CORE = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "inter1", "actor2", "inter2", "country", "admin1", "admin2", "location", "latitude",
    "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip
#: ACLED's actor types (inter1, inter2): numbers in the older layout, words in the current one.
ACLED_ACTOR_TYPES = {
    "1": "state_forces", "state forces": "state_forces",
    "2": "rebels", "rebel group": "rebels", "rebel groups": "rebels",
    "3": "political_militia", "political militia": "political_militia",
    "political militias": "political_militia",
    "4": "identity_militia", "identity militia": "identity_militia",
    "identity militias": "identity_militia",
    "5": "rioters", "rioters": "rioters",
    "6": "protesters", "protesters": "protesters",
    "7": "civilians", "civilians": "civilians",
    "8": "external_forces", "external/other forces": "external_forces",
}  # fmt: skip
#: ACLED's time_precision: 1 the day, 2 a date within a week, 3 within a month.
ACLED_TIME_PRECISION = {"1": "", "2": "week", "3": "month"}
#: ACLED's geo_precision: 1 the place itself, 2 near it or part of it, 3 the region only.
ACLED_GEO_PRECISION = {"1": "exact", "2": "near", "3": "region"}
#: Who the killed and wounded were, where ACLED's type says so: violence against civilians has
#: civilian victims by definition, excessive force against protesters has protesters. Every
#: other toll (a battle's counts all sides; a bombing's may count the bomber) stays unknown.
ACLED_VICTIMS = {
    ("violence against civilians", ""): "civilians",
    ("protests", "excessive force against protesters"): "protesters",
}


ACLED_LAYOUTS: dict[str, tuple[str, ...]] = {
    "ACLED export (older layout)": (
        "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
        "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
        "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1",
        "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
        "source_scale", "notes", "fatalities", "timestamp", "iso3",
    ),
    "ACLED API (current layout)": (
        "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
        "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
        "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
        "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
        "source_scale", "notes", "fatalities", "tags", "timestamp",
    ),
}  # fmt: skip


#: ACLED's codebook: every event type and its sub-event types (25 in all).
ACLED_TAXONOMY: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED", "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention",
                 "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
        "Headquarters or base established", "Looting/property destruction",
        "Non-violent transfer of territory", "Other",
    ),
}  # fmt: skip


class CategoryRule(UserModel):
    event_type: str
    sub_event_type: str | None = Field(default=None, description="Empty: every sub-type.")
    category: str | None = Field(description="The rule set's category; empty: not an incident.")


class AcledMapping(Mapping):
    """`rules/acled.yaml`: ACLED's event taxonomy to the rule set's categories."""

    version: int = 1
    merge_distance_km: float = Field(
        default=5.0, ge=0, description="An imported event this close to a logged one is the same."
    )
    categories: list[CategoryRule]

    def targets(self) -> Iterable[tuple[tuple[str | int, ...], str | None]]:
        return ((("categories", i, "category"), c.category) for i, c in enumerate(self.categories))

    def check(self, doc: YamlDocument) -> list[Problem]:
        """Against ACLED's codebook: every rule names a type (and sub-type) ACLED has, and every
        sub-type is mapped, so that no event is skipped in silence."""
        problems = []
        types = {normalize(t): t for t in ACLED_TAXONOMY}
        subs = {(normalize(t), normalize(s)) for t, ss in ACLED_TAXONOMY.items() for s in ss}
        covered: set[tuple[str, str]] = set()
        decided: dict[tuple[str, str | None], tuple[int, str | None]] = {}
        for i, rule in enumerate(self.categories):
            kind = normalize(rule.event_type)
            if kind not in types:
                message = not_one_of(rule.event_type, list(ACLED_TAXONOMY), "an ACLED event type")
                problems.append(doc.problem(("categories", i, "event_type"), message))
                continue
            key = (kind, normalize(rule.sub_event_type) if rule.sub_event_type else None)
            if key in decided and decided[key][1] != rule.category:
                first, category = decided[key]
                line = doc.locate(("categories", first)).line
                problems.append(
                    doc.problem(
                        ("categories", i, "category"),
                        f"contradicts rule {first + 1}{f' (line {line})' if line else ''}, "
                        f"which maps {rule.event_type}"
                        + (f" / {rule.sub_event_type}" if rule.sub_event_type else "")
                        + f" to {category or 'no incident (null)'}: keep one of them",
                    )
                )
            decided.setdefault(key, (i, rule.category))
            if rule.sub_event_type is None:
                covered |= {pair for pair in subs if pair[0] == kind}
                continue
            pair = (kind, normalize(rule.sub_event_type))
            if pair not in subs:
                known = list(ACLED_TAXONOMY[types[kind]])
                message = not_one_of(
                    rule.sub_event_type, known, f"a sub-event type of {types[kind]}"
                )
                problems.append(doc.problem(("categories", i, "sub_event_type"), message))
            covered.add(pair)
        for event_type, sub_types in ACLED_TAXONOMY.items():
            for sub_type in sub_types:
                if (normalize(event_type), normalize(sub_type)) not in covered:
                    problems.append(
                        doc.problem(
                            ("categories",),
                            f"{event_type} / {sub_type} is not mapped: add a rule for it "
                            "(category: null if it is not an incident)",
                        )
                    )
        return problems


def acled_layout(table: Table) -> str:
    """Which ACLED layout the header is; an error naming the missing columns otherwise."""
    present = set(table.header)
    for name, columns in ACLED_LAYOUTS.items():
        if present >= set(columns):
            return name
    closest, columns = min(ACLED_LAYOUTS.items(), key=lambda item: len(set(item[1]) - present))
    missing = [c for c in columns if c not in present]
    message = f"not an ACLED export; as the {closest} it lacks: {', '.join(missing)}"
    raise InputError([Problem(Location(table.path, 1), "", message)])


def import_acled(
    path: Path,
    rules: Rules,
    mapping: AcledMapping,
    existing: Sequence[Path],
    target: Path,
    *,
    countries: Sequence[str] = (),
    since: dt.date | None = None,
    append: bool = False,
    rejects: Path | None = None,
    strict: bool = False,
    covers: tuple[dt.date | None, dt.date | None] = (None, None),
    exported: dt.date | None = None,
) -> Summary:
    """Import an ACLED export: every row that can become an incident is imported, the others
    rejected with their reasons (see `common.finish`)."""
    summary = Summary()
    table = read_table(path, summary)
    acled_layout(table)
    fmt = date_format(table, "event_date")
    days = parsed_dates(table, "event_date", fmt)
    key = functools.cache(normalize)
    lookup = {(normalize(c.event_type), normalize(c.sub_event_type or "")): c.category
              for c in mapping.categories}  # fmt: skip
    records = []
    wanted = {normalize(c) for c in countries}
    at = {name: table.column(name) for name in ACLED_CORE}
    core = operator.itemgetter(*at.values())
    civilian_column = (
        table.column("civilian_targeting") if "civilian_targeting" in table.header else None
    )
    for (line, values), day in zip(table.rows, days, strict=True):
        row = dict(zip(at, core(values), strict=True))
        if day is None:
            summary.reject(line, "empty event_date", values)
            continue
        if since and day < since:
            summary.skipped["before --since"] += 1
            continue
        if wanted and key(row["country"]) not in wanted:
            summary.skipped["another country"] += 1
            continue
        kind = (key(row["event_type"]), key(row["sub_event_type"]))
        category = lookup.get(kind, lookup.get((kind[0], ""), "?"))
        if category == "?":
            kind_shown = f"{row['event_type']} / {row['sub_event_type'] or '-'}"
            summary.reject(line, f"unmapped category {kind_shown} (add it to the mapping)", values)
            continue
        if category is None:
            summary.skipped[f"not an incident ({row['event_type']})"] += 1
            continue
        perpetrator_kind = _actor_kind(row["inter1"], row["actor1"], summary, "inter1")
        target_kind = _actor_kind(row["inter2"], row["actor2"], summary, "inter2")
        if civilian_column is not None:
            targeted = bool(values[civilian_column].strip())
        else:  # the older layout says it by the target's type
            targeted = kind[0] == "violence against civilians" or target_kind == "civilians"
        victims = ACLED_VICTIMS.get(kind) or ACLED_VICTIMS.get((kind[0], ""), "")
        original = " ".join(row["notes"].split())
        cleaned = clean_note(original)
        coded = row["fatalities"].strip()
        certainty, claimed, claimed_by = toll_certainty(original, int(coded or 0) if coded.isdigit()
                                                        else 0)  # fmt: skip
        records.append(
            {
                "id": row["event_id_cnty"].strip(),
                "date": day.isoformat(),
                "country": row["country"].strip(),
                "admin1": row["admin1"].strip(),
                "admin2": row["admin2"].strip(),
                "location": row["location"].strip(),
                "latitude": row["latitude"].strip(),
                "longitude": row["longitude"].strip(),
                "category": category,
                "actors": f"{LIST_SEPARATOR} ".join(
                    a.strip() for a in (row["actor1"], row["actor2"]) if a.strip()
                ),
                "fatalities": row["fatalities"].strip() or "0",
                "injuries": "",  # ACLED counts deaths only: injuries not known
                "summary": cleaned,
                "note": original if cleaned != original else "",
                "feed": "ACLED",
                "feed_id": row["event_id_cnty"].strip(),
                "date_precision": _code(
                    ACLED_TIME_PRECISION, row["time_precision"], summary, "time_precision"
                ),
                "geo_precision": _code(
                    ACLED_GEO_PRECISION, row["geo_precision"], summary, "geo_precision"
                ),
                "perpetrator": row["actor1"].strip(),
                "perpetrator_kind": perpetrator_kind,
                "target": row["actor2"].strip(),
                "target_kind": target_kind,
                "civilian_targeting": "yes" if targeted else "no",
                "victims": victims,
                "fatalities_certainty": "" if certainty == "exact" else certainty,
                "claimed_fatalities": "" if claimed is None else str(claimed),
                "claimed_by": claimed_by or "",
                "sources": f"{LIST_SEPARATOR} ".join(split_list(row["source"])),
                "_line": str(line),
            }
        )
    return finish(
        records, table, rules, existing, target, mapping.merge_distance_km, append, summary,
        columns=ACLED_COLUMNS, rejects=rejects, strict=strict, covers=covers, exported=exported,
        countries=countries,
    )  # fmt: skip


def _actor_kind(inter: str, actor: str, summary: Summary, column: str) -> str:
    """The kind of an ACLED actor (see `actor_kind`); a type ACLED's codebook lacks is read as
    empty, and counted."""
    kind = actor_kind(inter, actor)
    if kind is None:
        summary.unread[f"{column} {inter.strip()!r} (not an ACLED actor type)"] += 1
        return ""
    return kind


@functools.lru_cache(maxsize=4096)
def actor_kind(inter: str, actor: str) -> str | None:
    """The kind of an ACLED actor: its type, with state forces told apart as police or military
    by ACLED's names for them ("Police Forces of Peru (2016-)"), and unidentified groups as
    unknown. Empty for no actor; None for a type the codebook does not have."""
    code = inter.strip().lower()
    if not code or code == "0":
        return ""
    kind = ACLED_ACTOR_TYPES.get(code)
    if kind is None:
        return None
    name = actor.strip().lower()
    if kind == "state_forces":
        if name.startswith("police forces"):
            return "police"
        if name.startswith("military forces"):
            return "military"
    elif name.startswith("unidentified"):
        return "unknown"
    return kind


def _code(codes: dict[str, str], value: str, summary: Summary, column: str) -> str:
    """A coded ACLED column in the log's words; a code the codebook lacks is read as empty, and
    counted."""
    text = value.strip()
    if text in codes:
        return codes[text]
    if text:
        summary.unread[f"{column} {text!r} (not in ACLED's codebook)"] += 1
    return ""


def clean_note(note: str) -> str:
    """An ACLED note as a summary: the event, without the coding remarks (`remarks.py`); a
    note that is nothing but remarks stays as it is (the prose composes a sentence instead)."""
    return without_remarks(note) or " ".join(note.split())


def default_acled_mapping(rules_dir: Path) -> Path:
    """The rules folder's own `acled.yaml`, else the mapping shipped with advisory."""
    own = rules_dir / shipped.ACLED_MAPPING
    return own if present(own) else shipped.rules() / shipped.ACLED_MAPPING
