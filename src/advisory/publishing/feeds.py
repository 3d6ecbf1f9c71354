"""What other systems read: one CAP 1.2 message per alert, and an Atom feed of recent alerts.

Each published week holds `alerts/REGION.cap.xml` beside the alert's HTML and PDF: a Common
Alerting Protocol 1.2 message (OASIS), `Alert` for the first alert of a series and `Update` with
a reference to the series' previous message after that. `OUTPUT/alerts.atom` (RFC 4287) lists
the alerts of the last `atom.weeks` published weeks, read back from their CAP messages, so a
feed reader shows an update as an update of the same series.

How our levels and severities map to CAP's urgency, severity and certainty is in docs/feeds.md.
Same inputs, same bytes: every date comes from the weeks' issue times.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisory.calendar import iso_timestamp
from advisory.models import Incident
from advisory.plaintext import shown
from advisory.writing.compose import Alert

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
#: CAP severity by the share of the scale our level reaches (its rank over the level count).
CAP_SEVERITY = ((1.0, "Extreme"), (0.8, "Severe"), (0.6, "Moderate"), (0.0, "Minor"))
#: CAP urgency by our severity word's place: the highest, the middle ones, the lowest.
CAP_URGENCY = {"highest": "Immediate", "middle": "Expected", "lowest": "Future"}
#: A circle around the week's incidents is at least this wide (km): the places are approximate.
MIN_RADIUS_KM = 10.0


@dataclass(frozen=True)
class Feeds:
    """What the feeds need from the settings."""

    sender: str  # cap.sender: the CAP messages' sender, an address or a domain
    organisation: str
    classification: str
    public_url: str | None = None
    weeks: int = 8  # atom.weeks


def cap_time(moment: dt.datetime) -> str:
    """CAP's date-time: `2018-06-25T06:00:00-00:00` (UTC written as -00:00, as the spec asks)."""
    text = moment.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "-00:00")


def identifier(feeds: Feeds, week: str, region_id: str) -> str:
    """The CAP identifier of a region's alert of a week: stable across re-runs."""
    return f"{feeds.sender}:{week}:{region_id}"


def cap_severity(level_rank: int, level_count: int) -> str:
    share = level_rank / level_count
    return next(word for floor, word in CAP_SEVERITY if share >= floor)


def cap_urgency(severity: str, words: Sequence[str]) -> str:
    if severity == words[-1] and len(words) > 1:
        return CAP_URGENCY["highest"]
    if severity == words[0]:
        return CAP_URGENCY["lowest"]
    return CAP_URGENCY["middle"]


def cap_message(
    alert: Alert,
    week: str,
    feeds: Feeds,
    severity_words: Sequence[str],
    event: str,
    rings: Sequence[Sequence[tuple[float, float]]] = (),
    previous: Entry | None = None,
) -> bytes:
    """The alert as a CAP 1.2 message: `Update` with a reference to `previous`, the message
    this site published for the series' previous alert (read back from its file), else
    `Alert`: a reference names only a message the site published. `rings` is the region's
    shape (longitude, latitude), its area's polygons; without one, a circle around the week's
    incidents. Every text is as outputs show it (`plaintext.shown`)."""
    ET.register_namespace("", CAP)
    root = ET.Element(f"{{{CAP}}}alert")

    def add(parent: ET.Element, name: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{CAP}}}{name}")
        child.text = shown(text)
        return child

    add(root, "identifier", identifier(feeds, week, alert.region_id))
    add(root, "sender", feeds.sender)
    add(root, "sent", cap_time(alert.issued))
    add(root, "status", "Actual")
    add(root, "msgType", "Update" if previous is not None else "Alert")
    add(root, "scope", "Restricted")
    add(root, "restriction", feeds.classification)
    if previous is not None:
        add(root, "references", f"{previous.sender},{previous.identifier},{previous.sent}")
    info = ET.SubElement(root, f"{{{CAP}}}info")
    add(info, "language", "en")
    add(info, "category", "Security")
    add(info, "event", event)
    add(info, "urgency", cap_urgency(alert.severity, severity_words))
    add(info, "severity", cap_severity(alert.level_rank, alert.level_count))
    add(info, "certainty", "Observed")
    add(info, "senderName", feeds.organisation)
    add(info, "headline", alert.headline)
    add(info, "description", "\n\n".join((alert.summary, *alert.event)))
    add(info, "instruction", "\n".join(alert.advice))
    if feeds.public_url:
        add(info, "web", f"{feeds.public_url}/{week}/alerts/{alert.region_id}.html")
    area = ET.SubElement(info, f"{{{CAP}}}area")
    where = alert.region_name
    add(area, "areaDesc", where if where == alert.country else f"{where}, {alert.country}")
    polygons = [cap_polygon(ring) for ring in rings if len(ring) >= 4]
    for polygon in polygons:
        add(area, "polygon", polygon)
    if not polygons and (circle := incidents_circle(alert.incidents)) is not None:
        add(area, "circle", circle)
    return _xml(root)


