"""ACLED exports as ACLED writes them, for the tests of what an analyst would send unedited.

Written from ACLED's published codebook (the 2023 and 2024 editions: actors, 'inter' codes,
event types, reported fatalities, notes), not from our own code, and before the rules that
read it, so that the tests cannot be shaped to the code. No real event is copied (ACLED's
terms restrict redistribution): places, dates, actors and tolls are drawn, seeded, from the
lists below; the conventions are ACLED's.

- **Actors** as the codebook names them: state forces by country and the government's tenure
  ("Military Forces of Afghanistan (2021-)", "Police Forces of India (2014-)"), a force of an
  ended tenure with both years; generic groups with their country in brackets ("Rioters
  (India)", "Civilians (Afghanistan)", "Unidentified Armed Group (Peru)"); acronyms with their
  expansion ("NATO: North Atlantic Treaty Organization"); named groups as they are
  ("Taliban"). Each with its 'inter' code: a number in the older layout, a word in the API's.
- **Reported fatalities** as the codebook codes them: the number reported; 10 for an unknown
  plural ("several", "dozens") and 3 for "a few", said in the notes; one report's dead split
  across the events it covers, said in the notes; 0 when only one side claimed deaths, the
  claim quoted in the notes. ACLED has no column for the injured.
- **Notes** as its coders leave them: the event in a sentence or two, its actors as people
  say them ("soldiers", "Taliban militants", "unidentified gunmen"), then the remarks
  ("[size=no report]", "Fatalities coded as 0 (Taliban reported 12).", "(coded to Taiz)").
- **Extracts as people have them**: the older export and the API layout, an extract of some
  columns only, and text whose accents were lost or doubled in transit (mojibake).

`Event.truth` says what each event's toll really is, so that a test can hold the prose to it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from advisory.importers.acled import ACLED_LAYOUTS

OLD, NEW = ACLED_LAYOUTS
Certainty = Literal["exact", "estimated", "claimed", "unknown"]

#: The 'inter' codes: the older layout's numbers and the API's words.
INTER_NUMBER = {
    "state": "1", "rebels": "2", "political": "3", "identity": "4", "rioters": "5",
    "protesters": "6", "civilians": "7", "external": "8",
}  # fmt: skip
INTER_WORD = {
    "state": "State forces", "rebels": "Rebel group", "political": "Political militia",
    "identity": "Identity militia", "rioters": "Rioters", "protesters": "Protesters",
    "civilians": "Civilians", "external": "External/Other forces",
}  # fmt: skip


@dataclass(frozen=True)
class Actor:
    name: str  # as ACLED writes it
    kind: str  # a key of INTER_NUMBER


@dataclass(frozen=True)
class Place:
    admin1: str
    admin2: str
    location: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Theatre:
    """A country as ACLED codes it: its id prefix, places, and actors by role."""

    country: str
    prefix: str
    iso: int
    places: tuple[Place, ...]
    state: tuple[Actor, ...]  # its forces, the current tenure's first
    armed: tuple[Actor, ...]  # named non-state and foreign forces
    generic: tuple[str, ...]  # groups named by kind: "Rioters", "Civilians", ...
    sources: tuple[str, ...]

    def group(self, kind: str) -> Actor:
        """A generic group of this country as the codebook names it."""
        inter = {
            "Rioters": "rioters", "Protesters": "protesters", "Civilians": "civilians",
            "Unidentified Armed Group": "political", "Labor Group": "protesters",
            "Students": "protesters", "Farmers": "protesters",
            "Unidentified Communal Militia": "identity",
        }[kind]  # fmt: skip
        return Actor(f"{kind} ({self.country})", inter)


def _places(*rows: tuple[str, str, str, float, float]) -> tuple[Place, ...]:
    return tuple(Place(*row) for row in rows)


THEATRES: tuple[Theatre, ...] = (
    Theatre(
        "Afghanistan", "AFG", 4,
        _places(
            ("Helmand", "Lashkar Gah", "Lashkar Gah", 31.593, 64.371),
            ("Helmand", "Nahri Sarraj", "Girishk", 31.804, 64.571),
            ("Helmand", "Sangin", "Sangin", 32.073, 64.836),
            ("Balkh", "Charbolak", "Charbolak", 36.754, 66.813),
            ("Balkh", "Kaldar", "Kaldar", 37.167, 67.583),
            ("Balkh", "Mazar-e Sharif", "Mazar-e Sharif", 36.709, 67.110),
            ("Kandahar", "Kandahar", "Kandahar", 31.613, 65.710),
            ("Kabul", "Kabul", "Kabul", 34.528, 69.172),
        ),
        (
            Actor("Military Forces of Afghanistan (2021-)", "state"),
            Actor("Police Forces of Afghanistan (2021-)", "state"),
            Actor("Military Forces of Afghanistan (2014-2021)", "state"),
            Actor("Police Forces of Afghanistan (2014-2021)", "state"),
            Actor("Military Forces of Afghanistan (2014-)", "state"),
        ),
        (
            Actor("Taliban", "rebels"),
            Actor("Islamic State (Afghanistan)", "rebels"),
            Actor("NRF: National Resistance Front", "rebels"),
            Actor("NATO: North Atlantic Treaty Organization", "external"),
            Actor("Military Forces of the United States (2021-2025)", "external"),
        ),
        ("Rioters", "Protesters", "Civilians", "Unidentified Armed Group"),
        ("Pajhwok Afghan News", "Afghanistan International", "Hasht-e Subh", "Twitter"),
    ),
    Theatre(
        "India", "IND", 356,
        _places(
            ("Manipur", "Imphal West", "Imphal", 24.817, 93.937),
            ("Manipur", "Churachandpur", "Churachandpur", 24.333, 93.683),
            ("Chhattisgarh", "Bijapur", "Bijapur", 18.793, 80.816),
            ("Uttar Pradesh", "Lucknow", "Lucknow", 26.847, 80.947),
            ("West Bengal", "Kolkata", "Kolkata", 22.573, 88.364),
        ),
        (
            Actor("Police Forces of India (2014-)", "state"),
            Actor("Military Forces of India (2014-)", "state"),
        ),
        (
            Actor("CPI (Maoist): Communist Party of India (Maoist)", "rebels"),
            Actor("BJP: Bharatiya Janata Party", "political"),
            Actor("Meitei Ethnic Militia (India)", "identity"),
            Actor("Kuki Ethnic Militia (India)", "identity"),
        ),
        ("Rioters", "Protesters", "Civilians", "Labor Group", "Students", "Farmers"),
        ("Times of India", "The Hindu", "Hindustan Times", "Imphal Free Press"),
    ),
    Theatre(
        "Peru", "PER", 604,
        _places(
            ("Junin", "Satipo", "Pichari", -12.517, -73.833),
            ("Ayacucho", "La Mar", "Llochegua", -12.410, -73.908),
            ("Cusco", "La Convencion", "Kimbiri", -12.617, -73.783),
            ("Lima Province", "Lima", "Lima", -12.046, -77.043),  # the capital: its own admin1
            ("Lima", "Canete", "San Luis de Canete", -13.078, -76.386),  # the Lima Region
            ("Puno", "San Roman", "Juliaca", -15.500, -70.133),
        ),
        (
            Actor("Military Forces of Peru (2022-)", "state"),
            Actor("Police Forces of Peru (2022-)", "state"),
            Actor("Military Forces of Peru (2021-2022)", "state"),
        ),
        (Actor("Militarized Communist Party of Peru", "rebels"),),
        ("Rioters", "Protesters", "Civilians", "Unidentified Armed Group", "Labor Group",
         "Farmers"),
        ("La Republica", "Andina", "El Comercio", "RPP Noticias"),
    ),
    Theatre(
        "Yemen", "YEM", 887,
        _places(
            ("Taiz", "Al Qahirah", "Taiz City", 13.579, 44.021),
            ("Taiz", "Maqbanah", "Maqbanah", 13.474, 43.679),
            ("Al Hudaydah", "Hays", "Hays", 13.930, 43.482),
            ("Marib", "Sirwah", "Sirwah", 15.448, 45.030),
        ),
        (
            Actor("Military Forces of Yemen (2016-) Supreme Political Council", "state"),
            Actor("Military Forces of Yemen (2022-) Presidential Leadership Council", "state"),
        ),
        (
            Actor("AQAP: Al Qaeda in the Arabian Peninsula", "rebels"),
            Actor("Military Forces of Saudi Arabia (2015-)", "external"),
        ),
        ("Civilians", "Unidentified Armed Group", "Protesters"),
        ("Al Masdar Online", "Saba News Agency", "Yemen Monitor"),
    ),
    Theatre(
        "Nigeria", "NIG", 566,
        _places(
            ("Borno", "Maiduguri", "Maiduguri", 11.846, 13.160),
            ("Borno", "Gwoza", "Gwoza", 11.086, 13.690),
            ("Zamfara", "Maru", "Maru", 12.333, 6.400),
            ("Plateau", "Bokkos", "Bokkos", 9.300, 8.983),
        ),
        (
            Actor("Military Forces of Nigeria (2023-)", "state"),
            Actor("Police Forces of Nigeria (2023-)", "state"),
        ),
        (
            Actor("ISWAP: Islamic State West Africa Province", "rebels"),
            Actor("Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", "rebels"),
            Actor("Fulani Ethnic Militia (Nigeria)", "identity"),
        ),
        ("Civilians", "Unidentified Armed Group", "Unidentified Communal Militia", "Protesters"),
        ("Premium Times", "Daily Trust", "HumAngle", "Vanguard"),
    ),
)  # fmt: skip

#: (event type, sub-event type, how often, what happens): who takes part is drawn by kind.
SHAPES: tuple[tuple[str, str, int, str], ...] = (
    ("Battles", "Armed clash", 30, "clash"),
    ("Battles", "Government regains territory", 2, "clash"),
    ("Explosions/Remote violence", "Air/drone strike", 8, "strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 6, "strike"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 6, "bomb"),
    ("Explosions/Remote violence", "Suicide bomb", 1, "bomb"),
    ("Violence against civilians", "Attack", 14, "attack"),
    ("Violence against civilians", "Abduction/forced disappearance", 3, "abduction"),
    ("Protests", "Peaceful protest", 14, "protest"),
    ("Protests", "Protest with intervention", 4, "protest"),
    ("Protests", "Excessive force against protesters", 1, "force"),
    ("Riots", "Mob violence", 5, "mob"),
    ("Riots", "Violent demonstration", 4, "riot"),
    ("Strategic developments", "Arrests", 3, "arrests"),
)  # fmt: skip

#: The remarks ACLED's coders add to the notes about a toll, by how the toll was coded.
#: ({n}: the coded number; {parts}: the events the toll is split across; {side} and {claim}:
#: who claimed how many.)
TOLL_REMARKS: dict[str, tuple[str, ...]] = {
    "estimated-10": (
        "Several people were reported killed; unknown reported fatalities coded as 10.",
        "Dozens were killed according to local sources. Fatalities coded as 10.",
        "Many fatalities reported, number unknown (coded as 10).",
    ),
    "estimated-3": (
        "A few fatalities were reported; unknown reported fatalities coded as 3.",
        "Some people were killed. Fatalities coded as 3 as the number is unknown.",
    ),
    "split": (
        "Fatalities are split across {parts} events ({total}).",
        "{total} fatalities reported in total, split across {parts} events.",
        "Fatalities split between {parts} events.",
    ),
    "claimed": (
        "Fatalities coded as 0 ({side} reported {claim}).",
        "{side} claimed to have killed {claim}; fatalities coded as 0 as the claim is unverified.",
        "{side} reported {claim} killed, but this could not be verified. Fatalities coded as 0.",
    ),
    "unknown": ("Casualties unknown.", "Fatalities unknown.", "No information on casualties."),
}
#: Remarks on other matters, in the notes of some events.
OTHER_REMARKS = (
    "[size=no report]", "[size=around 200]", "[size=dozens]", "[women targeted: girls]",
    "(coded to {admin1})", "Location coded to the district capital.", "[disorder type: mixed]",
)  # fmt: skip


@dataclass(frozen=True)
class Truth:
    """What the source knows of an event's toll, whatever the fatalities column says."""

    certainty: Certainty
    coded: int  # the fatalities column
    claimed: int | None = None
    claimed_by: str | None = None
    remarks: tuple[str, ...] = ()  # the coding remarks put in the notes, as written


