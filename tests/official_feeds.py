"""Official advisories in their published shapes, for the tests: the State Department's RSS
feed (travel.state.gov/_res/rss/TAsTWs.xml), as its items are written: a title "Country - Level
N: Words", a Threat-Level and a Country-Tag category (the Department's own tags, not ISO: UK,
EZ for Czechia, GM for Germany, SP for Spain, IV for Côte d'Ivoire), a link, a pubDate as the
feed writes it (a day without a time) and the advisory as HTML in CDATA, risk indicators in
parentheses."""

from __future__ import annotations

import json
from typing import Any

WORDS = {
    1: "Exercise Normal Precautions",
    2: "Exercise Increased Caution",
    3: "Reconsider Travel",
    4: "Do Not Travel",
}
#: (the feed's country name, its Country-Tag, level, indicators): 34 countries.
US_STATE = [
    ("Peru", "PE", 2, "CTU"), ("Colombia", "CO", 3, "CTUK"), ("Mexico", "MX", 2, "CK"),
    ("Afghanistan", "AF", 4, "CTUKDO"), ("Syria", "SY", 4, "TUKDO"), ("Yemen", "YM", 4, "TUKHO"),
    ("United Kingdom", "UK", 2, "T"), ("Czechia", "EZ", 1, ""), ("Germany", "GM", 2, "T"),
    ("Spain", "SP", 2, "TU"), ("Cote d'Ivoire", "IV", 2, "CTU"), ("Nigeria", "NI", 3, "CTUHK"),
    ("Haiti", "HA", 4, "CTUKH"), ("Ukraine", "UP", 4, "O"), ("Russia", "RS", 4, "TUDO"),
    ("Japan", "JA", 1, ""), ("Canada", "CA", 1, ""), ("Brazil", "BR", 2, "C"),
    ("Venezuela", "VE", 4, "CUKDHO"), ("Burma (Myanmar)", "BM", 4, "UDO"),
    ("Democratic Republic of the Congo", "CG", 3, "CTUK"), ("Guinea-Bissau", "PU", 3, "CU"),
    ("Burkina Faso", "UV", 4, "TKC"), ("Mali", "ML", 4, "CTK"), ("Philippines", "RP", 2, "CTUK"),
    ("Ecuador", "EC", 2, "CU"), ("Bolivia", "BL", 2, "U"), ("Chile", "CI", 2, "CU"),
    ("India", "IN", 2, "CT"), ("Pakistan", "PK", 3, "TU"), ("Israel", "IS", 3, "TU"),
    ("Iraq", "IZ", 4, "TKUO"), ("Libya", "LY", 4, "CTUKO"), ("South Sudan", "OD", 4, "CK"),
]  # fmt: skip


def us_state_rss(
    entries: list[tuple[str, str, int, str]] = US_STATE, day: str = "14 Jun 2018"
) -> bytes:
    items = []
    for country, tag, level, indicators in entries:
        words = WORDS[level]
        slug = country.lower().replace(" ", "-").replace("(", "").replace(")", "").replace("'", "")
        shown = ", ".join(f"<b>{name}</b> ({letter})" for letter, name in (
            (letter, {"C": "crime", "T": "terrorism", "U": "civil unrest", "H": "health",
                      "N": "natural disaster", "E": "time-limited event", "K": "kidnapping",
                      "D": "wrongful detention", "O": "other"}[letter])
            for letter in indicators
        ))  # fmt: skip
        body = f"<p>{words} in {country}" + (f" due to {shown}." if shown else ".") + "</p>"
        items.append(
            "<item>\n"
            f"<title>{_xml(country)} - Level {level}: {words}</title>\n"
            f"<link>https://travel.state.gov/content/travel/en/traveladvisories/"
            f"traveladvisories/{slug}-travel-advisory.html</link>\n"
            f'<category domain="Threat-Level">Level {level}: {words}</category>\n'
            f'<category domain="Country-Tag">{tag}</category>\n'
            f"<pubDate>Thu, {day}</pubDate>\n"
            f"<description><![CDATA[{body}]]></description>\n"
            f'<guid isPermaLink="false">{tag},advisory</guid>\n'
            "</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        "<title>travel.state.gov: Travel Advisories</title>\n"
        "<link>https://travel.state.gov</link>\n" + "".join(items) + "</channel>\n</rss>\n"
    ).encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


