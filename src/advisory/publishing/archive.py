"""The archive as a small static site: `OUTPUT/index.html` and `OUTPUT/regions/REGION.html`.

Each published week holds `levels.json`, a compact record of what it issued: the level of every
region the bulletin lists (a quiet region of the world file — lowest level, no incident in the
window — is left out and counted), its alerts and closed series. After each publish the site
is built again from these records alone, so it shows what was issued, not what the log says
now:

- the index: the weeks, newest first, each with its alerts, the levels that moved and the
  series that ended; then every region with a page, highest level first;
- a page per region that any week listed: its current level, its level over the last 52
  weeks (a week not published is a gap marked "no data"), and every alert issued for it.

Links are relative, so the pages work from `file://` and from any web server. The pages are
built in a hidden folder; `regions/` is swapped in whole and `index.html` replaced after it, so
a reader finds the old site or the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from advisory.calendar import iso_timestamp, monday_of, stamp_date, week_label
from advisory.faults import checkpoint
from advisory.models import Rating, Rules
from advisory.official.advice import stated
from advisory.places.world import is_quiet
from advisory.publishing.atomic import exchange, remove, write_bytes_atomic
from advisory.writing.compose import Alert, Closing, level_color

RECORD = "levels.json"
INDEX = "index.html"
#: The pages' one stylesheet, beside the index (thousands of region pages share it).
STYLE = "archive.css"
REGIONS = "regions"
#: Weeks of the region pages' history chart.
HISTORY_WEEKS = 52
#: The largest week record read back (bytes): a record is ours, but the folder is the
#: operator's; a file grown past this is reported and skipped, not read into memory.
MAX_RECORD = 64 * 1024 * 1024


# --- the week's record ------------------------------------------------------------------------


def week_record(
    label: str,
    ratings: Sequence[Rating],
    alerts: Sequence[Alert],
    closings: Sequence[Closing],
    rules: Rules,
) -> bytes:
    """`levels.json` of a week: the levels, alerts and closed series the site is built from."""
    ruleset = rules.ruleset
    first = ratings[0]
    alerted = {a.region_id for a in alerts}
    listed = [r for r in ratings if r.region_id in alerted or not is_quiet(r, rules)]
    document = {
        "format": 1,
        "week": label,
        "period_start": first.period_start.isoformat(),
        "period_end": first.period_end.isoformat(),
        "issued": iso_timestamp(first.as_of),
        "levels": [
            {"name": lv.name, "color": level_color(ruleset, lv.name)} for lv in ruleset.levels
        ],
        "quiet": len(ratings) - len(listed),
        "regions": [
            {
                "id": r.region_id,
                "name": r.region_name,
                "country": r.country,
                "level": r.level,
                "rank": r.level_rank,
                "previous": r.previous_level,
                "incidents": r.window_incidents,
                "fatalities": r.window_fatalities,
            }
            | _official(r)
            for r in sorted(listed, key=lambda r: r.region_id)
        ],
        "alerts": [
            {
                "region": a.region_id,
                "headline": a.headline,
                "summary": a.summary,
                "severity": a.severity,
                "level": a.level,
                "update": a.update,
            }
            for a in sorted(alerts, key=lambda a: a.region_id)
        ],
        "closings": [
            {"region": c.region_id, "headline": c.headline}
            for c in sorted(closings, key=lambda c: c.region_id)
        ],
    }
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _official(rating: Rating) -> dict[str, Any]:
    """The governments' advice beside a region, as its archive page shows it (no key without
    any, so that a week without official advice reads as before)."""
    if not rating.official:
        return {}
    return {
        "official": [
            {"source": o.source, "text": stated(o), "link": o.link, "mapped": o.mapped}
            for o in rating.official
        ]
    }


# --- reading the archive back -----------------------------------------------------------------


@dataclass(frozen=True)
class WeekEntry:
    label: str
    folder: str  # the week's folder under OUTPUT
    start: dt.date
    end: dt.date
    issued: str
    levels: tuple[tuple[str, str], ...]  # (name, colour), lowest first
    quiet: int
    regions: Mapping[str, Mapping[str, Any]]
    alerts: tuple[Mapping[str, Any], ...]
    closings: tuple[Mapping[str, Any], ...]
    has_bulletin: bool

    @property
    def period(self) -> str:
        return f"{stamp_date(self.start)} to {stamp_date(self.end)}"

    def color(self, level: str) -> str:
        return dict(self.levels).get(level, "#9e9e9e")

    def changes(self) -> list[Mapping[str, Any]]:
        """The regions whose level moved this week, raised first."""
        names = [name for name, _ in self.levels]
        moved = []
        for region in self.regions.values():
            before, now = region.get("previous"), region["level"]
            if before in names and now in names and before != now:
                raised = names.index(now) > names.index(before)
                moved.append({**region, "raised": raised, "color": self.color(now)})
        return sorted(moved, key=lambda r: (not r["raised"], -r["rank"], r["country"], r["name"]))


def read_weeks(
    root: Path, *, replacing: tuple[str, bytes] | None = None
) -> tuple[list[WeekEntry], list[str]]:
    """Every published week's record under `root`, newest first, and what could not be read
    (a folder the operator put there, a record of another format). `replacing`, a week
    folder's name and a record, stands for that week's record, as it will be once the week
    (with its bulletin) is published."""
    found: list[WeekEntry] = []
    skipped: list[str] = []
    for record in sorted(root.glob(f"*/{RECORD}")):
        folder = record.parent
        if folder.name.startswith(".") or (replacing and folder.name == replacing[0]):
            continue
        try:
            if record.stat().st_size > MAX_RECORD:
                raise ValueError(f"larger than {MAX_RECORD // (1024 * 1024)} MB")
            text = record.read_text(encoding="utf-8")
            found.append(_entry(folder.name, text, (folder / "bulletin.html").is_file()))
        except (OSError, ValueError, KeyError, TypeError) as e:
            skipped.append(f"{record}: {e}")
    if replacing is not None:
        found.append(_entry(replacing[0], replacing[1].decode("utf-8"), has_bulletin=True))
    found.sort(key=lambda w: (w.start, w.label), reverse=True)
    return found, skipped


def _entry(folder: str, text: str, has_bulletin: bool) -> WeekEntry:
    data = json.loads(text)
    if data.get("format") != 1:
        raise ValueError(f"format {data.get('format')!r}, not 1")
    return WeekEntry(
        label=str(data["week"]),
        folder=folder,
        start=dt.date.fromisoformat(data["period_start"]),
        end=dt.date.fromisoformat(data["period_end"]),
        issued=str(data["issued"]),
        levels=tuple((str(lv["name"]), str(lv["color"])) for lv in data["levels"]),
        quiet=int(data.get("quiet", 0)),
        regions={str(r["id"]): r for r in data["regions"]},
        alerts=tuple(data["alerts"]),
        closings=tuple(data["closings"]),
        has_bulletin=has_bulletin,
    )


# --- the pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionAlert:
    week: str
    href: str  # from the region page
    headline: str
    severity: str
    level: str
    color: str


@dataclass(frozen=True)
class RegionPage:
    """Context of `archive_region.html.j2`."""

    region_id: str
    name: str
    country: str
    level: str
    level_color: str
    as_of_week: str
    chart: Markup
    alerts: tuple[RegionAlert, ...]
    closings: tuple[tuple[str, str], ...]  # (week, headline)
    organisation: str
    lang: str = "en"
    #: The governments' advice in the newest week: (its line, its page or "").
    official: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        where = self.name if self.name == self.country else f"{self.name}, {self.country}"
        return f"{where}: level and alerts"


@dataclass(frozen=True)
class IndexPage:
    """Context of `archive_index.html.j2`."""

    organisation: str
    weeks: Sequence[WeekEntry]
    regions: Sequence[Mapping[str, Any]]  # id, name, country, level, color, rank, last alert
    lang: str = "en"
    title: str = "Travel-security archive"
    extra: Mapping[str, str] = field(default_factory=dict)


def region_pages(weeks: Sequence[WeekEntry], organisation: str) -> Iterator[RegionPage]:
    """A page for every region any week listed, from the newest week's view of it."""
    if not weeks:
        return
    latest = weeks[0]
    by_label = {w.label: w for w in weeks}
    known: dict[str, Mapping[str, Any]] = {}
    for week in reversed(weeks):  # oldest first: the newest name wins
        known.update(week.regions)
    lowest, lowest_color = latest.levels[0]
    mondays = [monday_of(latest.start) - dt.timedelta(weeks=k) for k in range(HISTORY_WEEKS)][::-1]
    history = [by_label.get(week_label(monday)) for monday in mondays]
    # Each region's alerts and closed series, newest first, gathered in one pass.
    alerts_of: dict[str, list[RegionAlert]] = {}
    closings_of: dict[str, list[tuple[str, str]]] = {}
    for week in weeks:
        for a in week.alerts:
            owner = str(a["region"])
            alerts_of.setdefault(owner, []).append(RegionAlert(
                week.label, f"../{week.folder}/alerts/{owner}.html", str(a["headline"]),
                str(a["severity"]), str(a["level"]), week.color(str(a["level"])),
            ))  # fmt: skip
        for c in week.closings:
            closings_of.setdefault(str(c["region"]), []).append((week.label, str(c["headline"])))
    for region_id in sorted(known):
        region = known[region_id]
        now = latest.regions.get(region_id)
        level = now["level"] if now else lowest
        ranks = []
        for published in history:
            if published is None:
                ranks.append(0)
            else:
                listed = published.regions.get(region_id)
                ranks.append(int(listed["rank"]) if listed else 1)
        alerts = tuple(alerts_of.get(region_id, ()))
        closings = tuple(closings_of.get(region_id, ()))
        official = now.get("official", []) if now else []
        yield RegionPage(
            region_id, str(region["name"]), str(region["country"]), level,
            latest.color(level) if now else lowest_color, latest.label,
            history_chart(ranks, mondays, latest.levels), alerts, closings, organisation,
            official=tuple(
                (str(o.get("text", "")), str(o.get("link") or ""))
                for o in official if isinstance(o, dict)
            ),
        )  # fmt: skip


