"""CAP 1.2 messages beside each published alert and the Atom feed of recent alerts, checked
with lxml: the CAP messages against a schema written from the CAP 1.2 data dictionary
(tests/schemas/cap-1.2.xsd), the feed against RFC 4287's required elements."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from advisory.places.areas import contains
from advisory.publishing.feeds import cap_severity, cap_time, cap_urgency, incidents_circle
from tests.conftest import ROOT, run_advisory

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.XMLSchema(etree.parse(str(ROOT / "tests" / "schemas" / "cap-1.2.xsd")))


def _site(tmp_path: Path, settings: str) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(ROOT / "rules", site / "rules")
    shutil.copytree(ROOT / "data", site / "data")
    (site / "advisory.yaml").write_text("version: 1\noutput: out\n" + settings)
    return site


@pytest.fixture(scope="session")  # once a process: xdist may hand a module over in parts
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's weeks 2018-W24 and 2018-W25 published, with a public address."""
    site = _site(
        tmp_path_factory.mktemp("feeds"),
        "public_url: https://security.example.org/advisories\n"
        "cap: {sender: alerts@security.example.org}\n",
    )
    for week in ("2018-W24", "2018-W25"):
        result = run_advisory("weekly", "--week", week, cwd=site)
        assert result.returncode == 0, result.stderr
    return site / "out"


def test_every_cap_message_is_valid_cap_1_2(published: Path):
    messages = sorted(published.glob("*/alerts/*.cap.xml"))
    assert len(messages) == 6  # two alerts in 2018-W24, four in 2018-W25
    for path in messages:
        document = etree.parse(str(path))
        assert SCHEMA.validate(document), (path, SCHEMA.error_log)
        root = document.getroot()
        assert root.findtext(f"{CAP}scope") == "Restricted"
        assert root.findtext(f"{CAP}restriction")  # required with Restricted scope
        assert (path.parent / path.name.replace(".cap.xml", ".html")).is_file()


def test_an_update_references_the_previous_message_of_its_series(published: Path):
    vraem = etree.parse(str(published / "2018-W25" / "alerts" / "pe-vraem.cap.xml")).getroot()
    assert vraem.findtext(f"{CAP}msgType") == "Update"
    sender, identifier, sent = vraem.findtext(f"{CAP}references").split(",")
    before = etree.parse(str(published / "2018-W24" / "alerts" / "pe-vraem.cap.xml")).getroot()
    assert (sender, identifier, sent) == (
        before.findtext(f"{CAP}sender"),
        before.findtext(f"{CAP}identifier"),
        before.findtext(f"{CAP}sent"),
    )
    assert identifier == "alerts@security.example.org:2018-W24:pe-vraem"
    info = vraem.find(f"{CAP}info")
    assert info.findtext(f"{CAP}headline") == (
        "Peru: Clashes with armed group in VRAEM region June 24 /update 2"
    )
    assert (info.findtext(f"{CAP}urgency"), info.findtext(f"{CAP}severity")) == (
        "Future", "Severe",
    )  # Informational; High, level four of five  # fmt: skip
    assert info.findtext(f"{CAP}web") == (
        "https://security.example.org/advisories/2018-W25/alerts/pe-vraem.html"
    )
    area = info.find(f"{CAP}area")
    assert area.findtext(f"{CAP}areaDesc") == "VRAEM region, Peru"
    # The region's shape, latitude first: it holds the June 24 clash (Vizcatán) and not Lima.
    [polygon] = [e.text for e in area.findall(f"{CAP}polygon")]
    ring = [tuple(float(v) for v in pair.split(",")) for pair in polygon.split()]
    assert ring[0] == ring[-1] and len(ring) >= 4
    assert area.find(f"{CAP}circle") is None

    def inside(lat: float, lon: float) -> bool:
        return contains([(x, y) for y, x in ring], (lon, lat))

    assert inside(-12.16, -74.03) and not inside(-12.05, -77.04)


def test_the_atom_feed_has_what_rfc_4287_requires(published: Path):
    feed = etree.parse(str(published / "alerts.atom")).getroot()
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # the entries have none
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 6
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        [link] = entry.findall(f"{ATOM}link[@rel='alternate']")
        assert link.get("href").startswith("https://security.example.org/advisories/2018-W2")
        assert entry.findtext(f"{ATOM}updated").endswith("Z")
    # The series: the VRAEM update of W25 and the alert of W24 are two entries, newest first.
    assert ids.index("tag:security.example.org,2018:advisory/pe-vraem/2018-W25") < ids.index(
        "tag:security.example.org,2018:advisory/pe-vraem/2018-W24"
    )
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    # The headline says it is an update: the title does not say it twice.
    assert "Peru: Clashes with armed group in VRAEM region June 24 /update 2" in titles
    assert not any(t.startswith("Update: ") for t in titles)