def cap_polygon(ring: Sequence[tuple[float, float]]) -> str:
    """`-12.4000,-75.1050 -12.5000,-75.0770 …`: a closed ring as CAP writes it, latitude
    first."""
    points = list(ring)
    if points[0] != points[-1]:
        points.append(points[0])
    return " ".join(f"{lat:.4f},{lon:.4f}" for lon, lat in points)


def incidents_circle(incidents: Sequence[Incident]) -> str | None:
    """`-12.3500,-73.9000 25.0`: the circle (centre, radius in km) around the incidents that
    have coordinates, at least `MIN_RADIUS_KM` across; None when none has."""
    import math

    points = [(i.latitude, i.longitude) for i in incidents
              if i.latitude is not None and i.longitude is not None]  # fmt: skip
    if not points:
        return None
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)

    def km(a: tuple[float, float], b: tuple[float, float]) -> float:
        p1, p2 = math.radians(a[0]), math.radians(b[0])
        dp, dl = p2 - p1, math.radians(b[1] - a[1])
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))

    radius = max(MIN_RADIUS_KM, max(km((lat, lon), p) for p in points) * 1.1)
    return f"{lat:.4f},{lon:.4f} {radius:.1f}"


# --- Atom ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    identifier: str
    region_id: str
    week: str
    headline: str
    summary: str
    sent: str  # CAP time
    msg_type: str
    sender: str = ""


#: The marker of a later alert of a series in its headline: `/update 2`.
UPDATE_MARK = re.compile(r"/update \d+$")


def read_cap(path: Path) -> Entry | None:
    """An entry of the feed from a published CAP message; None for one that does not read."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None

    def text(element: ET.Element | None, name: str) -> str:
        found = element.find(f"{{{CAP}}}{name}") if element is not None else None
        return (found.text or "") if found is not None else ""

    info = root.find(f"{{{CAP}}}info")
    week = path.parent.parent.name
    description = text(info, "description")
    return Entry(
        identifier=text(root, "identifier"),
        region_id=path.name.removesuffix(".cap.xml"),
        week=week,
        headline=text(info, "headline"),
        summary=description.split("\n\n")[0],
        sent=text(root, "sent"),
        msg_type=text(root, "msgType"),
        sender=text(root, "sender"),
    )


def atom_feed(output: Path, feeds: Feeds) -> bytes:
    """The feed of the alerts of the last `feeds.weeks` weeks published under `output`, newest
    first. Entry ids are tag URIs of the alert's region and week, so an update is a new entry of
    the same series; links are absolute with `public_url`, relative to the feed without it."""
    weeks = sorted((p for p in output.glob("[0-9][0-9][0-9][0-9]-W[0-9][0-9]") if p.is_dir()),
                   reverse=True)[: feeds.weeks]  # fmt: skip
    entries = [
        entry
        for week in weeks
        for path in sorted((week / "alerts").glob("*.cap.xml"))
        if (entry := read_cap(path)) is not None
    ]
    entries.sort(key=lambda e: (e.sent, e.region_id), reverse=True)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> None:
        kept = {key: shown(value) for key, value in attributes.items()}
        child = ET.SubElement(parent, f"{{{ATOM}}}{name}", kept)
        child.text = shown(text) if text is not None else None

    base = f"{feeds.public_url}/" if feeds.public_url else ""
    authority = feeds.sender.rpartition("@")[2] or feeds.sender
    add(root, "id", f"tag:{authority},2018:advisory/alerts")
    add(root, "title", f"{feeds.organisation}: travel-security alerts")
    add(root, "updated", _atom_time(entries[0].sent) if entries else "1970-01-01T00:00:00Z")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    add(author, "name", feeds.organisation)
    add(root, "link", rel="self", href=f"{base}alerts.atom")
    for e in entries:
        item = ET.SubElement(root, f"{{{ATOM}}}entry")
        add(item, "id", f"tag:{authority},2018:advisory/{e.region_id}/{e.week}")
        # A later alert's headline says "/update N" itself; an update without it says so.
        marked = e.msg_type != "Update" or UPDATE_MARK.search(e.headline) is not None
        add(item, "title", e.headline if marked else f"Update: {e.headline}")
        add(item, "updated", _atom_time(e.sent))
        add(item, "link", rel="alternate", type="text/html",
            href=f"{base}{e.week}/alerts/{e.region_id}.html")  # fmt: skip
        add(item, "summary", e.summary)
    return _xml(root)


def _atom_time(cap: str) -> str:
    """RFC 3339 from CAP's form: `2018-06-25T06:00:00Z`."""
    moment = dt.datetime.fromisoformat(cap.replace("-00:00", "+00:00"))
    return iso_timestamp(moment)


def _xml(root: ET.Element) -> bytes:
    """The document, indented, in UTF-8 with its declaration."""
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