@dataclass(frozen=True)
class Event:
    row: dict[str, str]  # the export's columns, as ACLED writes them (both layouts' names)
    truth: Truth
    actor1: Actor
    actor2: Actor | None


@dataclass
class Corpus:
    """A seeded export: `events` in date order."""

    seed: int
    events: list[Event] = field(default_factory=list)

    def rows(self) -> list[dict[str, str]]:
        return [event.row for event in self.events]


def _date(day: dt.date, layout: str) -> str:
    """The older export writes '14 March 2024'; the API writes '2024-03-14'."""
    return day.isoformat() if layout == NEW else f"{day.day} {day:%B %Y}"


def _who(theatre: Theatre, what: str, rng: random.Random) -> tuple[Actor, Actor | None]:
    state = theatre.state[0] if rng.random() < 0.7 else rng.choice(theatre.state)
    armed = rng.choice(theatre.armed)
    group = theatre.group
    if what == "clash":
        pair = rng.choice([(armed, state), (state, armed), (armed, rng.choice(theatre.armed))])
        return pair[0], pair[1] if pair[1] != pair[0] else group("Unidentified Armed Group")
    if what == "strike":
        return rng.choice([state, armed]), rng.choice([armed, group("Civilians")])
    if what == "bomb":
        return rng.choice([armed, group("Unidentified Armed Group")]), rng.choice(
            [state, group("Civilians")]
        )
    if what in ("attack", "abduction"):
        return rng.choice([armed, group("Unidentified Armed Group"), state]), group("Civilians")
    if what == "protest":
        kinds = [k for k in theatre.generic if k in ("Protesters", "Labor Group", "Students",
                                                     "Farmers")]  # fmt: skip
        return group(rng.choice(kinds or ["Protesters"])), (state if rng.random() < 0.3 else None)
    if what == "force":
        return state, group("Protesters")
    if what == "mob":
        return group("Rioters"), rng.choice([group("Rioters"), group("Civilians")])
    if what == "riot":
        return group("Rioters"), (state if rng.random() < 0.5 else None)
    return state, rng.choice([armed, group("Civilians")])  # arrests