# --- GOV.UK ---------------------------------------------------------------------------------
#: (GOV.UK's country name, slug, alert statuses): 34 countries, as the FCDO writes them.
PARTS = "avoid_all_but_essential_travel_to_parts"
ALL_PARTS = "avoid_all_travel_to_parts"
WHOLE = "avoid_all_but_essential_travel_to_whole_country"
ALL_WHOLE = "avoid_all_travel_to_whole_country"
UK_FCDO = [
    ("Peru", "peru", [PARTS]), ("Colombia", "colombia", [PARTS, ALL_PARTS]),
    ("Mexico", "mexico", [PARTS]), ("Afghanistan", "afghanistan", [ALL_WHOLE]),
    ("Syria", "syria", [ALL_WHOLE]), ("Yemen", "yemen", [ALL_WHOLE]),
    ("Czech Republic", "czech-republic", []), ("Germany", "germany", []),
    ("Spain", "spain", []), ("Côte d'Ivoire", "cote-d-ivoire", [PARTS, ALL_PARTS]),
    ("Nigeria", "nigeria", [PARTS, ALL_PARTS]), ("Haiti", "haiti", [ALL_WHOLE]),
    ("Ukraine", "ukraine", [ALL_PARTS, WHOLE]), ("Russia", "russia", [ALL_PARTS, WHOLE]),
    ("Japan", "japan", []), ("Canada", "canada", []), ("Brazil", "brazil", []),
    ("Venezuela", "venezuela", [ALL_PARTS, WHOLE]),
    ("Myanmar (Burma)", "myanmar", [PARTS, ALL_PARTS]),
    ("Democratic Republic of the Congo", "democratic-republic-of-the-congo", [PARTS, ALL_PARTS]),
    ("Guinea-Bissau", "guinea-bissau", []), ("Burkina Faso", "burkina-faso", [ALL_PARTS, WHOLE]),
    ("Mali", "mali", [ALL_WHOLE]), ("Philippines", "philippines", [ALL_PARTS]),
    ("Ecuador", "ecuador", [ALL_PARTS]), ("Bolivia", "bolivia", []), ("Chile", "chile", []),
    ("India", "india", [ALL_PARTS]), ("Pakistan", "pakistan", [PARTS, ALL_PARTS]),
    ("Israel", "israel", [ALL_PARTS]), ("Iraq", "iraq", [WHOLE, ALL_PARTS]),
    ("Libya", "libya", [ALL_WHOLE]), ("South Sudan", "south-sudan", [ALL_WHOLE]),
    ("The Occupied Palestinian Territories", "the-occupied-palestinian-territories", [ALL_PARTS]),
]  # fmt: skip


def uk_fcdo_document(name: str, slug: str, statuses: list[str], updated: str) -> dict[str, Any]:
    """One country's content item, as `/api/content/foreign-travel-advice/SLUG` gives it."""
    return {
        "base_path": f"/foreign-travel-advice/{slug}",
        "content_id": f"{slug}-0000",
        "document_type": "travel_advice",
        "schema_name": "travel_advice",
        "locale": "en",
        "title": f"{name} travel advice",
        "description": f"FCDO travel advice for {name}. Includes safety and security, "
        "insurance, entry requirements and legal differences.",
        "public_updated_at": updated,
        "details": {
            "alert_status": statuses,
            "change_description": f"Update to the 'Safety and security' section for {name}.",
            "country": {"name": name, "slug": slug, "synonyms": []},
            "email_signup_link": f"/foreign-travel-advice/{slug}/email-signup",
            "max_cache_time": 10,
            "parts": [{"slug": "safety-and-security", "title": "Safety and security",
                       "body": "<p>Terrorists are very likely to try to carry out attacks.</p>"}],
            "reviewed_at": updated,
            "updated_at": updated,
        },
        "links": {"parent": [{"base_path": "/foreign-travel-advice"}]},
    }  # fmt: skip


