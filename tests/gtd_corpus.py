"""Global Terrorism Database extracts as GTD writes them, for the tests of its import.

Written from GTD's codebook (START, University of Maryland: the variables, their value labels
and the conventions for what is not known), not from our code. No real event is copied: places,
groups and tolls are drawn, seeded, from the lists below.

- `eventid`: the date as `YYYYMMDD` and a four-digit number; `iday` 0 where the day is not
  known (and `imonth` 0 where the month is not), `approxdate` then says what is.
- `provstate` and `city` "Unknown" where GTD does not know them, and no coordinates then.
- `gname` "Unknown" for most attacks no group claimed.
- `nkill` and `nwound` empty where the toll is not known (not 0).
- `summary` empty for events before 1998, when GTD began writing them; dated "MM/DD/YYYY: "
  after.
- `weaptype1_txt`, `targtype1_txt`, `attacktype1_txt` from the codebook's value labels.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

#: The full layout, as far as the import reads it (GTD has over 130 columns; these are in its
#: order, with some of those between).
FULL = (
    "eventid", "iyear", "imonth", "iday", "approxdate", "extended", "country", "country_txt",
    "region", "region_txt", "provstate", "city", "latitude", "longitude", "specificity",
    "summary", "attacktype1", "attacktype1_txt", "targtype1", "targtype1_txt", "target1",
    "gname", "weaptype1", "weaptype1_txt", "nkill", "nwound", "scite1", "dbsource",
)  # fmt: skip
#: The columns the shipped map may do without (rules/mappings/gtd.yaml `optional`).
OPTIONAL = (
    "provstate", "city", "latitude", "longitude", "targtype1_txt", "nkill", "nwound", "summary",
    "scite1", "weaptype1_txt", "gname",
)  # fmt: skip

COUNTRIES = {
    "El Salvador": (61, 2, "Central America & Caribbean", [
        ("Usulutan", "Usulutan", 13.344, -88.439), ("Morazan", "San Francisco Gotera", 13.7, -88.1),
        ("San Salvador", "San Salvador", 13.692, -89.218), ("Unknown", "Unknown", None, None),
    ]),
    "Guatemala": (83, 2, "Central America & Caribbean", [
        ("Guatemala", "Guatemala City", 14.634, -90.506), ("Quiche", "Nebaj", 15.406, -91.146),
        ("Unknown", "Unknown", None, None),
    ]),
    "Peru": (159, 3, "South America", [
        ("Ayacucho", "Ayacucho", -13.16, -74.22), ("Lima", "Lima", -12.046, -77.043),
        ("Junin", "Huancayo", -12.065, -75.205), ("Lima", "Unknown", None, None),
    ]),
}  # fmt: skip
ATTACKS = [(1, "Assassination"), (2, "Armed Assault"), (3, "Bombing/Explosion"),
           (6, "Hostage Taking (Kidnapping)"), (7, "Facility/Infrastructure Attack"),
           (9, "Unknown")]  # fmt: skip
TARGETS = [(2, "Government (General)", "Mayor"), (3, "Police", "Police station"),
           (4, "Military", "Patrol"), (14, "Private Citizens & Property", "Civilians"),
           (1, "Business", "Store"), (20, "Unknown", "Unknown")]  # fmt: skip
#: How GTD's summaries name a target.
SAID = {"Mayor": "a mayor", "Police station": "a police station", "Patrol": "an army patrol",
        "Civilians": "civilians", "Store": "a store", "Unknown": "a target"}  # fmt: skip
WEAPONS = [(5, "Firearms"), (6, "Explosives"), (8, "Incendiary"), (9, "Melee"), (13, "Unknown")]
GROUPS = {
    "El Salvador": ["Farabundo Marti National Liberation Front (FMLN)", "Death Squad"],
    "Guatemala": ["Guerrilla Army of the Poor (EGP)", "Death Squad"],
    "Peru": ["Shining Path (SL)", "Tupac Amaru Revolutionary Movement (MRTA)"],
}


@dataclass(frozen=True)
class GtdEvent:
    row: dict[str, str]
    killed: int | None  # None: GTD does not know
    wounded: int | None


def extract(seed: int, size: int, year: int = 1982, months: int = 12) -> list[GtdEvent]:
    """`size` events of the first `months` months of `year`, seeded, in date order."""
    rng = random.Random(seed)
    events = []
    for n in range(size):
        country = rng.choice(sorted(COUNTRIES))
        code, region, region_txt, places = COUNTRIES[country]
        provstate, city, lat, lon = rng.choice(places)
        month = rng.choice([rng.randint(1, months)] * 30 + [0])
        day = 0 if month == 0 or rng.random() < 0.12 else rng.randint(1, 28)
        attack, attack_txt = rng.choice(ATTACKS)
        target, target_txt, target1 = rng.choice(TARGETS)
        weapon, weapon_txt = rng.choice(WEAPONS)
        killed = None if rng.random() < 0.15 else rng.choice([0, 0, 1, 2, 3, 5, 12])
        wounded = None if rng.random() < 0.25 else rng.choice([0, 0, 1, 4, 9])
        gname = "Unknown" if rng.random() < 0.45 else rng.choice(GROUPS[country])
        summary = ""
        if year >= 1998:
            where = city if city != "Unknown" else provstate if provstate != "Unknown" else country
            what = f"Assailants attacked {SAID[target1]} in {where}."
            summary = f"{month or 1:02d}/{day or 1:02d}/{year}: {what}"
        events.append(GtdEvent({
            "eventid": f"{year}{month:02d}{day:02d}{n:04d}", "iyear": str(year),
            "imonth": str(month), "iday": str(day),
            "approxdate": "" if day else f"{year}" if not month else f"{month}/{year}",
            "extended": "0", "country": str(code), "country_txt": country,
            "region": str(region), "region_txt": region_txt, "provstate": provstate,
            "city": city, "latitude": "" if lat is None else f"{lat:.6f}",
            "longitude": "" if lon is None else f"{lon:.6f}",
            "specificity": "1" if lat is not None else "5", "summary": summary,
            "attacktype1": str(attack), "attacktype1_txt": attack_txt,
            "targtype1": str(target), "targtype1_txt": target_txt, "target1": target1,
            "gname": gname, "weaptype1": str(weapon), "weaptype1_txt": weapon_txt,
            "nkill": "" if killed is None else str(killed),
            "nwound": "" if wounded is None else str(wounded),
            "scite1": "" if rng.random() < 0.6 else "\"Violence continues,\" Diario, 1982.",
            "dbsource": rng.choice(["PGIS", "CETIS"]),
        }, killed, wounded))  # fmt: skip
    events.sort(key=lambda e: (e.row["iyear"], e.row["imonth"], e.row["iday"], e.row["eventid"]))
    return events


def write(events: Sequence[GtdEvent], columns: Sequence[str] = FULL) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n",
                            extrasaction="ignore")  # fmt: skip
    writer.writeheader()
    for event in events:
        writer.writerow(event.row)
    return out.getvalue().encode("utf-8")