#: How ACLED's coders refer to a generic group in the notes' prose.
_SAID = {
    "Rioters": "rioters", "Protesters": "protesters", "Civilians": "civilians",
    "Unidentified Armed Group": "unidentified gunmen", "Labor Group": "workers",
    "Students": "students", "Farmers": "farmers",
    "Unidentified Communal Militia": "communal militiamen",
}  # fmt: skip


def said(actor: Actor | None) -> str:
    """An actor as the notes' prose refers to it: coders write "soldiers", "Taliban
    militants" or "unidentified gunmen", not the actor's label."""
    if actor is None:
        return "unknown actors"
    name = actor.name
    if name.startswith("Police Forces"):
        return "police"
    if name.startswith("Military Forces"):
        return "soldiers" if actor.kind == "state" else "foreign forces"
    kind = name.rsplit(" (", 1)[0]
    if kind in _SAID:
        return _SAID[kind]
    if kind.endswith(" Ethnic Militia"):
        return f"{kind.removesuffix(' Ethnic Militia')} militiamen"
    short = name.split(":")[0] if ":" in name else kind.split(" - ")[0]
    return f"{short} militants" if actor.kind in ("rebels", "identity") else short


def _story(what: str, a1: Actor, a2: Actor | None, place: Place, day: dt.date) -> str:
    on = f"On {day.day} {day:%B %Y}"
    where = f"in {place.location} ({place.admin2}, {place.admin1})"
    one, other = said(a1), said(a2)
    return {
        "clash": f"{on}, {one} clashed with {other} {where}.",
        "strike": f"{on}, {one} carried out an air strike on {other} {where}.",
        "bomb": f"{on}, an IED planted by {one} exploded {where}, targeting {other}.",
        "attack": f"{on}, {one} attacked and killed civilians {where}.",
        "abduction": f"{on}, {one} abducted a number of residents {where}.",
        "protest": f"{on}, {one} held a protest {where} over the price of fuel.",
        "force": f"{on}, {one} fired live rounds at protesters {where}.",
        "mob": f"{on}, a mob lynched a man accused of theft {where}.",
        "riot": f"{on}, rioters burnt tyres and threw stones at police {where}.",
        "arrests": f"{on}, {one} arrested suspected members of {other} {where}.",
    }[what]