def index_page(
    weeks: Sequence[WeekEntry], pages: Sequence[RegionPage], organisation: str
) -> IndexPage:
    ranks = {name: k for k, (name, _) in enumerate(weeks[0].levels, 1)} if weeks else {}
    regions: list[dict[str, Any]] = [
        {
            "id": p.region_id,
            "name": p.name,
            "country": p.country,
            "level": p.level,
            "color": p.level_color,
            "rank": ranks.get(p.level, 0),
            "last_alert": p.alerts[0].week if p.alerts else "",
        }
        for p in pages
    ]
    regions.sort(key=lambda r: (-r["rank"], r["country"], r["name"]))
    return IndexPage(organisation, weeks, regions)


def history_chart(
    ranks: Sequence[int], mondays: Sequence[dt.date], levels: Sequence[tuple[str, str]]
) -> Markup:
    """The level week by week as bars on a scale of the level names, with the months below;
    a week not published is a dotted gap ("no data")."""
    bar, gap, left, top, height = 9, 2, 78, 8, 110
    width = left + len(ranks) * (bar + gap) + 4
    count = max(len(levels), 1)
    step = height / count
    parts = []
    for k, (name, _) in enumerate(levels, 1):
        y = top + height - k * step
        parts.append(
            f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(name)}</text>'
        )
    base = top + height
    for k, (rank, monday) in enumerate(zip(ranks, mondays, strict=True)):
        x = left + k * (bar + gap)
        if rank == 0:
            parts.append(
                f'<line x1="{x}" y1="{base - 0.5}" x2="{x + bar}" y2="{base - 0.5}" '
                f'stroke="#9e9e9e" stroke-dasharray="1 1"/>'
            )
        else:
            color = levels[min(rank, count) - 1][1]
            h = rank * step
            parts.append(
                f'<rect x="{x}" y="{base - h:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{escape(color)}"><title>{monday:%d %b %Y}: '
                f"{escape(levels[min(rank, count) - 1][0])}</title></rect>"
            )
        quarter = k > 0 and monday.month != mondays[k - 1].month and monday.month in (1, 4, 7, 10)
        if (k == 0 or quarter) and x + 50 < width:
            parts.append(
                f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 5}" stroke="#616161"/>'
                f'<text x="{x}" y="{base + 17}">{monday:%b %Y}</text>'
            )
    parts.append(
        f'<line x1="{left - 4}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#616161"/>'
    )
    weeks_at = {rank: ranks.count(rank) for rank in set(ranks)}
    summary = "; ".join(  # the highest level first, weeks without data last
        f"{levels[min(rank, count) - 1][0] if rank else 'no data'}: {n} "
        f"{'week' if n == 1 else 'weeks'}"
        for rank, n in sorted(weeks_at.items(), key=lambda item: -item[0] if item[0] else 1)
    )
    title = (
        f"Level by week, {len(ranks)} weeks from {mondays[0]:%d %b %Y} to "
        f"{mondays[-1]:%d %b %Y}. {summary}."
    )
    total_height = base + 24
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="history" viewBox="0 0 {width} '
        f'{total_height}" width="{width}" height="{total_height}" role="img" '
        f'font-family="DejaVu Sans, sans-serif" font-size="10" fill="#263238">'
        f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>"
    )


