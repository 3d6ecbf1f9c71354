"""`advisory calibrate` as text for people and as JSON for other programs."""

from __future__ import annotations

from pydantic import TypeAdapter

from advisory.calibration import Calibration, RegionBacktest
from advisory.calibration import threshold_text as _number

#: Regions listed in the text backtest (most changed first); JSON lists every one.
SHOWN_REGIONS = 40


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def text(report: Calibration) -> list[str]:
    """The proposal per profile, the backtest per region, and the fragment to paste."""
    lines = [
        f"calibration over {report.weeks} weeks, {report.first_week} to {report.last_week}; "
        f"alerts as issued under {report.bar}",
    ]
    for p in report.proposals:
        pct = p.score_percentiles
        lines += [
            "",
            f"profile {p.profile}: {p.regions} regions, {p.region_weeks} region-weeks with data; "
            f"weekly score median {pct['p50']:g}, 90th percentile {pct['p90']:g}, "
            f"99th {pct['p99']:g}, highest {pct['max']:g}",
        ]
        if p.quiet_share > p.levels[0].target:
            lines.append(
                f"  {_percent(p.quiet_share)} of them scored nothing, more than the "
                f"{p.levels[0].level} target: {p.levels[0].level} holds them, and the other "
                "levels share the rest in the targets' proportions"
            )
        lines.append(
            f"  {'level':<12}{'target':>8}{'now':>12}{'share':>9}{'proposed':>12}{'share':>9}"
        )
        for s in p.levels:
            lines.append(
                f"  {s.level:<12}{_percent(s.target):>8}{_number(s.threshold_now):>12}"
                f"{_percent(s.share_now):>9}{_number(s.threshold_proposed):>12}"
                f"{_percent(s.share_proposed):>9}"
            )
    order = [s.level for s in report.proposals[0].levels] if report.proposals else []
    lines += ["", *backtest_lines(report.backtest), *fall_lines(report.backtest, order)]
    lines += ["", *report.fragment.rstrip("\n").split("\n")]
    return lines


def fall_lines(rows: tuple[RegionBacktest, ...], order: list[str]) -> list[str]:
    """The regions whose level in the last week the proposal would lower by two or more, with
    their deaths: what an analyst should see before pasting anything."""
    fallen = sorted(
        (r for r in rows if r.level_now in order and r.level_proposed in order
         and order.index(r.level_now) - order.index(r.level_proposed) >= 2),
        key=lambda r: (-r.deaths, r.region_id),
    )  # fmt: skip
    if not fallen:
        return []
    lines = ["", f"the proposal would lower {len(fallen)} regions by two levels or more in the "
                 "last week:"]  # fmt: skip
    for r in fallen[:SHOWN_REGIONS]:
        lines.append(f"  {r.region_name} ({r.region_id}), {r.country}: {r.deaths} killed in the "
                     f"last window; {r.level_now} now, would be {r.level_proposed}")  # fmt: skip
    if len(fallen) > SHOWN_REGIONS:
        lines.append(f"  ... and {len(fallen) - SHOWN_REGIONS} more regions (--format json)")
    return lines


def backtest_lines(rows: tuple[RegionBacktest, ...]) -> list[str]:
    changed = sorted(
        (r for r in rows if r.level_changes or r.alerts_gained or r.alerts_lost),
        key=lambda r: (-r.level_changes, -len(r.alerts_gained) - len(r.alerts_lost), r.region_id),
    )
    weeks = sum(r.weeks for r in rows)
    moved = sum(r.level_changes for r in rows)
    gained = sum(len(r.alerts_gained) for r in rows)
    lost = sum(len(r.alerts_lost) for r in rows)
    lines = [
        f"backtest: {moved} of {weeks} region-weeks would change level; "
        f"{gained} alerts would be added and {lost} not issued, in {len(changed)} of "
        f"{len(rows)} regions",
    ]
    if not changed:
        return lines
    width = max(len(r.region_id) for r in changed[:SHOWN_REGIONS])
    lines.append(
        f"  {'region':<{width}}  {'changes':>7}  {'raised':>6}  {'alerts now':>10}  "
        f"{'proposed':>8}  weeks gained / lost"
    )
    for r in changed[:SHOWN_REGIONS]:
        weeks_shown = _weeks(r.alerts_gained, "+") + _weeks(r.alerts_lost, "-")
        lines.append(
            f"  {r.region_id:<{width}}  {r.level_changes:>7}  {r.raised:>6}  {r.alerts_now:>10}  "
            f"{r.alerts_proposed:>8}  {' '.join(weeks_shown) or '-'}"
        )
    if len(changed) > SHOWN_REGIONS:
        lines.append(f"  ... and {len(changed) - SHOWN_REGIONS} more regions (--format json)")
    return lines


def _weeks(labels: tuple[str, ...], sign: str, most: int = 4) -> list[str]:
    shown = [f"{sign}{label}" for label in labels[:most]]
    if len(labels) > most:
        shown.append(f"{sign}{len(labels) - most} more")
    return shown


def json_bytes(report: Calibration) -> bytes:
    return _REPORT.dump_json(report, indent=2) + b"\n"


_REPORT = TypeAdapter(Calibration)
