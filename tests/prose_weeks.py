"""Generated weeks for the prose checker: seeded, of 0 to 1,000 incidents in the reporting week
over nine weeks of history, across families, perpetrators, victim kinds and precisions, in the
demo's Peru regions and in Afghan provinces of the world file.

Many incidents are a feed's: their actors (as the feed labels them), notes (remarks and all)
and tolls (placeholders, split tolls, claims, unknowns; no injuries) are drawn from the
ACLED-shaped corpus (`acled_corpus.py`), so that the checker reads what a feed's week gives.

    week = generate(seed, size)  # size: incidents in the reporting week

Each incident's region is known by construction, so the checker can say what the series count
must be without asking the composer.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import random
from dataclasses import dataclass
from pathlib import Path

from tests.acled_corpus import THEATRES, Event, export

#: The reporting week: Monday 2024-03-11 to Sunday 2024-03-17, issued the Monday after.
WEEK_END = dt.date(2024, 3, 17)
ISSUED = dt.datetime(2024, 3, 18, 6, tzinfo=dt.UTC)
HISTORY_WEEKS = 9

#: (region id, country, admin1, admin2, places)
PLACES = [
    ("pe-vraem", "Peru", "Junín", "Satipo", ["Mazángaro", "Vizcatán district", "Pichari"]),
    ("pe-vraem", "Peru", "Ayacucho", "Huanta", ["Llochegua", "Huanta valley"]),
    ("pe-lima", "Peru", "Lima", "Lima", ["Ate", "Comas", "Rimac", "central Lima"]),
    ("pe-puno", "Peru", "Puno", "Puno", ["Juliaca", "Puno"]),
    ("af-helmand", "Afghanistan", "Helmand", "Nahri Sarraj", ["Girishk", "Sangin", "Musa Qala"]),
    ("af-kandahar", "Afghanistan", "Kandahar", "Kandahar", ["Kandahar", "Spin Boldak"]),
]
CATEGORIES = [
    "armed_clash", "ambush", "attack", "explosive", "airstrike", "shelling", "suicide_bombing",
    "attack_on_civilians", "mob_violence", "looting", "kidnapping", "riot", "protest",
    "strike_blockade", "crime", "natural_hazard", "disease_outbreak",
]  # fmt: skip
PERPETRATORS = [
    ("", ""), ("", ""), ("Taliban", "rebels"), ("narcoterrorists", "rebels"),
    ("Peruvian soldiers", "military"), ("National Police", "police"), ("", "military"),
    ("Unidentified Armed Group", "unknown"), ("", "rioters"),
    ("Islamic State Khorasan Province and affiliated local armed cells operating in the "
     "border districts", "rebels"),
]  # fmt: skip
TARGETS = [
    ("", ""), ("", ""), ("a military base", "military"), ("a police patrol", "police"),
    ("", "civilians"), ("a market", ""), ("aid convoy", "aid_workers"),
]  # fmt: skip
VICTIMS = ["", "", "", "police", "military", "civilians", "journalists", "tourists"]
#: A place long enough that a clause naming it must shed detail.
LONG_PLACE = (
    "the settlement on the western bank of the river beyond the old customs post and the "
    "three villages that lie along the unpaved road to the district centre"
)


@dataclass(frozen=True)
class Row:
    id: str
    date: dt.date
    region: str
    country: str
    admin1: str
    admin2: str
    location: str
    category: str
    fatalities: int
    injuries: int | None  # None: not known (a feed's)
    perpetrator: str
    perpetrator_kind: str
    target: str
    target_kind: str
    victims: str
    date_precision: str
    summary: str = ""
    certainty: str = ""  # fatalities_certainty; empty: exact
    claimed: int | None = None
    claimed_by: str = ""
    feed: str = ""

    @property
    def exact(self) -> bool:
        return self.certainty in ("", "exact")


@dataclass(frozen=True)
class GeneratedWeek:
    seed: int
    rows: tuple[Row, ...]

    def write(self, path: Path) -> Path:
        fields = [
            "id", "date", "country", "admin1", "admin2", "location", "category", "fatalities",
            "injuries", "summary", "sources", "perpetrator", "perpetrator_kind", "target",
            "target_kind", "victims", "date_precision", "fatalities_certainty",
            "claimed_fatalities", "claimed_by", "feed", "feed_id",
        ]  # fmt: skip
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(fields)
            for r in self.rows:
                writer.writerow([
                    r.id, r.date.isoformat(), r.country, r.admin1, r.admin2, r.location,
                    r.category, r.fatalities, "" if r.injuries is None else r.injuries,
                    r.summary or f"Report {r.id}: an incident in {r.location}.", "Generated",
                    r.perpetrator, r.perpetrator_kind, r.target, r.target_kind, r.victims,
                    r.date_precision, r.certainty, "" if r.claimed is None else r.claimed,
                    r.claimed_by, r.feed, r.id if r.feed else "",
                ])  # fmt: skip
        return path


def _toll(rng: random.Random) -> tuple[int, int]:
    roll = rng.random()
    if roll < 0.55:
        return 0, 0
    if roll < 0.9:
        return rng.randint(0, 4), rng.randint(0, 6)
    return rng.randint(5, 60), rng.randint(0, 40)


#: ACLED's 'inter' kinds as the log's actor kinds.
_KINDS = {
    "state": "military", "rebels": "rebels", "political": "political_militia",
    "identity": "identity_militia", "rioters": "rioters", "protesters": "protesters",
    "civilians": "civilians", "external": "external_forces",
}  # fmt: skip
#: Labels a feed or an analyst leaves where the actor is not known.
UNKNOWN_ACTORS = ("Unknown", "unknown", "Unidentified", "N/A")


@functools.cache
def feed_events() -> tuple[Event, ...]:
    """The corpus the feed's incidents are drawn from: every theatre, both sides' labels."""
    return tuple(export(seed=2027, size=1500, theatres=THEATRES).events)


def _kind(label: str, kind: str) -> str:
    return "police" if label.startswith("Police Forces") else _KINDS[kind]


def generate(seed: int, size: int) -> GeneratedWeek:
    """A week of `size` incidents in the reporting week, and a history of a few to hundreds
    before it, in a few regions (one taking most of the week's incidents). A share of them
    (none to nearly all, by week) are a feed's, drawn from the ACLED-shaped corpus."""
    rng = random.Random(seed)
    places = rng.sample(PLACES, rng.randint(1, 3))
    categories = rng.sample(CATEGORIES, rng.randint(1, 6))
    fed = rng.choice([0.0, 0.3, 0.6, 0.95, 1.0])
    rows: list[Row] = []

    def add(day: dt.date) -> None:
        region, country, admin1, admin2, names = rng.choice(places)
        location = LONG_PLACE if rng.random() < 0.03 else rng.choice(names)
        precision = rng.choices(["", "week", "month"], weights=[90, 7, 3])[0]
        number = f"g{seed}-{len(rows):05d}"
        category = rng.choice(categories)
        if rng.random() < fed:
            event = rng.choice(feed_events())
            truth, by, against = event.truth, event.actor1, event.actor2
            perpetrator = rng.choice(UNKNOWN_ACTORS) if rng.random() < 0.05 else by.name
            rows.append(Row(
                number, day, region, country, admin1, admin2, location, category, truth.coded,
                None, perpetrator, _kind(by.name, by.kind), against.name if against else "",
                _kind(against.name, against.kind) if against else "", "", precision,
                summary=event.row["notes"],
                certainty="" if truth.certainty == "exact" else truth.certainty,
                claimed=truth.claimed, claimed_by=truth.claimed_by or "", feed="ACLED",
            ))  # fmt: skip
            return
        perpetrator, perpetrator_kind = rng.choice(PERPETRATORS)
        target, target_kind = rng.choice(TARGETS)
        killed, wounded = _toll(rng)
        rows.append(Row(
            number, day, region, country, admin1, admin2, location, category, killed, wounded,
            perpetrator, perpetrator_kind, target, target_kind,
            rng.choice(VICTIMS) if killed or wounded else "", precision,
        ))  # fmt: skip

    # Months before the series' history, for the composed Context's trend (91 to 180 days back).
    for _ in range(rng.choice([0, 0, 1, 4, 20, max(1, size // 2)])):
        add(WEEK_END - dt.timedelta(days=rng.randint(90, 179)))
    # Histories: some weeks quiet, so series start at different weeks.
    for back in range(HISTORY_WEEKS, 0, -1):
        if rng.random() < 0.35:
            continue
        start = WEEK_END - dt.timedelta(days=7 * back + 6)
        for _ in range(rng.choice([1, 2, 3, 5, 12, max(1, size // 4)])):
            add(start + dt.timedelta(days=rng.randint(0, 6)))
    start = WEEK_END - dt.timedelta(days=6)
    # Identical incidents on one day, so that clauses merge.
    for _ in range(size):
        add(start + dt.timedelta(days=rng.choice([0, 2, 2, 3, 5, 6])))
    return GeneratedWeek(seed, tuple(rows))


#: Incidents in the reporting week, by how often each size is drawn.
SIZES = [0, 1, 2, 3, 4, 6, 9, 15, 40, 120, 400, 1000]
SIZE_WEIGHTS = [6, 14, 12, 10, 8, 8, 8, 8, 10, 8, 6, 2]


def sizes(count: int, seed: int = 2018) -> list[int]:
    """`count` week sizes, seeded, every size drawn at least once when `count` allows."""
    rng = random.Random(seed)
    drawn = list(SIZES) if count >= len(SIZES) else []
    drawn += rng.choices(SIZES, weights=SIZE_WEIGHTS, k=count - len(drawn))
    return drawn


# --- a week as a conflict feed reports it: the golden 40- and 400-incident alerts ---------------

HELMAND = ["Lashkar Gah", "Girishk", "Sangin", "Musa Qala", "Nad Ali", "Marjah", "Nawa",
           "Garmsir", "Kajaki"]  # fmt: skip
#: (category, perpetrator, its kind, target, its kind, victims, killed range, wounded range,
#: how often), as a conflict feed codes its events.
CONFLICT = [
    ("armed_clash", "Taliban", "rebels", "the Afghan National Army", "military", "",
     (0, 6), (0, 4), 30),
    ("ambush", "Taliban", "rebels", "a police checkpoint", "police", "police", (1, 5), (0, 3), 12),
    ("explosive", "", "", "", "civilians", "civilians", (0, 4), (0, 9), 14),
    ("airstrike", "the Afghan Air Force", "military", "Taliban positions", "rebels", "",
     (0, 12), (0, 3), 12),
    ("attack", "Taliban", "rebels", "a district centre", "state_forces", "", (0, 4), (0, 5), 10),
    ("shelling", "the Afghan National Army", "military", "", "", "", (0, 3), (0, 6), 8),
    ("suicide_bombing", "Islamic State Khorasan Province", "rebels", "a mosque", "civilians",
     "civilians", (5, 32), (8, 40), 1),
    ("protest", "residents", "protesters", "", "", "", (0, 0), (0, 0), 5),
]  # fmt: skip


def conflict_week(size: int, seed: int = 2024) -> GeneratedWeek:
    """`size` incidents in Helmand in the reporting week and about half as many a week over the
    four weeks before, as a conflict feed codes them."""
    rng = random.Random(seed)
    rows: list[Row] = []
    weights = [entry[-1] for entry in CONFLICT]

    def add(day: dt.date) -> None:
        category, by, by_kind, target, target_kind, victims, killed, wounded, _ = rng.choices(
            CONFLICT, weights=weights
        )[0]
        rows.append(Row(
            f"AFG{seed % 100:02d}{len(rows):04d}", day, "af-helmand", "Afghanistan", "Helmand",
            "", rng.choice(HELMAND), category, rng.randint(*killed), rng.randint(*wounded), by,
            by_kind, target, target_kind, victims, "",
        ))  # fmt: skip

    for back in range(4, 0, -1):
        start = WEEK_END - dt.timedelta(days=7 * back + 6)
        for _ in range(max(1, size // 2)):
            add(start + dt.timedelta(days=rng.randint(0, 6)))
    start = WEEK_END - dt.timedelta(days=6)
    for _ in range(size):
        add(start + dt.timedelta(days=rng.randint(0, 6)))
    return GeneratedWeek(seed, tuple(rows))