def uk_fcdo_index(
    entries: list[tuple[str, str, list[str]]] = UK_FCDO,
    updated: str = "2018-06-12T09:30:00.000+01:00",
) -> bytes:
    """The index, `/api/content/foreign-travel-advice`: each country under links.children."""
    children = [
        {
            "api_path": f"/api/content/foreign-travel-advice/{slug}",
            "base_path": f"/foreign-travel-advice/{slug}",
            "document_type": "travel_advice",
            "title": name,
            "public_updated_at": updated,
            "web_url": f"https://www.gov.uk/foreign-travel-advice/{slug}",
            "details": {
                "alert_status": statuses,
                "change_description": "Latest update: summary and safety and security.",
                "country": {"name": name, "slug": slug, "synonyms": []},
                "updated_at": updated,
            },
        }
        for name, slug, statuses in entries
    ]
    index = {
        "base_path": "/foreign-travel-advice",
        "document_type": "travel_advice_index",
        "title": "Foreign travel advice",
        "details": {"email_signup_link": "/foreign-travel-advice/email-signup"},
        "links": {"children": children},
    }
    return json.dumps(index, indent=1, ensure_ascii=False).encode()


# --- Canada -----------------------------------------------------------------------------------
CA_WORDS = {0: "Take normal security precautions", 1: "Exercise a high degree of caution",
            2: "Avoid non-essential travel", 3: "Avoid all travel"}  # fmt: skip
#: (ISO code, English name, advisory-state, has-regional-advisory): 34 countries.
CA = [
    ("PE", "Peru", 1, 1), ("CO", "Colombia", 1, 1), ("MX", "Mexico", 1, 1),
    ("AF", "Afghanistan", 3, 0), ("SY", "Syria", 3, 0), ("YE", "Yemen", 3, 0),
    ("CZ", "Czechia", 0, 0), ("DE", "Germany", 0, 0), ("ES", "Spain", 1, 0),
    ("CI", "Côte d'Ivoire", 1, 1), ("NG", "Nigeria", 1, 1), ("HT", "Haiti", 3, 0),
    ("UA", "Ukraine", 2, 1), ("RU", "Russia", 3, 0), ("JP", "Japan", 0, 0),
    ("US", "United States", 0, 0), ("BR", "Brazil", 1, 0), ("VE", "Venezuela", 2, 1),
    ("MM", "Burma (Myanmar)", 2, 1), ("CD", "Democratic Republic of Congo (Kinshasa)", 1, 1),
    ("GW", "Guinea-Bissau", 1, 0), ("BF", "Burkina Faso", 3, 0), ("ML", "Mali", 3, 0),
    ("PH", "Philippines", 1, 1), ("EC", "Ecuador", 1, 1), ("BO", "Bolivia", 1, 0),
    ("CL", "Chile", 0, 0), ("IN", "India", 1, 1), ("PK", "Pakistan", 1, 1),
    ("IL", "Israel", 1, 1), ("IQ", "Iraq", 3, 0), ("LY", "Libya", 3, 0),
    ("SS", "South Sudan", 3, 0), ("GB", "United Kingdom", 0, 0),
]  # fmt: skip


def ca_json(
    entries: list[tuple[str, str, int, int]] = CA, published: str = "2018-06-08 14:25:11"
) -> bytes:
    """`index-updated.json`: data keyed by ISO code, English and French beside each other."""
    data = {}
    for n, (code, name, state, regional) in enumerate(entries, 1):
        slug = name.lower().split(" (")[0].replace(" ", "-").replace("'", "").replace("ô", "o")
        data[code] = {
            "country-id": n, "country-iso": code, "country-eng": name, "country-fra": name,
            "advisory-state": state, "has-advisory-warning": int(state >= 2),
            "has-regional-advisory": regional, "has-content": 1,
            "recent-updates-type": "Editorial-change",
            "eng": {"name": name, "url-slug": slug, "friendly-date": "June 8, 2018 14:25 EDT",
                    "advisory-text": CA_WORDS[state],
                    "recent-updates": "Editorial change, with no impact on the Risk Levels."},
            "fra": {"name": name, "url-slug": slug, "friendly-date": "8 juin 2018 14:25 HAE",
                    "advisory-text": "Faites preuve d'une grande prudence",
                    "recent-updates": "Changement éditorial."},
            "date-published": {"timestamp": 1528482311, "date": published,
                               "asp": published.replace(" ", "T") + ".000-04:00"},
        }  # fmt: skip
    document = {"metadata": {"generated": {"timestamp": 1528482400, "date": published}},
                "data": data}  # fmt: skip
    return json.dumps(document, indent=1, ensure_ascii=False).encode()
