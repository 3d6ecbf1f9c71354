"""`advisory import acled`: ACLED exports, either column layout in circulation, into the
incident log; event types become categories through `rules/acled.yaml`."""

from __future__ import annotations

import datetime as dt
import functools
import re
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
from advisory.inputs.yamlfile import YamlDocument
from advisory.models import Rules, UserModel

#: The ACLED column each incident field comes from, for the reasons rows are rejected.
ACLED_COLUMNS = {
    "id": "event_id_cnty", "date": "event_date", "country": "country", "admin1": "admin1",
    "admin2": "admin2", "location": "location", "latitude": "latitude",
    "longitude": "longitude", "category": "sub_event_type", "actors": "actor1",
    "fatalities": "fatalities", "summary": "notes", "sources": "source",
}  # fmt: skip
#: Columns both ACLED layouts share, which the import reads.
ACLED_CORE = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "admin1", "admin2", "location", "latitude", "longitude", "source", "notes",
    "fatalities",
)  # fmt: skip


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
        for i, rule in enumerate(self.categories):
            kind = normalize(rule.event_type)
            if kind not in types:
                message = not_one_of(rule.event_type, list(ACLED_TAXONOMY), "an ACLED event type")
                problems.append(doc.problem(("categories", i, "event_type"), message))
                continue
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
    for (line, values), day in zip(table.rows, days, strict=True):
        row = {name: values[i] for name, i in at.items()}
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
        original = " ".join(row["notes"].split())
        cleaned = clean_note(original)
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
                "injuries": "0",
                "summary": cleaned,
                "note": original if cleaned != original else "",
                "feed": "ACLED",
                "sources": f"{LIST_SEPARATOR} ".join(split_list(row["source"])),
                "_line": str(line),
            }
        )
    return finish(
        records, table, rules, existing, target, mapping.merge_distance_km, append, summary,
        columns=ACLED_COLUMNS, rejects=rejects, strict=strict,
    )  # fmt: skip


#: ACLED's coding remarks, which are for its analysts and not for travelers: a bracketed tag
#: (`[size=no report]`, `[women targeted: Girls]`), a sentence or parenthesis on how fatalities
#: were coded, a closing count of fatalities.
_TAG = re.compile(r"\s*\[[^\]]*[=:][^\]]*\]")
_CODED_ASIDE = re.compile(r"\s*\([^()]*\bcoded as\b[^()]*\)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
_REMARK = re.compile(
    r"^\(?(?:fatalit(?:y|ies)\b[^.]*\bcoded\b"
    r"|fatalities (?:unknown|not reported)"
    r"|\d+ (?:fatalit(?:y|ies)|people killed|killed)"
    r"|total fatalities\b)[^.]*\.?\)?$",
    re.IGNORECASE,
)


def clean_note(note: str) -> str:
    """An ACLED note as a summary: the event, without the coding remarks."""
    text = " ".join(note.split())
    if "[" not in text and "atalit" not in text and "killed" not in text:
        return text  # no remark: most notes, and the fast way through a large export
    text = _CODED_ASIDE.sub("", _TAG.sub("", text)).strip()
    sentences = [s for s in _SENTENCE.split(text) if s and not _REMARK.match(s.strip())]
    return " ".join(sentences).strip() or text


def default_acled_mapping(rules_dir: Path) -> Path:
    """The rules folder's own `acled.yaml`, else the mapping shipped with advisory."""
    own = rules_dir / shipped.ACLED_MAPPING
    return own if own.is_file() else shipped.rules() / shipped.ACLED_MAPPING
