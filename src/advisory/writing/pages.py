"""Typed contexts of the document templates: a template sees its page, never raw data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from markupsafe import Markup

from advisory.calendar import iso_timestamp, stamp_date
from advisory.models import REASON_CODES, TREND_ARROWS
from advisory.writing.charts import no_data_legend, sparkline
from advisory.writing.compose import Alert, Bulletin
from advisory.writing.figures import Figure


@dataclass(frozen=True)
class AlertsPage:
    """Context of `alerts.html.j2`: one or more alerts as one document."""

    title: str
    organisation: str
    classification: str
    issued: dt.datetime
    alerts: Sequence[Alert]
    lang: str = "en"
    reason_names: Mapping[str, str] = field(default_factory=lambda: dict(REASON_CODES))
    #: Region id -> its alert's locator map (none with `maps: false`).
    maps: Mapping[str, Figure] = field(default_factory=dict)
    #: Where the archive's region pages are from this document (a published week's); empty:
    #: no links to them.
    region_base: str = ""

    @property
    def issued_iso(self) -> str:
        return iso_timestamp(self.issued)


@dataclass(frozen=True)
class BulletinPage:
    """Context of `bulletin.html.j2`."""

    bulletin: Bulletin
    window_days: int
    weeks: int
    sparklines: Mapping[str, Markup]
    #: The legend's mark for weeks without data, when a chart has any (else empty).
    no_data: Markup = field(default_factory=Markup)
    lang: str = "en"
    arrows: Mapping[str, str] = field(default_factory=lambda: dict(TREND_ARROWS))
    reason_names: Mapping[str, str] = field(default_factory=lambda: dict(REASON_CODES))
    #: The map of the week, and each alert's locator map (none with `maps: false`).
    map: Figure | None = None
    maps: Mapping[str, Figure] = field(default_factory=dict)
    #: A summary row's region id -> the id of its alert in the bulletin (a country of the
    #: world file: its first alert).
    links: Mapping[str, str] = field(default_factory=dict)
    region_base: str = ""  # as AlertsPage's

    @property
    def title(self) -> str:
        b = self.bulletin
        return f"{b.title} — {b.week}"

    @property
    def issued_iso(self) -> str:
        return iso_timestamp(self.bulletin.issued)

    @property
    def period(self) -> str:
        b = self.bulletin
        return f"{stamp_date(b.period_start)} to {stamp_date(b.period_end)}"


def alerts_page(
    alerts: Sequence[Alert],
    organisation: str,
    classification: str,
    issued: dt.datetime,
    maps: Mapping[str, Figure] | None = None,
    reason_names: Mapping[str, str] | None = None,
) -> AlertsPage:
    if len(alerts) == 1:
        title = alerts[0].headline
    else:
        title = f"Travel-security alerts, {stamp_date(issued.date())}"
    mine = {a.region_id: maps[a.region_id] for a in alerts if maps and a.region_id in maps}
    page = AlertsPage(title, organisation, classification, issued, tuple(alerts), maps=mine)
    return page if reason_names is None else replace(page, reason_names=reason_names)


def bulletin_page(
    bulletin: Bulletin,
    window_days: int,
    week_map: Figure | None = None,
    maps: Mapping[str, Figure] | None = None,
    reason_names: Mapping[str, str] | None = None,
) -> BulletinPage:
    colors = [color for _, _, color in bulletin.levels]
    sparklines = {
        row.region_id: sparkline(row.levels, len(colors), colors) for row in bulletin.summary
    }
    weeks = len(bulletin.summary[0].levels) if bulletin.summary else 0
    gaps = any(0 in row.levels for row in bulletin.summary)
    mine = {a.region_id: maps[a.region_id] for a in bulletin.alerts if maps and a.region_id in maps}
    links = {a.region_id: f"alert-{a.region_id}" for a in bulletin.alerts}
    for a in bulletin.alerts:
        links.setdefault(f"country:{a.country}", f"alert-{a.region_id}")
    page = BulletinPage(
        bulletin, window_days, weeks, sparklines, no_data_legend() if gaps else Markup(""),
        map=week_map, maps=mine, links=links,
    )  # fmt: skip
    return page if reason_names is None else replace(page, reason_names=reason_names)


Page = AlertsPage | BulletinPage