def _toll(what: str, a1: Actor, a2: Actor | None, rng: random.Random) -> Truth:
    """A toll as the codebook codes it, and the remark that says so."""
    if what in ("protest", "arrests", "abduction") or rng.random() < 0.35:
        return Truth("exact", 0)
    draw = rng.random()
    if draw < 0.55:  # a crowd's violence kills fewer than a battle
        crowd = what in ("mob", "riot", "force")
        return Truth("exact", rng.choice([1, 1, 1, 2, 2, 3] if crowd else
                                         [1, 1, 2, 2, 3, 4, 5, 6, 8, 9, 12, 14, 21]))  # fmt: skip
    if draw < 0.7:
        n = rng.choice([10, 10, 3])
        remark = rng.choice(TOLL_REMARKS[f"estimated-{n}"])
        return Truth("estimated", n, remarks=(remark,))
    if draw < 0.8:
        parts = rng.choice([2, 3, 4])
        total = parts * rng.randint(1, 6)
        remark = rng.choice(TOLL_REMARKS["split"]).format(parts=parts, total=total)
        return Truth("estimated", total // parts, remarks=(remark,))
    if draw < 0.92 and what in ("clash", "strike"):
        side = said(a1)
        side = side[:1].upper() + side[1:]  # "Taliban militants", "Police"
        claim = rng.choice([4, 7, 12, 15, 30])
        remark = rng.choice(TOLL_REMARKS["claimed"]).format(side=side, claim=claim)
        return Truth("claimed", 0, claimed=claim, claimed_by=side, remarks=(remark,))
    return Truth("unknown", 0, remarks=(rng.choice(TOLL_REMARKS["unknown"]),))


def export(
    seed: int,
    size: int,
    *,
    start: dt.date = dt.date(2024, 3, 4),
    days: int = 28,
    theatres: Sequence[Theatre] = THEATRES,
    layout: str = OLD,
    kinds: Sequence[str] | None = None,
) -> Corpus:
    """`size` events over `days` days from `start` in `theatres`, seeded; of the `kinds` of
    SHAPES only ("protest", "riot", ...) when given."""
    rng = random.Random(seed)
    corpus = Corpus(seed)
    shapes = [shape for shape in SHAPES if kinds is None or shape[3] in kinds]
    weights = [shape[2] for shape in shapes]
    drawn: list[tuple[dt.date, Theatre, tuple[str, str, int, str]]] = [
        (start + dt.timedelta(days=rng.randrange(days)), rng.choice(theatres),
         rng.choices(shapes, weights=weights)[0])
        for _ in range(size)
    ]  # fmt: skip
    drawn.sort(key=lambda d: d[0])
    counters: dict[str, int] = {}
    for day, theatre, (event_type, sub_type, _, what) in drawn:
        place = rng.choice(theatre.places)
        a1, a2 = _who(theatre, what, rng)
        truth = _toll(what, a1, a2, rng)
        remarks = list(truth.remarks)
        if rng.random() < 0.2:
            remarks.append(rng.choice(OTHER_REMARKS).format(admin1=place.admin1))
        notes = " ".join([_story(what, a1, a2, place, day), *remarks])
        if remarks[len(truth.remarks) :]:
            truth = Truth(truth.certainty, truth.coded, truth.claimed, truth.claimed_by,
                          tuple(remarks))  # fmt: skip
        counters[theatre.prefix] = counters.get(theatre.prefix, 0) + 1
        number = counters[theatre.prefix]
        inter = INTER_WORD if layout == NEW else INTER_NUMBER
        row = {
            "data_id": str(10_000_000 + seed * 100_000 + len(corpus.events)),
            "iso": str(theatre.iso),
            "iso3": theatre.prefix if theatre.prefix != "NIG" else "NGA",
            "event_id_cnty": f"{theatre.prefix}{seed % 1000:03d}{number:05d}",
            "event_id_no_cnty": str(number),
            "event_date": _date(day, layout),
            "year": str(day.year),
            "time_precision": rng.choice("1112"),
            "disorder_type": "Demonstrations" if what in ("protest", "riot", "mob", "force")
            else "Political violence",
            "event_type": event_type,
            "sub_event_type": sub_type,
            "actor1": a1.name,
            "assoc_actor_1": "",
            "inter1": inter[a1.kind],
            "actor2": a2.name if a2 else "",
            "assoc_actor_2": "",
            "inter2": inter[a2.kind] if a2 else ("" if layout == NEW else "0"),
            "interaction": "",
            "civilian_targeting": "Civilian targeting" if a2 and "Civilians" in a2.name else "",
            "region": "",
            "country": theatre.country,
            "admin1": place.admin1,
            "admin2": place.admin2,
            "admin3": "",
            "location": place.location,
            "latitude": f"{place.latitude + rng.uniform(-0.05, 0.05):.4f}",
            "longitude": f"{place.longitude + rng.uniform(-0.05, 0.05):.4f}",
            "geo_precision": rng.choice("1112"),
            "source": "; ".join(rng.sample(theatre.sources, rng.randint(1, 2))),
            "source_scale": "National",
            "notes": notes,
            "fatalities": str(truth.coded),
            "tags": "crowd size=no report" if what == "protest" and layout == NEW else "",
            "timestamp": str(1_710_000_000 + len(corpus.events)),
        }  # fmt: skip
        corpus.events.append(Event(row, truth, a1, a2))
    return corpus


#: The columns of an extract someone took of only what they needed.
EXTRACT = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "inter1", "actor2",
    "inter2", "country", "admin1", "admin2", "location", "latitude", "longitude", "source",
    "notes", "fatalities",
)  # fmt: skip


