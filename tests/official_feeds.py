"""Official advisories in their published shapes, for the tests: the State Department's RSS
feed (travel.state.gov/_res/rss/TAsTWs.xml), as its items are written: a title "Country - Level
N: Words", a Threat-Level and a Country-Tag category (the Department's own tags, not ISO: UK,
EZ for Czechia, GM for Germany, SP for Spain, IV for Côte d'Ivoire), a link, a pubDate as the
feed writes it (a day without a time) and the advisory as HTML in CDATA, risk indicators in
parentheses."""

from __future__ import annotations

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