def test_feeds_are_the_same_bytes_on_a_rerun_and_relative_without_a_public_url(tmp_path):
    site = _site(tmp_path, "")
    assert run_advisory("weekly", "--week", "2018-W25", cwd=site).returncode == 0
    first = (site / "out" / "alerts.atom").read_bytes()
    cap = (site / "out" / "2018-W25" / "alerts" / "pe-vraem.cap.xml").read_bytes()
    assert run_advisory("weekly", "--week", "2018-W25", cwd=site).returncode == 0
    assert (site / "out" / "alerts.atom").read_bytes() == first
    assert (site / "out" / "2018-W25" / "alerts" / "pe-vraem.cap.xml").read_bytes() == cap
    feed = etree.fromstring(first)
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert "alerts.atom" in hrefs and "2018-W25/alerts/pe-vraem.html" in hrefs
    assert b"<web>" not in cap  # no address to give


def test_an_update_references_only_a_message_this_site_published(tmp_path: Path):
    """W25's VRAEM alert is the second of its series, but this site never published W24: its
    CAP message is an Alert with no reference to a message nobody can find."""
    site = _site(tmp_path, "")
    assert run_advisory("weekly", "--week", "2018-W25", cwd=site).returncode == 0
    vraem = etree.parse(str(site / "out" / "2018-W25" / "alerts" / "pe-vraem.cap.xml")).getroot()
    assert vraem.findtext(f"{CAP}msgType") == "Alert"
    assert vraem.find(f"{CAP}references") is None


#: Characters no published file may carry: C0 and C1 controls but tab and line ends, and a
#: right-to-left override left open.
FORBIDDEN = [
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]


def test_control_and_bidi_characters_never_reach_a_published_file(tmp_path: Path):
    site = _site(tmp_path, "")
    with (site / "data" / "incidents.csv").open("a", encoding="utf-8") as f:
        f.write(
            "evil-1,2018-06-23,Peru,Lima,Lima,Mira\x0bflores\u202e,,,riot,,1,4,"
            '"A riot\x1b[31m in central Lima\x85 \u202eesrever\x00.",Rep\x07,,,,,\n'
        )
    result = run_advisory("weekly", "--week", "2018-W25", cwd=site)
    assert result.returncode == 0, result.stderr
    out = site / "out"
    for path in [*out.glob("2018-W25/alerts/*.cap.xml"), out / "alerts.atom"]:
        etree.parse(str(path))  # well-formed XML, or this raises
    texts = {
        path: path.read_text(encoding="utf-8")
        for path in [*out.glob("2018-W25/**/*.*"), out / "alerts.atom"]
        if path.suffix in (".xml", ".atom", ".csv", ".html", ".json")
    }
    assert "Miraflores" in texts[out / "2018-W25" / "incidents.csv"]
    assert "A riot[31m in central Lima esrever." in texts[out / "2018-W25" / "incidents.csv"]
    for path, text in texts.items():
        if path.suffix == ".json":  # JSON escapes what it carries: the raw data, as documented
            continue
        assert not [ch for ch in FORBIDDEN if ch in text], path
        assert "\u202e" not in text, path


def test_the_mapping_of_levels_and_severities(monkeypatch):
    words = ["Informational", "Warning", "Critical"]
    assert [cap_severity(rank, 5) for rank in range(1, 6)] == [
        "Minor", "Minor", "Moderate", "Severe", "Extreme",
    ]  # fmt: skip
    assert [cap_urgency(w, words) for w in words] == ["Future", "Expected", "Immediate"]
    import datetime as dt

    assert cap_time(dt.datetime(2018, 6, 25, 6, tzinfo=dt.UTC)) == "2018-06-25T06:00:00-00:00"


def test_a_circle_around_the_incidents_that_have_coordinates():
    from advisory.models import Incident

    def at(lat: float | None, lon: float | None) -> Incident:
        return Incident(id=f"i{lat}", date="2018-06-24", country="Peru", category="armed_clash",
                        summary="x", sources=("s",), latitude=lat, longitude=lon)  # fmt: skip

    assert incidents_circle([at(None, None)]) is None
    assert incidents_circle([at(-12.0, -74.0)]) == "-12.0000,-74.0000 10.0"  # at least 10 km
    circle = incidents_circle([at(-12.0, -74.0), at(-12.5, -74.0), at(None, None)])
    assert circle is not None
    centre, radius = circle.split()
    assert centre == "-12.2500,-74.0000" and 30 < float(radius) < 31  # 27.8 km and a tenth more