# --- writing the site -------------------------------------------------------------------------


def build_site(
    root: Path, render: Any, organisation: str, *, replacing: tuple[str, bytes] | None = None
) -> tuple[dict[str, bytes], list[str]]:
    """The site's files (path under OUTPUT -> bytes) and the week records skipped. `render`
    is `Renderer.site_html`; `replacing` as `read_weeks` takes it."""
    weeks, skipped = read_weeks(root, replacing=replacing)
    pages = list(region_pages(weeks, organisation))
    files = {
        f"{REGIONS}/{page.region_id}.html": render("archive_region.html.j2", {"doc": page}).encode()
        for page in pages
    }
    files[INDEX] = render(
        "archive_index.html.j2", {"doc": index_page(weeks, pages, organisation)}
    ).encode()
    files[STYLE] = render("archive_style.css.j2", {}).encode()
    return files, skipped


def stage_site(root: Path, files: Mapping[str, bytes]) -> Path:
    """The site's region pages written, and on the disk, in a folder of their own beside
    OUTPUT's, ready for `place_site` (or `remove` when the run fails)."""
    building = root / f".site.partial-{os.getpid()}"
    remove(building)
    (building / REGIONS).mkdir(parents=True)
    for name, data in files.items():
        if name.startswith(f"{REGIONS}/"):
            (building / name).write_bytes(data)
    # The pages reach the disk before they are swapped in: one sync for them all (a sync a
    # page costs seconds for the thousands of areas of a world week).
    os.sync()
    return building


def place_site(root: Path, files: Mapping[str, bytes], building: Path) -> None:
    """The stylesheet replaced, the staged `regions/` swapped in whole, then `index.html`."""
    write_bytes_atomic(root / STYLE, files[STYLE])  # before the pages that link it
    target = root / REGIONS
    if not target.exists():
        (building / REGIONS).rename(target)
    elif not exchange(building / REGIONS, target):
        retired = root / f".regions.old-{os.getpid()}"
        target.rename(retired)
        (building / REGIONS).rename(target)
        remove(retired)
    remove(building)
    checkpoint("archive")
    write_bytes_atomic(root / INDEX, files[INDEX])