def mojibake(text: str) -> str:
    """UTF-8 read as Latin-1 on its way through a spreadsheet: 'Junín' -> 'JunÃ\xadn'."""
    return text.encode("utf-8").decode("latin-1")


def write(
    corpus: Corpus,
    layout: str = OLD,
    *,
    columns: Sequence[str] | None = None,
    accents: Literal["kept", "lost", "doubled"] = "kept",
) -> bytes:
    """The export as a CSV file: the layout's columns (or `columns`, in that order), with
    accents kept, lost in transit, or doubled (mojibake) in the place and note columns."""
    out = io.StringIO()
    names = list(columns or ACLED_LAYOUTS[layout])
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in corpus.rows():
        cells = {name: row.get(name, "") for name in names}
        for name in ("admin1", "admin2", "location", "notes"):
            if name in cells:
                cells[name] = _accented(cells[name], accents)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


#: Place names ACLED writes with their accents, as the feeds of Latin America have them.
ACCENTED = {
    "Junin": "Junín",
    "La Convencion": "La Convención",
    "San Roman": "San Román",
    "Canete": "Cañete",
}


def _accented(text: str, accents: str) -> str:
    for bare, accented in ACCENTED.items():
        text = text.replace(bare, accented)
    if accents == "lost":
        return text.encode("ascii", "replace").decode("ascii")
    return mojibake(text) if accents == "doubled" else text
